//! Ingest rules checked on exact scenarios: pacing, Retry-After, budgets, give-backs and
//! the reasons recorded on sources. Pacing runs in paused (virtual) tokio time.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jobs_bot::adapters::memory::InMemoryRepository;
use jobs_bot::domain::{AtsKind, JobUid, Posting, SourceKey, StoredFingerprint};
use jobs_bot::ports::{
    Clock, CounterKey, CounterStore, JobFilter, JobRecord, Reparsed, Repository, SourceBatch,
    SourceError, SourceRecord, SourceSpec, StoreError,
};

use crate::ingest_properties::{Harness, block_on, key, policy};

fn paused<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f)
}

fn jobs(prefix: &str, n: usize) -> Vec<Posting> {
    (0..n)
        .map(|i| Posting {
            ats_job_id: format!("{prefix}-{i}"),
            title: format!("{prefix} job {i}"),
            ..Posting::default()
        })
        .collect()
}

#[test]
fn retry_after_is_waited_before_the_next_attempt() {
    paused(async {
        let h = Harness::new(None);
        let k = key(AtsKind::Lever, "throttled");
        h.declare(std::slice::from_ref(&k)).await;
        h.lever.set_board(&k, jobs("t", 1));
        h.lever.push_response(
            &k,
            Err(SourceError::RateLimited {
                retry_after: Some(Duration::from_secs(2)),
            }),
        );
        let mut p = policy(0, 0, 100);
        p.retry.max_delay = Duration::from_secs(60);
        let report = h.run(p).await;
        assert_eq!(report.sources_ok, 1);
        let spans = h.lever.spans();
        assert_eq!(spans.len(), 2);
        let waited = spans[1].start - spans[0].end;
        assert!(waited >= Duration::from_secs(2), "waited only {waited:?}");
        // The backoff base is zero here: only Retry-After can explain the wait.
        assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    });
}

#[test]
fn one_request_at_a_time_per_provider_with_the_politeness_gap() {
    paused(async {
        let h = Harness::new(None).with_latency(Duration::from_millis(300));
        let gh: Vec<SourceKey> = (0..4)
            .map(|i| key(AtsKind::Greenhouse, &format!("g{i}")))
            .collect();
        let lever: Vec<SourceKey> = (0..3)
            .map(|i| key(AtsKind::Lever, &format!("l{i}")))
            .collect();
        let all: Vec<SourceKey> = gh.iter().chain(&lever).cloned().collect();
        h.declare(&all).await;
        for k in &all {
            h.board(k).set_board(k, jobs(k.slug.as_str(), 2));
        }
        let mut p = policy(0, 0, 1000);
        // Every board in the window at once, so only the per-provider gate orders them.
        p.concurrency = 7;
        p.politeness_gap = Duration::from_millis(500);
        let report = h.run(p).await;
        assert_eq!(report.sources_ok, 7);
        for provider in [h.greenhouse.spans(), h.lever.spans()] {
            for pair in provider.windows(2) {
                let gap = pair[1].start - pair[0].end;
                assert!(
                    pair[1].start >= pair[0].end + Duration::from_millis(500),
                    "{} started {gap:?} after {} ended",
                    pair[1].source,
                    pair[0].source
                );
            }
        }
        // Different providers are fetched at the same time.
        let (g, l) = (h.greenhouse.spans(), h.lever.spans());
        assert!(
            g.iter()
                .any(|a| l.iter().any(|b| a.start < b.end && b.start < a.end)),
            "providers were fetched one after the other"
        );
    });
}

#[test]
fn no_board_starts_once_the_write_budget_is_spent_and_those_go_first_next_run() {
    paused(async {
        let h = Harness::new(None);
        let keys: Vec<SourceKey> = ["a", "b", "c"]
            .iter()
            .map(|s| key(AtsKind::Greenhouse, s))
            .collect();
        h.declare(&keys).await;
        for k in &keys {
            h.greenhouse.set_board(k, jobs(k.slug.as_str(), 5));
        }
        let mut p = policy(0, 0, 5);
        p.concurrency = 3;
        p.politeness_gap = Duration::from_millis(100);
        let report = h.run(p.clone()).await;
        assert_eq!(report.totals.inserted, 5);
        assert_eq!(report.sources_skipped, 2);
        assert_eq!(
            h.greenhouse.total_requests(),
            1,
            "a board started after the budget was spent"
        );
        assert_eq!(h.api_calls_used(AtsKind::Greenhouse).await, 1);
        // Next run: the two boards never fetched come first.
        p.max_fetch_per_run = 100;
        h.clock.advance(chrono::Duration::hours(12));
        h.run(p).await;
        let order: Vec<String> = h.greenhouse.spans()[1..]
            .iter()
            .map(|s| s.source.slug.to_string())
            .collect();
        assert_eq!(order, ["b", "c", "a"]);
    });
}

#[test]
fn per_source_limit_bounds_each_board_and_defers_the_rest() {
    block_on(async {
        let h = Harness::new(None);
        let keys = [key(AtsKind::Lever, "one"), key(AtsKind::Lever, "two")];
        h.declare(&keys).await;
        for k in &keys {
            h.lever.set_board(k, jobs(k.slug.as_str(), 5));
        }
        let mut p = policy(0, 0, 100);
        p.per_source_limit = Some(3);
        let report = h.run(p.clone()).await;
        for source in &report.sources {
            assert_eq!((source.counts.inserted, source.counts.deferred), (3, 2));
        }
        let second = h.run(p).await;
        assert_eq!(second.totals.inserted, 4);
        assert_eq!(h.repo.jobs(&JobFilter::default()).await.unwrap().len(), 10);
    });
}

#[test]
fn a_rate_limited_source_records_why_and_keeps_its_place() {
    block_on(async {
        let h = Harness::new(None);
        let keys = [key(AtsKind::Lever, "a"), key(AtsKind::Lever, "b")];
        h.declare(&keys).await;
        for k in &keys {
            h.lever.set_board(k, Vec::new());
        }
        let report = h.run(policy(1, 0, 100)).await;
        assert_eq!((report.sources_ok, report.sources_rate_limited), (1, 1));
        let sources = h.repo.sources().await.unwrap();
        let b = sources.iter().find(|s| s.key == keys[1]).unwrap();
        let error = b.last_error.as_deref().unwrap_or_default();
        assert!(
            error.starts_with("rate_limited") && error.contains("MAX_CALLS_PER_DAY=1"),
            "{error:?}"
        );
        assert_eq!((b.last_fetched_at, b.failure_count), (None, 0));
        // Not marked fetched, so it goes first tomorrow.
        h.clock.advance(chrono::Duration::days(1));
        assert_eq!(h.repo.enabled_sources().await.unwrap()[0].key, keys[1]);
        // A later successful fetch clears it.
        h.run(policy(0, 0, 100)).await;
        let sources = h.repo.sources().await.unwrap();
        assert_eq!(
            sources
                .iter()
                .find(|s| s.key == keys[1])
                .unwrap()
                .last_error,
            None
        );
    });
}

/// A repository whose batch writes fail for one source; everything else is delegated.
struct FailingWrites {
    inner: Arc<InMemoryRepository>,
    broken: SourceKey,
}

#[async_trait]
impl Repository for FailingWrites {
    async fn sync_sources(&self, declared: &[SourceSpec]) -> Result<(), StoreError> {
        self.inner.sync_sources(declared).await
    }
    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        self.inner.sources().await
    }
    async fn enabled_sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        self.inner.enabled_sources().await
    }
    async fn fingerprints(
        &self,
        source: &SourceKey,
    ) -> Result<std::collections::HashMap<JobUid, StoredFingerprint>, StoreError> {
        self.inner.fingerprints(source).await
    }
    async fn apply_batch(&self, batch: &SourceBatch) -> Result<(), StoreError> {
        if batch.source == self.broken {
            return Err(StoreError::Unavailable {
                message: "disk full".into(),
            });
        }
        self.inner.apply_batch(batch).await
    }
    async fn apply_reparsed(
        &self,
        rows: &[Reparsed],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner.apply_reparsed(rows, now).await
    }
    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
        self.inner.jobs(filter).await
    }
    async fn job(&self, uid: &JobUid) -> Result<Option<JobRecord>, StoreError> {
        self.inner.job(uid).await
    }
    async fn note_source_error(&self, source: &SourceKey, error: &str) -> Result<(), StoreError> {
        self.inner.note_source_error(source, error).await
    }
}

#[test]
fn new_jobs_reserved_for_a_failed_write_are_given_back() {
    block_on(async {
        let h = Harness::new(None);
        let (broken, healthy) = (
            key(AtsKind::Lever, "a-broken"),
            key(AtsKind::Lever, "b-healthy"),
        );
        h.declare(&[broken.clone(), healthy.clone()]).await;
        h.lever.set_board(&broken, jobs("x", 4));
        h.lever.set_board(&healthy, jobs("y", 4));
        let repo = Arc::new(FailingWrites {
            inner: h.repo.clone(),
            broken: broken.clone(),
        });
        // Cap 6: had the broken board kept its 4, the healthy one would get only 2.
        let report = h.run_with(repo, policy(0, 6, 100)).await;
        assert_eq!((report.sources_ok, report.sources_failed), (1, 1));
        assert_eq!(report.totals.inserted, 4);
        assert_eq!(
            h.counters
                .used(CounterKey::NewJobs, h.clock.today())
                .await
                .unwrap(),
            4
        );
        assert_eq!(h.repo.jobs(&JobFilter::default()).await.unwrap().len(), 4);
    });
}

#[test]
fn two_workers_at_once_share_the_boards_and_fetch_each_once() {
    block_on(async {
        let h = Harness::new(None).with_latency(Duration::from_millis(5));
        let keys: Vec<SourceKey> = (0..12)
            .map(|i| key(AtsKind::Greenhouse, &format!("g{i}")))
            .chain((0..12).map(|i| key(AtsKind::Lever, &format!("l{i}"))))
            .collect();
        h.declare(&keys).await;
        for k in &keys {
            h.board(k).set_board(k, jobs(k.slug.as_str(), 2));
        }
        let mut a = policy(0, 0, 1000);
        a.worker_id = "a".into();
        let mut b = a.clone();
        b.worker_id = "b".into();
        let (ra, rb) = tokio::join!(h.run(a.clone()), h.run(b));
        assert_eq!(ra.sources_ok + rb.sources_ok, 24);
        assert!(ra.sources_ok > 0 && rb.sources_ok > 0, "both worked");
        for k in &keys {
            assert_eq!(h.board(k).requests(k), 1, "{k}");
        }
        assert_eq!(h.repo.jobs(&JobFilter::default()).await.unwrap().len(), 48);
        // Alone, the next run is a new round over every board.
        let again = h.run(a).await;
        assert_eq!(again.sources_ok, 24);
    });
}
