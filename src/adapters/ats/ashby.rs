//! Ashby public job-posting API: all published jobs of a board, with compensation.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, lenient_number, parse_time};
use super::text::{format_range, html_to_text, plain};
use super::{AtsConfig, BaseUrlSetting, HttpClient, ProviderInfo, check_kind, endpoint};
use crate::domain::salary::{PayPeriod, SalaryFigures};
use crate::domain::{AtsKind, Posting, WorkplaceType};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Ashby's settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Ashby,
    base_url: BaseUrlSetting {
        var: "ASHBY_BASE_URL",
        default: "https://api.ashbyhq.com",
    },
    eu_base_url: None,
    numbers: &[],
    build: |http, cfg| Arc::new(Ashby::new(http, cfg)),
};

#[derive(Deserialize)]
struct Envelope {
    jobs: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Job {
    #[serde(deserialize_with = "id_string")]
    id: String,
    title: String,
    department: Option<String>,
    team: Option<String>,
    employment_type: Option<String>,
    location: Option<String>,
    published_at: Option<String>,
    is_listed: Option<bool>,
    is_remote: Option<bool>,
    workplace_type: Option<String>,
    job_url: Option<String>,
    apply_url: Option<String>,
    description_plain: Option<String>,
    description_html: Option<String>,
    compensation: Option<Compensation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Compensation {
    compensation_tier_summary: Option<String>,
    scrapeable_compensation_salary_summary: Option<String>,
    #[serde(default)]
    summary_components: Option<Vec<Component>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Component {
    compensation_type: Option<String>,
    interval: Option<String>,
    currency_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    min_value: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    max_value: Option<f64>,
}

/// Ashby adapter.
pub struct Ashby {
    http: HttpClient,
    base: String,
}

impl Ashby {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Ashby {
            http,
            base: cfg.base_url(AtsKind::Ashby, Region::Global),
        }
    }
}

fn interval_text(interval: &str) -> Option<&str> {
    match interval {
        "1 YEAR" => Some("per year"),
        "1 MONTH" => Some("per month"),
        "1 WEEK" => Some("per week"),
        "1 DAY" => Some("per day"),
        "1 HOUR" => Some("per hour"),
        "1 TIME" => Some("one-time"),
        "NONE" | "" => None,
        other => Some(other),
    }
}

fn salary(c: &Compensation) -> Option<String> {
    clean(c.scrapeable_compensation_salary_summary.as_deref())
        .or_else(|| clean(c.compensation_tier_summary.as_deref()))
        .or_else(|| {
            c.summary_components
                .as_deref()?
                .iter()
                .filter(|s| s.compensation_type.as_deref() == Some("Salary"))
                .find_map(|s| {
                    format_range(
                        s.currency_code.as_deref(),
                        s.min_value,
                        s.max_value,
                        s.interval.as_deref().and_then(interval_text),
                    )
                })
        })
}

/// The first `Salary` component of the compensation summary, as figures.
fn salary_figures(c: &Compensation) -> Option<SalaryFigures> {
    c.summary_components
        .as_deref()?
        .iter()
        .filter(|s| s.compensation_type.as_deref() == Some("Salary"))
        .find_map(|s| {
            let (period, per) = s.interval.as_deref().and_then(PayPeriod::parse_interval)?;
            let per = f64::from(per.max(1));
            (s.min_value.is_some() || s.max_value.is_some()).then(|| SalaryFigures {
                min: s.min_value.map(|v| v / per),
                max: s.max_value.map(|v| v / per),
                currency: s.currency_code.clone(),
                period: Some(period),
            })
        })
}

/// The posting, and whether the board lists it (unlisted jobs are not postings, nor errors).
fn to_posting(raw: &str, path: &str) -> Result<(Posting, bool), SourceError> {
    let job: Job = payload::parse(raw.as_bytes(), path)?;
    let listed = job.is_listed != Some(false);
    let description = match clean(job.description_plain.as_deref()) {
        Some(text) => plain(&text),
        None => job
            .description_html
            .as_deref()
            .map(html_to_text)
            .unwrap_or_default(),
    };
    let workplace_type = job
        .workplace_type
        .as_deref()
        .and_then(WorkplaceType::parse_loose)
        .or(job.is_remote.filter(|r| *r).map(|_| WorkplaceType::Remote));
    let posting = Posting {
        ats_job_id: job.id,
        title: job.title.trim().to_string(),
        company: None,
        location: clean(job.location.as_deref()),
        department: clean(job.department.as_deref()),
        team: clean(job.team.as_deref()),
        employment_type: clean(job.employment_type.as_deref()),
        workplace_type,
        url: clean(job.job_url.as_deref()),
        apply_url: clean(job.apply_url.as_deref()),
        description,
        salary_text: job.compensation.as_ref().and_then(salary),
        posted_at: parse_time(job.published_at.as_deref()),
        updated_at: None,
    };
    Ok((posting, listed))
}

#[async_trait]
impl JobSource for Ashby {
    fn kind(&self) -> AtsKind {
        AtsKind::Ashby
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        _cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let slug = source.key.slug.as_str();
        let mut url = endpoint(&self.base, slug, &format!("/posting-api/job-board/{slug}"))?;
        url.query_pairs_mut()
            .append_pair("includeCompensation", "true");
        let body = self.http.get(url).await?;
        let envelope: Envelope = payload::parse(&body, "")?;
        // The API has no paging: one response is the whole board.
        Ok(payload::convert_items(
            source,
            &envelope.jobs,
            "jobs",
            |raw, path| to_posting(raw, path).map(|(posting, listed)| listed.then_some(posting)),
        ))
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "").map(|(posting, _)| posting)
    }

    fn salary_figures(&self, raw_json: &str) -> Option<SalaryFigures> {
        let job: Job = payload::parse(raw_json.as_bytes(), "").ok()?;
        job.compensation.as_ref().and_then(salary_figures)
    }
}
