//! Recruitee Careers Site API: `https://{company}.recruitee.com/api/offers/`, one call.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, lenient_number, parse_time};
use super::text::{find_salary, format_range, html_to_text, join_blocks};
use super::{AtsConfig, BaseUrlSetting, HttpClient, ProviderInfo, check_kind, endpoint};
use crate::domain::{AtsKind, Posting, WorkplaceType};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Recruitee's settings and constructor; `{slug}` in the base URL is the company's subdomain.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Recruitee,
    base_url: BaseUrlSetting {
        var: "RECRUITEE_BASE_URL",
        default: "https://{slug}.recruitee.com",
    },
    eu_base_url: None,
    numbers: &[],
    build: |http, cfg| Arc::new(Recruitee::new(http, cfg)),
};

#[derive(Deserialize)]
struct Envelope {
    offers: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Offer {
    #[serde(deserialize_with = "id_string")]
    id: String,
    title: String,
    company_name: Option<String>,
    department: Option<String>,
    location: Option<String>,
    city: Option<String>,
    country: Option<String>,
    remote: Option<bool>,
    hybrid: Option<bool>,
    on_site: Option<bool>,
    published_at: Option<String>,
    updated_at: Option<String>,
    careers_url: Option<String>,
    careers_apply_url: Option<String>,
    salary: Option<Salary>,
    employment_type_code: Option<String>,
    description: Option<String>,
    requirements: Option<String>,
}

#[derive(Deserialize)]
struct Salary {
    #[serde(default, deserialize_with = "lenient_number")]
    min: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    max: Option<f64>,
    period: Option<String>,
    currency: Option<String>,
}

/// Recruitee adapter.
pub struct Recruitee {
    http: HttpClient,
    base: String,
}

impl Recruitee {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Recruitee {
            http,
            base: cfg.base_url(AtsKind::Recruitee, Region::Global),
        }
    }
}

fn period_text(period: &str) -> String {
    match period.trim().to_ascii_lowercase().as_str() {
        "year" | "yearly" | "annual" => "per year".into(),
        "month" | "monthly" => "per month".into(),
        "week" | "weekly" => "per week".into(),
        "day" | "daily" => "per day".into(),
        "hour" | "hourly" => "per hour".into(),
        _ => period.trim().to_string(),
    }
}

fn to_posting(raw: &str, path: &str) -> Result<Posting, SourceError> {
    let o: Offer = payload::parse(raw.as_bytes(), path)?;
    let parts: Vec<String> = [o.description.as_deref(), o.requirements.as_deref()]
        .into_iter()
        .flatten()
        .map(html_to_text)
        .collect();
    let description = join_blocks(parts.iter().map(String::as_str));
    let place: Vec<&str> = [&o.city, &o.country]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect();
    let location = clean(o.location.as_deref()).or_else(|| clean(Some(&place.join(", "))));
    let workplace_type = match (o.remote, o.hybrid, o.on_site) {
        (Some(true), _, _) => Some(WorkplaceType::Remote),
        (_, Some(true), _) => Some(WorkplaceType::Hybrid),
        (_, _, Some(true)) => Some(WorkplaceType::OnSite),
        _ => None,
    };
    let salary_text = o
        .salary
        .as_ref()
        .and_then(|s| {
            let period = s.period.as_deref().map(period_text);
            format_range(s.currency.as_deref(), s.min, s.max, period.as_deref())
        })
        .or_else(|| find_salary(&description));
    Ok(Posting {
        title: o.title.trim().to_string(),
        company: clean(o.company_name.as_deref()),
        location,
        department: clean(o.department.as_deref()),
        team: None,
        employment_type: clean(o.employment_type_code.as_deref()),
        workplace_type,
        url: clean(o.careers_url.as_deref()),
        apply_url: clean(o.careers_apply_url.as_deref()),
        description,
        salary_text,
        posted_at: parse_time(o.published_at.as_deref()),
        updated_at: parse_time(o.updated_at.as_deref()),
        ats_job_id: o.id,
    })
}

#[async_trait]
impl JobSource for Recruitee {
    fn kind(&self) -> AtsKind {
        AtsKind::Recruitee
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        _cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        // The trailing slash is part of the documented path.
        let url = endpoint(&self.base, source.key.slug.as_str(), "/api/offers/")?;
        let body = self.http.get(url).await?;
        let envelope: Envelope = payload::parse(&body, "")?;
        Ok(payload::convert_items(
            source,
            &envelope.offers,
            "offers",
            |raw, path| to_posting(raw, path).map(Some),
        ))
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "")
    }
}
