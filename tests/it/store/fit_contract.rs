//! The `FitStore` contract, run against the in-memory adapter, SQLite and MySQL (the
//! `contract!` macro of `contract.rs`): profiles, job analyses, fits and their sink links.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use crate::helpers::store::*;
use chrono::{DateTime, Utc};
use jobs_bot::domain::fit::{
    Fit, FitClass, FitPart, FitReasons, JobAnalysis, Seniority, Skill, SkillOrigin,
};
use jobs_bot::domain::salary::{PayPeriod, Salary, SalaryProvenance};
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::domain::{AtsKind, ContentHash, JobUid, SourceKey, WorkplaceType};
use jobs_bot::ports::{
    FitFilter, FitRecord, JobEnrichment, ScoringRow, SinkLink, StoreError, StoredProfile,
};

contract!(
    profile_upsert_round_trips,
    jobs_to_analyze_finds_missing_and_stale_and_pages_by_uid,
    enrichments_round_trip_and_are_idempotent,
    scoring_rows_page_by_uid_with_enrichment_only_when_analyzed,
    descriptions_of_the_asked_jobs,
    save_fits_then_fit_hashes_per_profile,
    second_save_fits_keeps_the_sink_link,
    save_link_of_an_unknown_fit_is_a_query_error,
    ranked_orders_by_score_then_newest_and_filters,
    fit_round_trips_every_field,
    fits_and_analyses_need_a_stored_job,
    five_thousand_fits_in_one_call,
    scoring_rows_and_ranked_carry_closed_at,
);

pub(super) fn skill(name: &str) -> Skill {
    serde_json::from_value(serde_json::Value::String(name.into())).unwrap()
}

pub(super) fn skills(names: &[&str]) -> BTreeSet<Skill> {
    names.iter().map(|n| skill(n)).collect()
}

pub(super) fn analysis(title_word: &str) -> JobAnalysis {
    JobAnalysis {
        required: skills(&["rust", "postgresql", "c++"]),
        nice_to_have: skills(&["kafka"]),
        title_skills: skills(&["rust"]),
        seniority: Some(Seniority::Senior),
        years_required: Some(5),
        title_terms: vec![title_word.to_string(), "ingénieur·e".into()],
    }
}

fn salary() -> Salary {
    Salary {
        min: 70_000.0,
        max: 90_000.5,
        currency: "EUR".into(),
        period: PayPeriod::Year,
        annual_min: 70_000.0,
        annual_max: 90_001.0,
        provenance: SalaryProvenance::Parsed,
        display: "EUR 70,000–90,000.50 / year 💶".into(),
    }
}

pub(super) fn enrichment(job: &PlannedJob, version: u32, salary: Option<Salary>) -> JobEnrichment {
    JobEnrichment {
        uid: job.uid.clone(),
        content_hash: job.hash.clone(),
        analyzer_version: version,
        analysis: analysis("engineer"),
        salary,
        enriched_at: t(100),
    }
}

fn fit(score: u8) -> Fit {
    Fit {
        score,
        class: FitClass::from_score(score),
        flags: vec!["stale_posting".into(), "excluded:location ✗".into()],
        reasons: FitReasons {
            parts: vec![
                FitPart {
                    name: "skills".into(),
                    // Values a scorer computes, not round decimals.
                    points: 45.0 / 7.0 * 3.0,
                    max: 45.0,
                    note: "3 of 4 required · rust, c++".into(),
                },
                FitPart {
                    name: "title".into(),
                    points: 0.1 + 0.2,
                    max: 20.0,
                    note: String::new(),
                },
            ],
            matched_skills: vec![skill("rust"), skill("c++")],
            missing_skills: vec![skill("kafka")],
            missing_must_haves: vec![skill("postgresql")],
            title_match: Some("backend engineer".into()),
            location_verdict: "remote 🌍 ok".into(),
            salary_verdict: "unknown".into(),
            excluded_because: Some("on-site in \"Zürich\"".into()),
            skill_origins: [
                (skill("rust"), SkillOrigin::Both),
                (skill("kafka"), SkillOrigin::Llm),
            ]
            .into(),
            llm_model: Some("qwen2.5:7b-instruct".into()),
        },
    }
}

pub(super) fn record(uid: &JobUid, profile: &str, score: u8, input_hash: &str) -> FitRecord {
    FitRecord {
        uid: uid.clone(),
        profile: profile.into(),
        fit: fit(score),
        scorer_version: 3,
        input_hash: input_hash.into(),
        computed_at: t(200),
        link: SinkLink::default(),
    }
}

/// Declares `src` and stores `n` jobs of it first seen at `when`.
pub(super) async fn store_jobs(
    s: &Store,
    src: &SourceKey,
    ids: &[&str],
    when: DateTime<Utc>,
) -> Vec<PlannedJob> {
    s.repo.sync_sources(&[spec(src)]).await.unwrap();
    let jobs: Vec<PlannedJob> = ids
        .iter()
        .map(|id| {
            let mut p = posting(id, &format!("Job {id}"));
            p.salary_text = Some(format!("€{id}k"));
            planned(src, p)
        })
        .collect();
    let mut batch = ok_batch(src, when);
    batch.inserts = jobs.clone();
    s.repo.apply_batch(&batch).await.unwrap();
    jobs
}

fn sorted_uids(jobs: &[PlannedJob]) -> Vec<JobUid> {
    let mut uids: Vec<JobUid> = jobs.iter().map(|j| j.uid.clone()).collect();
    uids.sort();
    uids
}

async fn profile_upsert_round_trips(s: &Store) {
    assert!(s.fits.profiles().await.unwrap().is_empty());
    let full = StoredProfile {
        key: "rust-remote".into(),
        cv_path: "/home/me/cv/Lebenslauf ü.pdf".into(),
        cv_sha256: Some("ab".repeat(32)),
        preferences_hash: "prefs-1".into(),
        analyzer_version: 2,
        profile_json: Some(r#"{"skills":["rust"],"note":"😀"}"#.into()),
        analyzed_at: Some(t(5)),
        last_error: None,
    };
    let bare = StoredProfile {
        key: "data".into(),
        cv_path: "cv.pdf".into(),
        cv_sha256: None,
        preferences_hash: String::new(),
        analyzer_version: 0,
        profile_json: None,
        analyzed_at: None,
        last_error: Some("cannot read cv.pdf".into()),
    };
    s.fits.save_profile(&full).await.unwrap();
    s.fits.save_profile(&bare).await.unwrap();
    assert_eq!(
        s.fits.profiles().await.unwrap(),
        vec![bare.clone(), full.clone()],
        "ordered by key"
    );

    // Every column is rewritten, set ones cleared included.
    let changed = StoredProfile {
        cv_sha256: None,
        preferences_hash: "prefs-2".into(),
        analyzer_version: 3,
        profile_json: None,
        analyzed_at: None,
        last_error: Some("CV changed".into()),
        ..full.clone()
    };
    s.fits.save_profile(&changed).await.unwrap();
    s.fits.save_profile(&changed).await.unwrap();
    assert_eq!(s.fits.profiles().await.unwrap(), vec![bare, changed]);
}

async fn jobs_to_analyze_finds_missing_and_stale_and_pages_by_uid(s: &Store) {
    let src = key(AtsKind::Lever, "AcMe");
    let jobs = store_jobs(s, &src, &["1", "2", "3", "4", "5", "6"], t(1)).await;
    assert_eq!(
        s.fits
            .jobs_to_analyze(None, 100, 1)
            .await
            .unwrap()
            .iter()
            .map(|j| j.uid.clone())
            .collect::<Vec<_>>(),
        sorted_uids(&jobs),
        "nothing analyzed yet: every job, in uid order"
    );

    // 0 and 1 current, 2 by another analyzer version, 3 of older content, 4 and 5 missing.
    let mut rows: Vec<JobEnrichment> = jobs[..4].iter().map(|j| enrichment(j, 1, None)).collect();
    rows[2].analyzer_version = 0;
    rows[3].content_hash = ContentHash("0".repeat(40));
    s.fits.save_enrichments(&rows).await.unwrap();
    // A job whose content changes after its analysis is stale too.
    let changed = planned(&src, posting("1", "Job 1, rewritten"));
    let mut update = ok_batch(&src, t(2));
    update.updates = vec![changed.clone()];
    s.repo.apply_batch(&update).await.unwrap();

    let expected = sorted_uids(
        &jobs[..]
            .iter()
            .skip(2)
            .cloned()
            .chain([changed.clone()])
            .collect::<Vec<_>>(),
    );
    let all = s.fits.jobs_to_analyze(None, 100, 1).await.unwrap();
    assert_eq!(
        all.iter().map(|j| j.uid.clone()).collect::<Vec<_>>(),
        expected
    );

    // Keyset pages of 2 give the same jobs.
    let mut paged = Vec::new();
    let mut after: Option<JobUid> = None;
    loop {
        let page = s.fits.jobs_to_analyze(after.as_ref(), 2, 1).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.uid.clone());
        paged.extend(page);
    }
    assert_eq!(paged, all);

    // What analysis reads, with the source's declared spelling.
    let text = all.iter().find(|j| j.uid == changed.uid).unwrap();
    assert_eq!(text.source.slug.declared(), "AcMe");
    assert_eq!(text.source, src);
    assert_eq!(text.content_hash, changed.hash);
    assert_eq!(text.title, "Job 1, rewritten");
    assert_eq!(text.description, changed.fetched.posting.description);
    assert_eq!(text.raw_json, changed.fetched.raw_json);
    assert_eq!(text.salary_text, None);
    let five = all.iter().find(|j| j.uid == jobs[4].uid).unwrap();
    assert_eq!(five.salary_text.as_deref(), Some("€5k"));

    // Another analyzer version makes every job stale.
    assert_eq!(s.fits.jobs_to_analyze(None, 100, 2).await.unwrap().len(), 6);
    assert!(s.fits.jobs_to_analyze(None, 0, 2).await.unwrap().is_empty());
}

async fn enrichments_round_trip_and_are_idempotent(s: &Store) {
    let src = key(AtsKind::Greenhouse, "acme");
    let jobs = store_jobs(s, &src, &["1", "2"], t(1)).await;
    let rows = vec![
        enrichment(&jobs[0], 7, Some(salary())),
        enrichment(&jobs[1], 7, None),
    ];
    s.fits.save_enrichments(&rows).await.unwrap();
    s.fits.save_enrichments(&rows).await.unwrap();
    let read = |rows: Vec<ScoringRow>| -> HashMap<JobUid, Option<JobEnrichment>> {
        rows.into_iter().map(|r| (r.uid, r.enrichment)).collect()
    };
    let stored = read(s.fits.scoring_rows(None, 10).await.unwrap());
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[&jobs[0].uid], Some(rows[0].clone()));
    assert_eq!(stored[&jobs[1].uid], Some(rows[1].clone()));
    assert!(
        s.fits
            .jobs_to_analyze(None, 10, 7)
            .await
            .unwrap()
            .is_empty()
    );

    // A new analysis replaces the old one, salary included; a repeated uid: the last wins.
    let mut newer = enrichment(&jobs[0], 8, None);
    newer.analysis = JobAnalysis::default();
    newer.enriched_at = t(300);
    let mut newest = newer.clone();
    newest.salary = Some(salary());
    s.fits
        .save_enrichments(&[newer, newest.clone()])
        .await
        .unwrap();
    let stored = read(s.fits.scoring_rows(None, 10).await.unwrap());
    assert_eq!(stored[&jobs[0].uid], Some(newest));
    assert_eq!(stored[&jobs[1].uid], Some(rows[1].clone()));
    s.fits.save_enrichments(&[]).await.unwrap();
}

async fn scoring_rows_page_by_uid_with_enrichment_only_when_analyzed(s: &Store) {
    let src = key(AtsKind::Ashby, "AcMe");
    let jobs = store_jobs(s, &src, &["1", "2", "3", "4"], t(1)).await;
    let full = planned(&src, full_posting("full"));
    let mut batch = ok_batch(&src, t(2));
    batch.inserts = vec![full.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    let mut close = ok_batch(&src, t(3));
    close.closed = vec![jobs[0].uid.clone()];
    s.repo.apply_batch(&close).await.unwrap();
    let analyzed = [jobs[1].clone(), full.clone()];
    let rows: Vec<JobEnrichment> = analyzed
        .iter()
        .map(|j| enrichment(j, 1, Some(salary())))
        .collect();
    s.fits.save_enrichments(&rows).await.unwrap();

    let all = s.fits.scoring_rows(None, 100).await.unwrap();
    let mut expected = sorted_uids(&jobs);
    expected.push(full.uid.clone());
    expected.sort();
    assert_eq!(
        all.iter().map(|r| r.uid.clone()).collect::<Vec<_>>(),
        expected
    );
    for row in &all {
        let analyzed_row = rows.iter().find(|e| e.uid == row.uid);
        assert_eq!(row.enrichment.as_ref(), analyzed_row, "{}", row.uid);
        assert_eq!(row.closed, row.uid == jobs[0].uid);
    }

    let mut paged = Vec::new();
    let mut after: Option<JobUid> = None;
    loop {
        let page = s.fits.scoring_rows(after.as_ref(), 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.uid.clone());
        paged.extend(page);
    }
    assert_eq!(paged, all);

    let p = &full.fetched.posting;
    let row = all.iter().find(|r| r.uid == full.uid).unwrap();
    let expected_row = ScoringRow {
        uid: full.uid.clone(),
        source: src.clone(),
        content_hash: full.hash.clone(),
        title: p.title.clone(),
        company: p.company.clone(),
        location: p.location.clone(),
        workplace: Some(WorkplaceType::Remote),
        url: p.url.clone(),
        closed: false,
        closed_at: None,
        posted_at: p.posted_at,
        first_seen_at: t(2),
        changed_at: t(2),
        enrichment: Some(rows[1].clone()),
        llm: None,
    };
    assert_eq!(row, &expected_row);
    assert_eq!(row.source.slug.declared(), "AcMe");
}

async fn descriptions_of_the_asked_jobs(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2", "3"], t(1)).await;
    // More uids than one IN (…) takes, most of them unknown.
    let mut asked: Vec<JobUid> = (0..1_200)
        .map(|i| JobUid::new(AtsKind::Lever, &src.slug, &format!("unknown-{i}")))
        .collect();
    asked.insert(700, jobs[2].uid.clone());
    asked.push(jobs[0].uid.clone());
    let got = s.fits.descriptions(&asked).await.unwrap();
    let expected: HashMap<JobUid, String> = [&jobs[0], &jobs[2]]
        .into_iter()
        .map(|j| (j.uid.clone(), j.fetched.posting.description.clone()))
        .collect();
    assert_eq!(got, expected);
    assert!(s.fits.descriptions(&[]).await.unwrap().is_empty());
}

async fn save_fits_then_fit_hashes_per_profile(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2", "3"], t(1)).await;
    assert!(s.fits.fit_hashes("a").await.unwrap().is_empty());
    let rows = vec![
        record(&jobs[0].uid, "a", 80, "h-a0"),
        record(&jobs[1].uid, "a", 40, "h-a1"),
        record(&jobs[0].uid, "b", 10, "h-b0"),
    ];
    s.fits.save_fits(&rows).await.unwrap();
    let expected_a: HashMap<JobUid, String> = [
        (jobs[0].uid.clone(), "h-a0".to_string()),
        (jobs[1].uid.clone(), "h-a1".to_string()),
    ]
    .into();
    assert_eq!(s.fits.fit_hashes("a").await.unwrap(), expected_a);
    assert_eq!(
        s.fits.fit_hashes("b").await.unwrap(),
        [(jobs[0].uid.clone(), "h-b0".to_string())].into()
    );
    assert!(s.fits.fit_hashes("c").await.unwrap().is_empty());

    // Rescoring rewrites the hash.
    s.fits
        .save_fits(&[record(&jobs[1].uid, "a", 41, "h-a1-new")])
        .await
        .unwrap();
    assert_eq!(
        s.fits.fit_hashes("a").await.unwrap()[&jobs[1].uid],
        "h-a1-new"
    );
    s.fits.save_fits(&[]).await.unwrap();
}

async fn second_save_fits_keeps_the_sink_link(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2"], t(1)).await;
    let uid = &jobs[0].uid;
    s.fits
        .save_fits(&[record(uid, "p", 70, "h1")])
        .await
        .unwrap();
    assert_eq!(
        s.fits.fit(uid, "p").await.unwrap().unwrap().link,
        SinkLink::default(),
        "a new fit has no link"
    );
    let link = SinkLink {
        page_id: Some("1a2b3c4d-0000-4000-8000-1234567890ab".into()),
        last_sync: Some(t(400)),
        last_error: Some("rate limited ⏳".into()),
        dismissed: true,
        closed: Some(true),
    };
    s.fits.save_link(uid, "p", &link).await.unwrap();

    // The record's own link is ignored: only save_link writes it.
    let mut again = record(uid, "p", 90, "h2");
    again.computed_at = t(500);
    again.link = SinkLink::default();
    let other = record(&jobs[1].uid, "p", 20, "h3");
    s.fits
        .save_fits(&[again.clone(), other.clone()])
        .await
        .unwrap();
    let stored = s.fits.fit(uid, "p").await.unwrap().unwrap();
    assert_eq!(
        stored,
        FitRecord {
            link: link.clone(),
            ..again
        }
    );
    assert_eq!(s.fits.fit(&jobs[1].uid, "p").await.unwrap().unwrap(), other);

    // A link can be cleared.
    s.fits
        .save_link(uid, "p", &SinkLink::default())
        .await
        .unwrap();
    assert_eq!(
        s.fits.fit(uid, "p").await.unwrap().unwrap().link,
        SinkLink::default()
    );
}

async fn save_link_of_an_unknown_fit_is_a_query_error(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1"], t(1)).await;
    s.fits
        .save_fits(&[record(&jobs[0].uid, "p", 70, "h")])
        .await
        .unwrap();
    let link = SinkLink {
        page_id: Some("page".into()),
        ..SinkLink::default()
    };
    for (uid, profile) in [
        (&jobs[0].uid, "other"),
        (&JobUid::new(AtsKind::Lever, &src.slug, "x"), "p"),
    ] {
        let err = s.fits.save_link(uid, profile, &link).await.unwrap_err();
        assert!(matches!(err, StoreError::Query(_)), "{err:?}");
    }
    assert_eq!(
        s.fits.fit(&jobs[0].uid, "p").await.unwrap().unwrap().link,
        SinkLink::default()
    );
}

async fn ranked_orders_by_score_then_newest_and_filters(s: &Store) {
    let src = key(AtsKind::Greenhouse, "AcMe");
    // Old jobs first seen at t(1), new ones at t(2).
    let old = store_jobs(s, &src, &["o1", "o2", "o3"], t(1)).await;
    let mut new_batch = ok_batch(&src, t(2));
    let new: Vec<PlannedJob> = ["n1", "n2"]
        .iter()
        .map(|id| planned(&src, posting(id, &format!("Job {id}"))))
        .collect();
    new_batch.inserts = new.clone();
    s.repo.apply_batch(&new_batch).await.unwrap();
    let mut close = ok_batch(&src, t(3));
    close.closed = vec![new[1].uid.clone()];
    s.repo.apply_batch(&close).await.unwrap();
    s.fits
        .save_enrichments(&[enrichment(&old[0], 1, Some(salary()))])
        .await
        .unwrap();

    // o1 and o2 tie on score and first seen: uid decides. n1 ties with them on score but is newer.
    let scores = [
        (&old[0], 80),
        (&old[1], 80),
        (&old[2], 65),
        (&new[0], 80),
        (&new[1], 90),
    ];
    let rows: Vec<FitRecord> = scores
        .iter()
        .map(|(j, score)| record(&j.uid, "p", *score, "h"))
        .collect();
    s.fits.save_fits(&rows).await.unwrap();
    s.fits
        .save_fits(&[record(&old[2].uid, "other", 100, "h")])
        .await
        .unwrap();

    let mut tie = [old[0].uid.clone(), old[1].uid.clone()];
    tie.sort();
    let order = |filter: FitFilter| async move {
        s.fits
            .ranked("p", &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|(f, j)| {
                assert_eq!(f.uid, j.uid);
                f.uid
            })
            .collect::<Vec<_>>()
    };
    let all = vec![
        new[1].uid.clone(),
        new[0].uid.clone(),
        tie[0].clone(),
        tie[1].clone(),
        old[2].uid.clone(),
    ];
    assert_eq!(order(FitFilter::default()).await, all);
    assert_eq!(
        order(FitFilter {
            min_score: Some(80),
            ..FitFilter::default()
        })
        .await,
        all[..4].to_vec()
    );
    assert_eq!(
        order(FitFilter {
            class: Some(FitClass::Maybe),
            ..FitFilter::default()
        })
        .await,
        vec![old[2].uid.clone()]
    );
    assert_eq!(
        order(FitFilter {
            class: Some(FitClass::Good),
            open_only: true,
            ..FitFilter::default()
        })
        .await,
        all[1..4].to_vec()
    );
    assert_eq!(
        order(FitFilter {
            limit: Some(2),
            ..FitFilter::default()
        })
        .await,
        all[..2].to_vec()
    );
    assert_eq!(
        order(FitFilter {
            min_score: Some(81),
            class: Some(FitClass::Good),
            open_only: true,
            limit: Some(10),
        })
        .await,
        Vec::<JobUid>::new()
    );
    assert!(
        s.fits
            .ranked("nobody", &FitFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Each fit comes with its job and the job's analysis.
    let ranked = s.fits.ranked("p", &FitFilter::default()).await.unwrap();
    let (f, j) = ranked.iter().find(|(f, _)| f.uid == old[0].uid).unwrap();
    assert_eq!(f, &rows[0]);
    assert_eq!(j.enrichment, Some(enrichment(&old[0], 1, Some(salary()))));
    assert_eq!((j.title.as_str(), j.first_seen_at), ("Job o1", t(1)));
    assert_eq!(j.source.slug.declared(), "AcMe");
    let (_, closed) = &ranked[0];
    assert!(closed.closed && closed.enrichment.is_none());
}

async fn fit_round_trips_every_field(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1"], t(1)).await;
    let uid = &jobs[0].uid;
    assert_eq!(s.fits.fit(uid, "p").await.unwrap(), None);
    let mut rec = record(uid, "profile ü 😀", 100, &"f".repeat(64));
    rec.scorer_version = 12;
    s.fits.save_fits(&[rec.clone()]).await.unwrap();
    let link = SinkLink {
        page_id: Some("x".repeat(64)),
        last_sync: Some(t(7)),
        last_error: Some("Notion said: \"conflict\" 🙅".into()),
        dismissed: false,
        closed: Some(false),
    };
    s.fits.save_link(uid, &rec.profile, &link).await.unwrap();
    let expected = FitRecord {
        link,
        ..rec.clone()
    };
    assert_eq!(s.fits.fit(uid, &rec.profile).await.unwrap(), Some(expected));
    assert_eq!(s.fits.fit(uid, "p").await.unwrap(), None);

    // Every class, an empty fit and score 0.
    for (score, class) in [
        (0, FitClass::No),
        (61, FitClass::Maybe),
        (99, FitClass::Good),
    ] {
        let mut r = record(uid, &format!("c{score}"), score, "h");
        r.fit.flags.clear();
        r.fit.reasons = FitReasons::default();
        assert_eq!(r.fit.class, class);
        s.fits.save_fits(&[r.clone()]).await.unwrap();
        assert_eq!(s.fits.fit(uid, &r.profile).await.unwrap(), Some(r));
    }
}

async fn fits_and_analyses_need_a_stored_job(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1"], t(1)).await;
    let ghost = planned(&src, posting("ghost", "Never stored"));
    let err = s
        .fits
        .save_fits(&[
            record(&jobs[0].uid, "p", 50, "h"),
            record(&ghost.uid, "p", 50, "h"),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");
    assert!(
        s.fits.fit_hashes("p").await.unwrap().is_empty(),
        "nothing written"
    );

    let err = s
        .fits
        .save_enrichments(&[enrichment(&jobs[0], 1, None), enrichment(&ghost, 1, None)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].enrichment, None, "nothing written");
}

async fn five_thousand_fits_in_one_call(s: &Store) {
    const N: usize = 5_000;
    let src = key(AtsKind::Greenhouse, "big");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let jobs: Vec<PlannedJob> = (0..N)
        .map(|i| planned(&src, posting(&format!("{i:05}"), &format!("Job {i}"))))
        .collect();
    for (n, chunk) in jobs.chunks(1_000).enumerate() {
        let mut batch = ok_batch(&src, t(n as i64));
        batch.inserts = chunk.to_vec();
        s.repo.apply_batch(&batch).await.unwrap();
    }
    let mut rows: Vec<FitRecord> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| record(&j.uid, "p", (i % 101) as u8, &format!("{i:064}")))
        .collect();

    let started = Instant::now();
    s.fits.save_fits(&rows).await.unwrap();
    let insert = started.elapsed();
    for (i, r) in rows.iter_mut().enumerate() {
        r.input_hash = format!("{:064x}", N + i);
    }
    let started = Instant::now();
    s.fits.save_fits(&rows).await.unwrap();
    let update = started.elapsed();
    println!("save_fits of {N} fits: {insert:?} as inserts, {update:?} as updates");

    let hashes = s.fits.fit_hashes("p").await.unwrap();
    assert_eq!(hashes.len(), N);
    assert!(rows.iter().all(|r| hashes[&r.uid] == r.input_hash));
    let best = s
        .fits
        .ranked(
            "p",
            &FitFilter {
                min_score: Some(100),
                ..FitFilter::default()
            },
        )
        .await
        .unwrap();
    let perfect = rows.iter().filter(|r| r.fit.score == 100).count();
    assert_eq!(best.len(), perfect);
}

async fn scoring_rows_and_ranked_carry_closed_at(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2"], t(1)).await;
    let mut batch = ok_batch(&src, t(50));
    batch.closed = vec![jobs[0].uid.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    s.fits
        .save_fits(&[
            record(&jobs[0].uid, "p", 70, "h1"),
            record(&jobs[1].uid, "p", 60, "h2"),
        ])
        .await
        .unwrap();
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    let closed = rows.iter().find(|r| r.uid == jobs[0].uid).unwrap();
    assert!(closed.closed);
    assert_eq!(closed.closed_at, Some(t(50)));
    let open = rows.iter().find(|r| r.uid == jobs[1].uid).unwrap();
    assert_eq!((open.closed, open.closed_at), (false, None));
    let ranked = s.fits.ranked("p", &FitFilter::default()).await.unwrap();
    assert_eq!(ranked[0].1.closed_at, Some(t(50)));
    assert_eq!(ranked[1].1.closed_at, None);
}
