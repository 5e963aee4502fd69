//! SmartRecruiters Posting API: offset/limit pages until `totalFound`; ids are case-sensitive.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, parse_time};
use super::{
    AtsConfig, BaseUrlSetting, HttpClient, NumberSetting, ProviderInfo, check_kind, endpoint,
    numeric_cursor,
};
use crate::domain::{AtsKind, Posting, WorkplaceType};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Postings per request; the API caps `limit` at 100.
pub const PAGE_SIZE: NumberSetting = NumberSetting {
    var: "SMARTRECRUITERS_PAGE_SIZE",
    default: 100,
    min: 1,
    max: 100,
};

/// SmartRecruiters' settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::SmartRecruiters,
    base_url: BaseUrlSetting {
        var: "SMARTRECRUITERS_BASE_URL",
        default: "https://api.smartrecruiters.com",
    },
    eu_base_url: None,
    numbers: &[PAGE_SIZE],
    build: |http, cfg| Arc::new(SmartRecruiters::new(http, cfg)),
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    total_found: Option<u64>,
    content: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrPosting {
    #[serde(deserialize_with = "id_string")]
    id: String,
    name: String,
    company: Option<Company>,
    released_date: Option<String>,
    location: Option<Location>,
    department: Option<Label>,
    type_of_employment: Option<Label>,
    posting_url: Option<String>,
    apply_url: Option<String>,
}

#[derive(Deserialize)]
struct Company {
    identifier: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    city: Option<String>,
    region: Option<String>,
    country: Option<String>,
    remote: Option<bool>,
    hybrid: Option<bool>,
    full_location: Option<String>,
}

#[derive(Deserialize)]
struct Label {
    label: Option<String>,
}

/// SmartRecruiters adapter.
pub struct SmartRecruiters {
    http: HttpClient,
    base: String,
    page_size: u32,
}

impl SmartRecruiters {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        SmartRecruiters {
            http,
            base: cfg.base_url(AtsKind::SmartRecruiters, Region::Global),
            page_size: u32::try_from(cfg.number(&PAGE_SIZE))
                .unwrap_or(u32::MAX)
                .clamp(1, 100),
        }
    }
}

fn location(l: &Location) -> Option<String> {
    clean(l.full_location.as_deref()).or_else(|| {
        let parts: Vec<&str> = [&l.city, &l.region, &l.country]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect();
        clean(Some(&parts.join(", ")))
    })
}

/// Explicit flags only: both false is on-site, a missing flag says nothing.
fn workplace(l: &Location) -> Option<WorkplaceType> {
    match (l.remote, l.hybrid) {
        (Some(true), _) => Some(WorkplaceType::Remote),
        (_, Some(true)) => Some(WorkplaceType::Hybrid),
        (Some(false), Some(false)) => Some(WorkplaceType::OnSite),
        _ => None,
    }
}

fn to_posting(raw: &str, path: &str, declared_company: &str) -> Result<Posting, SourceError> {
    let p: SrPosting = payload::parse(raw.as_bytes(), path)?;
    let company_id = p
        .company
        .as_ref()
        .and_then(|c| clean(c.identifier.as_deref()))
        .unwrap_or_else(|| declared_company.to_string());
    // The list has no public URL; the job page lives at this address.
    let url = clean(p.posting_url.as_deref())
        .unwrap_or_else(|| format!("https://jobs.smartrecruiters.com/{company_id}/{}", p.id));
    Ok(Posting {
        title: p.name.trim().to_string(),
        company: p.company.as_ref().and_then(|c| clean(c.name.as_deref())),
        location: p.location.as_ref().and_then(location),
        department: p
            .department
            .as_ref()
            .and_then(|d| clean(d.label.as_deref())),
        team: None,
        employment_type: p
            .type_of_employment
            .as_ref()
            .and_then(|t| clean(t.label.as_deref())),
        workplace_type: p.location.as_ref().and_then(workplace),
        url: Some(url),
        apply_url: clean(p.apply_url.as_deref()),
        // The list carries no description, and fetching each posting would cost a call per job.
        description: String::new(),
        salary_text: None,
        posted_at: parse_time(p.released_date.as_deref()),
        updated_at: None,
        ats_job_id: p.id,
    })
}

#[async_trait]
impl JobSource for SmartRecruiters {
    fn kind(&self) -> AtsKind {
        AtsKind::SmartRecruiters
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let offset = numeric_cursor(self.kind(), cursor)?.unwrap_or(0);
        // Company identifiers are case-sensitive: `Ubisoft2` works where `ubisoft2` does not.
        let company = source.key.slug.declared();
        let mut url = endpoint(
            &self.base,
            company,
            &format!("/v1/companies/{company}/postings"),
        )?;
        url.query_pairs_mut()
            .append_pair("offset", &offset.to_string())
            .append_pair("limit", &self.page_size.to_string());
        let body = self.http.get(url).await?;
        let envelope: Envelope = payload::parse(&body, "")?;
        let total = envelope.total_found.unwrap_or(0);
        if offset == 0 && total == 0 {
            // An unknown company answers 200 with nothing, so a typo looks like an empty board.
            tracing::warn!(
                event = "suspicious_empty_board",
                ats = "smartrecruiters",
                company = company,
                "board is empty; the company identifier may be wrong (it is case-sensitive)"
            );
        }
        let page = payload::convert_items(source, &envelope.content, "content", |raw, path| {
            to_posting(raw, path, company).map(Some)
        });
        let next_offset = offset + envelope.content.len() as u64;
        let next = (!envelope.content.is_empty() && next_offset < total)
            .then_some(PageCursor::Offset(next_offset));
        Ok(Page { next, ..page })
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "", source.key.slug.declared())
    }
}
