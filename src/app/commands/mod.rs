//! One file per command: each wires the adapters to its use case. `run.rs` dispatches.

mod alert;
mod check_config;
mod doctor;
mod enrich;
mod ingest;
mod jobs;
mod migrate;
mod notion;
mod reparse;
mod run;
mod score;
mod sources;
pub mod sync;

pub(crate) use alert::alert;
pub(crate) use check_config::check_config;
pub(crate) use doctor::doctor;
pub(crate) use enrich::enrich;
pub(crate) use ingest::ingest;
pub(crate) use jobs::jobs;
pub(crate) use migrate::migrate;
pub(crate) use notion::notion;
pub(crate) use reparse::reparse;
pub(crate) use run::run;
pub(crate) use score::{explain, profiles, score};
pub(crate) use sources::sources;
pub(crate) use sync::sync;

use super::config::Settings;
use super::ingest::IngestError;
use super::sources_file::{self, SourcesFileError};
use crate::adapters::ats::AtsError;
use crate::adapters::webhook::WebhookError;
use crate::ports::StoreError;

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
    /// `sources discover` could not read the page, or found no ATS on it.
    #[error("{0}")]
    Discover(String),
    /// Sources were attempted and none succeeded (rate-limited or skipped ones aside).
    #[error("all {failed} sources that were fetched failed; see the source_failed events")]
    AllSourcesFailed { failed: u64 },
    /// `alert --strict` could not deliver the webhook.
    #[error("alert webhook failed: {0}")]
    Webhook(WebhookError),
    #[error("{failed} doctor check(s) failed")]
    DoctorFailed { failed: usize },
    #[error(transparent)]
    Profiles(#[from] crate::app::profiles::ProfilesError),
    #[error(transparent)]
    Score(#[from] crate::app::score::ScoreError),
    /// The database holds the Python version's tables (or an unfinished adoption of them).
    #[error(
        "the database holds the Python jobs-bot's tables ({}); back it up (mysqldump), then \
         adopt it in place with `jobs-bot migrate --adopt` (see README, \"Coming from the \
         Python version\")",
        .tables.join(", ")
    )]
    PythonDatabase { tables: Vec<String> },
}

impl AppError {
    /// 2 for what the user must fix in configuration or arguments, 1 for everything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            AppError::SourcesFile(SourcesFileError::Write { .. }) => 1,
            AppError::SourcesFile(_)
            | AppError::Usage(_)
            | AppError::Profiles(_)
            | AppError::PythonDatabase { .. } => 2,
            _ => 1,
        }
    }

    /// A short machine-readable reason, the `reason` field of `run_failed`.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            AppError::SourcesFile(_) => "sources_file",
            AppError::Store(_) => "database",
            AppError::Ingest(_) => "ingest",
            AppError::Ats(_) => "provider_setup",
            AppError::Usage(_) => "usage",
            AppError::Output(_) => "output",
            AppError::Discover(_) => "discover",
            AppError::AllSourcesFailed { .. } => "all_sources_failed",
            AppError::Webhook(_) => "alert_webhook_failed",
            AppError::DoctorFailed { .. } => "doctor_failed",
            AppError::Profiles(_) => "profiles",
            AppError::Score(_) => "score",
            AppError::PythonDatabase { .. } => "python_database",
        }
    }
}

pub(crate) fn load_sources(settings: &Settings) -> Result<Vec<crate::ports::SourceSpec>, AppError> {
    let (path, must_exist) = settings.sources_path();
    Ok(sources_file::load(&path, must_exist)?)
}

pub(crate) fn parse_source_filter(
    source: Option<&str>,
) -> Result<Option<crate::domain::SourceKey>, AppError> {
    source
        .map(|s| {
            sources_file::parse_reference(s)
                .map(|(key, _)| key)
                .map_err(AppError::Usage)
        })
        .transpose()
}
