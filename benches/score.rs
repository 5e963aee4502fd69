//! Scoring benchmark: N synthetic jobs (default 100,000) × 3 profiles on SQLite, cold
//! (every job analysed and scored) and warm (nothing changed: nothing scored).
//!
//! `cargo bench --bench score` (BENCH_JOBS changes the size). Prints one table and writes
//! `target/bench-score.json`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use jobs_bot::adapters::db::{Database, DatabaseTarget};
use jobs_bot::app::profiles;
use jobs_bot::app::score::{self, ScoreDeps};
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::domain::{AtsKind, CompanySlug, FetchedPosting, JobUid, Posting, SourceKey};
use jobs_bot::ports::{Region, Repository, SourceBatch, SourceOutcome, SourceSpec};

mod support;
use support::{
    BenchClock, Lcg, SKILLS, TITLES, WORDS, log_slow_queries, peak_rss_mb, write_profiles,
    write_results,
};

fn posting(i: usize, rng: &mut Lcg) -> Posting {
    let mut text = String::from("About the role\n");
    let target = 3000 + rng.next(5000);
    while text.len() < target {
        for _ in 0..12 {
            text.push_str(WORDS[rng.next(WORDS.len())]);
            text.push(' ');
        }
        text.push_str(".\n");
        if rng.next(4) == 0 {
            text.push_str(&format!(
                "- experience with {}\n",
                SKILLS[rng.next(SKILLS.len())]
            ));
        }
    }
    text.push_str("Nice to have:\n- ");
    text.push_str(SKILLS[rng.next(SKILLS.len())]);
    Posting {
        ats_job_id: i.to_string(),
        title: TITLES[rng.next(TITLES.len())].to_string(),
        location: Some(
            ["Berlin, Germany", "Remote (EU)", "London, UK", "New York"][rng.next(4)].into(),
        ),
        description: text,
        salary_text: (rng.next(3) == 0).then(|| "€70,000 – €95,000 per year".to_string()),
        ..Posting::default()
    }
}

fn main() {
    jobs_bot::app::allocator::limit_malloc_arenas(); // as the binary does
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    log_slow_queries();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let tmp = tempfile::tempdir().expect("temp dir");
        let target = DatabaseTarget::Sqlite(tmp.path().join("bench.db"));
        let db = Arc::new(Database::connect(&target).await.expect("database"));
        let source = SourceKey::new(
            AtsKind::Greenhouse,
            CompanySlug::parse("bench").expect("slug"),
        );
        db.sync_sources(&[SourceSpec {
            key: source.clone(),
            name: None,
            region: Region::Global,
            enabled: true,
        }])
        .await
        .expect("sources");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .single()
            .expect("time");
        let load = Instant::now();
        let mut rng = Lcg(42);
        for chunk in (0..jobs).collect::<Vec<_>>().chunks(2000) {
            let mut batch = SourceBatch::outcome_only(
                source.clone(),
                now,
                SourceOutcome {
                    error: None,
                    empty_streak: 0,
                },
            );
            batch.inserts = chunk
                .iter()
                .map(|&i| {
                    let p = posting(i, &mut rng);
                    PlannedJob {
                        uid: JobUid::new(source.ats, &source.slug, &p.ats_job_id),
                        hash: p.content_hash(),
                        fetched: FetchedPosting::new(p, "{}"),
                    }
                })
                .collect();
            db.apply_batch(&batch).await.expect("batch");
        }
        let load_s = load.elapsed().as_secs_f64();
        let profile_dir = tmp.path().join("profiles");
        write_profiles(&profile_dir);
        let found = profiles::discover(&profile_dir, None).expect("profiles");
        let deps = ScoreDeps {
            fits: db.clone(),
            sources: HashMap::new(),
            clock: Arc::new(BenchClock::at(now)),
        };
        let cold = Instant::now();
        let first = score::run(&deps, &found.profiles, false)
            .await
            .expect("score");
        let cold_s = cold.elapsed().as_secs_f64();
        let warm = Instant::now();
        let second = score::run(&deps, &found.profiles, false)
            .await
            .expect("score");
        let warm_s = warm.elapsed().as_secs_f64();
        let rss = peak_rss_mb().unwrap_or(f64::NAN);
        println!(
            "scoring benchmark: {jobs} jobs x {} profiles on SQLite",
            found.profiles.len()
        );
        println!("{:<28} {:>10} {:>12}", "phase", "seconds", "pairs/s");
        println!(
            "{:<28} {:>10.2} {:>12}",
            "load jobs (not scoring)", load_s, "-"
        );
        println!(
            "{:<28} {:>10.2} {:>12.0}",
            "cold: analyse + score all",
            cold_s,
            first.scored as f64 / cold_s
        );
        println!(
            "{:<28} {:>10.2} {:>12}",
            "warm: nothing changed", warm_s, second.scored
        );
        println!(
            "peak RSS {rss:.0} MB; analysed {} jobs; scored {} then {} pairs",
            first.analyzed_jobs, first.scored, second.scored
        );
        let json = serde_json::json!({
            "jobs": jobs, "profiles": found.profiles.len(), "load_s": load_s,
            "cold_s": cold_s, "cold_scored": first.scored, "analyzed_jobs": first.analyzed_jobs,
            "warm_s": warm_s, "warm_scored": second.scored, "peak_rss_mb": rss,
        });
        write_results("bench-score.json", &json);
    });
}
