//! Logging: one JSON object per line (with `run_id` on every line) or human-readable text.

use std::fmt;
use std::io::IsTerminal;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
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
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        line.insert(
            "level".into(),
            Value::from(meta.level().as_str().to_ascii_lowercase()),
        );
        let event_name = fields.remove("event").unwrap_or_else(|| Value::from("log"));
        line.insert("event".into(), event_name);
        line.insert("run_id".into(), Value::from(self.run_id.as_str()));
        line.insert("target".into(), Value::from(meta.target()));
        for (k, v) in fields {
            // The fixed keys above win: a field cannot forge them.
            line.entry(k).or_insert(v);
        }
        writeln!(writer, "{}", Value::Object(line))
    }
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
    // try_init: a second init (tests) keeps the first subscriber instead of panicking.
    let _ = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JsonLines::new(run_id))
                    .with_writer(writer),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_ansi(colour)
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
}
