//! The statements whose SQL differs between SQLite and MySQL: multi-row inserts that skip
//! or merge existing rows, and the locking read of a counter. Everything else is written
//! once in `repo.rs`/`counters.rs`.

use std::future::Future;

use chrono::NaiveDate;
use diesel::QueryResult;

use super::models::{NewJob, NewSource};

pub(super) trait Dialect: Send {
    /// Inserts new jobs in one statement; a uid already stored is left untouched, so a
    /// racing insert never clobbers first_seen_at.
    fn insert_jobs(&mut self, rows: Vec<NewJob>) -> impl Future<Output = QueryResult<()>> + Send;

    /// Upserts declared sources by (ats_type, company_slug): declared slug, name, region
    /// and enabled; fetch history is kept.
    fn upsert_sources(
        &mut self,
        rows: Vec<NewSource>,
    ) -> impl Future<Output = QueryResult<()>> + Send;

    /// Reads a counter inside the caller's transaction so that no other writer can change
    /// it before the transaction ends (MySQL: row lock; SQLite: BEGIN IMMEDIATE already
    /// holds the database write lock).
    fn counter_used_locked(
        &mut self,
        counter: &str,
        day: NaiveDate,
    ) -> impl Future<Output = QueryResult<i64>> + Send;
}
