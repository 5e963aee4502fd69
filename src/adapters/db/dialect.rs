//! The statements whose SQL differs between SQLite and MySQL: multi-row inserts that skip
//! or merge existing rows, and the locking read of a counter. Everything else is written
//! once in `repo.rs`/`counters.rs`/`fit.rs`.

use std::future::Future;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use super::fit_models::{NewEnrichment, NewFit, ProfileRow};
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

    /// Upserts one profile by key, every column.
    fn upsert_profile(&mut self, row: ProfileRow) -> impl Future<Output = QueryResult<()>> + Send;

    /// Upserts analyses by job_uid in one statement: content_hash, analyzer_version,
    /// analysis_json, salary and enriched_at; any other column of a stored row is kept.
    fn upsert_enrichments(
        &mut self,
        rows: Vec<NewEnrichment>,
    ) -> impl Future<Output = QueryResult<()>> + Send;

    /// Upserts fits by (job_uid, profile_key) in one statement: score, class, flags,
    /// reasons, scorer_version, input_hash and computed_at. The notion_* columns of a
    /// stored row are kept; a new row gets their defaults.
    fn upsert_fits(&mut self, rows: Vec<NewFit>) -> impl Future<Output = QueryResult<()>> + Send;

    /// Reads and locks up to `limit` claimable sources of `round` (see `leases::claimable!`)
    /// inside the caller's transaction, skipping rows other transactions hold (MySQL:
    /// `FOR UPDATE SKIP LOCKED`; SQLite: BEGIN IMMEDIATE already excludes other writers).
    fn lock_claimable(
        &mut self,
        round: i64,
        now: NaiveDateTime,
        limit: i64,
    ) -> impl Future<Output = QueryResult<Vec<i64>>> + Send;
}
