//! Alert webhook: POSTs a failed-unit message shaped for Slack, Discord, ntfy or plain JSON.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde_json::{Value, json};

/// How the message is shaped (`ALERT_WEBHOOK_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookFormat {
    /// `{"text": …}` (Slack incoming webhooks, Mattermost, Rocket.Chat).
    Slack,
    /// `{"content": …}` (Discord webhooks).
    Discord,
    /// A plain-text body with a `Title` header (ntfy topics).
    Ntfy,
    /// `{"event":"unit_failed","unit":…,"host":…,"timestamp":…,"journal":[…]}`.
    #[default]
    Json,
}

impl WebhookFormat {
    pub const NAMES: &'static str = "slack, discord, ntfy or json";

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Slack => "slack",
            WebhookFormat::Discord => "discord",
            WebhookFormat::Ntfy => "ntfy",
            WebhookFormat::Json => "json",
        }
    }
}

impl fmt::Display for WebhookFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WebhookFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "slack" => Ok(WebhookFormat::Slack),
            "discord" => Ok(WebhookFormat::Discord),
            "ntfy" => Ok(WebhookFormat::Ntfy),
            "json" => Ok(WebhookFormat::Json),
            other => Err(format!("{other:?} is not {}", Self::NAMES)),
        }
    }
}

/// What the alert says: which unit failed, where, when, and its last log lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFailure {
    pub unit: String,
    pub host: String,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// The failed unit's last journal lines, oldest first; empty when unreadable.
    pub journal: Vec<String>,
}

/// Longest journal excerpt put in a chat message (Discord refuses more than 2000 characters).
const CHAT_JOURNAL_CHARS: usize = 1200;

impl UnitFailure {
    /// The one-line summary every format starts with.
    pub fn title(&self) -> String {
        format!("jobs-bot: {} failed on {}", self.unit, self.host)
    }

    /// The human-readable message: the summary, the time, and the end of the journal.
    pub fn text(&self) -> String {
        let mut text = format!("{} at {}", self.title(), self.timestamp);
        let tail = journal_tail(&self.journal, CHAT_JOURNAL_CHARS);
        if !tail.is_empty() {
            text.push_str("\nLast log lines:\n```\n");
            text.push_str(&tail);
            text.push_str("\n```");
        }
        text
    }
}

/// The last lines of `lines` that fit in `max_chars` (whole lines only), joined by newlines.
fn journal_tail(lines: &[String], max_chars: usize) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for line in lines.iter().rev() {
        let cost = line.chars().count() + 1;
        if used + cost > max_chars {
            break;
        }
        used += cost;
        kept.push(line);
    }
    kept.reverse();
    kept.join("\n")
}

/// One HTTP request to send: content type, extra headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// Shapes `failure` for `format`.
pub fn payload(format: WebhookFormat, failure: &UnitFailure) -> WebhookRequest {
    let json_body = |value: Value| WebhookRequest {
        content_type: "application/json",
        headers: Vec::new(),
        body: value.to_string(),
    };
    match format {
        WebhookFormat::Slack => json_body(json!({ "text": failure.text() })),
        WebhookFormat::Discord => json_body(json!({ "content": failure.text() })),
        WebhookFormat::Json => json_body(json!({
            "event": "unit_failed",
            "unit": failure.unit,
            "host": failure.host,
            "timestamp": failure.timestamp,
            "journal": failure.journal,
        })),
        WebhookFormat::Ntfy => WebhookRequest {
            content_type: "text/plain; charset=utf-8",
            // Header values must be visible ASCII: unit names and host names are.
            headers: vec![
                ("Title", ascii_header(&failure.title())),
                ("Tags", "warning".to_string()),
            ],
            body: failure.text(),
        },
    }
}

fn ascii_header(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Why the webhook could not be delivered. Never contains the URL (it is a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook answered HTTP {status}")]
    Status { status: u16 },
    #[error("the webhook did not answer in time")]
    Timeout,
    #[error("cannot connect to the webhook host")]
    Connect,
    #[error("network error talking to the webhook")]
    Network,
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

impl WebhookError {
    /// Network errors and 5xx answers may pass; a 4xx will not.
    pub fn is_transient(&self) -> bool {
        match self {
            WebhookError::Status { status } => *status >= 500,
            WebhookError::Timeout | WebhookError::Connect | WebhookError::Network => true,
            WebhookError::Client(_) => false,
        }
    }

    /// A short machine-readable reason for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            WebhookError::Status { status } if *status >= 500 => "server_error",
            WebhookError::Status { .. } => "rejected",
            WebhookError::Timeout => "timeout",
            WebhookError::Connect => "connect",
            WebhookError::Network => "network",
            WebhookError::Client(_) => "client",
        }
    }
}

fn classify(err: &reqwest::Error) -> WebhookError {
    // reqwest's own messages include the URL: only the kind of failure is kept.
    if err.is_timeout() {
        WebhookError::Timeout
    } else if err.is_connect() {
        WebhookError::Connect
    } else {
        WebhookError::Network
    }
}

/// Retries of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Attempts, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// A webhook endpoint. Its `Debug` hides the URL.
pub struct Webhook {
    url: String,
    client: reqwest::Client,
    retry: WebhookRetry,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &"[redacted]")
            .finish()
    }
}

impl Webhook {
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(
        url: &str,
        timeout: Duration,
        user_agent: &str,
        retry: WebhookRetry,
    ) -> Result<Self, WebhookError> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| WebhookError::Client(classify(&e).to_string()))?;
        Ok(Webhook {
            url: url.to_string(),
            client,
            retry,
        })
    }

    /// POSTs `request`, retrying network errors and 5xx answers with exponential backoff.
    /// `on_retry` is told of each failed attempt that will be retried.
    ///
    /// # Errors
    /// The last attempt's failure.
    pub async fn send(
        &self,
        request: &WebhookRequest,
        on_retry: impl Fn(&WebhookError, Duration),
    ) -> Result<(), WebhookError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.base_delay)
            .with_max_delay(self.retry.max_delay.max(self.retry.base_delay))
            .with_max_times(self.retry.attempts.saturating_sub(1) as usize)
            .with_jitter();
        (|| self.attempt(request))
            .retry(backoff)
            .when(WebhookError::is_transient)
            .notify(on_retry)
            .await
    }

    async fn attempt(&self, request: &WebhookRequest) -> Result<(), WebhookError> {
        let mut builder = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, request.content_type)
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        let response = builder.send().await.map_err(|e| classify(&e))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(WebhookError::Status {
                status: status.as_u16(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(journal: &[&str]) -> UnitFailure {
        UnitFailure {
            unit: "jobs-bot-ingest.service".into(),
            host: "box".into(),
            timestamp: "2026-01-02T03:04:05Z".into(),
            journal: journal.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn formats_parse_case_insensitively_and_default_to_json() {
        assert_eq!("Slack".parse(), Ok(WebhookFormat::Slack));
        assert_eq!(" ntfy ".parse(), Ok(WebhookFormat::Ntfy));
        assert!("teams".parse::<WebhookFormat>().is_err());
        assert_eq!(WebhookFormat::default(), WebhookFormat::Json);
    }

    #[test]
    fn each_format_has_its_shape() {
        let f = failure(&["one", "two"]);
        let slack: Value = serde_json::from_str(&payload(WebhookFormat::Slack, &f).body).unwrap();
        assert!(
            slack["text"]
                .as_str()
                .unwrap()
                .contains("jobs-bot-ingest.service failed on box")
        );
        let discord: Value =
            serde_json::from_str(&payload(WebhookFormat::Discord, &f).body).unwrap();
        assert!(discord["content"].as_str().unwrap().contains("two"));
        let json: Value = serde_json::from_str(&payload(WebhookFormat::Json, &f).body).unwrap();
        assert_eq!(json["event"], "unit_failed");
        assert_eq!(json["journal"], json!(["one", "two"]));
        let ntfy = payload(WebhookFormat::Ntfy, &f);
        assert_eq!(ntfy.content_type, "text/plain; charset=utf-8");
        assert!(ntfy.headers.contains(&(
            "Title",
            "jobs-bot: jobs-bot-ingest.service failed on box".to_string()
        )));
    }

    #[test]
    fn chat_messages_keep_the_end_of_a_long_journal() {
        let long: Vec<String> = (0..500)
            .map(|i| format!("line {i:04} {}", "x".repeat(40)))
            .collect();
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        let text = failure(&refs).text();
        assert!(text.chars().count() < 2000, "{}", text.len());
        assert!(text.contains("line 0499") && !text.contains("line 0000"));
    }

    #[test]
    fn only_network_errors_and_5xx_are_retried() {
        assert!(WebhookError::Status { status: 503 }.is_transient());
        assert!(!WebhookError::Status { status: 404 }.is_transient());
        assert!(WebhookError::Connect.is_transient());
        assert_eq!(WebhookError::Status { status: 400 }.reason(), "rejected");
    }
}
