//! Building the real adapters from the settings.

use std::collections::HashMap;
use std::sync::Arc;

use crate::adapters::ats::{AtsConfig, AtsError, build_sources};
use crate::adapters::db::{Database, DatabaseTarget};
use crate::domain::AtsKind;
use crate::ports::{JobSource, StoreError};

use super::config::Settings;

pub fn ats_config(settings: &Settings) -> AtsConfig {
    AtsConfig {
        timeout: settings.request_timeout,
        max_body_bytes: settings.max_body_bytes,
        base_urls: settings.base_urls.clone(),
        numbers: settings.provider_numbers.clone(),
        ..AtsConfig::default()
    }
}

pub fn job_sources(settings: &Settings) -> Result<HashMap<AtsKind, Arc<dyn JobSource>>, AtsError> {
    build_sources(&ats_config(settings))
}

/// Where the database is, safe to print (no password).
pub fn describe_database(settings: &Settings) -> String {
    settings.database.to_string()
}

/// Opens (and migrates) the configured database.
pub async fn open_database(settings: &Settings) -> Result<Database, StoreError> {
    Database::connect(&settings.database).await
}

/// Opens the configured database only if it already exists (a SQLite file that is not
/// there is not created), for read-only uses such as seeding a dry run.
pub async fn open_existing_database(settings: &Settings) -> Result<Option<Database>, StoreError> {
    if let DatabaseTarget::Sqlite(path) = &settings.database
        && !path.exists()
    {
        return Ok(None);
    }
    Database::connect(&settings.database).await.map(Some)
}
