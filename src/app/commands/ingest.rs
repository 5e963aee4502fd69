//! `jobs-bot ingest`: fetch every enabled source within the caps (or plan it, with `--dry-run`).

use std::sync::Arc;

use super::{AppError, load_sources};
use crate::adapters::local_host::local_worker_id;
use crate::adapters::memory::{InMemoryCounters, InMemoryRepository};
use crate::app::cli::IngestArgs;
use crate::app::config::{LogFormat, Settings};
use crate::app::ingest::{Ingest, IngestDeps, IngestPolicy, IngestReport};
use crate::app::progress::TerminalProgress;
use crate::app::wiring;
use crate::domain::AtsKind;
use crate::ports::{Clock, CounterKey, CounterStore, JobFilter, Repository, SourceLeases};

pub(crate) fn policy(settings: &Settings, dry_run: bool, worker_id: Option<&str>) -> IngestPolicy {
    IngestPolicy {
        calls_per_day: settings.max_calls_per_day,
        new_jobs_per_day: settings.max_new_jobs_per_day,
        max_fetch_per_run: settings.max_fetch_per_run as usize,
        per_source_limit: settings.ingest_per_source_limit.map(|n| n as usize),
        retry: settings.retry,
        concurrency: settings.ingest_concurrency,
        politeness_gap: settings.politeness_delay,
        collect_details: dry_run,
        worker_id: worker_id.map_or_else(local_worker_id, str::to_string),
        lease: settings.worker_lease,
    }
}

pub(crate) async fn ingest(
    settings: &Settings,
    args: &IngestArgs,
    log_format: LogFormat,
) -> Result<(), AppError> {
    if !args.dry_run {
        let db = Arc::new(wiring::open_database(settings).await?);
        let report = ingest_with(settings, db, log_format, args.worker_id.as_deref()).await?;
        return run_outcome(&report);
    }
    let specs = load_sources(settings)?;
    let (repo, counters) = dry_run_stores(settings, wiring::clock().as_ref()).await?;
    let stores = Stores {
        repo: repo.clone(),
        leases: repo,
        counters,
    };
    let report = ingest_through(settings, specs, stores, log_format, None).await?;
    print_dry_run(&report).map_err(|e| AppError::Output(e.to_string()))?;
    run_outcome(&report)
}

/// A real ingest into `db` (shared with `run`); the report decides the exit status.
pub(crate) async fn ingest_with(
    settings: &Settings,
    db: Arc<crate::adapters::db::Database>,
    log_format: LogFormat,
    worker_id: Option<&str>,
) -> Result<IngestReport, AppError> {
    let specs = load_sources(settings)?;
    let stores = Stores {
        repo: db.clone(),
        leases: db.clone(),
        counters: db,
    };
    ingest_through(settings, specs, stores, log_format, Some(worker_id)).await
}

/// Where a run reads and writes: the database, or in-memory copies for a dry run.
struct Stores {
    repo: Arc<dyn Repository>,
    leases: Arc<dyn SourceLeases>,
    counters: Arc<dyn CounterStore>,
}

/// `worker`: `None` for a dry run; `Some(id)` for a real run, `id` as `--worker-id` said.
async fn ingest_through(
    settings: &Settings,
    specs: Vec<crate::ports::SourceSpec>,
    stores: Stores,
    log_format: LogFormat,
    worker: Option<Option<&str>>,
) -> Result<IngestReport, AppError> {
    let Stores {
        repo,
        leases,
        counters,
    } = stores;
    if specs.is_empty() {
        tracing::warn!(
            event = "no_sources",
            hint = "declare boards in sources.toml (see README) or set SOURCES_FILE",
        );
    }
    let sources = wiring::job_sources(settings)?;
    let clock = wiring::clock();
    repo.sync_sources(&specs).await?;
    let deps = IngestDeps {
        repo,
        counters,
        leases,
        sources,
        clock,
    };
    let policy = policy(settings, worker.is_none(), worker.flatten());
    let mut ingest = Ingest::new(deps, policy);
    if log_format == LogFormat::Text
        && let Some(bar) = TerminalProgress::for_terminal()
    {
        ingest = ingest.with_progress(Arc::new(bar));
    }
    Ok(ingest.run().await?)
}

/// A run in which sources were attempted and none succeeded could not do its work (exit 1,
/// `run_failed` with `reason = "all_sources_failed"`). Sources left rate-limited by the
/// daily call cap or skipped by the write budget were not attempted: a run of only those
/// succeeds, as does a run with no source.
pub(crate) fn run_outcome(report: &IngestReport) -> Result<(), AppError> {
    if report.sources_ok == 0 && report.sources_failed > 0 {
        Err(AppError::AllSourcesFailed {
            failed: report.sources_failed,
        })
    } else {
        Ok(())
    }
}

/// In-memory stores holding a copy of what the database has (if it exists), so a dry run
/// plans against real state, writes nothing and spends no counter.
pub(crate) async fn dry_run_stores(
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<(Arc<InMemoryRepository>, Arc<dyn CounterStore>), AppError> {
    let counters = InMemoryCounters::new();
    let Some(db) = wiring::open_existing_database(settings).await? else {
        return Ok((Arc::new(InMemoryRepository::new()), Arc::new(counters)));
    };
    let sources = db.sources().await?;
    let jobs = db.jobs(&JobFilter::default()).await?;
    let today = clock.today();
    let mut keys = vec![CounterKey::NewJobs];
    keys.extend(AtsKind::ALL.map(CounterKey::ApiCalls));
    for key in keys {
        counters.preload(key, today, db.used(key, today).await?);
    }
    Ok((
        Arc::new(InMemoryRepository::seeded(sources, jobs)),
        Arc::new(counters),
    ))
}

pub(crate) fn print_dry_run(report: &IngestReport) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "dry run: nothing was written")?;
    for source in &report.sources {
        writeln!(
            out,
            "{}: {:?}, {} fetched, would insert {}, update {}, close {}{}",
            source.key,
            source.status,
            source.counts.fetched,
            source.counts.inserted,
            source.counts.updated,
            source.counts.closed,
            source
                .error
                .as_ref()
                .map_or_else(String::new, |e| format!(" ({e})")),
        )?;
        for job in &source.inserted {
            writeln!(out, "  + {} {}", job.uid, job.title)?;
        }
        for job in &source.updated {
            writeln!(out, "  ~ {} {}", job.uid, job.title)?;
        }
        for uid in &source.closed {
            writeln!(out, "  - {uid}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(ok: u64, failed: u64, rate_limited: u64, skipped: u64) -> IngestReport {
        IngestReport {
            sources_ok: ok,
            sources_failed: failed,
            sources_rate_limited: rate_limited,
            sources_skipped: skipped,
            ..IngestReport::default()
        }
    }

    #[test]
    fn only_a_run_whose_attempted_sources_all_failed_fails() {
        assert!(run_outcome(&report(0, 0, 0, 0)).is_ok(), "no sources");
        assert!(
            run_outcome(&report(1, 5, 0, 0)).is_ok(),
            "one success is enough"
        );
        assert!(
            run_outcome(&report(0, 0, 4, 0)).is_ok(),
            "rate-limited only"
        );
        assert!(run_outcome(&report(0, 0, 0, 3)).is_ok(), "skipped only");
        let err = run_outcome(&report(0, 2, 3, 1)).unwrap_err();
        assert_eq!(err.reason(), "all_sources_failed");
        assert_eq!(err.exit_code(), 1);
    }
}
