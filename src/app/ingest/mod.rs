//! The ingest use case: fetch every enabled source within the caps and apply the plans.

mod claims;
mod details;
mod fetch;
mod report;
mod write;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use tokio::time::Instant;

use futures::StreamExt;
use tokio::sync::Mutex;

use super::progress::Progress;
use crate::domain::{AtsKind, Cap};
use crate::ports::{Clock, CounterStore, JobSource, Repository, SourceLeases, StoreError};

pub use report::{Counts, IngestReport, JobLine, SourceReport, SourceStatus};

/// Workers whose start is this close to their round's are taken to have started together.
const ROUND_JOIN_GRACE_S: i64 = 60;

/// The limits and pacing of one run.
#[derive(Debug, Clone)]
pub struct IngestPolicy {
    /// API calls per provider per day (`MAX_CALLS_PER_DAY`).
    pub calls_per_day: Cap,
    /// Inserted jobs per day (`MAX_NEW_JOBS_PER_DAY`).
    pub new_jobs_per_day: Cap,
    /// Writes (inserts + updates) per run (`MAX_FETCH_PER_RUN`).
    pub max_fetch_per_run: usize,
    /// Writes per source per run (`INGEST_PER_SOURCE_LIMIT`); `None` is unlimited.
    pub per_source_limit: Option<usize>,
    pub retry: RetryPolicy,
    /// Sources fetched at once; never more than one at a time per provider.
    pub concurrency: usize,
    /// Pause between two requests to the same provider.
    pub politeness_gap: Duration,
    /// Keep the inserted/updated/closed jobs of each source in the report (dry runs).
    pub collect_details: bool,
    /// Who holds this run's leases (`--worker-id`; default hostname:pid).
    pub worker_id: String,
    /// How long a claimed source stays this worker's without renewal (`WORKER_LEASE_S`):
    /// how soon other workers take over the sources of a crashed one.
    pub lease: Duration,
}

/// Retries of one page request (`RETRY_MAX_ATTEMPTS`, `RETRY_BASE_DELAY_MS`, `RETRY_MAX_WAIT_S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per page, the first included; every attempt is a reserved API call.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// Longest wait between attempts; a `Retry-After` longer than this gives up instead.
    pub max_delay: Duration,
}

/// The adapters a run works through.
#[derive(Clone)]
pub struct IngestDeps {
    pub repo: Arc<dyn Repository>,
    pub counters: Arc<dyn CounterStore>,
    /// The shared round of sources (the same storage as `repo`).
    pub leases: Arc<dyn SourceLeases>,
    pub sources: HashMap<AtsKind, Arc<dyn JobSource>>,
    pub clock: Arc<dyn Clock>,
}

/// The run could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("every source that was fetched failed to be stored; last error: {0}")]
    NothingStored(StoreError),
    #[error("a fetch task failed: {0}")]
    Task(String),
}

/// One run of ingest over the enabled sources.
pub struct Ingest {
    shared: Arc<Shared>,
}

/// The run's state, shared with the fetch tasks.
struct Shared {
    deps: IngestDeps,
    policy: IngestPolicy,
    writes_left: AtomicUsize,
    provider_gates: HashMap<AtsKind, Mutex<Option<Instant>>>,
    progress: Option<Arc<dyn Progress>>,
    /// Why claiming stopped early, if the store failed (`claims.rs`).
    claim_error: std::sync::Mutex<Option<StoreError>>,
    /// Sources released so far, and a wake-up for the claimer waiting on them.
    released: AtomicUsize,
    released_notify: tokio::sync::Notify,
}

impl Ingest {
    pub fn new(deps: IngestDeps, policy: IngestPolicy) -> Self {
        let provider_gates = AtsKind::ALL
            .into_iter()
            .map(|k| (k, Mutex::new(None)))
            .collect();
        Ingest {
            shared: Arc::new(Shared {
                writes_left: AtomicUsize::new(policy.max_fetch_per_run),
                deps,
                policy,
                provider_gates,
                progress: None,
                claim_error: std::sync::Mutex::new(None),
                released: AtomicUsize::new(0),
                released_notify: tokio::sync::Notify::new(),
            }),
        }
    }

    /// Reports progress source by source (a terminal bar).
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        // Only this handle exists before the run starts.
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.progress = Some(progress);
        }
        self
    }

    pub async fn run(&self) -> Result<IngestReport, IngestError> {
        self.shared.clone().run().await
    }
}

impl Shared {
    async fn run(self: Arc<Self>) -> Result<IngestReport, IngestError> {
        let started = Instant::now();
        claims::free_leases_of_dead_local_workers(&self).await?;
        let run_start = self.deps.clock.now();
        let round = self.deps.leases.join_round(run_start).await?;
        tracing::info!(
            event = "ingest_start",
            worker_id = self.policy.worker_id.as_str(),
            round = round.number,
            sources_due = round.due,
            max_calls_per_day = self.policy.calls_per_day.0,
            max_new_jobs_per_day = self.policy.new_jobs_per_day.0,
            max_fetch_per_run = self.policy.max_fetch_per_run as u64,
        );
        if let Some(p) = &self.progress {
            p.start(round.due);
        }
        let mut report = IngestReport::default();
        let mut last_store_error = None;
        let renewal = claims::keep_leases(self.clone());
        // A round under way, started well before this run and with no worker in it, was
        // left unfinished by an earlier run (workers started together share a fresh round).
        let leftover = !round.started
            && round
                .started_at
                .is_none_or(|at| at + chrono::Duration::seconds(ROUND_JOIN_GRACE_S) < run_start)
            && self
                .deps
                .leases
                .leased_elsewhere(round.number, &self.policy.worker_id, chrono::Utc::now())
                .await?
                .is_none();
        let sources = claims::spawn(claims::Claims::new(self.clone(), round.number, leftover));
        // `buffered` keeps claim order, so planning and writing happen in rotation order
        // whatever order the fetches finish in: the results do not depend on timing.
        // Each fetch is its own task so it keeps running while a write is awaited here: a
        // fetch suspended inside a counter transaction would otherwise hold the database
        // lock that the write waits for.
        let spawner = self.clone();
        let mut fetches = std::pin::pin!(
            sources
                .map(move |(record, round)| {
                    let fetch = spawner.clone().fetch_source(record);
                    tokio::spawn(async move { fetch.await.map(|fetched| (fetched, round)) })
                })
                .buffered(self.policy.concurrency.max(1))
        );
        while let Some(joined) = fetches.next().await {
            let (fetched, claimed_in) = match joined.map_err(|e| IngestError::Task(e.to_string())) {
                Ok(Ok(fetched)) => fetched,
                Ok(Err(err)) | Err(err) => {
                    renewal.abort();
                    self.drop_leftover_leases().await;
                    return Err(err);
                }
            };
            let key = fetched.record.key.clone();
            let (source, released) = match self.apply(fetched, claimed_in).await {
                Ok(applied) => applied,
                Err((source, err)) => {
                    last_store_error = Some(err);
                    (source, false)
                }
            };
            // A source skipped for the write budget stays due for another worker. A written
            // batch has ended the lease already.
            let done = source.status != SourceStatus::Skipped;
            if !released {
                self.release(&key, claimed_in, done).await;
            }
            self.released
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.released_notify.notify_waiters();
            match source.status {
                SourceStatus::Ok => report.sources_ok += 1,
                SourceStatus::Failed => report.sources_failed += 1,
                SourceStatus::RateLimited => report.sources_rate_limited += 1,
                SourceStatus::Skipped => report.sources_skipped += 1,
            }
            report.totals.add(&source.counts);
            if let Some(p) = &self.progress {
                p.source_finished(&source);
            }
            report.sources.push(source);
        }
        renewal.abort();
        self.drop_leftover_leases().await;
        if let Some(err) = claims::lock(&self.claim_error).take() {
            return Err(err.into());
        }
        if let Some(p) = &self.progress {
            p.finish();
        }
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let t = &report.totals;
        tracing::info!(
            event = "ingest_done",
            sources_ok = report.sources_ok,
            sources_failed = report.sources_failed,
            sources_rate_limited = report.sources_rate_limited,
            sources_skipped = report.sources_skipped,
            fetched = t.fetched,
            inserted = t.inserted,
            updated = t.updated,
            unchanged = t.unchanged,
            closed = t.closed,
            reopened = t.reopened,
            blocked_new_jobs = t.blocked_new_jobs,
            deferred = t.deferred,
            rejected = t.rejected,
            api_calls = t.api_calls,
            duration_ms = report.duration_ms,
        );
        match last_store_error {
            Some(err) if report.sources_ok == 0 => Err(IngestError::NothingStored(err)),
            _ => Ok(report),
        }
    }
}
