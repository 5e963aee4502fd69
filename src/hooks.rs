//! Fault-injection hooks for end-to-end tests; compiled into debug builds only.

/// Names a file: the write transaction creates it, then waits there before committing.
#[cfg(debug_assertions)]
pub const PAUSE_IN_WRITE_ENV: &str = "JOBS_BOT_TEST_PAUSE_IN_WRITE";

/// How long the paused transaction waits: long enough for a test to kill the process.
#[cfg(debug_assertions)]
const PAUSE: std::time::Duration = std::time::Duration::from_secs(120);

/// Called inside `apply_batch`'s transaction once the batch's jobs are written and before
/// the commit. If `JOBS_BOT_TEST_PAUSE_IN_WRITE` names a file path, creates that file (the
/// test's signal that the transaction is open and has written rows), then sleeps 120 s.
#[cfg(debug_assertions)]
pub async fn pause_inside_write() {
    pause(std::env::var_os(PAUSE_IN_WRITE_ENV), PAUSE).await;
}

/// Release builds: does nothing.
#[cfg(not(debug_assertions))]
pub async fn pause_inside_write() {}

/// Set (to anything): `migrate --adopt` exits with code 3 right after the copy is checked,
/// before the old tables are renamed, as a crash there would.
#[cfg(debug_assertions)]
pub const EXIT_AFTER_ADOPT_COPY_ENV: &str = "JOBS_BOT_TEST_EXIT_AFTER_ADOPT_COPY";

/// Called by the adoption between the checked copy and the rename (debug builds only).
#[cfg(debug_assertions)]
pub fn exit_after_adoption_copy() {
    if std::env::var_os(EXIT_AFTER_ADOPT_COPY_ENV).is_some() {
        std::process::exit(3);
    }
}

/// Release builds: does nothing.
#[cfg(not(debug_assertions))]
pub fn exit_after_adoption_copy() {}

/// Names an RFC 3339 instant that the whole run takes as "now", so end-to-end tests of
/// daily caps do not depend on the wall clock (or on crossing midnight mid-test).
#[cfg(debug_assertions)]
pub const NOW_ENV: &str = "JOBS_BOT_TEST_NOW";

/// The frozen "now" of `JOBS_BOT_TEST_NOW`, if set and valid (debug builds only).
#[cfg(debug_assertions)]
pub fn frozen_now() -> Option<chrono::DateTime<chrono::Utc>> {
    let raw = std::env::var(NOW_ENV).ok()?;
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Release builds: the real clock, always.
#[cfg(not(debug_assertions))]
pub fn frozen_now() -> Option<chrono::DateTime<chrono::Utc>> {
    None
}

/// A clock stopped at `JOBS_BOT_TEST_NOW`.
#[derive(Debug, Clone, Copy)]
pub struct FrozenClock(pub chrono::DateTime<chrono::Utc>);

impl crate::ports::Clock for FrozenClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

#[cfg(debug_assertions)]
async fn pause(signal_file: Option<std::ffi::OsString>, duration: std::time::Duration) {
    let Some(path) = signal_file.filter(|p| !p.is_empty()) else {
        return;
    };
    if let Err(e) = std::fs::write(&path, b"") {
        tracing::warn!(
            event = "test_hook_failed",
            hook = PAUSE_IN_WRITE_ENV,
            path = %std::path::Path::new(&path).display(),
            error = %e,
        );
    }
    tokio::time::sleep(duration).await;
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use std::time::{Duration, Instant};

    use super::pause;

    #[tokio::test]
    async fn pause_creates_the_signal_file_then_waits() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in-write");
        let started = Instant::now();
        pause(
            Some(file.clone().into_os_string()),
            Duration::from_millis(100),
        )
        .await;
        assert!(file.exists());
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test]
    async fn no_signal_file_no_pause() {
        let started = Instant::now();
        pause(None, Duration::from_secs(60)).await;
        pause(Some("".into()), Duration::from_secs(60)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
