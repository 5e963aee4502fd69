//! `jobs-bot enrich [--limit N] [--dry-run]`: LLM enrichment of the best new or changed
//! jobs; `run` calls `enrich_with` between ingest and score when ENRICH_WITH_LLM=1.

use std::io::Write;
use std::sync::Arc;

use serde_json::json;

use super::AppError;
use super::score::{discover, score_with};
use crate::adapters::db::Database;
use crate::adapters::enrich::OpenAiEnricher;
use crate::app::cli::EnrichArgs;
use crate::app::config::Settings;
use crate::app::enrich::{self, EnrichDeps, EnrichPolicy, EnrichReport};
use crate::app::score::{ScoreError, vocabulary};
use crate::app::wiring;
use crate::ports::FitStore;

pub(crate) async fn enrich(settings: &Settings, args: &EnrichArgs) -> Result<(), AppError> {
    let limit = args.limit.unwrap_or(settings.llm.limit);
    if args.dry_run {
        return preview(settings, limit).await;
    }
    if !settings.llm.enabled {
        return Err(AppError::Usage(
            "LLM enrichment is off: set ENRICH_WITH_LLM=1 (and OPENAI_BASE_URL, OPENAI_MODEL, \
             OPENAI_API_KEY as needed); `enrich --dry-run` shows the requests without it"
                .into(),
        ));
    }
    let db = Arc::new(wiring::open_database(settings).await?);
    let report = enrich_with(settings, db.clone(), limit).await?;
    if report.enriched > 0 {
        // Only the enriched jobs' pairs have new inputs: this rescoring is incremental.
        score_with(settings, db, None, false).await?;
    }
    Ok(())
}

fn enricher(settings: &Settings) -> Result<OpenAiEnricher, AppError> {
    let found = discover(settings, None)?;
    let (vocab, _) = vocabulary(&found.profiles).map_err(ScoreError::from)?;
    wiring::openai_enricher(settings, Arc::new(vocab)).map_err(AppError::Usage)
}

/// Brings the deterministic fits up to date (they rank the candidates), then enriches up to
/// `limit` jobs. The model's failures are logged and recorded per job, never an error.
pub(crate) async fn enrich_with(
    settings: &Settings,
    db: Arc<Database>,
    limit: u32,
) -> Result<EnrichReport, AppError> {
    score_with(settings, db.clone(), None, false).await?;
    let deps = EnrichDeps {
        fits: db.clone(),
        counters: db,
        enricher: Arc::new(enricher(settings)?),
        clock: wiring::clock(),
    };
    let policy = EnrichPolicy {
        limit,
        tokens_per_day: settings.llm.max_tokens_per_day,
    };
    Ok(enrich::run(&deps, policy).await?)
}

/// Prints the request each candidate would get (by the fits as stored), key redacted;
/// writes nothing and sends nothing.
async fn preview(settings: &Settings, limit: u32) -> Result<(), AppError> {
    let Some(db) = wiring::open_existing_database(settings).await? else {
        println!("[]");
        return Ok(());
    };
    let enricher = enricher(settings)?;
    let model = settings.llm.model.as_str();
    let jobs = db.llm_candidates(model, limit as usize).await?;
    let requests: Vec<_> = jobs
        .iter()
        .map(|job| {
            let p = enricher.preview(job);
            json!({
                "job_uid": job.uid.as_str(),
                "title": job.title,
                "method": "POST",
                "url": p.url,
                "authorization": p.authorization,
                "estimated_tokens": p.estimated_tokens,
                "body": p.body,
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &requests)
        .map_err(|e| AppError::Output(e.to_string()))?;
    writeln!(out).map_err(|e| AppError::Output(e.to_string()))
}
