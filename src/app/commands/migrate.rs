//! `jobs-bot migrate`: apply pending database migrations.

use super::AppError;
use crate::app::config::Settings;
use crate::app::wiring;

pub(crate) async fn migrate(settings: &Settings) -> Result<(), AppError> {
    // Opening migrates; the log line says where.
    wiring::open_database(settings).await?;
    tracing::info!(event = "migrations_applied", database = %wiring::describe_database(settings));
    Ok(())
}
