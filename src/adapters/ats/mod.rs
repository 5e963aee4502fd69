//! ATS job-board adapters: one `JobSource` per provider over one shared HTTP client.
//!
//! Adding a provider is one file: an item struct, a `to_posting` conversion and a
//! `fetch_page` that builds the URL and hands the body to [`payload`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::domain::AtsKind;
use crate::ports::{JobSource, PageCursor, SourceError, SourceRef};

pub mod ashby;
pub mod greenhouse;
pub mod http;
pub mod lever;
pub mod payload;
pub mod recruitee;
pub mod smartrecruiters;
pub mod text;
pub mod workable;

pub use http::HttpClient;

/// Settings for the ATS adapters; the app's settings layer fills it from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtsConfig {
    /// Connect timeout and total request timeout (REQUEST_TIMEOUT_S).
    pub timeout: Duration,
    /// Largest response body read; past it the page fails with `TooLarge`.
    pub max_body_bytes: u64,
    pub user_agent: String,
    pub greenhouse_base: String,
    pub lever_base: String,
    pub lever_eu_base: String,
    pub ashby_base: String,
    pub smartrecruiters_base: String,
    pub workable_base: String,
    /// May contain `{slug}`, replaced by the board's slug (Recruitee boards are subdomains).
    pub recruitee_base: String,
    pub greenhouse_per_page: u32,
    pub greenhouse_max_pages: u32,
    /// `None`: one request for the whole board (Lever returns everything without `limit`).
    pub lever_page_size: Option<u32>,
    pub smartrecruiters_page_size: u32,
}

impl Default for AtsConfig {
    fn default() -> Self {
        AtsConfig {
            timeout: Duration::from_secs(20),
            max_body_bytes: 64 * 1024 * 1024,
            user_agent: format!(
                "jobs-bot/{} (+https://github.com/jobs-bot)",
                env!("CARGO_PKG_VERSION")
            ),
            greenhouse_base: "https://boards-api.greenhouse.io".into(),
            lever_base: "https://api.lever.co".into(),
            lever_eu_base: "https://api.eu.lever.co".into(),
            ashby_base: "https://api.ashbyhq.com".into(),
            smartrecruiters_base: "https://api.smartrecruiters.com".into(),
            workable_base: "https://apply.workable.com".into(),
            recruitee_base: "https://{slug}.recruitee.com".into(),
            greenhouse_per_page: 100,
            greenhouse_max_pages: 50,
            lever_page_size: None,
            smartrecruiters_page_size: 100,
        }
    }
}

/// Why the adapters could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtsError {
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    #[error("{name} base URL {value:?} is not an http(s) URL")]
    BaseUrl { name: &'static str, value: String },
}

/// Every provider's adapter, sharing one HTTP client (and so one connection pool).
pub fn build_sources(cfg: &AtsConfig) -> Result<HashMap<AtsKind, Arc<dyn JobSource>>, AtsError> {
    for (name, value) in [
        ("GREENHOUSE_BASE_URL", &cfg.greenhouse_base),
        ("LEVER_BASE_URL", &cfg.lever_base),
        ("LEVER_EU_BASE_URL", &cfg.lever_eu_base),
        ("ASHBY_BASE_URL", &cfg.ashby_base),
        ("SMARTRECRUITERS_BASE_URL", &cfg.smartrecruiters_base),
        ("WORKABLE_BASE_URL", &cfg.workable_base),
        ("RECRUITEE_BASE_URL", &cfg.recruitee_base),
    ] {
        let probe = value.replace("{slug}", "probe");
        let ok = Url::parse(&probe).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(AtsError::BaseUrl {
                name,
                value: value.clone(),
            });
        }
    }
    let http = HttpClient::new(cfg)?;
    let sources: [Arc<dyn JobSource>; 6] = [
        Arc::new(greenhouse::Greenhouse::new(http.clone(), cfg)),
        Arc::new(lever::Lever::new(http.clone(), cfg)),
        Arc::new(ashby::Ashby::new(http.clone(), cfg)),
        Arc::new(smartrecruiters::SmartRecruiters::new(http.clone(), cfg)),
        Arc::new(workable::Workable::new(http.clone(), cfg)),
        Arc::new(recruitee::Recruitee::new(http, cfg)),
    ];
    Ok(sources.into_iter().map(|s| (s.kind(), s)).collect())
}

/// `{base}{path}` with `{slug}` in the base replaced. Slugs are validated `[a-z0-9._-]`
/// without `..`, so splicing them cannot change the URL's host or path structure.
pub(crate) fn endpoint(base: &str, slug: &str, path: &str) -> Result<Url, SourceError> {
    let base = base.replace("{slug}", slug);
    let joined = format!("{}{}", base.trim_end_matches('/'), path);
    Url::parse(&joined)
        .map_err(|e| SourceError::InvalidSource(format!("bad URL for board {slug:?}: {e}")))
}

/// The numeric position a cursor names (an offset or a page number, as the provider
/// pages); `None` for the first page. Token cursors belong to other providers.
pub(crate) fn numeric_cursor(
    kind: AtsKind,
    cursor: Option<&PageCursor>,
) -> Result<Option<u64>, SourceError> {
    match cursor {
        None => Ok(None),
        Some(PageCursor::Offset(n)) => Ok(Some(*n)),
        Some(PageCursor::Token(t)) => Err(SourceError::InvalidSource(format!(
            "{kind} pages by number, not by token {t:?}"
        ))),
    }
}

/// A source handed to the wrong adapter is a wiring bug; say so instead of fetching.
pub(crate) fn check_kind(kind: AtsKind, source: &SourceRef) -> Result<(), SourceError> {
    if source.key.ats == kind {
        Ok(())
    } else {
        Err(SourceError::InvalidSource(format!(
            "{} board given to the {kind} adapter",
            source.key.ats
        )))
    }
}
