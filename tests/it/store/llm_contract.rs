//! The `FitStore` contract for LLM enrichment (the `llm_*` columns of `job_enrichment`),
//! run against the in-memory adapter, SQLite and MySQL: candidates best first, results
//! kept beside the deterministic analysis, errors recorded.

use super::fit_contract::{enrichment, record, skills, store_jobs};
use crate::helpers::store::*;
use jobs_bot::domain::fit::{JobInsight, Seniority};
use jobs_bot::domain::salary::{PayPeriod, Salary, SalaryProvenance};
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::domain::{AtsKind, ContentHash, JobUid};
use jobs_bot::ports::{LlmEnrichment, StoreError};

contract!(
    llm_candidates_are_open_analysed_jobs_best_fit_first,
    llm_enrichment_round_trips_beside_the_analysis,
    llm_candidates_skip_jobs_current_for_the_model_and_content,
    llm_error_is_recorded_and_the_answer_kept,
    llm_enrichment_needs_a_stored_job,
);

fn insight() -> JobInsight {
    JobInsight {
        summary: "Build the payments platform — Zürich 🏔".into(),
        required: skills(&["rust", "kubernetes"]),
        nice_to_have: skills(&["kafka"]),
        unknown_skills: vec!["quantum basketweaving".into()],
        seniority: Some(Seniority::Senior),
        salary: Some(Salary {
            min: 90_000.0,
            max: 120_000.0,
            currency: "CHF".into(),
            period: PayPeriod::Year,
            annual_min: 90_000.0,
            annual_max: 120_000.0,
            provenance: SalaryProvenance::Inferred,
            display: "CHF 90,000–120,000 / year".into(),
        }),
        pros: vec!["remote friendly".into()],
        cons: vec!["on call".into()],
        outreach_target: Some("Head of Engineering".into()),
    }
}

fn llm(job: &PlannedJob, model: &str) -> LlmEnrichment {
    LlmEnrichment {
        uid: job.uid.clone(),
        content_hash: job.hash.clone(),
        model: model.into(),
        insight: Some(insight()),
        prompt_tokens: 1234,
        completion_tokens: 5_000_000_000,
        enriched_at: t(300),
        error: None,
    }
}

fn uids(texts: &[jobs_bot::ports::JobText]) -> Vec<JobUid> {
    texts.iter().map(|t| t.uid.clone()).collect()
}

async fn llm_candidates_are_open_analysed_jobs_best_fit_first(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let old = store_jobs(s, &src, &["1", "2", "3"], t(1)).await;
    let new = store_jobs(s, &src, &["4", "5", "6"], t(2)).await;
    // 6 is not analysed; 3 is closed.
    let analysed: Vec<_> = old
        .iter()
        .chain(&new[..2])
        .map(|j| enrichment(j, 1, None))
        .collect();
    s.fits.save_enrichments(&analysed).await.unwrap();
    let mut batch = ok_batch(&src, t(3));
    batch.closed = vec![old[2].uid.clone()];
    s.repo.apply_batch(&batch).await.unwrap();
    s.fits
        .save_fits(&[
            record(&old[0].uid, "a", 50, "h"),
            record(&old[0].uid, "b", 80, "h"),
            record(&old[1].uid, "a", 90, "h"),
            record(&old[2].uid, "a", 99, "h"),
        ])
        .await
        .unwrap();
    // 2 (best 90), 1 (best 80), then without a fit the newest: 4 and 5 (same time, by uid).
    let mut unscored = vec![new[0].uid.clone(), new[1].uid.clone()];
    unscored.sort();
    let mut expected = vec![old[1].uid.clone(), old[0].uid.clone()];
    expected.extend(unscored);
    let got = s.fits.llm_candidates("m", 10).await.unwrap();
    assert_eq!(uids(&got), expected);
    assert_eq!(got[0].title, "Job 2");
    assert_eq!(got[0].content_hash, old[1].hash);
    assert_eq!(got[0].description, old[1].fetched.posting.description);
    let got = s.fits.llm_candidates("m", 1).await.unwrap();
    assert_eq!(uids(&got), expected[..1]);
}

async fn llm_enrichment_round_trips_beside_the_analysis(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2"], t(1)).await;
    let analysis = enrichment(&jobs[0], 1, None);
    s.fits
        .save_enrichments(std::slice::from_ref(&analysis))
        .await
        .unwrap();
    let row = llm(&jobs[0], "gpt-4.1-mini");
    s.fits.save_llm(std::slice::from_ref(&row)).await.unwrap();
    let failed = LlmEnrichment {
        insight: None,
        error: Some("invalid answer: expected value at line 1".into()),
        ..llm(&jobs[1], "gpt-4.1-mini")
    };
    // A job without an analysis gets a row of its own.
    s.fits
        .save_llm(std::slice::from_ref(&failed))
        .await
        .unwrap();
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    let first = rows.iter().find(|r| r.uid == jobs[0].uid).unwrap();
    assert_eq!(first.enrichment.as_ref(), Some(&analysis));
    assert_eq!(first.llm.as_ref(), Some(&row));
    let second = rows.iter().find(|r| r.uid == jobs[1].uid).unwrap();
    assert_eq!(second.enrichment, None);
    assert_eq!(second.llm.as_ref(), Some(&failed));
    // Analysing again keeps the LLM's columns; a new answer replaces the old one whole.
    s.fits
        .save_enrichments(std::slice::from_ref(&analysis))
        .await
        .unwrap();
    let newer = LlmEnrichment {
        insight: None,
        error: None,
        prompt_tokens: 0,
        ..llm(&jobs[0], "llama3.1")
    };
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    let first = rows.iter().find(|r| r.uid == jobs[0].uid).unwrap();
    assert_eq!(first.llm.as_ref(), Some(&row));
    s.fits.save_llm(std::slice::from_ref(&newer)).await.unwrap();
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    let first = rows.iter().find(|r| r.uid == jobs[0].uid).unwrap();
    assert_eq!(first.llm.as_ref(), Some(&newer));
    assert_eq!(first.enrichment.as_ref(), Some(&analysis));
}

async fn llm_candidates_skip_jobs_current_for_the_model_and_content(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1", "2"], t(1)).await;
    let analysed: Vec<_> = jobs.iter().map(|j| enrichment(j, 1, None)).collect();
    s.fits.save_enrichments(&analysed).await.unwrap();
    s.fits.save_llm(&[llm(&jobs[0], "m1")]).await.unwrap();
    let got = s.fits.llm_candidates("m1", 10).await.unwrap();
    assert_eq!(uids(&got), [jobs[1].uid.clone()]);
    // Another model, or an answer about other content, is stale.
    let got = s.fits.llm_candidates("m2", 10).await.unwrap();
    assert_eq!(got.len(), 2);
    let stale = LlmEnrichment {
        content_hash: ContentHash("0".repeat(40)),
        ..llm(&jobs[0], "m1")
    };
    s.fits.save_llm(&[stale]).await.unwrap();
    assert_eq!(s.fits.llm_candidates("m1", 10).await.unwrap().len(), 2);
    // A failed answer for this content and model is not asked again.
    let failed = LlmEnrichment {
        insight: None,
        error: Some("invalid".into()),
        ..llm(&jobs[0], "m1")
    };
    s.fits.save_llm(&[failed]).await.unwrap();
    let got = s.fits.llm_candidates("m1", 10).await.unwrap();
    assert_eq!(uids(&got), [jobs[1].uid.clone()]);
}

async fn llm_error_is_recorded_and_the_answer_kept(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1"], t(1)).await;
    s.fits
        .save_enrichments(&[enrichment(&jobs[0], 1, None)])
        .await
        .unwrap();
    let row = llm(&jobs[0], "m1");
    s.fits.save_llm(std::slice::from_ref(&row)).await.unwrap();
    s.fits
        .save_llm_error(&jobs[0].uid, "server unavailable: request timed out")
        .await
        .unwrap();
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    let expected = LlmEnrichment {
        error: Some("server unavailable: request timed out".into()),
        ..row
    };
    assert_eq!(rows[0].llm.as_ref(), Some(&expected));
    // Still current: the stored answer stands, and the job is not asked again.
    assert!(s.fits.llm_candidates("m1", 10).await.unwrap().is_empty());
}

async fn llm_enrichment_needs_a_stored_job(s: &Store) {
    let src = key(AtsKind::Lever, "acme");
    let jobs = store_jobs(s, &src, &["1"], t(1)).await;
    let ghost = LlmEnrichment {
        uid: JobUid::new(AtsKind::Lever, &src.slug, "ghost"),
        ..llm(&jobs[0], "m1")
    };
    let err = s.fits.save_llm(&[ghost]).await.unwrap_err();
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");
    let rows = s.fits.scoring_rows(None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].llm, None);
}
