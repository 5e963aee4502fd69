//! One contract for storage, run against the in-memory adapters, SQLite and MySQL.
//!
//! MySQL cases use `TEST_DATABASE_URL` (e.g. `mysql://root@127.0.0.1:3306/test`) to create
//! a fresh database per test, dropped afterwards, so tests can run in parallel. Without
//! it they fail and say how to leave MySQL out (`cargo test -- --skip mysql`).

use crate::helpers::store::*;
use chrono::NaiveDate;
use jobs_bot::domain::{
    AtsKind, Cap, JobUid, Posting, SourceKey, UpsertPlanner, WorkplaceType, WriteLimits,
};
use jobs_bot::ports::{
    CounterKey, JobFilter, Region, Reparsed, Repository, SourceBatch, SourceOutcome, StoreError,
};

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $case() {
                    super::$case(&super::Store::memory()).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $case() {
                    let store = super::Store::sqlite().await;
                    super::$case(&store).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $case() {
                    let store = super::Store::mysql().await;
                    super::$case(&store).await;
                }
            )*
        }
    };
}

contract!(
    sync_sources_upserts_and_disables_without_deleting,
    enabled_sources_least_recently_fetched_first,
    batch_inserts_updates_touches_closes_and_reopens,
    batch_records_source_outcome,
    identical_second_fetch_only_bumps_last_seen,
    insert_of_stored_uid_keeps_first_seen,
    fingerprints_carry_hash_and_closed_flag,
    complete_fetch_records_seen_on_the_source_and_closing_keeps_it,
    jobs_filter_and_single_job,
    reparsed_rewrites_content_only,
    every_posting_field_round_trips,
    batch_of_a_thousand_jobs,
    batch_for_unknown_source_writes_nothing,
    batch_for_unknown_source_is_unknown_source,
    batch_repeated_with_the_same_time_is_accepted,
    note_source_error_sets_only_last_error,
    counters_grant_partially_up_to_cap,
    counters_release_gives_back_and_never_goes_below_zero,
    counters_unlimited_cap_still_counts,
    counters_are_per_key_and_day,
    counters_never_over_grant_under_concurrency,
);

async fn sync_sources_upserts_and_disables_without_deleting(s: &Store) {
    let a = key(AtsKind::Lever, "AcMe");
    let b = key(AtsKind::Greenhouse, "beta");
    s.repo.sync_sources(&[spec(&a), spec(&b)]).await.unwrap();
    let job = planned(&b, posting("1", "Engineer"));
    let mut batch = ok_batch(&b, t(10));
    batch.inserts.push(job.clone());
    s.repo.apply_batch(&batch).await.unwrap();

    let mut renamed = spec(&a);
    renamed.name = Some("Acme Corp".into());
    renamed.region = Region::Eu;
    s.repo.sync_sources(&[renamed]).await.unwrap();

    let all = s.repo.sources().await.unwrap();
    assert_eq!(all.len(), 2, "nothing is deleted");
    // Domain order: greenhouse before lever.
    assert_eq!(all[0].key, b);
    assert!(!all[0].enabled, "undeclared source is disabled");
    assert_eq!(all[0].open_jobs, 1);
    assert_eq!(all[0].last_fetched_at, Some(t(10)), "history kept");
    assert_eq!(all[1].key, a);
    assert_eq!(all[1].key.slug.declared(), "AcMe", "declared spelling kept");
    assert_eq!(all[1].name.as_deref(), Some("Acme Corp"));
    assert_eq!(all[1].region, Region::Eu);
    assert!(all[1].enabled);
    assert_eq!(all[1].open_jobs, 0);
    assert!(
        s.repo.job(&job.uid).await.unwrap().is_some(),
        "jobs are kept"
    );

    let mut off = spec(&a);
    off.enabled = false;
    s.repo.sync_sources(&[off, spec(&b)]).await.unwrap();
    let enabled = s.repo.enabled_sources().await.unwrap();
    assert_eq!(
        enabled.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        vec![b]
    );
}

async fn enabled_sources_least_recently_fetched_first(s: &Store) {
    let old = key(AtsKind::Lever, "old");
    let recent = key(AtsKind::Lever, "recent");
    let never_gh = key(AtsKind::Greenhouse, "zzz");
    let never_ashby = key(AtsKind::Ashby, "aaa");
    let disabled = key(AtsKind::Lever, "disabled");
    let mut off = spec(&disabled);
    off.enabled = false;
    s.repo
        .sync_sources(&[
            spec(&recent),
            spec(&old),
            spec(&never_ashby),
            spec(&never_gh),
            off,
        ])
        .await
        .unwrap();
    s.repo.apply_batch(&ok_batch(&recent, t(20))).await.unwrap();
    s.repo.apply_batch(&ok_batch(&old, t(10))).await.unwrap();
    let order: Vec<SourceKey> = s
        .repo
        .enabled_sources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(order, vec![never_gh, never_ashby, old, recent]);
}

async fn batch_inserts_updates_touches_closes_and_reopens(s: &Store) {
    let src = key(AtsKind::Ashby, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let j1 = planned(&src, posting("1", "One"));
    let j2 = planned(&src, posting("2", "Two"));
    let j3 = planned(&src, posting("3", "Three"));
    let mut b1 = ok_batch(&src, t(1));
    b1.inserts = vec![j1.clone(), j2.clone(), j3.clone()];
    s.repo.apply_batch(&b1).await.unwrap();
    let r1 = s.repo.job(&j1.uid).await.unwrap().unwrap();
    assert_eq!(
        (r1.first_seen_at, r1.last_seen_at, r1.changed_at),
        (t(1), t(1), t(1))
    );
    assert_eq!(r1.closed_at, None);

    let j1b = planned(&src, posting("1", "One, renamed"));
    let mut b2 = ok_batch(&src, t(2));
    b2.updates = vec![j1b.clone()];
    b2.unchanged = vec![j2.uid.clone()];
    b2.closed = vec![j3.uid.clone()];
    s.repo.apply_batch(&b2).await.unwrap();
    let r1 = s.repo.job(&j1.uid).await.unwrap().unwrap();
    assert_eq!(r1.posting.title, "One, renamed");
    assert_eq!(r1.content_hash, j1b.hash);
    assert_eq!(r1.raw_json, j1b.fetched.raw_json);
    assert_eq!(
        (r1.first_seen_at, r1.last_seen_at, r1.changed_at),
        (t(1), t(2), t(2))
    );
    let r2 = s.repo.job(&j2.uid).await.unwrap().unwrap();
    assert_eq!((r2.last_seen_at, r2.changed_at), (t(2), t(1)));
    let r3 = s.repo.job(&j3.uid).await.unwrap().unwrap();
    assert_eq!((r3.closed_at, r3.last_seen_at), (Some(t(2)), t(1)));

    // Closing again keeps the first closing time; a closed job that is seen again reopens.
    let mut b3 = ok_batch(&src, t(3));
    b3.closed = vec![j3.uid.clone(), j1.uid.clone()];
    s.repo.apply_batch(&b3).await.unwrap();
    assert_eq!(
        s.repo.job(&j3.uid).await.unwrap().unwrap().closed_at,
        Some(t(2))
    );
    assert_eq!(
        s.repo.job(&j1.uid).await.unwrap().unwrap().closed_at,
        Some(t(3))
    );
    assert_eq!(s.repo.sources().await.unwrap()[0].open_jobs, 1);

    let mut b4 = ok_batch(&src, t(4));
    b4.unchanged = vec![j3.uid.clone()];
    b4.reopened = vec![j3.uid.clone(), j1.uid.clone()];
    b4.updates = vec![planned(&src, posting("1", "One, again"))];
    s.repo.apply_batch(&b4).await.unwrap();
    let r3 = s.repo.job(&j3.uid).await.unwrap().unwrap();
    assert_eq!(
        (r3.closed_at, r3.last_seen_at, r3.changed_at),
        (None, t(4), t(1))
    );
    let r1 = s.repo.job(&j1.uid).await.unwrap().unwrap();
    assert_eq!(
        (r1.closed_at, r1.posting.title.as_str()),
        (None, "One, again")
    );
    assert_eq!(s.repo.sources().await.unwrap()[0].open_jobs, 3);

    // An update of a uid that is not stored inserts it.
    let j9 = planned(&src, posting("9", "Nine"));
    let mut b5 = ok_batch(&src, t(5));
    b5.updates = vec![j9.clone()];
    s.repo.apply_batch(&b5).await.unwrap();
    let r9 = s.repo.job(&j9.uid).await.unwrap().unwrap();
    assert_eq!((r9.first_seen_at, r9.closed_at), (t(5), None));
}

async fn batch_records_source_outcome(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let mut ok = ok_batch(&src, t(1));
    ok.outcome.empty_streak = 2;
    s.repo.apply_batch(&ok).await.unwrap();
    let r = &s.repo.sources().await.unwrap()[0];
    assert_eq!(
        (r.last_fetched_at, r.last_success_at),
        (Some(t(1)), Some(t(1)))
    );
    assert_eq!(
        (r.last_error.as_deref(), r.failure_count, r.empty_streak),
        (None, 0, 2)
    );

    for (i, when) in [t(2), t(3)].into_iter().enumerate() {
        let fail = SourceOutcome {
            error: Some(format!("HTTP 503 ✗ attempt {i}")),
            empty_streak: 2,
        };
        s.repo
            .apply_batch(&jobs_bot::ports::SourceBatch::outcome_only(
                src.clone(),
                when,
                fail,
            ))
            .await
            .unwrap();
    }
    let r = &s.repo.sources().await.unwrap()[0];
    assert_eq!(
        (r.last_fetched_at, r.last_success_at),
        (Some(t(3)), Some(t(1)))
    );
    assert_eq!(r.last_error.as_deref(), Some("HTTP 503 ✗ attempt 1"));
    assert_eq!((r.failure_count, r.empty_streak), (2, 2));

    s.repo.apply_batch(&ok_batch(&src, t(4))).await.unwrap();
    let r = &s.repo.sources().await.unwrap()[0];
    assert_eq!(
        (r.last_error.as_deref(), r.failure_count, r.empty_streak),
        (None, 0, 0)
    );
    assert_eq!(r.last_success_at, Some(t(4)));
}

async fn identical_second_fetch_only_bumps_last_seen(s: &Store) {
    let src = key(AtsKind::Greenhouse, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let fetched: Vec<_> = (0..5)
        .map(|i| fetched(posting(&i.to_string(), "Same")))
        .collect();
    let limits = WriteLimits {
        writes: None,
        new_jobs: 100,
    };
    for (round, now) in [t(1), t(2)].into_iter().enumerate() {
        let stored = s.repo.fingerprints(&src).await.unwrap();
        let plan = UpsertPlanner::classify(&src, None, fetched.clone(), &[], &stored).plan(limits);
        if round == 1 {
            assert!(plan.inserts.is_empty() && plan.updates.is_empty());
            assert_eq!(plan.unchanged.len(), 5);
        }
        let mut batch = ok_batch(&src, now);
        batch.inserts = plan.inserts;
        batch.updates = plan.updates;
        batch.unchanged = plan.unchanged;
        s.repo.apply_batch(&batch).await.unwrap();
    }
    let all = s.repo.jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(all.len(), 5);
    for j in all {
        assert_eq!(
            (j.first_seen_at, j.changed_at, j.last_seen_at),
            (t(1), t(1), t(2))
        );
        assert_eq!(j.content_hash, j.posting.content_hash());
    }
}

async fn insert_of_stored_uid_keeps_first_seen(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let first = planned(&src, posting("1", "Original"));
    let mut b1 = ok_batch(&src, t(1));
    b1.inserts = vec![first.clone()];
    s.repo.apply_batch(&b1).await.unwrap();
    let mut b2 = ok_batch(&src, t(2));
    b2.inserts = vec![planned(&src, posting("1", "Racing insert"))];
    s.repo.apply_batch(&b2).await.unwrap();
    let r = s.repo.job(&first.uid).await.unwrap().unwrap();
    assert_eq!(r.first_seen_at, t(1));
    assert_eq!(r.posting.title, "Original");
}

async fn fingerprints_carry_hash_and_closed_flag(s: &Store) {
    let a = key(AtsKind::Lever, "a");
    let b = key(AtsKind::Lever, "b");
    s.repo.sync_sources(&[spec(&a), spec(&b)]).await.unwrap();
    let open = planned(&a, posting("1", "Open"));
    let closed = planned(&a, posting("2", "Closed"));
    let mut batch = ok_batch(&a, t(1));
    batch.inserts = vec![open.clone(), closed.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    let mut other = ok_batch(&b, t(1));
    other.inserts = vec![planned(&b, posting("1", "Other board"))];
    s.repo.apply_batch(&other).await.unwrap();
    let mut close = ok_batch(&a, t(2));
    close.closed = vec![closed.uid.clone()];
    s.repo.apply_batch(&close).await.unwrap();

    let fps = s.repo.fingerprints(&a).await.unwrap();
    assert_eq!(fps.len(), 2);
    assert_eq!(fps[&open.uid].hash, open.hash);
    assert!(!fps[&open.uid].closed);
    assert_eq!(
        fps[&open.uid].raw_hash.as_ref(),
        Some(&open.fetched.raw_hash),
        "the raw item's hash is kept, so an unchanged item is not parsed again"
    );
    assert_eq!(fps[&closed.uid].hash, closed.hash);
    assert!(fps[&closed.uid].closed);
    assert!(
        s.repo
            .fingerprints(&key(AtsKind::Ashby, "none"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// A complete fetch writes "seen" once on the source rather than on every unchanged row;
/// reads still show each open job seen at that fetch, and a job closed later keeps the
/// last time it was seen.
async fn complete_fetch_records_seen_on_the_source_and_closing_keeps_it(s: &Store) {
    let src = key(AtsKind::Greenhouse, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let (a, b) = (
        planned(&src, posting("1", "Stays")),
        planned(&src, posting("2", "Goes")),
    );
    let mut first = ok_batch(&src, t(1));
    first.inserts = vec![a.clone(), b.clone()];
    first.all_open_seen = true;
    s.repo.apply_batch(&first).await.unwrap();
    let mut complete = ok_batch(&src, t(2));
    complete.unchanged = vec![a.uid.clone(), b.uid.clone()];
    complete.all_open_seen = true;
    s.repo.apply_batch(&complete).await.unwrap();
    for uid in [&a.uid, &b.uid] {
        let job = s.repo.job(uid).await.unwrap().unwrap();
        assert_eq!((job.first_seen_at, job.last_seen_at), (t(1), t(2)));
    }
    let since = |at| JobFilter {
        seen_since: Some(at),
        ..JobFilter::default()
    };
    assert_eq!(s.repo.jobs(&since(t(2))).await.unwrap().len(), 2);

    // Cut short: only what it saw is marked seen.
    let mut partial = ok_batch(&src, t(3));
    partial.unchanged = vec![a.uid.clone()];
    s.repo.apply_batch(&partial).await.unwrap();
    assert_eq!(
        s.repo.job(&a.uid).await.unwrap().unwrap().last_seen_at,
        t(3)
    );
    assert_eq!(
        s.repo.job(&b.uid).await.unwrap().unwrap().last_seen_at,
        t(2)
    );

    // Complete again without b: b closes, and keeps t(2) as the last time it was seen.
    let mut closing = ok_batch(&src, t(4));
    closing.unchanged = vec![a.uid.clone()];
    closing.closed = vec![b.uid.clone()];
    closing.all_open_seen = true;
    s.repo.apply_batch(&closing).await.unwrap();
    let gone = s.repo.job(&b.uid).await.unwrap().unwrap();
    assert_eq!((gone.last_seen_at, gone.closed_at), (t(2), Some(t(4))));
    assert_eq!(
        s.repo.job(&a.uid).await.unwrap().unwrap().last_seen_at,
        t(4)
    );
    let recent: Vec<_> = s.repo.jobs(&since(t(3))).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].uid, a.uid);
}

async fn jobs_filter_and_single_job(s: &Store) {
    let a = key(AtsKind::Lever, "a");
    let b = key(AtsKind::Workable, "b");
    s.repo.sync_sources(&[spec(&a), spec(&b)]).await.unwrap();
    let a1 = planned(&a, posting("1", "a1"));
    let a2 = planned(&a, posting("2", "a2"));
    let a3 = planned(&a, posting("3", "a3"));
    let b1 = planned(&b, posting("1", "b1"));
    let b2 = planned(&b, posting("2", "b2"));
    for (src, jobs, when) in [
        (&a, vec![a1.clone()], t(1)),
        (&b, vec![b1.clone(), b2.clone()], t(2)),
        (&a, vec![a2.clone(), a3.clone()], t(3)),
    ] {
        let mut batch = ok_batch(src, when);
        batch.inserts = jobs;
        s.repo.apply_batch(&batch).await.unwrap();
    }
    let mut close = ok_batch(&a, t(4));
    close.closed = vec![a2.uid.clone()];
    close.unchanged = vec![a1.uid.clone()];
    s.repo.apply_batch(&close).await.unwrap();

    let uids =
        |v: Vec<jobs_bot::ports::JobRecord>| v.into_iter().map(|j| j.uid).collect::<Vec<_>>();
    let sorted = |mut v: Vec<JobUid>| {
        v.sort();
        v
    };
    // Newest first; same first_seen_at by uid.
    let all = uids(s.repo.jobs(&JobFilter::default()).await.unwrap());
    let mut expected = sorted(vec![a2.uid.clone(), a3.uid.clone()]);
    expected.extend(sorted(vec![b1.uid.clone(), b2.uid.clone()]));
    expected.push(a1.uid.clone());
    assert_eq!(all, expected);

    let only_a = JobFilter {
        source: Some(a.clone()),
        ..JobFilter::default()
    };
    let got = s.repo.jobs(&only_a).await.unwrap();
    assert!(got.iter().all(|j| j.source == a) && got.len() == 3);
    let open_a = JobFilter {
        open_only: true,
        ..only_a.clone()
    };
    assert_eq!(
        sorted(uids(s.repo.jobs(&open_a).await.unwrap())),
        sorted(vec![a1.uid.clone(), a3.uid.clone()])
    );
    let recent = JobFilter {
        seen_since: Some(t(3)),
        ..JobFilter::default()
    };
    assert_eq!(
        sorted(uids(s.repo.jobs(&recent).await.unwrap())),
        sorted(vec![a1.uid.clone(), a2.uid.clone(), a3.uid.clone()])
    );
    let limited = JobFilter {
        limit: Some(2),
        ..JobFilter::default()
    };
    assert_eq!(
        uids(s.repo.jobs(&limited).await.unwrap()),
        expected[..2].to_vec()
    );

    let one = s.repo.job(&b2.uid).await.unwrap().unwrap();
    assert_eq!((one.source, one.posting.title.as_str()), (b.clone(), "b2"));
    let missing = JobUid::new(AtsKind::Lever, &a.slug, "nope");
    assert_eq!(s.repo.job(&missing).await.unwrap(), None);
}

async fn reparsed_rewrites_content_only(s: &Store) {
    let src = key(AtsKind::Recruitee, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let job = planned(&src, full_posting("1"));
    let mut b1 = ok_batch(&src, t(1));
    b1.inserts = vec![job.clone()];
    s.repo.apply_batch(&b1).await.unwrap();
    let mut b2 = ok_batch(&src, t(2));
    b2.closed = vec![job.uid.clone()];
    s.repo.apply_batch(&b2).await.unwrap();

    let mut reparsed = job.fetched.posting.clone();
    reparsed.title = "Re-derived title".into();
    reparsed.location = None;
    reparsed.workplace_type = Some(WorkplaceType::Hybrid);
    let hash = reparsed.content_hash();
    let ghost = JobUid::new(AtsKind::Recruitee, &src.slug, "ghost");
    let rows = vec![
        Reparsed {
            uid: job.uid.clone(),
            posting: reparsed.clone(),
            hash: hash.clone(),
        },
        Reparsed {
            uid: ghost.clone(),
            posting: reparsed.clone(),
            hash: hash.clone(),
        },
    ];
    s.repo.apply_reparsed(&rows, t(3)).await.unwrap();
    let r = s.repo.job(&job.uid).await.unwrap().unwrap();
    assert_eq!(r.posting, reparsed);
    assert_eq!((r.content_hash, r.changed_at), (hash, t(3)));
    assert_eq!(r.raw_json, job.fetched.raw_json);
    assert_eq!(
        (r.first_seen_at, r.last_seen_at, r.closed_at),
        (t(1), t(1), Some(t(2)))
    );
    assert_eq!(
        s.repo.job(&ghost).await.unwrap(),
        None,
        "unknown uids are ignored"
    );
}

async fn every_posting_field_round_trips(s: &Store) {
    let src = key(AtsKind::SmartRecruiters, "UbiSoft2");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let full = planned(&src, full_posting("ünï-😀-1"));
    let bare = planned(
        &src,
        Posting {
            ats_job_id: "2".into(),
            ..Posting::default()
        },
    );
    let mut batch = ok_batch(&src, t(7));
    batch.inserts = vec![full.clone(), bare.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    for job in [full.clone(), bare] {
        let r = s.repo.job(&job.uid).await.unwrap().unwrap();
        let expected = jobs_bot::ports::JobRecord {
            uid: job.uid.clone(),
            source: src.clone(),
            posting: job.fetched.posting.clone(),
            content_hash: job.hash.clone(),
            raw_json: job.fetched.raw_json.clone(),
            first_seen_at: t(7),
            last_seen_at: t(7),
            changed_at: t(7),
            closed_at: None,
        };
        assert_eq!(r, expected);
        assert_eq!(r.source.slug.declared(), "UbiSoft2");
        assert_eq!(
            r.posting.content_hash(),
            r.content_hash,
            "hash still matches content"
        );
    }

    // Updates write every field too, `None` as NULL: the full job loses its fields, the
    // bare one gains them.
    let emptied = planned(
        &src,
        Posting {
            ats_job_id: full.fetched.posting.ats_job_id.clone(),
            ..Posting::default()
        },
    );
    let filled = planned(&src, full_posting("2"));
    let mut batch = ok_batch(&src, t(8));
    batch.updates = vec![emptied.clone(), filled.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    for job in [emptied, filled] {
        let r = s.repo.job(&job.uid).await.unwrap().unwrap();
        assert_eq!(r.posting, job.fetched.posting);
        assert_eq!(
            (r.content_hash, r.raw_json),
            (job.hash.clone(), job.fetched.raw_json.clone())
        );
        assert_eq!(
            (r.first_seen_at, r.last_seen_at, r.changed_at),
            (t(7), t(8), t(8))
        );
    }
}

async fn batch_of_a_thousand_jobs(s: &Store) {
    let src = key(AtsKind::Greenhouse, "big");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let jobs: Vec<_> = (0..1000)
        .map(|i| {
            let mut p = posting(&format!("{i:04}"), &format!("Job {i}"));
            p.description = format!("{i} ").repeat(300);
            planned(&src, p)
        })
        .collect();
    let mut b1 = ok_batch(&src, t(1));
    b1.inserts = jobs.clone();
    s.repo.apply_batch(&b1).await.unwrap();
    assert_eq!(s.repo.fingerprints(&src).await.unwrap().len(), 1000);

    let mut b2 = ok_batch(&src, t(2));
    b2.updates = jobs[..300]
        .iter()
        .map(|j| {
            let mut p = j.fetched.posting.clone();
            p.title.push_str(" (v2)");
            planned(&src, p)
        })
        .collect();
    b2.unchanged = jobs[300..700].iter().map(|j| j.uid.clone()).collect();
    b2.closed = jobs[700..].iter().map(|j| j.uid.clone()).collect();
    s.repo.apply_batch(&b2).await.unwrap();
    let all = s.repo.jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1000);
    let renamed = all
        .iter()
        .filter(|j| j.posting.title.ends_with("(v2)"))
        .count();
    let seen_now = all.iter().filter(|j| j.last_seen_at == t(2)).count();
    let closed = all.iter().filter(|j| j.closed_at == Some(t(2))).count();
    assert_eq!((renamed, seen_now, closed), (300, 700, 300));
    assert_eq!(s.repo.sources().await.unwrap()[0].open_jobs, 700);
}

async fn batch_for_unknown_source_writes_nothing(s: &Store) {
    let known = key(AtsKind::Lever, "known");
    s.repo.sync_sources(&[spec(&known)]).await.unwrap();
    let stranger = key(AtsKind::Lever, "stranger");
    let mut batch = ok_batch(&stranger, t(1));
    batch.inserts = vec![planned(&stranger, posting("1", "x"))];
    assert!(s.repo.apply_batch(&batch).await.is_err());
    assert!(s.repo.jobs(&JobFilter::default()).await.unwrap().is_empty());
    assert_eq!(s.repo.sources().await.unwrap()[0].last_fetched_at, None);
}

async fn batch_for_unknown_source_is_unknown_source(s: &Store) {
    let known = key(AtsKind::Lever, "known");
    s.repo.sync_sources(&[spec(&known)]).await.unwrap();
    let stranger = key(AtsKind::Lever, "stranger");
    let failed = SourceBatch::outcome_only(
        stranger.clone(),
        t(1),
        SourceOutcome {
            error: Some("HTTP 500".into()),
            empty_streak: 0,
        },
    );
    let mut with_jobs = ok_batch(&stranger, t(1));
    with_jobs.inserts = vec![planned(&stranger, posting("1", "x"))];
    with_jobs.updates = vec![planned(&stranger, posting("2", "y"))];
    for batch in [ok_batch(&stranger, t(1)), failed, with_jobs] {
        assert_eq!(
            s.repo.apply_batch(&batch).await,
            Err(StoreError::UnknownSource {
                key: stranger.clone()
            })
        );
    }
}

async fn batch_repeated_with_the_same_time_is_accepted(s: &Store) {
    // A write that repeats stored values still finds its rows (MySQL counts matched rows).
    let src = key(AtsKind::Greenhouse, "acme");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let job = planned(&src, posting("1", "One"));
    let mut batch = ok_batch(&src, t(1));
    batch.updates = vec![job.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    s.repo.apply_batch(&batch).await.unwrap();
    let r = s.repo.job(&job.uid).await.unwrap().unwrap();
    assert_eq!((r.first_seen_at, r.changed_at), (t(1), t(1)));
    assert_eq!(
        s.repo.sources().await.unwrap()[0].last_success_at,
        Some(t(1))
    );
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, d).unwrap()
}

async fn note_source_error_sets_only_last_error(s: &Store) {
    let a = key(AtsKind::Lever, "noted");
    s.repo.sync_sources(&[spec(&a)]).await.unwrap();
    s.repo
        .note_source_error(&a, "rate_limited: no call left")
        .await
        .unwrap();
    let got = s.repo.sources().await.unwrap().remove(0);
    assert_eq!(
        got.last_error.as_deref(),
        Some("rate_limited: no call left")
    );
    assert_eq!((got.last_fetched_at, got.failure_count), (None, 0));
    let unknown = key(AtsKind::Lever, "nobody");
    assert_eq!(
        s.repo.note_source_error(&unknown, "x").await,
        Err(jobs_bot::ports::StoreError::UnknownSource { key: unknown })
    );
}

async fn counters_grant_partially_up_to_cap(s: &Store) {
    let k = CounterKey::ApiCalls(AtsKind::Lever);
    assert_eq!(s.counters.used(k, day(1)).await.unwrap(), 0);
    let mut grants = Vec::new();
    for n in [4, 4, 4, 1, 0] {
        grants.push(s.counters.try_reserve(k, day(1), n, Cap(10)).await.unwrap());
    }
    assert_eq!(grants, vec![4, 4, 2, 0, 0]);
    assert_eq!(s.counters.used(k, day(1)).await.unwrap(), 10);
    // A raised cap grants the difference.
    assert_eq!(
        s.counters.try_reserve(k, day(1), 5, Cap(12)).await.unwrap(),
        2
    );
}

async fn counters_release_gives_back_and_never_goes_below_zero(s: &Store) {
    let k = CounterKey::NewJobs;
    assert_eq!(
        s.counters.try_reserve(k, day(2), 8, Cap(10)).await.unwrap(),
        8
    );
    s.counters.release(k, day(2), 3).await.unwrap();
    assert_eq!(s.counters.used(k, day(2)).await.unwrap(), 5);
    // What was given back can be reserved again, up to the cap.
    assert_eq!(
        s.counters.try_reserve(k, day(2), 9, Cap(10)).await.unwrap(),
        5
    );
    s.counters.release(k, day(2), 50).await.unwrap();
    assert_eq!(s.counters.used(k, day(2)).await.unwrap(), 0);
    // A counter taken below zero would over-grant from here on.
    assert_eq!(
        s.counters
            .try_reserve(k, day(2), 10, Cap(10))
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        s.counters.try_reserve(k, day(2), 1, Cap(10)).await.unwrap(),
        0
    );
    // Releasing on a day never reserved is harmless, and other days are untouched.
    s.counters.release(k, day(3), 1).await.unwrap();
    assert_eq!(s.counters.used(k, day(3)).await.unwrap(), 0);
}

async fn counters_unlimited_cap_still_counts(s: &Store) {
    let k = CounterKey::NewJobs;
    assert_eq!(
        s.counters
            .try_reserve(k, day(1), 1000, Cap::UNLIMITED)
            .await
            .unwrap(),
        1000
    );
    assert_eq!(
        s.counters
            .try_reserve(k, day(1), 7, Cap::UNLIMITED)
            .await
            .unwrap(),
        7
    );
    assert_eq!(s.counters.used(k, day(1)).await.unwrap(), 1007);
    assert_eq!(
        s.counters
            .try_reserve(k, day(1), 5, Cap(1000))
            .await
            .unwrap(),
        0
    );
}

async fn counters_are_per_key_and_day(s: &Store) {
    let lever = CounterKey::ApiCalls(AtsKind::Lever);
    let gh = CounterKey::ApiCalls(AtsKind::Greenhouse);
    assert_eq!(
        s.counters
            .try_reserve(lever, day(1), 3, Cap(3))
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        s.counters
            .try_reserve(lever, day(2), 3, Cap(3))
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        s.counters.try_reserve(gh, day(1), 2, Cap(3)).await.unwrap(),
        2
    );
    assert_eq!(
        s.counters
            .try_reserve(CounterKey::NewJobs, day(1), 1, Cap(3))
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.counters.used(lever, day(1)).await.unwrap(), 3);
    assert_eq!(s.counters.used(lever, day(2)).await.unwrap(), 3);
    assert_eq!(s.counters.used(gh, day(1)).await.unwrap(), 2);
    assert_eq!(s.counters.used(gh, day(2)).await.unwrap(), 0);
    assert_eq!(
        s.counters.used(CounterKey::NewJobs, day(1)).await.unwrap(),
        1
    );
}

async fn counters_never_over_grant_under_concurrency(s: &Store) {
    // Several rounds (one day each) of 16 tasks released at once: a lost update shows up
    // as more grants than the cap.
    for round in 0..4 {
        let day = concurrency_day() + chrono::Duration::days(round);
        let total = reserve_concurrently(s.counters.clone(), 16, day).await;
        assert_eq!(total, CONCURRENCY_CAP as u64, "round {round}");
        assert_eq!(
            s.counters.used(CONCURRENCY_KEY, day).await.unwrap(),
            CONCURRENCY_CAP as u64
        );
    }
}

// Backend-specific checks, outside the shared contract.

async fn migrate_twice(url: &str) {
    let first = connect(url).await;
    first.migrate().await.unwrap();
    first.migrate().await.unwrap();
    // A second process-like connect finds nothing pending and keeps the data.
    let src = key(AtsKind::Lever, "kept");
    first.sync_sources(&[spec(&src)]).await.unwrap();
    let second = connect(url).await;
    assert_eq!(second.sources().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_migrations_run_twice() {
    let store = Store::sqlite().await;
    migrate_twice(store.target.as_deref().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_migrations_run_twice() {
    let store = Store::mysql().await;
    migrate_twice(store.target.as_deref().unwrap()).await;
}

fn assert_hidden(shown: &str, secret: &str) {
    assert!(!shown.contains(secret), "password leaked: {shown}");
    assert!(
        !shown.contains(&secret.replace('@', "%40")),
        "password leaked: {shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_password_never_shown_when_connecting_fails() {
    use jobs_bot::adapters::db::{Database, DatabaseTarget};
    let secret = "S3cr3t@pw-0x2a";
    // Nothing listens on port 1, so this needs no server.
    let url = format!(
        "mysql://bot:{}@127.0.0.1:1/jobs",
        secret.replace('@', "%40")
    );
    let target = DatabaseTarget::resolve(Some(&url), None, "unused.db".into()).unwrap();
    assert_eq!(target.to_string(), "mysql://bot@127.0.0.1:1/jobs");
    assert_hidden(&format!("{target:?}"), secret);
    let err = Database::connect(&target).await.unwrap_err();
    assert_hidden(&err.to_string(), secret);
    assert_hidden(&format!("{err:?}"), secret);

    // A real server refusing the password.
    let admin = mysql_admin_url();
    let mut wrong = url::Url::parse(&admin).unwrap();
    wrong.set_username("jb_no_such_user").unwrap();
    wrong.set_password(Some(secret)).unwrap();
    let target = DatabaseTarget::resolve(Some(wrong.as_str()), None, "unused.db".into()).unwrap();
    let err = Database::connect(&target).await.unwrap_err();
    assert!(matches!(
        err,
        jobs_bot::ports::StoreError::Migration(_) | jobs_bot::ports::StoreError::Unavailable { .. }
    ));
    assert_hidden(&err.to_string(), secret);
    assert_hidden(&format!("{err:?}"), secret);
}
