//! `jobs-bot run`: the scheduled job — ingest every source, then score the profiles;
//! `run --profile KEY` (the per-profile units) scores that profile only, without ingesting.

use std::sync::Arc;

use super::AppError;
use super::ingest::{ingest_with, run_outcome};
use super::score::score_with;
use crate::app::cli::RunArgs;
use crate::app::config::{LogFormat, Settings};
use crate::app::wiring;

/// Ingest stays global; scoring (and the profile filter) follows. A run whose sources
/// all failed still scores what is stored, then exits 1 so the alert fires.
pub(crate) async fn run(
    settings: &Settings,
    args: &RunArgs,
    log_format: LogFormat,
) -> Result<(), AppError> {
    let db = Arc::new(wiring::open_database(settings).await?);
    let report = ingest_with(settings, db.clone(), log_format).await?;
    score_with(settings, db, args.profile.as_deref(), false).await?;
    run_outcome(&report)
}
