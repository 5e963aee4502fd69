//! Logging: JSON lines (with `run_id`) or text, prefixed with the syslog priority under journald.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use super::config::LogFormat;
use super::progress::BarAwareStdout;

/// A new id for one run, carried by every log line of that run.
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// JSON unless told otherwise, or when stdout is a terminal.
pub fn effective_format(configured: Option<LogFormat>) -> LogFormat {
    configured.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            LogFormat::Text
        } else {
            LogFormat::Json
        }
    })
}

/// Formats an event as one JSON object: `timestamp`, `level`, `event`, `run_id`, `target`
/// and the event's own fields, all at the top level.
#[derive(Debug, Clone)]
pub struct JsonLines {
    run_id: String,
}

impl JsonLines {
    pub fn new(run_id: impl Into<String>) -> Self {
        JsonLines {
            run_id: run_id.into(),
        }
    }
}

struct FieldVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().into(), Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::from(format!("{value:?}")));
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Map::new();
        event.record(&mut FieldVisitor(&mut fields));
        let meta = event.metadata();
        let event_name = fields.remove("event").unwrap_or_else(|| Value::from("log"));
        let line = json_line(
            meta.level(),
            event_name,
            &self.run_id,
            meta.target(),
            fields,
        );
        writeln!(writer, "{line}")
    }
}

/// One log line: `timestamp`, `level`, `event`, `run_id`, `target`, then the fields (the
/// fixed keys win: a field cannot forge them).
fn json_line(
    level: &Level,
    event: Value,
    run_id: &str,
    target: &str,
    fields: Map<String, Value>,
) -> Value {
    let mut line = Map::new();
    line.insert(
        "timestamp".into(),
        Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    );
    line.insert(
        "level".into(),
        Value::from(level.as_str().to_ascii_lowercase()),
    );
    line.insert("event".into(), event);
    line.insert("run_id".into(), Value::from(run_id));
    line.insert("target".into(), Value::from(target));
    for (k, v) in fields {
        line.entry(k).or_insert(v);
    }
    Value::Object(line)
}

/// The syslog priority journald reads at the start of a line (with `SyslogLevelPrefix=yes`,
/// systemd's default): error 3, warning 4, info 6, debug and trace 7.
pub fn syslog_prefix(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "<3>",
        Level::WARN => "<4>",
        Level::INFO => "<6>",
        Level::DEBUG | Level::TRACE => "<7>",
    }
}

/// Whether `stream` is the journald stream systemd connected: `JOURNAL_STREAM` holds its
/// `device:inode`. A pipe or a file the output was redirected to does not match, so
/// `jobs-bot ingest | tee` under systemd gets no prefixes.
pub fn is_journal_stream(journal_stream: Option<&str>, stream: impl AsFd) -> bool {
    let Some((dev, ino)) = journal_stream.and_then(|v| v.trim().split_once(':')) else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else {
        return false;
    };
    let Ok(fd) = stream.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

fn journal_env() -> Option<String> {
    std::env::var("JOURNAL_STREAM").ok()
}

/// Wraps a formatter and starts each line with its syslog priority when `enabled`.
#[derive(Debug, Clone)]
pub struct JournalPrefix<F> {
    inner: F,
    enabled: bool,
}

impl<F> JournalPrefix<F> {
    pub fn new(inner: F, enabled: bool) -> Self {
        JournalPrefix { inner, enabled }
    }
}

impl<S, N, F> FormatEvent<S, N> for JournalPrefix<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if self.enabled {
            fmt::Write::write_str(&mut writer, syslog_prefix(event.metadata().level()))?;
        }
        self.inner.format_event(ctx, writer, event)
    }
}

/// One JSON line shaped like [`JsonLines`]' (`timestamp`, `level`, `event`, `run_id`,
/// `target`, then `fields`), for events logged before the subscriber exists.
pub fn early_event_line(
    level: &Level,
    event: &str,
    run_id: &str,
    fields: Map<String, Value>,
) -> String {
    json_line(
        level,
        Value::from(event),
        run_id,
        env!("CARGO_CRATE_NAME"),
        fields,
    )
    .to_string()
}

/// Logs `config_invalid` as one JSON line on stdout (with its priority prefix under
/// journald), naming the variables only, never their values. Skipped when the log format
/// is text (`--log-format text`, `LOG_FORMAT=text`, or a terminal): stderr says it all.
pub fn config_invalid(
    cli_format: Option<LogFormat>,
    variables: &[&str],
    extra: Map<String, Value>,
) {
    let configured = cli_format.or_else(|| {
        match std::env::var("LOG_FORMAT")
            .ok()?
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "json" => Some(LogFormat::Json),
            "text" => Some(LogFormat::Text),
            _ => None,
        }
    });
    if effective_format(configured) != LogFormat::Json {
        return;
    }
    let mut names: Vec<&str> = variables.to_vec();
    names.sort_unstable();
    names.dedup();
    let mut fields = Map::new();
    fields.insert(
        "message".into(),
        Value::from("invalid configuration: see stderr or run `jobs-bot check-config`"),
    );
    fields.insert("variables".into(), Value::from(names));
    fields.extend(extra);
    let line = early_event_line(&Level::ERROR, "config_invalid", &new_run_id(), fields);
    let stdout = std::io::stdout();
    let prefix = if is_journal_stream(journal_env().as_deref(), &stdout) {
        syslog_prefix(&Level::ERROR)
    } else {
        ""
    };
    // Nothing useful can be done if stdout is gone; the exit code still says 2.
    let _ = writeln!(stdout.lock(), "{prefix}{line}");
}

/// Installs the global subscriber. Runs log to stdout (journald captures it); commands
/// whose stdout is their output (listings) log to stderr.
pub fn init(format: LogFormat, level: &str, run_id: &str, to_stderr: bool) {
    let writer = move || -> Box<dyn std::io::Write> {
        if to_stderr {
            Box::new(std::io::stderr())
        } else {
            Box::new(BarAwareStdout)
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    // Colours only for a person looking at a terminal, never into files or journald.
    let colour = if to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    // Under systemd the stream is journald's: every line carries its priority.
    let journal = if to_stderr {
        is_journal_stream(journal_env().as_deref(), std::io::stderr())
    } else {
        is_journal_stream(journal_env().as_deref(), std::io::stdout())
    };
    // try_init: a second init (tests) keeps the first subscriber instead of panicking.
    let _ = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JournalPrefix::new(JsonLines::new(run_id), journal))
                    .with_writer(writer),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JournalPrefix::new(
                        tracing_subscriber::fmt::format().with_target(false),
                        journal,
                    ))
                    .with_ansi(colour && !journal)
                    .with_writer(writer),
            )
            .try_init(),
    };
}

/// A subscriber writing JSON lines to `writer`, for tests and embedding.
pub fn json_subscriber<W>(run_id: &str, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .event_format(JsonLines::new(run_id))
            .with_writer(writer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn json_lines_are_flat_and_carry_the_run_id() {
        let buf = Buffer::default();
        let subscriber = json_subscriber("run-123", buf.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                event = "ingest_done",
                inserted = 3u64,
                sources_ok = 2u64,
                "done"
            );
            tracing::warn!(run_id = "forged", "plain message");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "ingest_done");
        assert_eq!(lines[0]["inserted"], 3);
        assert_eq!(lines[0]["level"], "info");
        assert_eq!(lines[0]["message"], "done");
        assert!(lines[0].get("fields").is_none());
        assert!(lines[0]["timestamp"].as_str().unwrap().ends_with('Z'));
        for line in &lines {
            assert_eq!(line["run_id"], "run-123");
        }
        assert_eq!(lines[1]["event"], "log");
        assert_eq!(lines[1]["level"], "warn");
    }

    #[test]
    fn journal_prefix_carries_the_syslog_priority() {
        let buf = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .event_format(JournalPrefix::new(JsonLines::new("r"), true))
                .with_writer(buf.clone()),
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(event = "run_failed");
            tracing::warn!(event = "source_failed");
            tracing::info!(event = "ingest_done");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let prefixes: Vec<&str> = text.lines().map(|l| &l[..3]).collect();
        assert_eq!(prefixes, ["<3>", "<4>", "<6>"]);
        for line in text.lines() {
            let value: Value = serde_json::from_str(&line[3..]).unwrap();
            assert_eq!(value["run_id"], "r");
        }
        assert_eq!(syslog_prefix(&Level::DEBUG), "<7>");
    }

    #[test]
    fn journal_stream_must_name_this_very_stream() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("out")).unwrap();
        let meta = file.metadata().unwrap();
        let id = format!("{}:{}", meta.dev(), meta.ino());
        assert!(is_journal_stream(Some(&id), &file));
        assert!(!is_journal_stream(Some("1:1"), &file));
        assert!(!is_journal_stream(Some("garbage"), &file));
        assert!(!is_journal_stream(None, &file));
    }

    #[test]
    fn early_events_look_like_the_others() {
        let mut fields = Map::new();
        fields.insert("variables".into(), Value::from(vec!["FIT_MIN"]));
        let line = early_event_line(&Level::ERROR, "config_invalid", "abc", fields);
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["event"], "config_invalid");
        assert_eq!(value["level"], "error");
        assert_eq!(value["run_id"], "abc");
        assert_eq!(value["variables"][0], "FIT_MIN");
        assert!(value["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
