//! `jobs-bot run`: the scheduled job — ingest every source, enrich with an LLM (when
//! ENRICH_WITH_LLM=1), score the profiles, sync to Notion; `run --profile KEY` (the
//! per-profile units) scores and syncs that profile only.

use std::sync::Arc;

use super::AppError;
use super::enrich::enrich_with;
use super::ingest::{ingest_with, run_outcome};
use super::score::score_with;
use super::sync::{require_data_sources, sync_profiles};
use crate::app::cli::RunArgs;
use crate::app::config::{LogFormat, Settings};
use crate::app::wiring;

/// Ingest stays global: the main unit ingests and scores every profile, a per-profile unit
/// (`--profile`) only scores and syncs its profile. A run whose sources all failed still
/// scores and syncs what is stored, then exits 1 so the alert fires.
pub(crate) async fn run(
    settings: &Settings,
    args: &RunArgs,
    log_format: LogFormat,
) -> Result<(), AppError> {
    // Checked before any work: a run that could not sync some profile stops here.
    if settings.sync_to_notion {
        require_data_sources(settings)?;
    }
    let db = Arc::new(wiring::open_database(settings).await?);
    if let Some(profile) = args.profile.as_deref() {
        score_with(settings, db, Some(profile), false).await?;
        return sync_if_enabled(settings, Some(profile)).await;
    }
    let report = ingest_with(settings, db.clone(), log_format, None).await?;
    if settings.llm.enabled {
        // The model's failures are recorded per job and never fail the run.
        enrich_with(settings, db.clone(), settings.llm.limit).await?;
    }
    score_with(settings, db, None, false).await?;
    sync_if_enabled(settings, None).await?;
    run_outcome(&report)
}

/// Notion last, when `SYNC_TO_NOTION=1`. Notion's own failures are logged and kept per
/// item by the sync and never fail the run; only the database failing does.
async fn sync_if_enabled(settings: &Settings, profile: Option<&str>) -> Result<(), AppError> {
    if settings.sync_to_notion {
        sync_profiles(settings, profile, false).await?;
    }
    Ok(())
}
