//! `jobs-bot check-config`: validate the settings and the sources file, print a summary.

use super::{AppError, load_sources};
use crate::app::config::Settings;
use crate::app::wiring;

pub(crate) fn check_config(settings: &Settings) -> Result<(), AppError> {
    let specs = load_sources(settings)?;
    if settings.sync_to_notion {
        super::sync::require_data_sources(settings)?;
    }
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
    println!(
        "alert webhook: {} (format {})",
        if settings.alert_webhook_url.is_some() {
            "set"
        } else {
            "not set"
        },
        settings.alert_webhook_format
    );
    Ok(())
}
