//! `jobs-bot reparse`: re-derive stored jobs from their raw JSON.

use super::{AppError, parse_source_filter};
use crate::app::config::Settings;
use crate::app::{reparse, wiring};

pub(crate) async fn reparse(settings: &Settings, source: Option<&str>) -> Result<(), AppError> {
    let only = parse_source_filter(source)?;
    let adapters = wiring::job_sources(settings)?;
    let db = wiring::open_database(settings).await?;
    reparse::reparse(&db, &adapters, wiring::clock().as_ref(), only.as_ref()).await?;
    Ok(())
}
