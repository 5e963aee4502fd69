//! What a run reports: per-source outcomes and the totals of `ingest_done`.

use crate::domain::{JobUid, SourceKey};

/// How one source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceStatus {
    Ok,
    Failed,
    /// The daily API-call cap left no request for it; not a failure.
    RateLimited,
    /// The run's write budget was spent before it was reached.
    Skipped,
}

/// What a job looked like in a plan, for dry-run output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLine {
    pub uid: JobUid,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub fetched: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub closed: u64,
    pub reopened: u64,
    pub blocked_new_jobs: u64,
    pub deferred: u64,
    pub rejected: u64,
    pub api_calls: u64,
    /// Of `api_calls`, the per-posting detail requests (Workday).
    pub detail_calls: u64,
}

impl Counts {
    pub(super) fn add(&mut self, o: &Counts) {
        self.fetched += o.fetched;
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.closed += o.closed;
        self.reopened += o.reopened;
        self.blocked_new_jobs += o.blocked_new_jobs;
        self.deferred += o.deferred;
        self.rejected += o.rejected;
        self.api_calls += o.api_calls;
        self.detail_calls += o.detail_calls;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    pub key: SourceKey,
    pub status: SourceStatus,
    pub counts: Counts,
    pub error: Option<String>,
    pub inserted: Vec<JobLine>,
    pub updated: Vec<JobLine>,
    pub closed: Vec<JobUid>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub sources_ok: u64,
    pub sources_failed: u64,
    pub sources_rate_limited: u64,
    pub sources_skipped: u64,
    pub totals: Counts,
    pub duration_ms: u64,
    pub sources: Vec<SourceReport>,
}
