//! The ingest use case: fetch every enabled source within the caps and apply the plans.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use futures::StreamExt;
use tokio::sync::Mutex;

use super::progress::Progress;
use crate::domain::upsert::PlannedJob;
use crate::domain::{
    AtsKind, Cap, FetchCompleteness, FetchedPosting, JobUid, SourceKey, UpsertPlanner, WriteLimits,
    plan_closing,
};
use crate::ports::{
    Clock, CounterKey, CounterStore, JobSource, PageCursor, RejectedItem, Repository, SourceBatch,
    SourceError, SourceOutcome, SourceRecord, SourceRef, StoreError,
};

/// The limits and pacing of one run.
#[derive(Debug, Clone)]
pub struct IngestPolicy {
    /// API calls per provider per day (`MAX_CALLS_PER_DAY`).
    pub calls_per_day: Cap,
    /// Inserted jobs per day (`MAX_NEW_JOBS_PER_DAY`).
    pub new_jobs_per_day: Cap,
    /// Writes (inserts + updates) per run (`MAX_FETCH_PER_RUN`).
    pub max_writes_per_run: usize,
    /// Writes per source per run (`INGEST_PER_SOURCE_LIMIT`); `None` is unlimited.
    pub per_source_limit: Option<usize>,
    pub retry: RetryPolicy,
    /// Sources fetched at once; never more than one at a time per provider.
    pub concurrency: usize,
    /// Pause between two requests to the same provider.
    pub politeness_gap: Duration,
    /// Keep the inserted/updated/closed jobs of each source in the report (dry runs).
    pub collect_details: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// The adapters a run works through.
#[derive(Clone)]
pub struct IngestDeps {
    pub repo: Arc<dyn Repository>,
    pub counters: Arc<dyn CounterStore>,
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
}

impl Counts {
    fn add(&mut self, o: &Counts) {
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

/// What fetching one source produced, before anything is written.
struct Fetched {
    record: SourceRecord,
    postings: Vec<FetchedPosting>,
    rejected: Vec<RejectedItem>,
    complete: bool,
    error: Option<SourceError>,
    /// No request could be reserved at all.
    rate_limited: bool,
    skipped: bool,
    api_calls: u64,
    started: Instant,
}

enum PageStop {
    CapReached,
    Failed(SourceError),
    Store(StoreError),
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
}

impl Ingest {
    pub fn new(deps: IngestDeps, policy: IngestPolicy) -> Self {
        let provider_gates = AtsKind::ALL
            .into_iter()
            .map(|k| (k, Mutex::new(None)))
            .collect();
        Ingest {
            shared: Arc::new(Shared {
                writes_left: AtomicUsize::new(policy.max_writes_per_run),
                deps,
                policy,
                provider_gates,
                progress: None,
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
        let sources = self.deps.repo.enabled_sources().await?;
        tracing::info!(
            event = "ingest_start",
            sources = sources.len() as u64,
            max_calls_per_day = self.policy.calls_per_day.0,
            max_new_jobs_per_day = self.policy.new_jobs_per_day.0,
            max_fetch_per_run = self.policy.max_writes_per_run as u64,
        );
        if let Some(p) = &self.progress {
            p.start(sources.len() as u64);
        }
        let mut report = IngestReport::default();
        let mut last_store_error = None;
        // `buffered` keeps source order, so planning and writing happen in rotation order
        // whatever order the fetches finish in: the results do not depend on timing.
        // Each fetch is its own task so it keeps running while a write is awaited here: a
        // fetch suspended inside a counter transaction would otherwise hold the database
        // lock that the write waits for.
        let spawner = self.clone();
        let mut fetches = futures::stream::iter(sources)
            .map(move |record| tokio::spawn(spawner.clone().fetch_source(record)))
            .buffered(self.policy.concurrency.max(1));
        while let Some(joined) = fetches.next().await {
            let fetched = joined.map_err(|e| IngestError::Task(e.to_string()))??;
            let source = match self.apply(fetched).await {
                Ok(source) => source,
                Err((source, err)) => {
                    last_store_error = Some(err);
                    source
                }
            };
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

    async fn fetch_source(self: Arc<Self>, record: SourceRecord) -> Result<Fetched, IngestError> {
        let mut fetched = Fetched {
            record,
            postings: Vec::new(),
            rejected: Vec::new(),
            complete: false,
            error: None,
            rate_limited: false,
            skipped: false,
            api_calls: 0,
            started: Instant::now(),
        };
        if self.writes_left.load(Ordering::SeqCst) == 0 {
            fetched.skipped = true;
            return Ok(fetched);
        }
        let key = fetched.record.key.clone();
        let Some(adapter) = self.deps.sources.get(&key.ats).cloned() else {
            fetched.error = Some(SourceError::InvalidSource(format!(
                "no adapter for provider {}",
                key.ats
            )));
            return Ok(fetched);
        };
        let source = SourceRef {
            key,
            region: fetched.record.region,
        };
        let mut cursor: Option<PageCursor> = None;
        let mut pages = 0u32;
        loop {
            if pages >= adapter.max_pages() {
                tracing::warn!(
                    event = "page_limit_reached",
                    source = %source.key,
                    pages,
                );
                break;
            }
            match self
                .fetch_page(
                    adapter.as_ref(),
                    &source,
                    cursor.as_ref(),
                    &mut fetched.api_calls,
                )
                .await
            {
                Ok(page) => {
                    pages += 1;
                    fetched.postings.extend(page.postings);
                    fetched.rejected.extend(page.rejected);
                    match page.next {
                        None => {
                            fetched.complete = true;
                            break;
                        }
                        Some(next) => cursor = Some(next),
                    }
                }
                Err(PageStop::CapReached) => {
                    tracing::info!(
                        event = "cap_reached",
                        cap = "MAX_CALLS_PER_DAY",
                        provider = source.key.ats.as_str(),
                        source = %source.key,
                    );
                    fetched.rate_limited = pages == 0;
                    break;
                }
                Err(PageStop::Failed(err)) => {
                    fetched.error = Some(err);
                    break;
                }
                Err(PageStop::Store(err)) => return Err(err.into()),
            }
        }
        Ok(fetched)
    }

    /// One page, with bounded retries; every attempt first reserves an API call.
    async fn fetch_page(
        &self,
        adapter: &dyn JobSource,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
        api_calls: &mut u64,
    ) -> Result<crate::ports::Page, PageStop> {
        let retry = self.policy.retry;
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(retry.base_delay)
            .with_max_delay(retry.max_delay.max(retry.base_delay))
            .with_max_times(retry.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let granted = self
                .deps
                .counters
                .try_reserve(
                    CounterKey::ApiCalls(source.key.ats),
                    self.deps.clock.today(),
                    1,
                    self.policy.calls_per_day,
                )
                .await
                .map_err(PageStop::Store)?;
            if granted == 0 {
                return Err(PageStop::CapReached);
            }
            *api_calls += 1;
            let result = {
                let mut last = self.provider_gate(source.key.ats).lock().await;
                if let Some(at) = *last {
                    let ready = at + self.policy.politeness_gap;
                    tokio::time::sleep_until(ready.into()).await;
                }
                let result = adapter.fetch_page(source, cursor).await;
                *last = Some(Instant::now());
                result
            };
            let err = match result {
                Ok(page) => return Ok(page),
                Err(err) => err,
            };
            if !err.is_transient() {
                return Err(PageStop::Failed(err));
            }
            let Some(backoff_delay) = backoff.next() else {
                return Err(PageStop::Failed(err));
            };
            let delay = match err.retry_after() {
                // Honour the provider; if it asks for longer than we wait, stop for this run.
                Some(asked) if asked > retry.max_delay => return Err(PageStop::Failed(err)),
                Some(asked) => asked,
                None => backoff_delay,
            };
            tracing::warn!(
                event = "fetch_retry",
                source = %source.key,
                attempt,
                reason = err.reason(),
                http_status = err.http_status(),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn provider_gate(&self, kind: AtsKind) -> &Mutex<Option<Instant>> {
        // Every kind has a gate: the map is built from AtsKind::ALL.
        &self.provider_gates[&kind]
    }

    /// Plans and writes one fetched source. A storage error is reported with the source.
    async fn apply(&self, fetched: Fetched) -> Result<SourceReport, (SourceReport, StoreError)> {
        let key = fetched.record.key.clone();
        let mut report = SourceReport {
            key: key.clone(),
            status: SourceStatus::Ok,
            counts: Counts {
                api_calls: fetched.api_calls,
                fetched: fetched.postings.len() as u64,
                rejected: fetched.rejected.len() as u64,
                ..Counts::default()
            },
            error: None,
            inserted: Vec::new(),
            updated: Vec::new(),
            closed: Vec::new(),
        };
        if fetched.skipped {
            report.status = SourceStatus::Skipped;
            tracing::info!(event = "source_skipped", source = %key, reason = "MAX_FETCH_PER_RUN");
            return Ok(report);
        }
        if fetched.rate_limited {
            // Not fetched: last_fetched_at stays, so this source comes first next time.
            report.status = SourceStatus::RateLimited;
            tracing::info!(event = "source_rate_limited", source = %key);
            return Ok(report);
        }
        match self.plan_and_write(&fetched, &mut report).await {
            Ok(()) => {}
            Err(err) => {
                report.status = SourceStatus::Failed;
                report.error = Some(err.to_string());
                tracing::error!(
                    event = "source_failed",
                    source = %key,
                    reason = "store",
                    error = %err,
                );
                return Err((report, err));
            }
        }
        let duration_ms = u64::try_from(fetched.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        for item in &fetched.rejected {
            tracing::warn!(
                event = "item_rejected",
                source = %key,
                path = item.path.as_str(),
                reason = item.reason.as_str(),
            );
        }
        let c = &report.counts;
        match &fetched.error {
            None => tracing::info!(
                event = "source_done",
                source = %key,
                complete = fetched.complete,
                fetched = c.fetched,
                inserted = c.inserted,
                updated = c.updated,
                unchanged = c.unchanged,
                closed = c.closed,
                reopened = c.reopened,
                blocked_new_jobs = c.blocked_new_jobs,
                deferred = c.deferred,
                rejected = c.rejected,
                api_calls = c.api_calls,
                duration_ms,
            ),
            Some(err) => {
                report.status = SourceStatus::Failed;
                report.error = Some(describe(err));
                tracing::warn!(
                    event = "source_failed",
                    source = %key,
                    reason = err.reason(),
                    http_status = err.http_status(),
                    error = %err,
                    fetched = c.fetched,
                    api_calls = c.api_calls,
                    duration_ms,
                );
            }
        }
        Ok(report)
    }

    async fn plan_and_write(
        &self,
        fetched: &Fetched,
        report: &mut SourceReport,
    ) -> Result<(), StoreError> {
        let key = &fetched.record.key;
        let now = self.deps.clock.now();
        let stored = self.deps.repo.fingerprints(key).await?;
        let planner = UpsertPlanner::classify(key, fetched.postings.clone(), &stored);
        let run_left = self.writes_left.load(Ordering::SeqCst);
        let source_budget = self
            .policy
            .per_source_limit
            .map_or(run_left, |limit| limit.min(run_left));
        let wanted = planner.inserts_wanted(Some(source_budget));
        let granted = if wanted == 0 {
            0
        } else {
            let asked = u32::try_from(wanted).unwrap_or(u32::MAX);
            let granted = self
                .deps
                .counters
                .try_reserve(
                    CounterKey::NewJobs,
                    self.deps.clock.today(),
                    asked,
                    self.policy.new_jobs_per_day,
                )
                .await?;
            if granted < asked {
                tracing::info!(
                    event = "cap_reached",
                    cap = "MAX_NEW_JOBS_PER_DAY",
                    source = %key,
                    wanted = u64::from(asked),
                    granted = u64::from(granted),
                );
            }
            granted as usize
        };
        let seen = planner.seen().clone();
        let plan = planner.plan(WriteLimits {
            writes: Some(source_budget),
            new_jobs: granted,
        });
        self.writes_left.fetch_sub(plan.writes(), Ordering::SeqCst);
        if !plan.deferred.is_empty() {
            let cap = if Some(source_budget) == self.policy.per_source_limit {
                "INGEST_PER_SOURCE_LIMIT"
            } else {
                "MAX_FETCH_PER_RUN"
            };
            tracing::info!(event = "cap_reached", cap, source = %key, deferred = plan.deferred.len() as u64);
        }
        let complete = fetched.complete && fetched.rejected.is_empty() && fetched.error.is_none();
        let completeness = if complete {
            FetchCompleteness::Complete
        } else {
            FetchCompleteness::CutShort
        };
        let stored_open = stored
            .iter()
            .filter(|(_, fp)| !fp.closed)
            .map(|(uid, _)| uid);
        let closing = plan_closing(
            stored_open,
            &seen,
            completeness,
            fetched.record.empty_streak,
        );
        let c = &mut report.counts;
        c.inserted = plan.inserts.len() as u64;
        c.updated = plan.updates.len() as u64;
        c.unchanged = plan.unchanged.len() as u64;
        c.reopened = plan.reopened.len() as u64;
        c.blocked_new_jobs = plan.blocked.len() as u64;
        c.deferred = plan.deferred.len() as u64;
        c.closed = closing.close.len() as u64;
        if self.policy.collect_details {
            report.inserted = plan.inserts.iter().map(job_line).collect();
            report.updated = plan.updates.iter().map(job_line).collect();
            report.closed = closing.close.clone();
        }
        let batch = SourceBatch {
            source: key.clone(),
            now,
            inserts: plan.inserts,
            updates: plan.updates,
            touched: plan.unchanged,
            reopened: plan.reopened,
            closed: closing.close,
            outcome: SourceOutcome {
                error: fetched.error.as_ref().map(describe),
                empty_streak: closing.empty_streak,
            },
        };
        self.deps.repo.apply_batch(&batch).await
    }
}

fn job_line(job: &PlannedJob) -> JobLine {
    JobLine {
        uid: job.uid.clone(),
        title: job.fetched.posting.title.clone(),
    }
}

/// The text stored in `sources.last_error`.
fn describe(err: &SourceError) -> String {
    format!("{}: {err}", err.reason())
}
