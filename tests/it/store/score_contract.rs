//! Scoring over several pages of jobs, run against the in-memory adapter, SQLite and MySQL:
//! while one page is analysed or scored, the previous page is written and the next one
//! read, so every job must still be analysed once and every pair scored once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::helpers::fakes::FixedClock;
use crate::helpers::store::*;
use jobs_bot::app::profiles;
use jobs_bot::app::score::{self, ScoreDeps};
use jobs_bot::domain::AtsKind;
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::ports::FitFilter;

contract!(scoring_across_pages_analyses_and_scores_each_job_once);

/// More than two of scoring's 1,000-job pages.
const JOBS: usize = 2_345;

fn job(src: &jobs_bot::domain::SourceKey, i: usize, extra: &str) -> PlannedJob {
    let mut p = posting(&format!("{i:05}"), "Senior Backend Engineer");
    p.description = format!("Requirements:\n- Rust and PostgreSQL{extra}\nJob {i}");
    planned(src, p)
}

async fn scoring_across_pages_analyses_and_scores_each_job_once(s: &Store) {
    let src = key(AtsKind::Greenhouse, "pages");
    s.repo.sync_sources(&[spec(&src)]).await.unwrap();
    let jobs: Vec<PlannedJob> = (0..JOBS).map(|i| job(&src, i, "")).collect();
    for (n, chunk) in jobs.chunks(1_000).enumerate() {
        let mut batch = ok_batch(&src, t(n as i64));
        batch.inserts = chunk.to_vec();
        s.repo.apply_batch(&batch).await.unwrap();
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fit");
    let found = profiles::discover(&dir, None).unwrap();
    let profile = found.profiles[0].key.as_str().to_string();
    let deps = ScoreDeps {
        fits: s.fits.clone(),
        sources: HashMap::new(),
        clock: Arc::new(FixedClock::new(t(3_600))),
    };

    let first = score::run(&deps, &found.profiles, false).await.unwrap();
    assert_eq!(first.analyzed_jobs, JOBS as u64);
    assert_eq!(first.scored, JOBS as u64);
    let ranked = s
        .fits
        .ranked(&profile, &FitFilter::default())
        .await
        .unwrap();
    assert_eq!(ranked.len(), JOBS, "every job has its fit");
    assert_eq!(s.fits.fit_hashes(&profile).await.unwrap().len(), JOBS);

    let again = score::run(&deps, &found.profiles, false).await.unwrap();
    assert_eq!((again.analyzed_jobs, again.scored), (0, 0), "{again:?}");
    assert_eq!(again.unchanged, JOBS as u64);

    // One changed job on each page: only those are analysed and scored again.
    let changed = [10, 1_010, 2_010];
    let mut batch = ok_batch(&src, t(7_200));
    batch.updates = changed.iter().map(|&i| job(&src, i, ", Kafka")).collect();
    s.repo.apply_batch(&batch).await.unwrap();
    let third = score::run(&deps, &found.profiles, false).await.unwrap();
    assert_eq!(third.analyzed_jobs, changed.len() as u64, "{third:?}");
    assert_eq!(third.scored, changed.len() as u64, "{third:?}");
    assert_eq!(third.unchanged, (JOBS - changed.len()) as u64);
}
