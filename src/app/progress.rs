//! Progress on a terminal: one bar over the sources of a run, silent otherwise.

use std::io::{self, Write};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::ingest::{SourceReport, SourceStatus};

/// Told about the run as it goes; the ingest use case knows nothing of terminals.
pub trait Progress: Send + Sync {
    fn start(&self, sources: u64);
    fn source_finished(&self, report: &SourceReport);
    fn finish(&self);
}

/// The bar on screen, if any, so that log lines are printed above it rather than through it.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn active_bar() -> Option<ProgressBar> {
    ACTIVE_BAR.lock().map_or(None, |bar| bar.clone())
}

fn set_active_bar(bar: Option<ProgressBar>) {
    if let Ok(mut slot) = ACTIVE_BAR.lock() {
        *slot = bar;
    }
}

/// Stdout for human-readable logs: hides the progress bar while a line is written.
pub struct BarAwareStdout;

impl Write for BarAwareStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Flushed inside the suspension: text left in stdout's buffer would land after the
        // bar is redrawn.
        let write_through = || {
            let mut out = io::stdout().lock();
            out.write_all(buf)?;
            out.flush()?;
            Ok(buf.len())
        };
        match active_bar() {
            Some(bar) => bar.suspend(write_through),
            None => write_through(),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().flush()
    }
}

/// An indicatif bar on stderr.
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// `None` unless stderr is a terminal: journald and pipes get no bar.
    pub fn for_terminal() -> Option<Self> {
        let target = ProgressDrawTarget::stderr();
        if target.is_hidden() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} sources  {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Some(TerminalProgress { bar })
    }
}

impl Progress for TerminalProgress {
    fn start(&self, sources: u64) {
        self.bar.set_length(sources);
        set_active_bar(Some(self.bar.clone()));
        self.bar
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn source_finished(&self, report: &SourceReport) {
        let what = match report.status {
            SourceStatus::Ok => format!("+{} ~{}", report.counts.inserted, report.counts.updated),
            SourceStatus::Failed => "failed".to_string(),
            SourceStatus::RateLimited => "rate-limited".to_string(),
            SourceStatus::Skipped => "skipped".to_string(),
        };
        self.bar.set_message(format!("{} {what}", report.key));
        self.bar.inc(1);
    }

    fn finish(&self) {
        set_active_bar(None);
        self.bar.finish_and_clear();
    }
}
