//! Dispatch of CLI commands: wires the adapters to the use cases and maps errors to exit codes.

use std::process::ExitCode;
use std::sync::Arc;

use super::cli::{Cli, Command, IngestArgs, JobsCommand, LogFormatArg, SourcesCommand};
use super::config::{LogFormat, Settings};
use super::ingest::{Ingest, IngestDeps, IngestError, IngestPolicy, IngestReport};
use super::progress::TerminalProgress;
use super::sources_file::{self, SourcesFileError};
use super::{logging, output, reparse, wiring};
use crate::adapters::ats::AtsError;
use crate::adapters::clock::SystemClock;
use crate::adapters::memory::{InMemoryCounters, InMemoryRepository};
use crate::domain::{AtsKind, JobUid};
use crate::ports::{Clock, CounterKey, CounterStore, JobFilter, Repository, StoreError};

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    SourcesFile(#[from] SourcesFileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Ats(#[from] AtsError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write output: {0}")]
    Output(String),
}

impl AppError {
    /// 2 for what the user must fix in configuration or arguments, 1 for everything else.
    fn exit_code(&self) -> u8 {
        match self {
            AppError::SourcesFile(SourcesFileError::Write { .. }) => 1,
            AppError::SourcesFile(_) | AppError::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub async fn run(cli: Cli, settings: Settings) -> ExitCode {
    let run_id = logging::new_run_id();
    let configured = match cli.log_format {
        Some(LogFormatArg::Json) => Some(LogFormat::Json),
        Some(LogFormatArg::Text) => Some(LogFormat::Text),
        None => settings.log_format,
    };
    let is_run = matches!(
        cli.command,
        Command::Ingest(_) | Command::Reparse(_) | Command::Migrate
    );
    let log_format = logging::effective_format(configured);
    logging::init(log_format, &settings.log_level, &run_id, !is_run);
    let result = match cli.command {
        Command::Ingest(args) => ingest(&settings, &args, log_format).await,
        Command::CheckConfig => check_config(&settings),
        Command::Migrate => migrate(&settings).await,
        Command::Sources(cmd) => sources(&settings, cmd).await,
        Command::Jobs(cmd) => jobs(&settings, cmd).await,
        Command::Reparse(args) => reparse(&settings, args.source.as_deref()).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(event = "run_failed", error = %err);
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn load_sources(settings: &Settings) -> Result<Vec<crate::ports::SourceSpec>, AppError> {
    let (path, must_exist) = settings.sources_path();
    Ok(sources_file::load(&path, must_exist)?)
}

fn policy(settings: &Settings, dry_run: bool) -> IngestPolicy {
    IngestPolicy {
        calls_per_day: settings.max_calls_per_day,
        new_jobs_per_day: settings.max_new_jobs_per_day,
        max_fetch_per_run: settings.max_fetch_per_run as usize,
        per_source_limit: settings.ingest_per_source_limit.map(|n| n as usize),
        retry: settings.retry,
        concurrency: settings.ingest_concurrency,
        politeness_gap: settings.politeness_delay,
        collect_details: dry_run,
    }
}

async fn ingest(
    settings: &Settings,
    args: &IngestArgs,
    log_format: LogFormat,
) -> Result<(), AppError> {
    let specs = load_sources(settings)?;
    if specs.is_empty() {
        tracing::warn!(
            event = "no_sources",
            hint = "declare boards in sources.toml (see README) or set SOURCES_FILE",
        );
    }
    let sources = wiring::job_sources(settings)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (repo, counters): (Arc<dyn Repository>, Arc<dyn CounterStore>) = if args.dry_run {
        dry_run_stores(settings, clock.as_ref()).await?
    } else {
        let db = Arc::new(wiring::open_database(settings).await?);
        (db.clone(), db)
    };
    repo.sync_sources(&specs).await?;
    let deps = IngestDeps {
        repo,
        counters,
        sources,
        clock,
    };
    let mut ingest = Ingest::new(deps, policy(settings, args.dry_run));
    if log_format == LogFormat::Text
        && let Some(bar) = TerminalProgress::for_terminal()
    {
        ingest = ingest.with_progress(Arc::new(bar));
    }
    let report = ingest.run().await?;
    if args.dry_run {
        print_dry_run(&report).map_err(|e| AppError::Output(e.to_string()))?;
    }
    Ok(())
}

/// In-memory stores holding a copy of what the database has (if it exists), so a dry run
/// plans against real state, writes nothing and spends no counter.
async fn dry_run_stores(
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<(Arc<dyn Repository>, Arc<dyn CounterStore>), AppError> {
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

fn print_dry_run(report: &IngestReport) -> std::io::Result<()> {
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

fn check_config(settings: &Settings) -> Result<(), AppError> {
    let specs = load_sources(settings)?;
    let (path, _) = settings.sources_path();
    println!("configuration is valid");
    println!("database: {}", wiring::describe_database(settings));
    println!("sources file: {} ({} sources)", path.display(), specs.len());
    println!(
        "caps: MAX_CALLS_PER_DAY={} MAX_NEW_JOBS_PER_DAY={} MAX_FETCH_PER_RUN={} INGEST_PER_SOURCE_LIMIT={}",
        settings.max_calls_per_day.0,
        settings.max_new_jobs_per_day.0,
        settings.max_fetch_per_run,
        settings.ingest_per_source_limit.unwrap_or(0),
    );
    println!(
        "notion sync: {}",
        if settings.sync_to_notion { "on" } else { "off" }
    );
    Ok(())
}

async fn migrate(settings: &Settings) -> Result<(), AppError> {
    // Opening migrates; the log line says where.
    wiring::open_database(settings).await?;
    tracing::info!(event = "migrations_applied", database = %wiring::describe_database(settings));
    Ok(())
}

async fn sources(settings: &Settings, cmd: SourcesCommand) -> Result<(), AppError> {
    match cmd {
        SourcesCommand::Check => {
            let specs = load_sources(settings)?;
            let (path, _) = settings.sources_path();
            println!("{}: {} sources, all valid", path.display(), specs.len());
            Ok(())
        }
        SourcesCommand::Add { source, name } => {
            let (path, _) = settings.sources_path();
            let spec = sources_file::append(&path, &source, name.as_deref())?;
            println!("added {} to {}", spec.key, path.display());
            Ok(())
        }
        SourcesCommand::List => {
            let db = wiring::open_database(settings).await?;
            let records = db.sources().await?;
            output::print_sources(&records).map_err(|e| AppError::Output(e.to_string()))
        }
    }
}

fn parse_source_filter(source: Option<&str>) -> Result<Option<crate::domain::SourceKey>, AppError> {
    source
        .map(|s| {
            sources_file::parse_reference(s)
                .map(|(key, _)| key)
                .map_err(AppError::Usage)
        })
        .transpose()
}

async fn jobs(settings: &Settings, cmd: JobsCommand) -> Result<(), AppError> {
    match cmd {
        JobsCommand::List(args) => {
            let since = args
                .since
                .as_deref()
                .map(|s| output::parse_age(s).map_err(AppError::Usage))
                .transpose()?;
            let filter = JobFilter {
                source: parse_source_filter(args.source.as_deref())?,
                open_only: args.open,
                seen_since: since.map(|age| chrono::Utc::now() - age),
                limit: Some(args.limit),
            };
            let db = wiring::open_database(settings).await?;
            let jobs = db.jobs(&filter).await?;
            output::print_jobs(&jobs, args.format).map_err(|e| AppError::Output(e.to_string()))
        }
        JobsCommand::Show { job_uid } => {
            let uid = JobUid::parse(job_uid.trim()).map_err(|e| AppError::Usage(e.to_string()))?;
            let db = wiring::open_database(settings).await?;
            match db.job(&uid).await? {
                Some(job) => output::print_job(&job).map_err(|e| AppError::Output(e.to_string())),
                None => Err(AppError::Usage(format!("no job with uid {uid}"))),
            }
        }
    }
}

async fn reparse(settings: &Settings, source: Option<&str>) -> Result<(), AppError> {
    let only = parse_source_filter(source)?;
    let adapters = wiring::job_sources(settings)?;
    let db = wiring::open_database(settings).await?;
    reparse::reparse(&db, &adapters, &SystemClock, only.as_ref()).await?;
    Ok(())
}
