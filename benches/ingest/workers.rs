//! Scale-out: boards per minute with 1, 2 and 4 ingest workers sharing one database, each
//! with its own HTTP client and leases, against a fake ATS that answers after a round trip.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jobs_bot::adapters::ats::build_sources;
use jobs_bot::adapters::db::Database;
use jobs_bot::app::ingest::{Ingest, IngestDeps, IngestPolicy};
use jobs_bot::ports::Repository;

use crate::backend::Backend;
use crate::fake_ats::FakeAts;
use crate::payloads::Boards;
use crate::{Run, policy};

/// One measurement: `workers` at once over `boards` boards.
pub struct ScaleOut {
    pub workers: usize,
    pub boards: usize,
    pub seconds: f64,
    pub politeness: Duration,
}

impl ScaleOut {
    pub fn boards_per_minute(&self) -> f64 {
        self.boards as f64 * 60.0 / self.seconds.max(1e-9)
    }
}

/// Runs 1, 2 and 4 workers over the first `boards` boards, each time on a fresh database:
/// with the default politeness pause (1 s between two requests to one provider, per
/// worker), and with none (then the machine's cores are the limit).
pub async fn scale_out(
    backend: &Backend,
    run: &Run,
    server: &FakeAts,
    boards: usize,
    latency: Duration,
) -> Vec<ScaleOut> {
    server.set_latency(latency);
    let mut out = Vec::new();
    for politeness in [Duration::from_secs(1), Duration::ZERO] {
        for workers in [1, 2, 4] {
            let target = backend.fresh(&format!("workers{workers}")).await;
            let db = Arc::new(Database::connect(&target).await.expect("database"));
            let specs = Boards::specs(boards);
            db.sync_sources(&specs).await.expect("sources");
            server.take_requests();
            let started = Instant::now();
            let runs = (0..workers).map(|w| {
                let deps = IngestDeps {
                    repo: db.clone(),
                    counters: db.clone(),
                    leases: db.clone(),
                    sources: build_sources(&run.cfg).expect("adapters build"),
                    clock: run.clock.clone(),
                };
                let policy = IngestPolicy {
                    worker_id: format!("bench-{w}"),
                    politeness_gap: politeness,
                    ..policy()
                };
                tokio::spawn(async move { Ingest::new(deps, policy).run().await })
            });
            let mut done = 0;
            for r in futures::future::join_all(runs).await {
                done += r.expect("worker task").expect("worker run").sources_ok;
            }
            let seconds = started.elapsed().as_secs_f64();
            assert_eq!(done as usize, boards, "every board done by one worker");
            assert_eq!(
                server.take_requests() as usize,
                boards,
                "every board fetched once"
            );
            drop(db);
            backend.drop_db(&target).await;
            out.push(ScaleOut {
                workers,
                boards,
                seconds,
                politeness,
            });
        }
    }
    server.set_latency(Duration::ZERO);
    out
}
