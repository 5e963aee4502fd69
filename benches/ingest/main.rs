//! Ingest benchmark: the real pipeline (HTTP client, adapters, database) against an
//! in-process fake ATS serving BENCH_BOARDS boards × BENCH_POSTINGS postings (default
//! 200 × 500), on SQLite and, when BENCH_DATABASE_URL is set, MySQL/MariaDB.
//!
//! `cargo bench --bench ingest`. Measures cold, warm and incremental ingest, scoring, and
//! two baselines in the same run ((a) download + JSON parse, (b) bulk load of the final
//! rows), prints one table with the ratios the targets are stated in, and writes
//! `target/bench-ingest.json`.

mod backend;
mod baseline;
mod fake_ats;
mod payloads;
#[path = "../support/mod.rs"]
mod support;
mod workers;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use jobs_bot::adapters::ats::{AtsConfig, PROVIDERS, build_sources};
use jobs_bot::adapters::db::Database;
use jobs_bot::app::ingest::{Ingest, IngestDeps, IngestPolicy, IngestReport, RetryPolicy};
use jobs_bot::app::profiles;
use jobs_bot::app::score::{self, ScoreDeps};
use jobs_bot::domain::Cap;
use jobs_bot::ports::Repository;
use serde_json::json;

use backend::Backend;
use baseline::Download;
use fake_ats::FakeAts;
use payloads::{Boards, Version};
use support::{
    BenchClock, log_slow_queries, peak_rss_mb, reset_peak_rss, write_profiles, write_results,
};

/// One measured line of the table.
struct Phase {
    backend: &'static str,
    name: &'static str,
    seconds: f64,
    postings: u64,
    rows_written: Option<u64>,
    peak_rss_mb: Option<f64>,
    note: String,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.postings as f64 / self.seconds.max(1e-9)
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "backend": self.backend, "phase": self.name, "seconds": self.seconds,
            "postings": self.postings, "postings_per_s": self.per_second(),
            "rows_written": self.rows_written, "peak_rss_mb": self.peak_rss_mb,
            "note": self.note,
        })
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Every provider pointed at the fake server.
fn ats_config(base: &str) -> AtsConfig {
    let mut cfg = AtsConfig::default();
    for info in PROVIDERS {
        for (region, _) in info.base_urls() {
            cfg.base_urls.insert((info.kind, region), base.to_string());
        }
    }
    cfg
}

/// The run's limits: no cap binds, no politeness pause on loopback; concurrency as default.
fn policy() -> IngestPolicy {
    IngestPolicy {
        calls_per_day: Cap::UNLIMITED,
        new_jobs_per_day: Cap::UNLIMITED,
        max_fetch_per_run: usize::MAX,
        per_source_limit: None,
        retry: RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
        },
        concurrency: 4,
        politeness_gap: Duration::ZERO,
        collect_details: false,
        worker_id: "bench".into(),
        lease: Duration::from_secs(300),
    }
}

fn peak() -> Option<f64> {
    peak_rss_mb()
}

struct Run {
    db: Arc<Database>,
    pub cfg: AtsConfig,
    pub clock: Arc<BenchClock>,
}

impl Run {
    async fn ingest(&self) -> (Duration, IngestReport) {
        let deps = IngestDeps {
            repo: self.db.clone(),
            counters: self.db.clone(),
            leases: self.db.clone(),
            sources: build_sources(&self.cfg).expect("adapters build"),
            clock: self.clock.clone(),
        };
        let started = Instant::now();
        let report = Ingest::new(deps, policy())
            .run()
            .await
            .expect("ingest runs");
        (started.elapsed(), report)
    }
}

fn summary(r: &IngestReport) -> String {
    let t = &r.totals;
    format!(
        "ok {} failed {}; inserted {} updated {} unchanged {} closed {}",
        r.sources_ok, r.sources_failed, t.inserted, t.updated, t.unchanged, t.closed
    )
}

#[allow(clippy::too_many_lines)]
async fn bench_backend(
    backend: &Backend,
    boards: &Boards,
    server: &FakeAts,
    phases: &mut Vec<Phase>,
) {
    let name = backend.name();
    let target = backend.fresh("pipeline").await;
    let db = Arc::new(Database::connect(&target).await.expect("database"));
    let specs = Boards::specs(boards.boards);
    db.sync_sources(&specs).await.expect("sources");
    let t0 = Utc
        .with_ymd_and_hms(2026, 12, 1, 6, 0, 0)
        .single()
        .expect("time");
    let run = Run {
        db: db.clone(),
        cfg: ats_config(&server.base_url()),
        clock: Arc::new(BenchClock::at(t0)),
    };
    let (base_postings, _, _) = boards.count(Version::Base);

    // Cold: empty database.
    server.serve_version(Version::Base);
    reset_peak_rss();
    let (cold, report) = run.ingest().await;
    let cold_rss = peak();
    let inserted = backend.count_jobs(&target).await;
    phases.push(Phase {
        backend: name,
        name: "cold ingest",
        seconds: cold.as_secs_f64(),
        postings: report.totals.fetched,
        rows_written: Some(inserted),
        peak_rss_mb: cold_rss,
        note: summary(&report),
    });
    assert_eq!(
        inserted as usize, base_postings,
        "cold run stored every posting"
    );

    // Warm: nothing changed. Rows written are counted by triggers from here on.
    backend.install_write_counter(&target).await;
    run.clock.set(t0 + chrono::Duration::hours(1));
    reset_peak_rss();
    let (warm, report) = run.ingest().await;
    let warm_rss = peak();
    let warm_rows = backend.rows_written(&target).await;
    phases.push(Phase {
        backend: name,
        name: "warm ingest",
        seconds: warm.as_secs_f64(),
        postings: report.totals.fetched,
        rows_written: Some(warm_rows),
        peak_rss_mb: warm_rss,
        note: summary(&report),
    });

    // Baseline (b): the same final rows, bulk-loaded.
    let bulk_target = backend.fresh("bulk").await;
    {
        // The same sources first: jobs reference them.
        let bulk_db = Database::connect(&bulk_target)
            .await
            .expect("bulk database");
        bulk_db.sync_sources(&specs).await.expect("bulk sources");
    }
    reset_peak_rss();
    let (bulk, bulk_rows) =
        baseline::bulk_load(backend, db.clone(), &bulk_target, boards.boards).await;
    phases.push(Phase {
        backend: name,
        name: "baseline b: bulk load",
        seconds: bulk.as_secs_f64(),
        postings: bulk_rows,
        rows_written: Some(bulk_rows),
        peak_rss_mb: None,
        note: "one transaction of multi-row inserts".into(),
    });
    backend.drop_db(&bulk_target).await;

    // Scoring: every job for three profiles (SQLite only, as the target says).
    if matches!(backend, Backend::Sqlite { .. }) {
        let dir = tempfile::tempdir().expect("temp dir");
        write_profiles(dir.path());
        let found = profiles::discover(dir.path(), None).expect("profiles");
        let deps = ScoreDeps {
            fits: db.clone(),
            sources: build_sources(&run.cfg).expect("adapters"),
            clock: run.clock.clone(),
        };
        reset_peak_rss();
        let started = Instant::now();
        let scored = score::run(&deps, &found.profiles, false)
            .await
            .expect("score");
        let seconds = started.elapsed().as_secs_f64();
        phases.push(Phase {
            backend: name,
            name: "score 3 profiles",
            seconds,
            postings: scored.scored,
            rows_written: None,
            peak_rss_mb: peak(),
            note: format!(
                "{} jobs analysed, {} pairs scored",
                scored.analyzed_jobs, scored.scored
            ),
        });
    }

    // Incremental: 1 % changed, 1 % gone.
    server.serve_version(Version::Incremental);
    run.clock.set(t0 + chrono::Duration::hours(2));
    let before = backend.rows_written(&target).await;
    reset_peak_rss();
    let (incremental, report) = run.ingest().await;
    let incr_rss = peak();
    let incr_rows = backend.rows_written(&target).await - before;
    let (_, changed, gone) = boards.count(Version::Incremental);
    phases.push(Phase {
        backend: name,
        name: "incremental ingest",
        seconds: incremental.as_secs_f64(),
        postings: report.totals.fetched,
        rows_written: Some(incr_rows),
        peak_rss_mb: incr_rss,
        note: format!("{changed} changed + {gone} gone; {}", summary(&report)),
    });
    server.serve_version(Version::Base);

    // Scale-out: several workers sharing one database.
    let worker_boards = env_number("BENCH_WORKER_BOARDS", 40).min(boards.boards);
    for m in workers::scale_out(backend, &run, server, worker_boards, WORKER_LATENCY).await {
        phases.push(Phase {
            backend: name,
            name: scale_out_name(m.workers, !m.politeness.is_zero()),
            seconds: m.seconds,
            postings: (m.boards * boards.postings) as u64,
            rows_written: None,
            peak_rss_mb: None,
            note: format!(
                "{:.0} boards/min ({} boards, {} ms round trip, pause {} ms)",
                m.boards_per_minute(),
                m.boards,
                WORKER_LATENCY.as_millis(),
                m.politeness.as_millis()
            ),
        });
    }
    drop(run);
    drop(db);
    backend.drop_db(&target).await;
}

/// The fake ATS's answer delay in the scale-out phases, as a remote API's round trip.
const WORKER_LATENCY: Duration = Duration::from_millis(100);

fn scale_out_name(workers: usize, polite: bool) -> &'static str {
    match (workers, polite) {
        (1, true) => "1 worker, 1 s pause",
        (2, true) => "2 workers, 1 s pause",
        (4, true) => "4 workers, 1 s pause",
        (1, false) => "1 worker, no pause",
        (2, false) => "2 workers, no pause",
        _ => "4 workers, no pause",
    }
}

fn find<'a>(phases: &'a [Phase], backend: &str, name: &str) -> Option<&'a Phase> {
    phases
        .iter()
        .find(|p| (p.backend == backend || p.backend == "-") && p.name == name)
}

/// Baseline (a) with one request at a time per provider, as the ingest sends them.
const POLITE_BASELINE: &str = "baseline a': one per provider";

/// The targets of the issue, as ratios measured in this run.
fn verdicts(phases: &[Phase], backends: &[&'static str]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let Some(a) = find(phases, "-", "baseline a: download + parse") else {
        return out;
    };
    for &b in backends {
        let (Some(cold), Some(warm), Some(bulk)) = (
            find(phases, b, "cold ingest"),
            find(phases, b, "warm ingest"),
            find(phases, b, "baseline b: bulk load"),
        ) else {
            continue;
        };
        let cold_ratio = cold.seconds / (a.seconds + bulk.seconds);
        let warm_ratio = warm.seconds / a.seconds;
        out.push(json!({"backend": b, "target": "cold <= 1.5 x (a + b)", "ratio": cold_ratio, "holds": cold_ratio <= 1.5}));
        out.push(json!({"backend": b, "target": "warm <= 1.25 x a", "ratio": warm_ratio, "holds": warm_ratio <= 1.25}));
        if let Some(polite) = find(phases, "-", POLITE_BASELINE) {
            // Not a target of its own: how much of the warm run is past what politeness allows.
            let ratio = warm.seconds / polite.seconds;
            out.push(json!({"backend": b, "target": "(info) warm <= 1.25 x a'", "ratio": ratio, "holds": ratio <= 1.25}));
        }
        let rows = warm.rows_written.unwrap_or(u64::MAX);
        out.push(json!({"backend": b, "target": "warm writes 0 jobs rows", "ratio": rows, "holds": rows == 0}));
        let peak = [cold, warm]
            .iter()
            .filter_map(|p| p.peak_rss_mb)
            .fold(0.0, f64::max);
        out.push(json!({"backend": b, "target": "peak RSS <= 200 MB", "ratio": peak, "holds": peak <= 200.0}));
    }
    if let Some(s) = find(phases, "sqlite", "score 3 profiles") {
        out.push(json!({"backend": "sqlite", "target": "scoring 3 profiles <= 10 s", "ratio": s.seconds, "holds": s.seconds <= 10.0}));
    }
    out
}

fn print_table(phases: &[Phase], verdicts: &[serde_json::Value]) {
    println!(
        "{:<8} {:<24} {:>9} {:>10} {:>12} {:>9}  note",
        "backend", "phase", "seconds", "postings/s", "jobs rows", "peak MB"
    );
    for p in phases {
        println!(
            "{:<8} {:<24} {:>9.3} {:>10.0} {:>12} {:>9}  {}",
            p.backend,
            p.name,
            p.seconds,
            p.per_second(),
            p.rows_written.map_or("-".into(), |n| n.to_string()),
            p.peak_rss_mb.map_or("-".into(), |m| format!("{m:.0}")),
            p.note
        );
    }
    println!();
    for v in verdicts {
        println!(
            "{:<8} {:<28} {:>10.3}  {}",
            v["backend"].as_str().unwrap_or(""),
            v["target"].as_str().unwrap_or(""),
            v["ratio"].as_f64().unwrap_or(f64::NAN),
            if v["holds"].as_bool() == Some(true) {
                "holds"
            } else {
                "MISSED"
            }
        );
    }
}

fn main() {
    jobs_bot::app::allocator::limit_malloc_arenas(); // as the binary does
    let boards_n = env_number("BENCH_BOARDS", 200);
    let postings_n = env_number("BENCH_POSTINGS", 500);
    // As the binary does: SAFETY: no other thread exists yet.
    unsafe { jobs_bot::adapters::db::cap_client_buffers() };
    log_slow_queries();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let tmp = tempfile::tempdir().expect("temp dir");
        let boards = Boards {
            boards: boards_n,
            postings: postings_n,
            root: payloads::root_in(tmp.path()),
        };
        let generated = Instant::now();
        let payload_bytes = boards.generate().expect("write boards");
        println!(
            "ingest benchmark: {boards_n} boards x {postings_n} postings, {:.1} MB of payload \
             (generated in {:.1} s)",
            payload_bytes as f64 / 1e6,
            generated.elapsed().as_secs_f64()
        );
        let server = FakeAts::start(boards.clone()).await.expect("fake ATS");
        let mut phases = Vec::new();

        reset_peak_rss();
        let (download, items) =
            baseline::download_and_parse(&server.base_url(), boards_n, Download::FourInFlight)
                .await;
        phases.push(Phase {
            backend: "-",
            name: "baseline a: download + parse",
            seconds: download.as_secs_f64(),
            postings: items,
            rows_written: None,
            peak_rss_mb: peak(),
            note: format!("{} requests, 4 in flight", server.take_requests()),
        });
        // What the politeness rule lets any ingest do: the part of warm above (a) it explains.
        let (download, items) =
            baseline::download_and_parse(&server.base_url(), boards_n, Download::OnePerProvider)
                .await;
        phases.push(Phase {
            backend: "-",
            name: POLITE_BASELINE,
            seconds: download.as_secs_f64(),
            postings: items,
            rows_written: None,
            peak_rss_mb: None,
            note: format!(
                "{} requests, one at a time per provider",
                server.take_requests()
            ),
        });

        let mut backends = vec![Backend::Sqlite {
            dir: tmp.path().to_path_buf(),
        }];
        if let Ok(url) = std::env::var("BENCH_DATABASE_URL")
            && !url.trim().is_empty()
        {
            backends.push(Backend::Mysql { admin_url: url });
        }
        for backend in &backends {
            bench_backend(backend, &boards, &server, &mut phases).await;
        }
        let names: Vec<&'static str> = backends.iter().map(Backend::name).collect();
        let verdicts = verdicts(&phases, &names);
        print_table(&phases, &verdicts);
        let machine = HashMap::from([
            (
                "cpus",
                json!(std::thread::available_parallelism().map_or(0, |n| n.get())),
            ),
            ("os", json!(std::env::consts::OS)),
        ]);
        write_results(
            "bench-ingest.json",
            &json!({
                "boards": boards_n, "postings_per_board": postings_n,
                "payload_bytes": payload_bytes, "machine": machine,
                "phases": phases.iter().map(Phase::json).collect::<Vec<_>>(),
                "targets": verdicts,
            }),
        );
    });
}
