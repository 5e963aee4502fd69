//! Time, injected so tests and day boundaries are deterministic.

use chrono::{DateTime, NaiveDate, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The UTC day that daily counters are kept for.
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}
