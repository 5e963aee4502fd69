//! SAP SuccessFactors public XML job feed: `jobPosting` (or `job`) records of one company.
//!
//! A board's slug is `{company}.{dc host}` (`acmeP.career5.successfactors.eu`): the company
//! id, as declared (ids are case-sensitive), and the data-center host its feed is on, read
//! from the careers or feed URL `https://{dc host}/career?company={company}…`.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::payload::{self, parse_time};
use super::text::html_to_text;
use super::xml::{self, Record};
use super::{AtsConfig, BaseUrlSetting, HttpClient, ProviderInfo, check_kind};
use crate::domain::{AtsKind, Posting};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// SuccessFactors' settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::SuccessFactors,
    base_url: BaseUrlSetting {
        var: "SUCCESSFACTORS_BASE_URL",
        // `{host}` is the board's data-center host; `/career?company=…` is appended.
        default: "https://{host}",
    },
    eu_base_url: None,
    numbers: &[],
    build: |http, cfg| Arc::new(SuccessFactors::new(http, cfg)),
};

/// Element names of a record, as feeds spell them.
const RECORDS: &[&str] = &["jobPosting", "job"];

/// Posting-date elements, in order of preference.
const DATES: &[&str] = &["postingDate", "postedDate", "datePosted", "jobPostingDate"];

/// SuccessFactors adapter.
pub struct SuccessFactors {
    http: HttpClient,
    base: String,
}

impl SuccessFactors {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        SuccessFactors {
            http,
            base: cfg.base_url(AtsKind::SuccessFactors, Region::Global),
        }
    }
}

/// Dates as feeds write them: RFC 3339 / ISO, RFC 2822, `MM/DD/YYYY`.
fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    parse_time(Some(s))
        .or_else(|| {
            DateTime::parse_from_rfc2822(s.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s.trim(), "%m/%d/%Y")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

fn to_posting(raw: &str, path: &str) -> Result<Posting, SourceError> {
    let job = Record::parse(raw, path)?;
    let apply_url = job.text("applyUrl");
    Ok(Posting {
        ats_job_id: job.required("jobReqId", path)?,
        title: job.required("jobTitle", path)?,
        company: None,
        location: job.text("jobLocation"),
        department: job.text("department"),
        team: None,
        employment_type: job.text("jobType"),
        workplace_type: None,
        url: apply_url.clone(),
        apply_url,
        description: job
            .text("jobDescription")
            .map(|html| html_to_text(&html))
            .unwrap_or_default(),
        salary_text: None,
        posted_at: DATES
            .iter()
            .find_map(|name| job.text(name))
            .and_then(|d| parse_date(&d)),
        updated_at: None,
    })
}

/// The feed URL of a board: its declared slug is `{company}.{host}`.
fn feed_url(base: &str, source: &SourceRef) -> Result<url::Url, SourceError> {
    let declared = source.key.slug.declared();
    let (company, host) = declared
        .split_once('.')
        .filter(|(c, h)| !c.is_empty() && h.contains('.'))
        .ok_or_else(|| {
            SourceError::InvalidSource(format!(
                "successfactors board {declared:?} is not {{company}}.{{host}} \
                 (e.g. acmeP.career5.successfactors.eu)"
            ))
        })?;
    let base = base.replace("{host}", host);
    let mut url = url::Url::parse(&format!("{}/career", base.trim_end_matches('/')))
        .map_err(|e| SourceError::InvalidSource(format!("bad feed URL for {declared:?}: {e}")))?;
    url.query_pairs_mut()
        .append_pair("company", company)
        .append_pair("career_ns", "job_listing_summary")
        .append_pair("resultType", "XML");
    Ok(url)
}

#[async_trait]
impl JobSource for SuccessFactors {
    fn kind(&self) -> AtsKind {
        AtsKind::SuccessFactors
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        _cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let body = self.http.get_xml(feed_url(&self.base, source)?).await?;
        let root = xml::parse_document(&body, "check the company id and data center")?;
        let records = xml::records(&root, RECORDS);
        // The feed is the whole board: no next page.
        Ok(payload::convert_items(
            source,
            &records,
            "jobPosting",
            |raw, path| to_posting(raw, path).map(Some),
        ))
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "")
    }
}
