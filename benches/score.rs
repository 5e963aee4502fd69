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
use jobs_bot::ports::{Clock, Region, Repository, SourceBatch, SourceOutcome, SourceSpec};

struct Frozen(chrono::DateTime<Utc>);
impl Clock for Frozen {
    fn now(&self) -> chrono::DateTime<Utc> {
        self.0
    }
}

const WORDS: &[&str] = &[
    "we",
    "build",
    "systems",
    "for",
    "customers",
    "across",
    "europe",
    "and",
    "our",
    "team",
    "ships",
    "reliable",
    "services",
    "with",
    "care",
    "you",
    "will",
    "own",
    "features",
    "end",
    "to",
    "work",
    "closely",
    "product",
    "design",
    "data",
    "platform",
    "growth",
    "quality",
];
const SKILLS: &[&str] = &[
    "Rust",
    "Go",
    "PostgreSQL",
    "Kubernetes",
    "AWS",
    "Kafka",
    "Terraform",
    "React",
    "TypeScript",
    "Python",
    "Java",
    "Docker",
    "gRPC",
    "Redis",
    "GCP",
    "Spark",
    "Swift",
];
const TITLES: &[&str] = &[
    "Senior Backend Engineer",
    "Platform Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Staff Software Engineer",
    "iOS Engineer",
    "Site Reliability Engineer",
    "Account Executive",
];

/// A deterministic pseudo-random stream (no dependency needed for a benchmark).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

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

fn write_profiles(dir: &std::path::Path) {
    let cvs = [
        (
            "backend",
            "Senior Backend Engineer at Acme (2016 - present)\nRust, Go, PostgreSQL, Kafka, Kubernetes, AWS, gRPC.\n",
        ),
        (
            "frontend",
            "Senior Frontend Engineer at Beta (2015 - present)\nReact, TypeScript, CSS, Next.js.\n",
        ),
        (
            "data",
            "Data Engineer at Gamma (2018 - present)\nPython, Spark, Kafka, AWS, PostgreSQL.\n",
        ),
    ];
    for (key, cv) in cvs {
        let p = dir.join(key);
        std::fs::create_dir_all(&p).expect("profile dir");
        std::fs::write(p.join("cv.md"), cv).expect("cv");
        std::fs::write(
            p.join("profile.toml"),
            "locations = [\"Berlin\"]\nexclude_keywords = [\"security clearance\"]\n",
        )
        .expect("toml");
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
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
                        fetched: FetchedPosting {
                            raw_json: "{}".into(),
                            posting: p,
                        },
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
            clock: Arc::new(Frozen(now)),
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
        let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("bench-score.json");
        if let Err(e) = std::fs::write(&out, json.to_string()) {
            eprintln!("cannot write {}: {e}", out.display());
        }
    });
}
