//! Greenhouse Job Board API: the whole board in one `?content=true` response.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, parse_time};
use super::text::{div_blocks, find_salary, html_to_text, unescape_html};
use super::{
    AtsConfig, BaseUrlSetting, HttpClient, NumberSetting, ProviderInfo, check_kind, endpoint,
    numeric_cursor,
};
use crate::domain::{AtsKind, Posting, SourceKey, WorkplaceType};
use crate::ports::{
    DEFAULT_MAX_PAGES, JobSource, Page, PageCursor, Region, SourceError, SourceRef,
};

/// Page size if a board ever pages (the API returns whole boards).
pub const PER_PAGE: NumberSetting = NumberSetting {
    var: "GREENHOUSE_PER_PAGE",
    default: 100,
    min: 1,
    max: 500,
};

/// Pages per board per run.
pub const MAX_PAGES: NumberSetting = NumberSetting {
    var: "GREENHOUSE_MAX_PAGES",
    default: DEFAULT_MAX_PAGES as u64,
    min: 1,
    max: 1000,
};

/// Greenhouse's settings and constructor. No EU instance: EU-hosted boards
/// (`job-boards.eu.greenhouse.io`) are served by the same global API.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Greenhouse,
    base_url: BaseUrlSetting {
        var: "GREENHOUSE_BASE_URL",
        default: "https://boards-api.greenhouse.io",
    },
    eu_base_url: None,
    numbers: &[PER_PAGE, MAX_PAGES],
    build: |http, cfg| Arc::new(Greenhouse::new(http, cfg)),
};

#[derive(Deserialize)]
struct Envelope {
    jobs: Vec<Box<RawValue>>,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    total: Option<u64>,
}

#[derive(Deserialize)]
struct Job {
    #[serde(deserialize_with = "id_string")]
    id: String,
    title: String,
    company_name: Option<String>,
    location: Option<Named>,
    #[serde(default)]
    departments: Option<Vec<Named>>,
    absolute_url: Option<String>,
    content: Option<String>,
    first_published: Option<String>,
    updated_at: Option<String>,
    #[serde(default)]
    metadata: Option<Vec<Metadata>>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    name: Option<String>,
    value: Option<serde_json::Value>,
}

/// Greenhouse adapter.
pub struct Greenhouse {
    http: HttpClient,
    base: String,
    per_page: u32,
    max_pages: u32,
    /// Ids seen on earlier pages of a paged fetch, per board: a page with nothing new ends
    /// the fetch (Greenhouse documents no paging, so a board that ignores `page` must not loop).
    seen: Mutex<HashMap<SourceKey, HashSet<String>>>,
}

impl Greenhouse {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Greenhouse {
            http,
            base: cfg.base_url(AtsKind::Greenhouse, Region::Global),
            per_page: u32::try_from(cfg.number(&PER_PAGE))
                .unwrap_or(u32::MAX)
                .max(1),
            max_pages: u32::try_from(cfg.number(&MAX_PAGES)).unwrap_or(u32::MAX),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Drops the items (parsed or known unchanged) already returned by an earlier page
    /// of this fetch.
    fn keep_new(&self, key: &SourceKey, first_page: bool, page: &mut Page) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let set = seen.entry(key.clone()).or_default();
        if first_page {
            set.clear();
        }
        page.postings
            .retain(|p| set.insert(p.posting.ats_job_id.clone()));
        // Known items by uid (40 hex digits), parsed ones by provider id: one set serves both.
        page.unchanged
            .retain(|uid| set.insert(uid.as_str().to_owned()));
    }

    fn forget(&self, key: &SourceKey) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

fn to_posting(raw: &str, path: &str) -> Result<Posting, SourceError> {
    let job: Job = payload::parse(raw.as_bytes(), path)?;
    let html = job
        .content
        .as_deref()
        .map(unescape_html)
        .unwrap_or_default();
    let description = html_to_text(&html);
    let location = clean(job.location.as_ref().and_then(|l| l.name.as_deref()));
    Ok(Posting {
        ats_job_id: job.id,
        title: job.title.trim().to_string(),
        company: clean(job.company_name.as_deref()),
        department: job
            .departments
            .as_deref()
            .and_then(|d| d.first())
            .and_then(|d| clean(d.name.as_deref())),
        team: None,
        employment_type: None,
        workplace_type: workplace(job.metadata.as_deref(), location.as_deref()),
        url: clean(job.absolute_url.as_deref()),
        apply_url: None,
        salary_text: pay_transparency(&html).or_else(|| find_salary(&description)),
        posted_at: parse_time(job.first_published.as_deref().or(job.updated_at.as_deref())),
        updated_at: parse_time(job.updated_at.as_deref()),
        location,
        description,
    })
}

/// The pay ranges Greenhouse renders into `content` when the company shows them.
fn pay_transparency(html: &str) -> Option<String> {
    let ranges: Vec<String> = div_blocks(html, "pay-range")
        .into_iter()
        .map(|r| html_to_text(r).replace('\n', " "))
        .filter(|r| !r.trim().is_empty())
        .collect();
    if !ranges.is_empty() {
        return Some(ranges.join("; "));
    }
    div_blocks(html, "content-pay-transparency")
        .into_iter()
        .map(html_to_text)
        .find(|t| !t.is_empty())
}

/// A custom field such as "Location Type: Remote" wins; otherwise the location's wording.
fn workplace(metadata: Option<&[Metadata]>, location: Option<&str>) -> Option<WorkplaceType> {
    let from_metadata = metadata.unwrap_or_default().iter().find_map(|m| {
        let name = m.name.as_deref()?.to_ascii_lowercase();
        if !(name.contains("location type")
            || name.contains("workplace")
            || name.contains("remote"))
        {
            return None;
        }
        match m.value.as_ref()? {
            serde_json::Value::String(s) => WorkplaceType::parse_loose(s),
            serde_json::Value::Array(items) => items
                .iter()
                .find_map(|v| v.as_str().and_then(WorkplaceType::parse_loose)),
            _ => None,
        }
    });
    from_metadata.or_else(|| {
        let loc = location?.to_ascii_lowercase();
        if loc.contains("hybrid") {
            Some(WorkplaceType::Hybrid)
        } else if loc.contains("remote") {
            Some(WorkplaceType::Remote)
        } else {
            None
        }
    })
}

#[async_trait]
impl JobSource for Greenhouse {
    fn kind(&self) -> AtsKind {
        AtsKind::Greenhouse
    }

    fn max_pages(&self) -> u32 {
        self.max_pages
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let page = numeric_cursor(self.kind(), cursor)?;
        let path = format!("/v1/boards/{}/jobs", source.key.slug.as_str());
        let mut url = endpoint(&self.base, source.key.slug.as_str(), &path)?;
        url.query_pairs_mut().append_pair("content", "true");
        if let Some(n) = page {
            url.query_pairs_mut()
                .append_pair("page", &n.to_string())
                .append_pair("per_page", &self.per_page.to_string());
        }
        let body = self.http.get(url).await?;
        let envelope: Envelope = payload::parse(&body, "")?;
        let mut items = payload::convert_items(source, &envelope.jobs, "jobs", |raw, path| {
            to_posting(raw, path).map(Some)
        });

        let total = envelope.meta.and_then(|m| m.total);
        let received = envelope.jobs.len() as u64;
        // The normal case: everything in one response, so no second call is ever made.
        if page.is_none() && total.is_none_or(|t| received >= t) {
            return Ok(items);
        }
        self.keep_new(&source.key, page.is_none(), &mut items);
        let this_page = page.unwrap_or(1);
        let reached = total.is_some_and(|t| {
            this_page.saturating_sub(1) * u64::from(self.per_page) + received >= t
        });
        let nothing_new = items.postings.is_empty() && items.unchanged.is_empty();
        let next = if nothing_new || (page.is_some() && reached) {
            self.forget(&source.key);
            None
        } else {
            Some(PageCursor::Offset(this_page + 1))
        };
        Ok(Page { next, ..items })
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "")
    }
}
