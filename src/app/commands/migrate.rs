//! `jobs-bot migrate`: apply pending database migrations, or adopt the Python version's
//! database in place (`--adopt`).

use super::AppError;
use crate::app::adopt;
use crate::app::cli::MigrateArgs;
use crate::app::config::Settings;
use crate::app::wiring;

pub(crate) async fn migrate(settings: &Settings, args: &MigrateArgs) -> Result<(), AppError> {
    if args.adopt {
        return adopt::adopt(settings, args.dry_run).await;
    }
    // Opening migrates (and refuses the Python version's tables); the log line says where.
    wiring::open_database(settings).await?;
    tracing::info!(event = "migrations_applied", database = %wiring::describe_database(settings));
    Ok(())
}
