//! The enrich use case: the best open jobs whose LLM enrichment is missing or stale (by
//! content hash and model) are sent to the `Enricher`, within the per-run limit and the
//! daily token budget; failures are recorded per job and never fail the run.

use std::sync::Arc;

use crate::domain::Cap;
use crate::ports::{
    Clock, CounterKey, CounterStore, EnrichError, Enricher, FitStore, JobText, LlmEnrichment,
    StoreError, TokenUsage,
};

/// The adapters enrichment works through.
#[derive(Clone)]
pub struct EnrichDeps {
    pub fits: Arc<dyn FitStore>,
    pub counters: Arc<dyn CounterStore>,
    pub enricher: Arc<dyn Enricher>,
    pub clock: Arc<dyn Clock>,
}

/// How much one run may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrichPolicy {
    /// Jobs per run (`ENRICH_LIMIT`).
    pub limit: u32,
    /// Tokens per UTC day (`ENRICH_MAX_TOKENS_PER_DAY`); 0 is unlimited.
    pub tokens_per_day: Cap,
}

/// What a run did; logged as `enrich_done`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrichReport {
    /// Jobs that needed enrichment, best first, up to the limit.
    pub candidates: u64,
    pub enriched: u64,
    /// Candidates not tried: the budget ran out, or the server kept refusing.
    pub skipped: u64,
    pub failed: u64,
    /// Tokens spent (as reported, else as estimated).
    pub tokens: u64,
    pub budget_reached: bool,
}

/// Why a job's enrichment stopped.
enum Stop {
    /// The daily token budget cannot cover another call: stop the run.
    Budget,
    /// The server refuses or is down (after retries): stop the run, try again next time.
    Server(EnrichError),
    /// No answer validated (twice): recorded against the job; the run goes on.
    Invalid(String),
}

/// Runs one enrichment pass.
///
/// # Errors
/// Only when the store fails; the model's failures are recorded, not errors.
pub async fn run(deps: &EnrichDeps, policy: EnrichPolicy) -> Result<EnrichReport, StoreError> {
    let model = deps.enricher.model().to_string();
    let jobs = deps
        .fits
        .llm_candidates(&model, policy.limit as usize)
        .await?;
    let mut report = EnrichReport {
        candidates: jobs.len() as u64,
        ..EnrichReport::default()
    };
    for (i, job) in jobs.iter().enumerate() {
        let mut spent = TokenUsage::default();
        let outcome = enrich_one(deps, policy, job, &mut spent).await?;
        report.tokens += spent.total();
        let now = deps.clock.now();
        let record = |insight, error| LlmEnrichment {
            uid: job.uid.clone(),
            content_hash: job.content_hash.clone(),
            model: model.clone(),
            insight,
            prompt_tokens: spent.prompt,
            completion_tokens: spent.completion,
            enriched_at: now,
            error,
        };
        match outcome {
            Ok(insight) => {
                deps.fits.save_llm(&[record(Some(insight), None)]).await?;
                report.enriched += 1;
            }
            Err(Stop::Invalid(message)) => {
                tracing::warn!(
                    event = "enrich_failed",
                    job_uid = job.uid.as_str(),
                    reason = "invalid_answer",
                    error = message.as_str(),
                );
                deps.fits
                    .save_llm(&[record(None, Some(message.clone()))])
                    .await?;
                report.failed += 1;
            }
            Err(Stop::Budget) => {
                tracing::info!(
                    event = "cap_reached",
                    cap = "ENRICH_MAX_TOKENS_PER_DAY",
                    job_uid = job.uid.as_str(),
                );
                report.budget_reached = true;
                report.skipped = (jobs.len() - i) as u64;
                break;
            }
            Err(Stop::Server(err)) => {
                let message = err.to_string();
                tracing::warn!(
                    event = "enrich_failed",
                    job_uid = job.uid.as_str(),
                    reason = err.reason(),
                    error = message.as_str(),
                );
                deps.fits.save_llm_error(&job.uid, &message).await?;
                report.failed += 1;
                report.skipped = (jobs.len() - i - 1) as u64;
                break;
            }
        }
    }
    tracing::info!(
        event = "enrich_done",
        model = model.as_str(),
        candidates = report.candidates,
        enriched = report.enriched,
        skipped = report.skipped,
        failed = report.failed,
        tokens = report.tokens,
        budget_reached = report.budget_reached,
    );
    Ok(report)
}

/// One job: an answer that does not validate is asked for once more. Each call reserves
/// its estimate from the day's token budget first and settles to the reported usage after,
/// so concurrent runs never overshoot the budget and the counter ends exact.
async fn enrich_one(
    deps: &EnrichDeps,
    policy: EnrichPolicy,
    job: &JobText,
    spent: &mut TokenUsage,
) -> Result<Result<crate::domain::fit::JobInsight, Stop>, StoreError> {
    let mut last_invalid = String::new();
    for attempt in 1..=2u32 {
        let estimate = u32::try_from(deps.enricher.estimate_tokens(job)).unwrap_or(u32::MAX);
        let day = deps.clock.today();
        let granted = deps
            .counters
            .try_reserve(CounterKey::LlmTokens, day, estimate, policy.tokens_per_day)
            .await?;
        if granted < estimate {
            deps.counters
                .release(CounterKey::LlmTokens, day, granted)
                .await?;
            return Ok(Err(Stop::Budget));
        }
        let result = deps.enricher.enrich(job).await;
        let usage = match &result {
            Ok(e) => e.usage,
            Err(EnrichError::Invalid { usage, .. }) => *usage,
            // Refused or unreachable: nothing was generated.
            Err(_) => Some(TokenUsage::default()),
        };
        // Without a reported usage the estimate stands as the cost.
        let used = usage.map_or(u64::from(estimate), TokenUsage::total);
        settle(deps, day, u64::from(estimate), used).await?;
        match usage {
            Some(u) => {
                spent.prompt += u.prompt;
                spent.completion += u.completion;
            }
            None => spent.prompt += used,
        }
        match result {
            Ok(enriched) => return Ok(Ok(enriched.insight)),
            Err(err @ EnrichError::Invalid { .. }) => {
                let message = err.to_string();
                if attempt == 1 {
                    tracing::info!(
                        event = "enrich_retry_invalid",
                        job_uid = job.uid.as_str(),
                        error = message.as_str(),
                    );
                }
                last_invalid = message;
            }
            Err(other) => return Ok(Err(Stop::Server(other))),
        }
    }
    Ok(Err(Stop::Invalid(last_invalid)))
}

/// Turns a reservation of `reserved` tokens into `used`: the rest given back, or the excess
/// added (it was spent; the next call's reservation then sees it).
async fn settle(
    deps: &EnrichDeps,
    day: chrono::NaiveDate,
    reserved: u64,
    used: u64,
) -> Result<(), StoreError> {
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    if used < reserved {
        deps.counters
            .release(CounterKey::LlmTokens, day, clamp(reserved - used))
            .await
    } else if used > reserved {
        deps.counters
            .try_reserve(
                CounterKey::LlmTokens,
                day,
                clamp(used - reserved),
                Cap::UNLIMITED,
            )
            .await
            .map(|_| ())
    } else {
        Ok(())
    }
}
