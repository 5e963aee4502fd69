//! The HTTP client: every request passes the token bucket; 429 waits `Retry-After`; 409
//! and 5xx are retried with backoff for reads and updates, a bounded number of times.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::properties::{encode, property_schema};
use crate::adapters::ats::http::parse_retry_after;
use crate::domain::sync::{Prop, PropKind, PropValue, PropertyNames};
use crate::ports::{FoundPage, PageKey, Sink, SinkError, SinkSchema, SinkStats, UpdateOutcome};

/// How to reach Notion. `Debug` never shows the token.
#[derive(Clone)]
pub struct NotionConfig {
    /// e.g. `https://api.notion.com` (without `/v1`).
    pub base_url: String,
    pub token: String,
    pub version: String,
    /// Requests per second on average (the bucket's refill rate and its burst).
    pub rps: u32,
    pub timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff delay; doubled per attempt, capped at `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// What each property is called in the data sources.
    pub names: PropertyNames,
}

impl fmt::Debug for NotionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotionConfig")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("version", &self.version)
            .field("rps", &self.rps)
            .finish_non_exhaustive()
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
struct Bucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(rps: u32) -> Self {
        let rate = f64::from(rps.max(1));
        Bucket {
            rate,
            burst: rate,
            state: Mutex::new((rate, Instant::now())),
        }
    }

    /// Waits for one token. The lock is held while waiting, so callers queue in order.
    async fn take(&self) {
        let mut st = self.state.lock().await;
        let now = Instant::now();
        let (tokens, last) = *st;
        let mut tokens =
            (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst);
        let mut now = now;
        if tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - tokens) / self.rate);
            tokio::time::sleep(wait).await;
            now = Instant::now();
            tokens = 1.0;
        }
        *st = (tokens - 1.0, now);
    }
}

/// Why one request failed.
#[derive(Debug)]
enum Failure {
    Status {
        status: StatusCode,
        code: String,
        message: String,
        retry_after: Option<Duration>,
    },
    Transport(String),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Transport(_) => true,
            Failure::Status { status, .. } => {
                matches!(status.as_u16(), 409 | 429 | 500 | 502 | 503 | 504 | 529)
            }
        }
    }

    fn into_sink_error(self) -> SinkError {
        match self {
            Failure::Transport(m) => SinkError::Unavailable(m),
            Failure::Status {
                status,
                code,
                message,
                ..
            } => {
                let text = format!("Notion answered {} {code}: {message}", status.as_u16());
                if status.is_server_error() || matches!(status.as_u16(), 409 | 429) {
                    SinkError::Unavailable(text)
                } else {
                    SinkError::Rejected(text)
                }
            }
        }
    }
}

/// Whether requests of a kind may be sent again after a failure the server may have acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotent {
    Yes,
    /// A create: only a 429 (never executed) is retried.
    No,
}

impl fmt::Debug for NotionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotionClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

pub struct NotionClient {
    http: reqwest::Client,
    config: NotionConfig,
    bucket: Bucket,
    requests: AtomicU64,
    rate_limited: AtomicU64,
}

impl NotionClient {
    pub fn new(config: NotionConfig) -> Result<Self, SinkError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("jobs-bot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SinkError::Unavailable(format!("cannot build the HTTP client: {e}")))?;
        Ok(NotionClient {
            http,
            bucket: Bucket::new(config.rps),
            config,
            requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.config.base_url.trim_end_matches('/'))
    }

    async fn once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        self.bucket.take().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut req = self
            .http
            .request(method.clone(), self.url(path))
            .header("Authorization", format!("Bearer {}", self.config.token))
            .header("Notion-Version", &self.config.version)
            .header("Content-Type", "application/json");
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        // The error's text names the URL, never the headers: the token stays out of it.
        let resp = req
            .send()
            .await
            .map_err(|e| Failure::Transport(format!("cannot reach Notion: {}", e.without_url())))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let bytes = resp.bytes().await.map_err(|e| {
            Failure::Transport(format!("reading Notion's answer: {}", e.without_url()))
        })?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
        Err(Failure::Status {
            status,
            code: value["code"].as_str().unwrap_or("unknown").to_string(),
            message: value["message"]
                .as_str()
                .map(|m| crate::domain::sync::truncate(m, 300))
                .unwrap_or_default(),
            retry_after,
        })
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotent: Idempotent,
    ) -> Result<Value, Failure> {
        let mut attempt = 1;
        loop {
            let failure = match self.once(&method, path, body).await {
                Ok(v) => return Ok(v),
                Err(f) => f,
            };
            let limited = matches!(&failure, Failure::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS);
            let may_retry = failure.retryable() && (idempotent == Idempotent::Yes || limited);
            if !may_retry || attempt >= self.config.max_attempts {
                return Err(failure);
            }
            let backoff = self
                .config
                .base_delay
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(self.config.max_delay);
            let wait = match &failure {
                Failure::Status {
                    retry_after: Some(after),
                    ..
                } => (*after).min(Duration::from_secs(120)),
                _ => backoff,
            };
            tracing::debug!(
                event = "notion_retry",
                path,
                attempt,
                wait_ms = wait.as_millis() as u64
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn query(
        &self,
        data_source: &str,
        filter: &Value,
        in_trash: bool,
    ) -> Result<Option<FoundPage>, SinkError> {
        let mut body = json!({ "filter": filter, "page_size": 10 });
        if in_trash {
            body["in_trash"] = json!(true);
        }
        let answer = self
            .request(
                Method::POST,
                &format!("data_sources/{data_source}/query"),
                Some(&body),
                Idempotent::Yes,
            )
            .await
            .map_err(Failure::into_sink_error)?;
        let results = answer["results"].as_array().cloned().unwrap_or_default();
        // A live page wins over a dismissed one with the same key.
        let mut pages: Vec<FoundPage> = results
            .iter()
            .filter_map(|p| {
                Some(FoundPage {
                    id: p["id"].as_str()?.to_string(),
                    dismissed: p["archived"].as_bool().unwrap_or(false)
                        || p["in_trash"].as_bool().unwrap_or(false),
                })
            })
            .collect();
        pages.sort_by_key(|p| p.dismissed);
        Ok(pages.into_iter().next())
    }
}

#[async_trait]
impl Sink for NotionClient {
    async fn schema(&self, data_source: &str) -> Result<SinkSchema, SinkError> {
        let answer = self
            .request(
                Method::GET,
                &format!("data_sources/{data_source}"),
                None,
                Idempotent::Yes,
            )
            .await
            .map_err(Failure::into_sink_error)?;
        let properties = answer["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, p)| (name.clone(), p["type"].as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(SinkSchema { properties })
    }

    async fn add_properties(
        &self,
        data_source: &str,
        props: &[(String, PropKind)],
    ) -> Result<(), SinkError> {
        let map: serde_json::Map<String, Value> = props
            .iter()
            .map(|(name, kind)| (name.clone(), property_schema(*kind)))
            .collect();
        self.request(
            Method::PATCH,
            &format!("data_sources/{data_source}"),
            Some(&json!({ "properties": map })),
            Idempotent::Yes,
        )
        .await
        .map_err(Failure::into_sink_error)?;
        Ok(())
    }

    async fn find(&self, data_source: &str, key: &PageKey) -> Result<Option<FoundPage>, SinkError> {
        let mut clauses = vec![
            json!({ "property": self.config.names.name(Prop::JobUid), "rich_text": { "equals": key.job_uid } }),
        ];
        if let Some(profile) = &key.profile {
            clauses.push(
                json!({ "property": self.config.names.name(Prop::Profile), "rich_text": { "equals": profile } }),
            );
        }
        let filter = if clauses.len() == 1 {
            clauses.remove(0)
        } else {
            json!({ "and": clauses })
        };
        if let Some(page) = self.query(data_source, &filter, false).await? {
            return Ok(Some(page));
        }
        self.query(data_source, &filter, true).await
    }

    async fn create(
        &self,
        data_source: &str,
        props: &[(Prop, PropValue)],
    ) -> Result<String, SinkError> {
        let body = json!({
            "parent": { "type": "data_source_id", "data_source_id": data_source },
            "properties": encode(props, &self.config.names),
        });
        let answer = self
            .request(Method::POST, "pages", Some(&body), Idempotent::No)
            .await
            .map_err(Failure::into_sink_error)?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| SinkError::Unavailable("Notion created a page without an id".into()))
    }

    async fn update(
        &self,
        page_id: &str,
        props: &[(Prop, PropValue)],
    ) -> Result<UpdateOutcome, SinkError> {
        let body = json!({ "properties": encode(props, &self.config.names) });
        match self
            .request(
                Method::PATCH,
                &format!("pages/{page_id}"),
                Some(&body),
                Idempotent::Yes,
            )
            .await
        {
            Ok(page) => {
                let gone = page["archived"].as_bool().unwrap_or(false)
                    || page["in_trash"].as_bool().unwrap_or(false);
                Ok(if gone {
                    UpdateOutcome::Dismissed
                } else {
                    UpdateOutcome::Updated
                })
            }
            Err(Failure::Status {
                status, message, ..
            }) if status == StatusCode::BAD_REQUEST
                && (message.contains("archived") || message.contains("trash")) =>
            {
                Ok(UpdateOutcome::Dismissed)
            }
            Err(f) => Err(f.into_sink_error()),
        }
    }

    fn stats(&self) -> SinkStats {
        SinkStats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }
}
