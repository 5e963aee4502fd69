//! Workable public widget API: one `?details=true` call returns the account's jobs.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, parse_time};
use super::text::{find_salary, html_to_text, join_blocks};
use super::{AtsConfig, BaseUrlSetting, HttpClient, ProviderInfo, check_kind, endpoint};
use crate::domain::{AtsKind, Posting, WorkplaceType};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Workable's settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Workable,
    base_url: BaseUrlSetting {
        var: "WORKABLE_BASE_URL",
        default: "https://apply.workable.com",
    },
    eu_base_url: None,
    numbers: &[],
    build: |http, cfg| Arc::new(Workable::new(http, cfg)),
};

#[derive(Deserialize)]
struct Envelope {
    jobs: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Job {
    #[serde(deserialize_with = "id_string")]
    shortcode: String,
    title: String,
    department: Option<String>,
    city: Option<String>,
    /// A region name, not a listing status.
    state: Option<String>,
    country: Option<String>,
    telecommuting: Option<bool>,
    workplace: Option<String>,
    employment_type: Option<String>,
    published_on: Option<String>,
    created_at: Option<String>,
    url: Option<String>,
    shortlink: Option<String>,
    application_url: Option<String>,
    description: Option<String>,
    full_description: Option<String>,
    requirements: Option<String>,
    benefits: Option<String>,
}

/// Workable adapter.
pub struct Workable {
    http: HttpClient,
    base: String,
}

impl Workable {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Workable {
            http,
            base: cfg.base_url(AtsKind::Workable, Region::Global),
        }
    }
}

fn to_posting(raw: &str, path: &str) -> Result<Posting, SourceError> {
    let job: Job = payload::parse(raw.as_bytes(), path)?;
    let body = job
        .full_description
        .as_deref()
        .or(job.description.as_deref());
    let parts: Vec<String> = [body, job.requirements.as_deref(), job.benefits.as_deref()]
        .into_iter()
        .flatten()
        .map(html_to_text)
        .collect();
    let description = join_blocks(parts.iter().map(String::as_str));
    let place: Vec<&str> = [&job.city, &job.state, &job.country]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect();
    let workplace_type = job
        .workplace
        .as_deref()
        .and_then(WorkplaceType::parse_loose)
        .or(job
            .telecommuting
            .filter(|t| *t)
            .map(|_| WorkplaceType::Remote));
    Ok(Posting {
        title: job.title.trim().to_string(),
        // The company name sits on the envelope, which a stored item cannot reproduce.
        company: None,
        location: clean(Some(&place.join(", "))),
        department: clean(job.department.as_deref()),
        team: None,
        employment_type: clean(job.employment_type.as_deref()),
        workplace_type,
        url: clean(job.url.as_deref()).or_else(|| clean(job.shortlink.as_deref())),
        apply_url: clean(job.application_url.as_deref()),
        salary_text: find_salary(&description),
        description,
        posted_at: parse_time(job.published_on.as_deref().or(job.created_at.as_deref())),
        updated_at: None,
        ats_job_id: job.shortcode,
    })
}

#[async_trait]
impl JobSource for Workable {
    fn kind(&self) -> AtsKind {
        AtsKind::Workable
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        _cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let slug = source.key.slug.as_str();
        let mut url = endpoint(&self.base, slug, &format!("/api/v1/widget/accounts/{slug}"))?;
        url.query_pairs_mut().append_pair("details", "true");
        let body = self.http.get(url).await?;
        let envelope: Envelope = payload::parse(&body, "")?;
        // No paging was ever observed on the widget endpoint.
        Ok(payload::convert_items(
            source,
            &envelope.jobs,
            "jobs",
            |raw, path| to_posting(raw, path).map(Some),
        ))
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "")
    }
}
