//! Persistent storage of sources and jobs.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::job_source::Region;
use crate::domain::upsert::PlannedJob;
use crate::domain::{ContentHash, JobUid, Posting, SourceKey, StoredFingerprint};

/// Storage failed, by kind, so that callers can tell a retryable failure from a bug.
/// Messages never contain credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached, opened or checked out from the pool.
    #[error("database unavailable: {message}")]
    Unavailable { message: String },
    /// A batch for a source that is not stored (`sync_sources` never declared it).
    #[error("unknown source {key}")]
    UnknownSource { key: SourceKey },
    /// The server kept aborting the transaction for lock conflicts (deadlock, lock wait
    /// timeout) after `attempts` runs of it; nothing of it was written. Worth retrying later.
    #[error("database lock conflict, given up after {attempts} attempts: {message}")]
    Conflict { attempts: u32, message: String },
    /// Stored data the application cannot read back (a bad uid, slug, region, …).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Any other failed statement.
    #[error("database query failed: {0}")]
    Query(String),
}

/// A source as declared by the user (sources file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub key: SourceKey,
    pub name: Option<String>,
    pub region: Region,
    pub enabled: bool,
}

/// A source as stored, with its fetch history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    pub key: SourceKey,
    pub name: Option<String>,
    pub region: Region,
    pub enabled: bool,
    pub last_fetched_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failure_count: u32,
    /// Consecutive complete fetches that found the board empty.
    pub empty_streak: u32,
    /// Jobs of this source with no `closed_at`.
    pub open_jobs: u64,
    /// The slug spelling its job uids hash, when not the normalized slug: a source adopted
    /// from the Python version with a capitalized slug (see `JobUid::with_slug_spelling`).
    pub uid_slug: Option<String>,
}

/// How a fetch of a source ended, written with the source's batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOutcome {
    /// `None` on success; else what went wrong (becomes `last_error`).
    pub error: Option<String>,
    pub empty_streak: u32,
}

/// Everything one fetch of one source writes, applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceBatch {
    pub source: SourceKey,
    pub now: DateTime<Utc>,
    /// New rows: first_seen_at = last_seen_at = changed_at = now.
    pub inserts: Vec<PlannedJob>,
    /// Changed rows: every content column, raw_json and hash rewritten;
    /// last_seen_at = changed_at = now; closed_at cleared.
    pub updates: Vec<PlannedJob>,
    /// Unchanged rows seen again: last_seen_at = now, in bulk, unless `all_open_seen`.
    pub unchanged: Vec<JobUid>,
    /// Every job of the source left open by this batch was seen in the fetch: "seen at
    /// `now`" is recorded once on the source (`jobs_seen_at`) and no unchanged row is
    /// written. A job's last_seen_at reads as the later of its own and, while it is open,
    /// its source's; closing a job writes that time into its row.
    pub all_open_seen: bool,
    /// Closed rows seen again: closed_at cleared.
    pub reopened: Vec<JobUid>,
    /// Open rows a complete fetch proved gone: closed_at = now.
    pub closed: Vec<JobUid>,
    /// last_fetched_at = now; on success also last_success_at = now, last_error cleared,
    /// failure_count reset; on error last_error set and failure_count + 1.
    pub outcome: SourceOutcome,
    /// The worker's lease on the source, ended in the same transaction (`None`: kept).
    pub release: Option<super::leases::LeaseRelease>,
}

impl SourceBatch {
    /// A batch that writes no job, only the source's outcome.
    pub fn outcome_only(source: SourceKey, now: DateTime<Utc>, outcome: SourceOutcome) -> Self {
        SourceBatch {
            source,
            now,
            inserts: Vec::new(),
            updates: Vec::new(),
            unchanged: Vec::new(),
            all_open_seen: false,
            reopened: Vec::new(),
            closed: Vec::new(),
            outcome,
            release: None,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub uid: JobUid,
    pub source: SourceKey,
    pub posting: Posting,
    pub content_hash: ContentHash,
    pub raw_json: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A job whose fields were re-derived from its stored raw JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Reparsed {
    pub uid: JobUid,
    pub posting: Posting,
    pub hash: ContentHash,
}

/// Which jobs to list; newest first (first_seen_at, then uid).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobFilter {
    pub source: Option<SourceKey>,
    pub open_only: bool,
    pub seen_since: Option<DateTime<Utc>>,
    pub limit: Option<u64>,
}

#[async_trait]
pub trait Repository: Send + Sync {
    /// Upserts the declared sources (name, region, enabled) and disables every stored
    /// source that is not declared. Nothing is deleted: jobs and history stay.
    async fn sync_sources(&self, declared: &[SourceSpec]) -> Result<(), StoreError>;

    /// Every stored source, ordered by provider then slug.
    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError>;

    /// Enabled sources, least recently fetched first (never fetched first), ties by key,
    /// so that capped runs rotate through all sources.
    async fn enabled_sources(&self) -> Result<Vec<SourceRecord>, StoreError>;

    /// The stored fingerprint of every job of `source`, in one query.
    async fn fingerprints(
        &self,
        source: &SourceKey,
    ) -> Result<HashMap<JobUid, StoredFingerprint>, StoreError>;

    /// Applies one fetch's writes and the source's outcome in one transaction.
    async fn apply_batch(&self, batch: &SourceBatch) -> Result<(), StoreError>;

    /// Rewrites re-derived content (not raw_json, not seen/closed times); changed_at = now.
    async fn apply_reparsed(&self, rows: &[Reparsed], now: DateTime<Utc>)
    -> Result<(), StoreError>;

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError>;

    /// Sets `last_error` of a source that was not fetched (the daily API-call cap left no
    /// request for it). Nothing else changes: last_fetched_at stays, so the source keeps
    /// its place at the front of the rotation, and it is not counted as a failure.
    async fn note_source_error(&self, source: &SourceKey, error: &str) -> Result<(), StoreError>;

    async fn job(&self, uid: &JobUid) -> Result<Option<JobRecord>, StoreError>;
}
