//! Building the real adapters from the settings.

use std::collections::HashMap;
use std::sync::Arc;

use crate::adapters::ats::{AtsConfig, AtsError, HttpClient, build_sources};
use crate::adapters::clock::SystemClock;
use crate::adapters::db::{Database, SchemaState};
use crate::adapters::enrich::{OpenAiConfig, OpenAiEnricher, POSTING_MAX_CHARS};
use crate::domain::AtsKind;
use crate::domain::fit::Vocabulary;
use crate::ports::Clock;
use crate::ports::{JobSource, StoreError};

use super::commands::AppError;
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

/// Tokens a model may answer with; the answer's JSON needs far fewer.
const MAX_COMPLETION_TOKENS: u32 = 1_000;

/// The LLM enricher from `OPENAI_*`, through the same HTTP client as the providers (with
/// its own timeout: local models can be slow) and the ingest's retry settings.
///
/// # Errors
/// When the HTTP client cannot be built, or the base URL makes no endpoint URL.
pub fn openai_enricher(
    settings: &Settings,
    vocab: Arc<Vocabulary>,
) -> Result<OpenAiEnricher, String> {
    let llm = &settings.llm;
    let http = HttpClient::new(&AtsConfig {
        timeout: llm.timeout,
        max_body_bytes: 8 * 1024 * 1024,
        ..ats_config(settings)
    })
    .map_err(|e| e.to_string())?;
    let config = OpenAiConfig {
        base_url: llm.base_url.clone(),
        api_key: llm.api_key.as_ref().map(|k| k.expose().to_string()),
        model: llm.model.clone(),
        posting_max_chars: POSTING_MAX_CHARS,
        max_completion_tokens: MAX_COMPLETION_TOKENS,
        max_attempts: settings.retry.max_attempts,
        base_delay: settings.retry.base_delay,
        max_delay: settings.retry.max_delay,
    };
    OpenAiEnricher::new(http, config, vocab).map_err(|e| e.to_string())
}

/// The run's clock: the system's, or in debug builds the one an end-to-end test froze.
pub fn clock() -> Arc<dyn Clock> {
    match crate::hooks::frozen_now() {
        Some(now) => Arc::new(crate::hooks::FrozenClock(now)),
        None => Arc::new(SystemClock),
    }
}

/// Where the database is, safe to print (no password).
pub fn describe_database(settings: &Settings) -> String {
    settings.database.to_string()
}

/// Opens (and migrates) the configured database. Refuses, before writing anything, a
/// database that holds the Python version's tables: `jobs-bot migrate --adopt` converts it.
///
/// # Errors
/// When it cannot be reached or migrated, or holds the Python version's tables.
pub async fn open_database(settings: &Settings) -> Result<Database, AppError> {
    if let Some(db) = Database::open_without_migrating(&settings.database).await?
        && let SchemaState::PythonJobsBot { tables } = db.schema_state().await?
    {
        return Err(AppError::PythonDatabase { tables });
    }
    Ok(Database::connect(&settings.database).await?)
}

/// The configured database as it is, for read-only uses such as seeding a dry run: never
/// created, migrated or written. `None` when there is nothing yet (no SQLite file, or a
/// database without tables).
///
/// # Errors
/// When it cannot be reached, or holds an older or another program's schema (planning
/// against it would need the migrations a dry run must not apply).
pub async fn open_existing_database(settings: &Settings) -> Result<Option<Database>, AppError> {
    let Some(db) = Database::open_without_migrating(&settings.database).await? else {
        return Ok(None);
    };
    match db.schema_state().await? {
        SchemaState::Empty => Ok(None),
        SchemaState::Current => Ok(Some(db)),
        SchemaState::PythonJobsBot { tables } => Err(AppError::PythonDatabase { tables }),
        SchemaState::Behind { pending } => Err(StoreError::Migration(format!(
            "the database needs {} migration(s) ({}); run `jobs-bot migrate` first",
            pending.len(),
            pending.join(", ")
        ))
        .into()),
        SchemaState::Foreign { tables } => Err(StoreError::Migration(format!(
            "the database holds tables jobs-bot did not create ({}); point DATABASE_URL at \
             an empty database",
            tables.join(", ")
        ))
        .into()),
    }
}
