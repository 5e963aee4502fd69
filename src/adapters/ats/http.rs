//! The one HTTP client every provider (and the LLM enricher) uses: timeouts, size limit and
//! status → error mapping, `Retry-After` read.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::{AtsConfig, AtsError};
use crate::ports::SourceError;

/// A JSON (and XML feed) client with a bounded body; cheap to clone (reqwest shares its pool).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    max_body_bytes: u64,
}

impl HttpClient {
    pub fn new(cfg: &AtsConfig) -> Result<Self, AtsError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.as_str())
            .default_headers(headers)
            .connect_timeout(cfg.timeout)
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| AtsError::Client(e.to_string()))?;
        Ok(HttpClient {
            client,
            max_body_bytes: cfg.max_body_bytes,
        })
    }

    /// GETs `url` and returns the body of a 2xx answer, at most `max_body_bytes` long.
    pub async fn get(&self, url: Url) -> Result<Vec<u8>, SourceError> {
        self.read(self.client.get(url)).await
    }

    /// GETs an XML feed (SuccessFactors, Personio), asking for XML.
    pub async fn get_xml(&self, url: Url) -> Result<Vec<u8>, SourceError> {
        let accept = "application/xml";
        self.read(self.client.get(url).header(header::ACCEPT, accept))
            .await
    }

    /// GETs a web page (a careers page to discover its ATS), asking for HTML.
    pub async fn get_page(&self, url: Url) -> Result<Vec<u8>, SourceError> {
        let accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
        self.read(self.client.get(url).header(header::ACCEPT, accept))
            .await
    }

    /// POSTs a JSON `body` to `url` (Workday's search, LLM chat completions), with
    /// `Authorization: Bearer <token>` when a token is given; the answer as for
    /// [`get`](Self::get). Errors never hold the token: transport errors carry reqwest's kind
    /// only, status errors the status.
    pub async fn post_json(
        &self,
        url: Url,
        bearer: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, SourceError> {
        let mut request = self
            .client
            .post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = bearer {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                SourceError::InvalidSource("the API key is not a valid header".into())
            })?;
            value.set_sensitive(true);
            request = request.header(header::AUTHORIZATION, value);
        }
        self.read(request).await
    }

    async fn read(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, SourceError> {
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(status_error(status.as_u16(), response.headers()));
        }
        let limit = self.max_body_bytes;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(SourceError::TooLarge { limit });
        }
        let mut body = Vec::new();
        // Chunk by chunk, so a body without (or lying about) Content-Length is still bounded.
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(SourceError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// Transport failures. The message is reqwest's kind only: short, and never a URL.
fn transport(e: reqwest::Error) -> SourceError {
    if e.is_timeout() {
        return SourceError::Timeout;
    }
    let what = if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response body cut short or undecodable"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    SourceError::Network(what.to_string())
}

/// Maps a non-2xx status to the error the runner acts on.
pub fn status_error(status: u16, headers: &HeaderMap) -> SourceError {
    match status {
        404 | 410 => SourceError::NotFound { status },
        429 => SourceError::RateLimited {
            retry_after: headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now())),
        },
        500..=599 => SourceError::Server { status },
        _ => SourceError::Status { status },
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date; a date in the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: DateTime<Utc> = "2015-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn statuses_map_to_errors() {
        let h = HeaderMap::new();
        assert_eq!(status_error(404, &h), SourceError::NotFound { status: 404 });
        assert_eq!(status_error(410, &h), SourceError::NotFound { status: 410 });
        assert_eq!(status_error(503, &h), SourceError::Server { status: 503 });
        assert_eq!(status_error(403, &h), SourceError::Status { status: 403 });
        assert_eq!(
            status_error(429, &h),
            SourceError::RateLimited { retry_after: None }
        );
    }
}
