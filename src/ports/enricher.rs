//! The `Enricher` port: what one job's text yields from an enrichment backend (the
//! deterministic analysis, or a language model behind an OpenAI-compatible API), and what
//! it cost in tokens.

use std::time::Duration;

use async_trait::async_trait;

use super::fit_store::JobText;
use crate::domain::fit::JobInsight;

/// Tokens one call spent, as the server reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenUsage {
    pub prompt: u64,
    pub completion: u64,
}

impl TokenUsage {
    pub fn total(self) -> u64 {
        self.prompt.saturating_add(self.completion)
    }
}

/// A validated answer and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Enriched {
    pub insight: JobInsight,
    /// `None` when the server did not report usage.
    pub usage: Option<TokenUsage>,
}

/// Why one enrichment call failed. No variant ever holds a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrichError {
    /// The server answered, but not with JSON of the requested shape; tokens were spent.
    #[error("invalid answer: {message}")]
    Invalid {
        message: String,
        usage: Option<TokenUsage>,
    },
    /// Still rate limited (HTTP 429) after the retries.
    #[error("rate limited (HTTP 429)")]
    RateLimited { retry_after: Option<Duration> },
    /// Timeouts, network errors and 5xx answers, after the retries.
    #[error("server unavailable: {0}")]
    Unavailable(String),
    /// Any other refusal (a 4xx such as a wrong model name or a missing key).
    #[error("request refused: {0}")]
    Rejected(String),
}

impl EnrichError {
    /// A short stable name for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            EnrichError::Invalid { .. } => "invalid_answer",
            EnrichError::RateLimited { .. } => "rate_limited",
            EnrichError::Unavailable(_) => "unavailable",
            EnrichError::Rejected(_) => "rejected",
        }
    }
}

#[async_trait]
pub trait Enricher: Send + Sync {
    /// Who answers: `deterministic`, or the model's name (stored with each result, so a
    /// change of model enriches again).
    fn model(&self) -> &str;

    /// An upper estimate of the tokens one call for `job` spends: reserved from the daily
    /// budget before the call, and settled to the reported usage after it.
    fn estimate_tokens(&self, job: &JobText) -> u64;

    /// One enrichment of `job` (transport retries included; an invalid answer is not
    /// retried here).
    async fn enrich(&self, job: &JobText) -> Result<Enriched, EnrichError>;
}
