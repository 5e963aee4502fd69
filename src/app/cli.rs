//! The command line: commands, flags and their help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Ingest job postings from public ATS job boards (Greenhouse, Lever, Ashby,
/// SmartRecruiters, Workable, Recruitee, Workday, SuccessFactors, Personio) into a database,
/// idempotently and within daily caps.
///
/// Configuration comes from the environment and from a `.env` file in the working
/// directory (see `jobs-bot check-config`). Exit codes: 0 the run did its work
/// (source-level errors are recorded, not fatal), 1 it could not, 2 invalid configuration.
#[derive(Debug, Parser)]
#[command(name = "jobs-bot", version, propagate_version = true)]
pub struct Cli {
    /// Read variables from this file instead of ./.env (the environment still wins).
    #[arg(long, global = true, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    /// Log format; default: text on a terminal, JSON otherwise (LOG_FORMAT).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormatArg>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Json,
    Text,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every enabled source and upsert its jobs (the main job, run by the timer).
    Ingest(IngestArgs),
    /// Validate the configuration and the sources file, print the effective settings, exit.
    CheckConfig,
    /// Apply pending database migrations (ingest also does this at start), or adopt the
    /// Python version's MySQL database in place (--adopt).
    Migrate(MigrateArgs),
    /// Show, add and validate the sources (company job boards) to ingest.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// List and inspect stored jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Re-derive jobs' fields from their stored raw JSON with the current parsers, without
    /// any API call; only rows whose content changes are written.
    Reparse(ReparseArgs),
    /// Report a failed systemd unit (run by OnFailure=): log `unit_failed` with the unit's
    /// last journal lines and, if ALERT_WEBHOOK_URL is set, post a message to it.
    Alert(AlertArgs),
    /// Check the installation: configuration, database, sources file, provider hosts,
    /// Notion, profiles, env file permissions and clock; one pass/warn/fail line each.
    Doctor,
    /// Score jobs against each profile's CV and preferences; only pairs whose inputs
    /// changed are computed.
    Score(ScoreArgs),
    /// Show the profiles (one folder each under PROFILES_DIR) and their analysis.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// The full breakdown of one job's fit for a profile.
    Explain(ExplainArgs),
    /// Enrich the best new or changed jobs with a language model (summary, skills, salary
    /// estimate, pros and cons) through an OpenAI-compatible API, within ENRICH_LIMIT and
    /// the daily token budget; needs ENRICH_WITH_LLM=1 (except --dry-run).
    Enrich(EnrichArgs),
    /// The scheduled job (what the systemd unit runs): ingest, then enrich (when
    /// ENRICH_WITH_LLM=1), then score, then sync.
    Run(RunArgs),
    /// Sync each profile's best-fitting jobs to its Notion data source: pages created or
    /// updated when something changed, never duplicated, never recreated once dismissed.
    Sync(SyncArgs),
    /// The Notion data sources' schema: check it, or add the missing properties.
    #[command(subcommand)]
    Notion(NotionCommand),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Convert the Python jobs-bot's MySQL database in place: jobs, fit scores, Notion
    /// links and today's counters are kept, the old tables renamed py_<name> as a backup.
    #[arg(long)]
    pub adopt: bool,
    /// With --adopt: print the plan (tables, row counts, sources) and write nothing.
    #[arg(long, requires = "adopt")]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Only this profile (default: every profile, or PROFILE_ID).
    #[arg(long, value_name = "KEY")]
    pub profile: Option<String>,
    /// Recompute every pair, not only those whose inputs changed.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Each profile: CV, status, skills found, last error.
    List,
    /// Read and analyse the CVs now (only those that changed), then list them.
    Analyze {
        #[arg(long, value_name = "KEY")]
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The job's 40-character uid.
    pub job_uid: String,
    #[arg(long, value_name = "KEY")]
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// At most this many jobs (default: ENRICH_LIMIT).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Print the requests that would be sent (API key redacted); send nothing, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Only score (and sync) this profile, without ingesting: ingestion stays global (the
    /// per-profile units use this).
    #[arg(long, value_name = "KEY")]
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this profile.
    #[arg(long, value_name = "KEY")]
    pub profile: Option<String>,
    /// Print what would be created and updated; send no write request, store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotionCommand {
    /// Print each profile's data source verdict: required, owned and optional properties.
    Check {
        #[arg(long, value_name = "KEY")]
        profile: Option<String>,
    },
    /// Add the missing properties jobs-bot writes (never changes existing ones).
    Setup {
        #[arg(long, value_name = "KEY")]
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Run against an in-memory copy of the database: print what would be inserted,
    /// updated and closed; write nothing and spend no daily counter.
    #[arg(long)]
    pub dry_run: bool,
    /// Who this worker is in the leases it takes on sources, when several workers share
    /// one database (default: hostname:pid).
    #[arg(long, value_name = "ID")]
    pub worker_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct AlertArgs {
    /// The failed unit, e.g. jobs-bot-ingest.service (systemd passes %i).
    #[arg(long, value_name = "UNIT")]
    pub unit: String,
    /// Exit 1 when the webhook cannot be reached (default: log it and exit 0).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Sources in the database: provider, slug, enabled, last success, last error, open jobs.
    List,
    /// Append a source to the sources file, from a careers URL or `ats:slug`.
    Add {
        /// e.g. https://jobs.lever.co/acme, boards.greenhouse.io/acme or greenhouse:acme
        source: String,
        /// A display name for the company.
        #[arg(long)]
        name: Option<String>,
    },
    /// Validate the sources file without any network access.
    Check,
    /// Find the ATS behind a company's careers page (one request): print each board its
    /// links, iframes and scripts point at as a ready `[[sources]]` entry.
    Discover {
        /// The careers page, e.g. https://acme.example/careers
        url: String,
        /// Append the best candidate to the sources file.
        #[arg(long)]
        add: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Jobs, newest first.
    List(JobsListArgs),
    /// Every stored field of one job.
    Show {
        /// The job's 40-character uid.
        job_uid: String,
    },
}

#[derive(Debug, Args)]
pub struct JobsListArgs {
    /// Only this source, as `ats:slug` (e.g. lever:acme).
    #[arg(long)]
    pub source: Option<String>,
    /// Only jobs still open (not closed).
    #[arg(long)]
    pub open: bool,
    /// Only jobs seen within this period, e.g. 7d, 12h, 30m.
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
    /// At most this many jobs.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Rank by this profile's fit, best first (with score, class and a one-line why).
    #[arg(long, value_name = "KEY")]
    pub profile: Option<String>,
    /// With --profile: only jobs scoring at least this.
    #[arg(long, value_name = "N", requires = "profile")]
    pub min_fit: Option<u8>,
    /// With --profile: only this fit class.
    #[arg(long, value_enum, requires = "profile")]
    pub class: Option<FitClassArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitClassArg {
    #[value(name = "Good", alias = "good")]
    Good,
    #[value(name = "Maybe", alias = "maybe")]
    Maybe,
    #[value(name = "No", alias = "no")]
    No,
}

#[derive(Debug, Args)]
pub struct ReparseArgs {
    /// Only this source, as `ats:slug`.
    #[arg(long)]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_documented_commands() {
        let cli = Cli::try_parse_from(["jobs-bot", "ingest", "--dry-run"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Ingest(IngestArgs {
                dry_run: true,
                worker_id: None
            })
        ));
        let cli = Cli::try_parse_from(["jobs-bot", "ingest", "--worker-id", "host-b"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Ingest(IngestArgs { dry_run: false, worker_id: Some(ref id) }) if id == "host-b"
        ));
        let cli = Cli::try_parse_from([
            "jobs-bot", "jobs", "list", "--open", "--since", "7d", "--format", "csv",
        ])
        .unwrap();
        match cli.command {
            Command::Jobs(JobsCommand::List(args)) => {
                assert!(args.open);
                assert_eq!(args.since.as_deref(), Some("7d"));
                assert_eq!(args.format, OutputFormat::Csv);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["jobs-bot", "frobnicate"]).is_err());
        let cli = Cli::try_parse_from(["jobs-bot", "enrich", "--limit", "3", "--dry-run"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Enrich(EnrichArgs {
                limit: Some(3),
                dry_run: true
            })
        ));
        assert!(Cli::try_parse_from(["jobs-bot", "enrich", "--limit", "0"]).is_err());
    }

    #[test]
    fn parses_the_operations_commands() {
        let cli = Cli::try_parse_from([
            "jobs-bot",
            "alert",
            "--unit",
            "jobs-bot-ingest.service",
            "--strict",
        ])
        .unwrap();
        match cli.command {
            Command::Alert(args) => {
                assert_eq!(args.unit, "jobs-bot-ingest.service");
                assert!(args.strict);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["jobs-bot", "alert"]).is_err());
        let cli = Cli::try_parse_from(["jobs-bot", "--env-file", "/etc/x.env", "doctor"]).unwrap();
        assert!(matches!(cli.command, Command::Doctor));
    }
}
