//! Lever Postings API: a bare JSON array, global or EU instance, optionally paged by skip/limit.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::DateTime;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::payload::{self, clean, id_string, lenient_number};
use super::text::{find_salary, format_range, html_to_text, join_blocks, plain};
use super::{
    AtsConfig, BaseUrlSetting, HttpClient, NumberSetting, ProviderInfo, check_kind, endpoint,
    numeric_cursor,
};
use crate::domain::salary::{PayPeriod, SalaryFigures};
use crate::domain::{AtsKind, Posting, WorkplaceType};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Page boards with `skip`/`limit`; `0` = one request per board.
pub const PAGE_SIZE: NumberSetting = NumberSetting {
    var: "LEVER_PAGE_SIZE",
    default: 0,
    min: 0,
    max: 1000,
};

/// Lever's settings and constructor; sites with `region = "eu"` live on the EU instance.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Lever,
    base_url: BaseUrlSetting {
        var: "LEVER_BASE_URL",
        default: "https://api.lever.co",
    },
    eu_base_url: Some(BaseUrlSetting {
        var: "LEVER_EU_BASE_URL",
        default: "https://api.eu.lever.co",
    }),
    numbers: &[PAGE_SIZE],
    build: |http, cfg| Arc::new(Lever::new(http, cfg)),
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeverPosting {
    #[serde(deserialize_with = "id_string")]
    id: String,
    text: String,
    #[serde(default)]
    categories: Option<Categories>,
    workplace_type: Option<String>,
    hosted_url: Option<String>,
    apply_url: Option<String>,
    description_plain: Option<String>,
    description: Option<String>,
    #[serde(default)]
    lists: Option<Vec<List>>,
    additional_plain: Option<String>,
    additional: Option<String>,
    salary_range: Option<SalaryRange>,
    salary_description_plain: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Categories {
    location: Option<String>,
    team: Option<String>,
    department: Option<String>,
    commitment: Option<String>,
    #[serde(default)]
    all_locations: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct List {
    text: Option<String>,
    /// Documented as an HTML string; anything else is ignored rather than iterated.
    content: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SalaryRange {
    currency: Option<String>,
    interval: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    min: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    max: Option<f64>,
}

/// Lever adapter.
pub struct Lever {
    http: HttpClient,
    base: String,
    eu_base: String,
    page_size: Option<u32>,
}

impl Lever {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Lever {
            http,
            base: cfg.base_url(AtsKind::Lever, Region::Global),
            eu_base: cfg.base_url(AtsKind::Lever, Region::Eu),
            page_size: u32::try_from(cfg.number(&PAGE_SIZE))
                .ok()
                .filter(|n| *n > 0),
        }
    }
}

fn interval_text(interval: &str) -> &str {
    match interval {
        "per-year-salary" => "per year",
        "per-month-salary" => "per month",
        "per-week-salary" => "per week",
        "per-day-wage" => "per day",
        "per-hour-wage" => "per hour",
        "one-time-payment" => "one-time",
        other => other,
    }
}

fn description(p: &LeverPosting) -> String {
    let intro = match clean(p.description_plain.as_deref()) {
        Some(text) => plain(&text),
        None => p
            .description
            .as_deref()
            .map(html_to_text)
            .unwrap_or_default(),
    };
    let lists = p.lists.as_deref().unwrap_or_default().iter().map(|l| {
        let items = match &l.content {
            Some(serde_json::Value::String(html)) => html_to_text(html),
            _ => String::new(),
        };
        join_blocks([l.text.as_deref().unwrap_or_default(), items.as_str()])
            .replacen("\n\n", "\n", 1)
    });
    let lists: Vec<String> = lists.collect();
    let additional = match clean(p.additional_plain.as_deref()) {
        Some(text) => plain(&text),
        None => p
            .additional
            .as_deref()
            .map(html_to_text)
            .unwrap_or_default(),
    };
    let blocks = std::iter::once(intro.as_str())
        .chain(lists.iter().map(String::as_str))
        .chain(std::iter::once(additional.as_str()));
    join_blocks(blocks)
}

fn to_posting(raw: &str, path: &str) -> Result<Posting, SourceError> {
    let p: LeverPosting = payload::parse(raw.as_bytes(), path)?;
    let description = description(&p);
    let salary_text = p
        .salary_range
        .as_ref()
        .and_then(|s| {
            format_range(
                s.currency.as_deref(),
                s.min,
                s.max,
                s.interval.as_deref().map(interval_text),
            )
        })
        .or_else(|| clean(p.salary_description_plain.as_deref()))
        .or_else(|| {
            p.additional_plain
                .as_deref()
                .and_then(find_salary)
                .or_else(|| p.description_plain.as_deref().and_then(find_salary))
        })
        .or_else(|| find_salary(&description));
    let cats = p.categories.as_ref();
    let location = cats.and_then(|c| clean(c.location.as_deref())).or_else(|| {
        let all = cats?.all_locations.as_deref()?;
        clean(Some(&all.join("; ")))
    });
    Ok(Posting {
        ats_job_id: p.id.clone(),
        title: p.text.trim().to_string(),
        company: None,
        location,
        department: cats.and_then(|c| clean(c.department.as_deref())),
        team: cats.and_then(|c| clean(c.team.as_deref())),
        employment_type: cats.and_then(|c| clean(c.commitment.as_deref())),
        workplace_type: p
            .workplace_type
            .as_deref()
            .and_then(WorkplaceType::parse_loose),
        url: clean(p.hosted_url.as_deref()),
        apply_url: clean(p.apply_url.as_deref()),
        description,
        salary_text,
        posted_at: p.created_at.and_then(DateTime::from_timestamp_millis),
        updated_at: p.updated_at.and_then(DateTime::from_timestamp_millis),
    })
}

#[async_trait]
impl JobSource for Lever {
    fn kind(&self) -> AtsKind {
        AtsKind::Lever
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let skip = numeric_cursor(self.kind(), cursor)?.unwrap_or(0);
        let base = match source.region {
            Region::Global => &self.base,
            Region::Eu => &self.eu_base,
        };
        let slug = source.key.slug.as_str();
        let mut url = endpoint(base, slug, &format!("/v0/postings/{slug}"))?;
        url.query_pairs_mut().append_pair("mode", "json");
        if let Some(limit) = self.page_size {
            url.query_pairs_mut()
                .append_pair("skip", &skip.to_string())
                .append_pair("limit", &limit.to_string());
        }
        let body = self.http.get(url).await?;
        let items: Vec<Box<RawValue>> = payload::parse(&body, "")?;
        let page = payload::convert_items(source, &items, "", |raw, path| {
            to_posting(raw, path).map(Some)
        });
        // Lever gives no total: only a full page can have a successor.
        let next = match self.page_size {
            Some(limit) if items.len() as u64 >= u64::from(limit) => {
                Some(PageCursor::Offset(skip + items.len() as u64))
            }
            _ => None,
        };
        Ok(Page { next, ..page })
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "")
    }

    fn salary_figures(&self, raw_json: &str) -> Option<SalaryFigures> {
        let p: LeverPosting = payload::parse(raw_json.as_bytes(), "").ok()?;
        let range = p.salary_range?;
        let (period, per) = range
            .interval
            .as_deref()
            .and_then(PayPeriod::parse_interval)?;
        let per = f64::from(per.max(1));
        Some(SalaryFigures {
            min: range.min.map(|v| v / per),
            max: range.max.map(|v| v / per),
            currency: range.currency,
            period: Some(period),
        })
    }
}
