//! A provider's job board, read one page (one HTTP request) per call.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::domain::salary::SalaryFigures;
use crate::domain::{AtsKind, FetchedPosting, JobUid, Posting, RawHash, SourceKey};

/// Which regional instance of a provider hosts a board (Lever has an EU instance).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    #[default]
    Global,
    Eu,
}

impl Region {
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Global => "global",
            Region::Eu => "eu",
        }
    }
}

/// The board to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub key: SourceKey,
    pub region: Region,
    /// The board's items already stored, by raw hash: not parsed again when met unchanged.
    pub known: Arc<KnownItems>,
}

impl SourceRef {
    /// A board with nothing known about its items.
    pub fn new(key: SourceKey, region: Region) -> Self {
        SourceRef {
            key,
            region,
            known: Arc::default(),
        }
    }
}

/// The items of a board already stored, by the hash of their raw JSON: an adapter that
/// meets one again reports its stored uid in `Page::unchanged` instead of parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownItems {
    salt: String,
    uids: HashMap<RawHash, JobUid>,
}

impl Default for KnownItems {
    fn default() -> Self {
        KnownItems::new(None, [])
    }
}

impl KnownItems {
    /// Items of a source named `source_name`: `(raw hash, stored uid)` pairs.
    pub fn new(
        source_name: Option<&str>,
        items: impl IntoIterator<Item = (RawHash, JobUid)>,
    ) -> Self {
        KnownItems {
            salt: RawHash::salt(source_name),
            uids: items.into_iter().collect(),
        }
    }

    /// The hash of a raw item, salted for this source.
    pub fn hash(&self, raw_json: &str) -> RawHash {
        RawHash::of(&self.salt, raw_json)
    }

    /// The uid of the stored item with this raw hash.
    pub fn uid(&self, hash: &RawHash) -> Option<&JobUid> {
        self.uids.get(hash)
    }
}

/// Where the next page starts, as the provider pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCursor {
    Offset(u64),
    Token(String),
}

/// One item of a payload that could not be read; the rest of the page still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedItem {
    /// Path of the item in the payload, e.g. `jobs[3].id`.
    pub path: String,
    pub reason: String,
}

/// The result of one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub postings: Vec<FetchedPosting>,
    /// Stored uids of items whose raw JSON is stored unchanged (`SourceRef::known`): not
    /// parsed, so their provider ids are not read either.
    pub unchanged: Vec<JobUid>,
    pub rejected: Vec<RejectedItem>,
    /// `None` when the board has no more pages.
    pub next: Option<PageCursor>,
}

/// Why a request for a page failed. Typed so the runner can retry, skip or record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("board not found (HTTP {status}): wrong slug, or the board is gone")]
    NotFound { status: u16 },
    #[error("rate limited by the provider (HTTP 429){}", retry_after_text(*.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("provider server error (HTTP {status})")]
    Server { status: u16 },
    #[error("unexpected HTTP status {status}")]
    Status { status: u16 },
    #[error("request timed out")]
    Timeout,
    #[error("network error: {0}")]
    Network(String),
    #[error("malformed payload at {path}: {message}")]
    Malformed { path: String, message: String },
    #[error("response body larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("invalid source: {0}")]
    InvalidSource(String),
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(", retry after {}s", d.as_secs()))
}

impl SourceError {
    /// Worth another attempt (each attempt is a new reserved API call).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SourceError::RateLimited { .. }
                | SourceError::Server { .. }
                | SourceError::Timeout
                | SourceError::Network(_)
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SourceError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            SourceError::NotFound { status }
            | SourceError::Server { status }
            | SourceError::Status { status } => Some(*status),
            SourceError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A short stable name for logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            SourceError::NotFound { .. } => "not_found",
            SourceError::RateLimited { .. } => "rate_limited",
            SourceError::Server { .. } => "server_error",
            SourceError::Status { .. } => "http_status",
            SourceError::Timeout => "timeout",
            SourceError::Network(_) => "network",
            SourceError::Malformed { .. } => "malformed",
            SourceError::TooLarge { .. } => "too_large",
            SourceError::InvalidSource(_) => "invalid_source",
        }
    }
}

/// Pages the runner requests for one board in one run, unless the adapter says otherwise.
pub const DEFAULT_MAX_PAGES: u32 = 50;

/// One provider's public job-board API. A call performs exactly one HTTP request: the
/// caller reserves an API call before each one and decides on retries, so no adapter
/// can spend calls behind the caps' back.
#[async_trait]
pub trait JobSource: Send + Sync {
    fn kind(&self) -> AtsKind;

    /// Pages the runner may request for one board in one run. A board with more pages
    /// than this is fetched cut short (and so closes nothing).
    fn max_pages(&self) -> u32 {
        DEFAULT_MAX_PAGES
    }

    /// Fetches one page of the board; `cursor` is `None` for the first page.
    async fn fetch_page(
        &self,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError>;

    /// Whether a page lists postings without what only one request per posting gives
    /// (Workday's descriptions). The runner then completes each new or changed posting
    /// with [`fetch_detail`](Self::fetch_detail), reserving an API call for each.
    fn lists_without_details(&self) -> bool {
        false
    }

    /// The stored posting, when its stored raw JSON shows `listed` unchanged since its
    /// details were fetched: no detail request is needed. `None`: fetch them.
    fn reuse_details(
        &self,
        _listed: &FetchedPosting,
        _stored_raw_json: &str,
    ) -> Option<FetchedPosting> {
        None
    }

    /// One request: `listed` completed with its details.
    async fn fetch_detail(
        &self,
        _source: &SourceRef,
        listed: &FetchedPosting,
    ) -> Result<FetchedPosting, SourceError> {
        Ok(listed.clone())
    }

    /// Re-derives a posting from the raw JSON this adapter stored for it, without any request.
    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError>;

    /// The pay the provider states in structured fields of a stored item (Lever
    /// `salaryRange`, Ashby compensation components), for salary normalization; `None`
    /// when it has none, or the item does not parse.
    fn salary_figures(&self, _raw_json: &str) -> Option<SalaryFigures> {
        None
    }
}
