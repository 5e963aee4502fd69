//! Property tests of the ingest rules, run against the in-memory adapters.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::helpers::fakes::{FixedClock, ScriptedSource};
use chrono::{TimeZone, Utc};
use jobs_bot::adapters::memory::{InMemoryCounters, InMemoryRepository};
use jobs_bot::app::ingest::{Ingest, IngestDeps, IngestPolicy, IngestReport, RetryPolicy};
use jobs_bot::domain::{AtsKind, Cap, CompanySlug, FetchedPosting, JobUid, Posting, SourceKey};
use jobs_bot::ports::{
    Clock, CounterKey, CounterStore, JobFilter, JobSource, Page, PageCursor, Region, RejectedItem,
    Repository, SourceError, SourceSpec,
};
use proptest::prelude::*;

pub(crate) struct Harness {
    pub repo: Arc<InMemoryRepository>,
    pub counters: Arc<InMemoryCounters>,
    pub lever: Arc<ScriptedSource>,
    pub greenhouse: Arc<ScriptedSource>,
    pub clock: Arc<FixedClock>,
}

pub(crate) fn key(ats: AtsKind, slug: &str) -> SourceKey {
    SourceKey::new(ats, CompanySlug::parse(slug).unwrap())
}

impl Harness {
    pub fn new(page_size: Option<usize>) -> Self {
        let scripted = |kind| {
            let s = ScriptedSource::new(kind);
            Arc::new(match page_size {
                Some(n) => s.with_page_size(n),
                None => s,
            })
        };
        Harness {
            repo: Arc::new(InMemoryRepository::new()),
            counters: Arc::new(InMemoryCounters::new()),
            lever: scripted(AtsKind::Lever),
            greenhouse: scripted(AtsKind::Greenhouse),
            clock: Arc::new(FixedClock::new(
                Utc.with_ymd_and_hms(2026, 11, 29, 6, 0, 0).unwrap(),
            )),
        }
    }

    /// Every request of either provider takes `latency` to answer.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.lever = Arc::new(ScriptedSource::new(AtsKind::Lever).with_latency(latency));
        self.greenhouse = Arc::new(ScriptedSource::new(AtsKind::Greenhouse).with_latency(latency));
        self
    }

    pub fn board(&self, key: &SourceKey) -> &ScriptedSource {
        match key.ats {
            AtsKind::Lever => &self.lever,
            _ => &self.greenhouse,
        }
    }

    pub async fn declare(&self, keys: &[SourceKey]) {
        let specs: Vec<SourceSpec> = keys
            .iter()
            .map(|k| SourceSpec {
                key: k.clone(),
                name: None,
                region: Region::Global,
                enabled: true,
            })
            .collect();
        self.repo.sync_sources(&specs).await.unwrap();
    }

    pub async fn run(&self, policy: IngestPolicy) -> IngestReport {
        self.run_with(self.repo.clone(), policy).await
    }

    /// A run through another repository (e.g. one that fails on purpose).
    pub async fn run_with(&self, repo: Arc<dyn Repository>, policy: IngestPolicy) -> IngestReport {
        let mut sources: HashMap<AtsKind, Arc<dyn JobSource>> = HashMap::new();
        sources.insert(AtsKind::Lever, self.lever.clone());
        sources.insert(AtsKind::Greenhouse, self.greenhouse.clone());
        let deps = IngestDeps {
            repo,
            counters: self.counters.clone(),
            leases: self.repo.clone(),
            sources,
            clock: self.clock.clone(),
        };
        Ingest::new(deps, policy).run().await.unwrap()
    }

    pub async fn api_calls_used(&self, ats: AtsKind) -> u64 {
        self.counters
            .used(CounterKey::ApiCalls(ats), self.clock.today())
            .await
            .unwrap()
    }
}

pub(crate) fn policy(calls: u32, new_jobs: u32, writes: usize) -> IngestPolicy {
    IngestPolicy {
        calls_per_day: Cap(calls),
        new_jobs_per_day: Cap(new_jobs),
        max_fetch_per_run: writes,
        per_source_limit: None,
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        },
        concurrency: 3,
        politeness_gap: Duration::ZERO,
        collect_details: false,
        worker_id: "test-worker".into(),
        lease: Duration::from_secs(300),
    }
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

fn posting_strategy() -> impl Strategy<Value = Posting> {
    (
        0u32..40,
        "[a-zA-Z ]{1,12}",
        proptest::option::of("[a-z]{1,8}"),
    )
        .prop_map(|(id, title, location)| Posting {
            ats_job_id: id.to_string(),
            title,
            location,
            description: "desc".into(),
            ..Posting::default()
        })
}

fn board_strategy() -> impl Strategy<Value = Vec<Posting>> {
    proptest::collection::vec(posting_strategy(), 0..30)
}

/// Trouble scripted for one run of one board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    None,
    FailsAfterFirstPage,
    RejectsAnItem,
}

#[derive(Debug, Clone)]
struct RunEvent {
    trouble: Trouble,
    /// Time since the previous run: 0–36 hours, so some runs cross midnight.
    hours_later: u8,
}

fn event_strategy() -> impl Strategy<Value = RunEvent> {
    (
        prop_oneof![
            Just(Trouble::None),
            Just(Trouble::FailsAfterFirstPage),
            Just(Trouble::RejectsAnItem)
        ],
        0u8..36,
    )
        .prop_map(|(trouble, hours_later)| RunEvent {
            trouble,
            hours_later,
        })
}

fn distinct_ids(board: &[Posting]) -> usize {
    board
        .iter()
        .map(|p| &p.ats_job_id)
        .collect::<HashSet<_>>()
        .len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reapplying_the_same_fetch_writes_nothing(a in board_strategy(), b in board_strategy()) {
        block_on(async {
            let h = Harness::new(None);
            let (ka, kb) = (key(AtsKind::Lever, "alpha"), key(AtsKind::Greenhouse, "beta"));
            h.declare(&[ka.clone(), kb.clone()]).await;
            h.board(&ka).set_board(&ka, a.clone());
            h.board(&kb).set_board(&kb, b.clone());
            let first = h.run(policy(0, 0, 10_000)).await;
            prop_assert_eq!(first.totals.inserted as usize, distinct_ids(&a) + distinct_ids(&b));
            // Later in the day: observation times move, content does not.
            h.clock.advance(chrono::Duration::hours(3));
            let second = h.run(policy(0, 0, 10_000)).await;
            prop_assert_eq!(second.totals.inserted, 0);
            prop_assert_eq!(second.totals.updated, 0);
            prop_assert_eq!(second.totals.closed, 0);
            prop_assert_eq!(second.totals.unchanged, first.totals.inserted);
            Ok(())
        })?;
    }

    #[test]
    fn new_job_cap_holds_per_day_and_updates_always_go_through(
        boards in proptest::collection::vec(board_strategy(), 1..4),
        cap in 1u32..25,
    ) {
        block_on(async {
            let h = Harness::new(None);
            let k = key(AtsKind::Lever, "acme");
            h.declare(std::slice::from_ref(&k)).await;
            let mut inserted_today = 0;
            for (run, board) in boards.iter().enumerate() {
                // Every stored job reappears with a new title: each must be updated.
                let stored: Vec<Posting> = h
                    .repo
                    .jobs(&JobFilter::default())
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|j| Posting { title: format!("{} v{run}", j.posting.title), ..j.posting })
                    .collect();
                let stored_ids: HashSet<String> = stored.iter().map(|p| p.ats_job_id.clone()).collect();
                let mut served = stored.clone();
                served.extend(board.iter().filter(|p| !stored_ids.contains(&p.ats_job_id)).cloned());
                h.lever.set_board(&k, served);
                let report = h.run(policy(0, cap, 10_000)).await;
                prop_assert_eq!(report.totals.updated as usize, stored.len());
                inserted_today += report.totals.inserted;
                prop_assert!(inserted_today <= u64::from(cap));
                prop_assert_eq!(
                    h.counters.used(CounterKey::NewJobs, h.clock.today()).await.unwrap(),
                    inserted_today
                );
            }
            Ok(())
        })?;
    }

    #[test]
    fn every_request_is_reserved_and_reservations_respect_the_cap(
        board in board_strategy(),
        cap in 1u32..8,
        page_size in 1usize..10,
        failures in proptest::collection::vec(0u8..3, 0..6),
    ) {
        block_on(async {
            let h = Harness::new(Some(page_size));
            let keys = [key(AtsKind::Greenhouse, "one"), key(AtsKind::Greenhouse, "two")];
            h.declare(&keys).await;
            for k in &keys {
                h.greenhouse.set_board(k, board.clone());
            }
            for f in &failures {
                let err = match f {
                    0 => SourceError::Server { status: 503 },
                    1 => SourceError::RateLimited { retry_after: Some(Duration::ZERO) },
                    _ => SourceError::Timeout,
                };
                h.greenhouse.push_response(&keys[0], Err(err));
            }
            let mut reserved_total = 0;
            for _ in 0..3 {
                let report = h.run(policy(cap, 0, 10_000)).await;
                reserved_total += report.totals.api_calls;
            }
            let used = h.api_calls_used(AtsKind::Greenhouse).await;
            prop_assert_eq!(h.greenhouse.total_requests() as u64, used);
            prop_assert_eq!(reserved_total, used);
            prop_assert!(used <= u64::from(cap));
            Ok(())
        })?;
    }

    #[test]
    fn a_cut_short_fetch_closes_nothing(
        titles in proptest::collection::vec("[a-z]{1,8}", 0..20),
        page_size in 1usize..5,
        extra in 1usize..10,
    ) {
        block_on(async {
            // At least two pages remain after the first page's jobs vanish, so one
            // allowed call always cuts the fetch short.
            let n = 2 * page_size + extra;
            let board: Vec<Posting> = (0..n)
                .map(|i| Posting {
                    ats_job_id: i.to_string(),
                    title: titles.get(i).cloned().unwrap_or_else(|| format!("job {i}")),
                    ..Posting::default()
                })
                .collect();
            let h = Harness::new(Some(page_size));
            let k = key(AtsKind::Lever, "acme");
            h.declare(std::slice::from_ref(&k)).await;
            h.lever.set_board(&k, board.clone());
            h.run(policy(0, 0, 10_000)).await;
            let open_before = h.repo.jobs(&JobFilter { open_only: true, ..JobFilter::default() }).await.unwrap().len();
            prop_assert_eq!(open_before, n);
            h.clock.advance(chrono::Duration::days(1));
            h.lever.set_board(&k, board[page_size..].to_vec());
            let report = h.run(policy(1, 0, 10_000)).await;
            prop_assert_eq!(report.totals.api_calls, 1);
            prop_assert_eq!(report.totals.closed, 0);
            let open_after = h.repo.jobs(&JobFilter { open_only: true, ..JobFilter::default() }).await.unwrap().len();
            prop_assert_eq!(open_after, open_before);
            Ok(())
        })?;
    }

    /// Runs over several days with pages failing mid-fetch, rejected items, a small write
    /// budget and caps: whatever happens, the caps hold per day, every request is counted,
    /// writes stay within the budget, and only a complete fetch closes anything.
    #[test]
    fn caps_budget_and_closing_hold_across_failures_and_days(
        boards in proptest::collection::vec(board_strategy(), 1..5),
        events in proptest::collection::vec(event_strategy(), 1..5),
        page_size in 1usize..6,
        calls_cap in 0u32..12,
        new_cap in 0u32..15,
        budget in 1usize..20,
    ) {
        block_on(async {
            let h = Harness::new(Some(page_size));
            let keys = [key(AtsKind::Lever, "one"), key(AtsKind::Lever, "two")];
            h.declare(&keys).await;
            let mut per_day: HashMap<chrono::NaiveDate, (u64, u64)> = HashMap::new();
            for (run, board) in boards.iter().enumerate() {
                let event = &events[run % events.len()];
                h.clock.advance(chrono::Duration::hours(i64::from(event.hours_later)));
                let today = h.clock.today();
                for k in &keys {
                    h.lever.set_board(k, board.clone());
                }
                // The first board of the run gets the scripted trouble.
                let troubled = &keys[0];
                let first_page = board.iter().take(page_size).cloned().map(|p| FetchedPosting::new(p, ""));
                match event.trouble {
                    Trouble::None => {}
                    Trouble::FailsAfterFirstPage => {
                        h.lever.push_response(troubled, Ok(Page {
                            postings: first_page.collect(),
                            unchanged: Vec::new(),
                            rejected: Vec::new(),
                            next: Some(PageCursor::Offset(page_size as u64)),
                        }));
                        h.lever.push_response(troubled, Err(SourceError::Malformed {
                            path: "jobs[0]".into(),
                            message: "broken page".into(),
                        }));
                    }
                    Trouble::RejectsAnItem => {
                        h.lever.push_response(troubled, Ok(Page {
                            postings: first_page.collect(),
                            unchanged: Vec::new(),
                            rejected: vec![RejectedItem { path: "[0].id".into(), reason: "bad id".into() }],
                            next: None,
                        }));
                    }
                }
                let requests_before = h.lever.total_requests() as u64;
                let report = h.run(policy(calls_cap, new_cap, budget)).await;
                let requests = h.lever.total_requests() as u64 - requests_before;
                prop_assert_eq!(requests, report.totals.api_calls, "every request is reserved");
                prop_assert!(
                    (report.totals.inserted + report.totals.updated) as usize <= budget,
                    "writes within MAX_FETCH_PER_RUN"
                );
                for source in &report.sources {
                    if source.key == *troubled && event.trouble != Trouble::None {
                        prop_assert_eq!(source.counts.closed, 0, "a cut-short fetch closed jobs");
                    }
                }
                let day = per_day.entry(today).or_default();
                day.0 += report.totals.api_calls;
                day.1 += report.totals.inserted;
                prop_assert_eq!(h.api_calls_used(AtsKind::Lever).await, day.0);
                prop_assert_eq!(h.counters.used(CounterKey::NewJobs, today).await.unwrap(), day.1);
                if calls_cap > 0 {
                    prop_assert!(day.0 <= u64::from(calls_cap), "call cap exceeded on {}", today);
                }
                if new_cap > 0 {
                    prop_assert!(day.1 <= u64::from(new_cap), "new-job cap exceeded on {}", today);
                }
            }
            // Stored rows are exactly the inserts counted, and unique by uid.
            let stored = h.repo.jobs(&JobFilter::default()).await.unwrap();
            let inserted: u64 = per_day.values().map(|d| d.1).sum();
            prop_assert_eq!(stored.len() as u64, inserted);
            Ok(())
        })?;
    }

    #[test]
    fn duplicates_in_a_payload_collapse(board in board_strategy()) {
        block_on(async {
            let h = Harness::new(None);
            let k = key(AtsKind::Lever, "acme");
            h.declare(std::slice::from_ref(&k)).await;
            let mut doubled = board.clone();
            doubled.extend(board.iter().cloned());
            h.lever.set_board(&k, doubled);
            let report = h.run(policy(0, 0, 10_000)).await;
            prop_assert_eq!(report.totals.inserted as usize, distinct_ids(&board));
            let stored = h.repo.jobs(&JobFilter::default()).await.unwrap();
            prop_assert_eq!(stored.len(), distinct_ids(&board));
            Ok(())
        })?;
    }

    #[test]
    fn uid_is_deterministic_lowercase_hex(id in "\\PC{0,40}", slug in "[a-zA-Z0-9._-]{1,20}") {
        prop_assume!(!slug.contains("..") && !slug.chars().all(|c| c == '.'));
        let slug = CompanySlug::parse(&slug).unwrap();
        let a = JobUid::new(AtsKind::Ashby, &slug, &id);
        let b = JobUid::new(AtsKind::Ashby, &slug, &id);
        prop_assert_eq!(&a, &b);
        prop_assert!(JobUid::parse(a.as_str()).is_ok());
        prop_assert_ne!(a, JobUid::new(AtsKind::Lever, &slug, &id));
    }
}

#[test]
fn write_budget_defers_and_later_runs_catch_up() {
    block_on(async {
        let h = Harness::new(None);
        let k = key(AtsKind::Lever, "acme");
        h.declare(std::slice::from_ref(&k)).await;
        let board: Vec<Posting> = (0..12)
            .map(|i| Posting {
                ats_job_id: i.to_string(),
                title: format!("job {i}"),
                ..Posting::default()
            })
            .collect();
        h.lever.set_board(&k, board);
        let first = h.run(policy(0, 0, 5)).await;
        assert_eq!(first.totals.inserted, 5);
        assert_eq!(first.totals.deferred, 7);
        assert_eq!(first.totals.closed, 0);
        let second = h.run(policy(0, 0, 5)).await;
        assert_eq!(second.totals.inserted, 5);
        assert_eq!(
            second.totals.unchanged, 5,
            "unchanged jobs do not use the budget"
        );
        let third = h.run(policy(0, 0, 5)).await;
        assert_eq!(third.totals.inserted, 2);
    });
}

#[test]
fn failing_source_is_recorded_and_others_continue() {
    block_on(async {
        let h = Harness::new(None);
        let (bad, good) = (key(AtsKind::Lever, "bad"), key(AtsKind::Lever, "good"));
        h.declare(&[bad.clone(), good.clone()]).await;
        h.lever.set_board(
            &good,
            vec![Posting {
                ats_job_id: "1".into(),
                title: "t".into(),
                ..Posting::default()
            }],
        );
        h.lever.set_board(&bad, Vec::new());
        h.lever
            .push_response(&bad, Err(SourceError::NotFound { status: 404 }));
        let report = h.run(policy(0, 0, 100)).await;
        assert_eq!((report.sources_ok, report.sources_failed), (1, 1));
        assert_eq!(report.totals.inserted, 1);
        let sources = h.repo.sources().await.unwrap();
        let bad_record = sources.iter().find(|s| s.key == bad).unwrap();
        assert!(
            bad_record
                .last_error
                .as_deref()
                .unwrap()
                .starts_with("not_found")
        );
        assert_eq!(bad_record.failure_count, 1);
        assert!(bad_record.last_success_at.is_none());
        assert_eq!(h.lever.requests(&bad), 1, "a 404 is not retried");
    });
}

#[test]
fn transient_errors_are_retried_within_attempts() {
    block_on(async {
        let h = Harness::new(None);
        let k = key(AtsKind::Lever, "flaky");
        h.declare(std::slice::from_ref(&k)).await;
        h.lever.set_board(
            &k,
            vec![Posting {
                ats_job_id: "1".into(),
                title: "t".into(),
                ..Posting::default()
            }],
        );
        h.lever
            .push_response(&k, Err(SourceError::Server { status: 500 }));
        h.lever.push_response(
            &k,
            Err(SourceError::RateLimited {
                retry_after: Some(Duration::ZERO),
            }),
        );
        let report = h.run(policy(0, 0, 100)).await;
        assert_eq!(report.sources_ok, 1);
        assert_eq!(report.totals.api_calls, 3);
        // A Retry-After beyond the longest wait gives up instead of hammering.
        h.lever.push_response(
            &k,
            Err(SourceError::RateLimited {
                retry_after: Some(Duration::from_secs(3600)),
            }),
        );
        let report = h.run(policy(0, 0, 100)).await;
        assert_eq!(report.sources_failed, 1);
        assert_eq!(report.totals.api_calls, 1);
    });
}

#[test]
fn empty_board_closes_only_after_two_empty_fetches_and_jobs_reopen() {
    block_on(async {
        let h = Harness::new(None);
        let k = key(AtsKind::Lever, "acme");
        h.declare(std::slice::from_ref(&k)).await;
        let job = Posting {
            ats_job_id: "1".into(),
            title: "t".into(),
            ..Posting::default()
        };
        h.lever.set_board(&k, vec![job.clone()]);
        h.run(policy(0, 0, 100)).await;
        h.lever.set_board(&k, Vec::new());
        assert_eq!(h.run(policy(0, 0, 100)).await.totals.closed, 0);
        assert_eq!(h.run(policy(0, 0, 100)).await.totals.closed, 1);
        h.lever.set_board(&k, vec![job]);
        let back = h.run(policy(0, 0, 100)).await;
        assert_eq!((back.totals.reopened, back.totals.inserted), (1, 0));
        let open = h
            .repo
            .jobs(&JobFilter {
                open_only: true,
                ..JobFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
    });
}
