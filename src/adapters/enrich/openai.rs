//! The LLM `Enricher`: one `POST {base}/chat/completions` per posting through the shared
//! HTTP client, asking for JSON by schema (`json_schema`, or `json_object` with the schema
//! in the prompt once a server refuses it). 429 waits `Retry-After`; 5xx, timeouts and
//! network errors are retried with backoff, a bounded number of times.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use backon::{BackoffBuilder, ExponentialBuilder};
use serde_json::{Value, json};
use url::Url;

use super::prompt::{system_message, user_message};
use crate::adapters::ats::HttpClient;
use crate::domain::fit::Vocabulary;
use crate::domain::fit::insight::{answer_schema, parse_answer};
use crate::ports::{EnrichError, Enriched, Enricher, JobText, SourceError, TokenUsage};

/// How to reach the model. `Debug` never shows the key.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1` (no trailing slash).
    pub base_url: String,
    /// `None` for local servers that need none.
    pub api_key: Option<String>,
    pub model: String,
    /// Characters of posting text sent at most.
    pub posting_max_chars: usize,
    /// The answer's token limit (`max_tokens`).
    pub max_completion_tokens: u32,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// The longest wait between attempts; a longer `Retry-After` ends the attempts.
    pub max_delay: Duration,
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// What `enrich --dry-run` prints: the request that would be sent, key redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPreview {
    pub url: String,
    /// `Bearer [redacted]`, or `None` without a key.
    pub authorization: Option<&'static str>,
    pub body: Value,
    pub estimated_tokens: u64,
}

pub struct OpenAiEnricher {
    http: HttpClient,
    config: OpenAiConfig,
    vocab: Arc<Vocabulary>,
    url: Url,
    /// Set once the server refused `json_schema`: `json_object` from then on.
    json_object_only: AtomicBool,
}

impl fmt::Debug for OpenAiEnricher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiEnricher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OpenAiEnricher {
    /// # Errors
    /// When the base URL does not make a valid endpoint URL.
    pub fn new(
        http: HttpClient,
        config: OpenAiConfig,
        vocab: Arc<Vocabulary>,
    ) -> Result<Self, EnrichError> {
        let endpoint = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let url = Url::parse(&endpoint)
            .map_err(|e| EnrichError::Rejected(format!("OPENAI_BASE_URL: {e}")))?;
        Ok(OpenAiEnricher {
            http,
            config,
            vocab,
            url,
            json_object_only: AtomicBool::new(false),
        })
    }

    fn body(&self, job: &JobText, json_schema: bool) -> Value {
        let response_format = if json_schema {
            json!({
                "type": "json_schema",
                "json_schema": {"name": "job_enrichment", "strict": true, "schema": answer_schema()}
            })
        } else {
            json!({"type": "json_object"})
        };
        json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": system_message()},
                {"role": "user", "content": user_message(job, self.config.posting_max_chars)},
            ],
            "temperature": 0,
            "max_tokens": self.config.max_completion_tokens,
            "response_format": response_format,
        })
    }

    /// The request `enrich` would send for `job` first, without the key.
    pub fn preview(&self, job: &JobText) -> RequestPreview {
        RequestPreview {
            url: self.url.to_string(),
            authorization: self.config.api_key.as_ref().map(|_| "Bearer [redacted]"),
            body: self.body(job, !self.json_object_only.load(Ordering::Relaxed)),
            estimated_tokens: self.estimate_tokens(job),
        }
    }

    /// One request with the transport retries.
    async fn send(&self, body: &Value) -> Result<Vec<u8>, SourceError> {
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(self.config.base_delay)
            .with_max_delay(self.config.max_delay.max(self.config.base_delay))
            .with_max_times(self.config.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build();
        let bytes = body.to_string().into_bytes();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let err = match self
                .http
                .post_json(
                    self.url.clone(),
                    self.config.api_key.as_deref(),
                    bytes.clone(),
                )
                .await
            {
                Ok(answer) => return Ok(answer),
                Err(err) => err,
            };
            if !err.is_transient() {
                return Err(err);
            }
            let Some(backoff_delay) = backoff.next() else {
                return Err(err);
            };
            let delay = match err.retry_after() {
                // Honour the server; if it asks for longer than we wait, stop for this run.
                Some(asked) if asked > self.config.max_delay => return Err(err),
                Some(asked) => asked,
                None => backoff_delay,
            };
            tracing::warn!(
                event = "enrich_retry",
                attempt,
                reason = err.reason(),
                http_status = err.http_status(),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            );
            tokio::time::sleep(delay).await;
        }
    }
}

fn enrich_error(err: SourceError) -> EnrichError {
    match err {
        SourceError::RateLimited { retry_after } => EnrichError::RateLimited { retry_after },
        SourceError::Server { .. } | SourceError::Timeout | SourceError::Network(_) => {
            EnrichError::Unavailable(err.to_string())
        }
        SourceError::NotFound { status } => EnrichError::Rejected(format!(
            "HTTP {status}: check OPENAI_BASE_URL (it ends in /v1 for most servers)"
        )),
        other => EnrichError::Rejected(other.to_string()),
    }
}

/// The answer's text and usage, from a chat-completions response.
fn read_answer(bytes: &[u8]) -> Result<(String, Option<TokenUsage>), EnrichError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| EnrichError::Invalid {
        message: format!("the response is not JSON: {e}"),
        usage: None,
    })?;
    let usage = value.get("usage").and_then(|u| {
        Some(TokenUsage {
            prompt: u.get("prompt_tokens")?.as_u64()?,
            completion: u.get("completion_tokens")?.as_u64()?,
        })
    });
    let content = value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| EnrichError::Invalid {
            message: "the response has no choices[0].message.content".into(),
            usage,
        })?;
    Ok((content.to_string(), usage))
}

#[async_trait]
impl Enricher for OpenAiEnricher {
    fn model(&self) -> &str {
        &self.config.model
    }

    /// The request's bytes / 3 (English runs about 4 characters a token) plus the answer's
    /// limit: an upper bound in practice.
    fn estimate_tokens(&self, job: &JobText) -> u64 {
        let prompt = self.body(job, true).to_string().len() as u64 / 3;
        prompt + u64::from(self.config.max_completion_tokens)
    }

    async fn enrich(&self, job: &JobText) -> Result<Enriched, EnrichError> {
        let schema = !self.json_object_only.load(Ordering::Relaxed);
        let answer = match self.send(&self.body(job, schema)).await {
            Err(SourceError::Status { status: 400 }) if schema => {
                // Servers without structured outputs refuse json_schema: the schema is in
                // the prompt too, so ask for a plain JSON object from now on.
                tracing::info!(
                    event = "enrich_json_schema_refused",
                    fallback = "json_object"
                );
                self.json_object_only.store(true, Ordering::Relaxed);
                self.send(&self.body(job, false)).await
            }
            other => other,
        }
        .map_err(enrich_error)?;
        let (content, usage) = read_answer(&answer)?;
        match parse_answer(&content, &self.vocab) {
            Ok(insight) => Ok(Enriched { insight, usage }),
            Err(e) => Err(EnrichError::Invalid {
                message: e.to_string(),
                usage,
            }),
        }
    }
}
