//! Workday career sites through their CXS API: paged search (POST), one detail GET per posting.
//!
//! A board's slug is `{tenant}.{shard}.{site}` (`acme.wd5.External_Careers`), read from the
//! careers URL `https://{tenant}.{shard}.myworkdayjobs.com/[{locale}/]{site}`. A stored item
//! is a wrapper `{"listedOn", "list", "detail"}`: the search item, the detail answer once
//! fetched, and the day it was listed, from which the relative `postedOn` text is dated.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::payload::{self, clean};
use super::text::html_to_text;
use super::{AtsConfig, BaseUrlSetting, HttpClient, NumberSetting, ProviderInfo, check_kind};
use crate::domain::{AtsKind, FetchedPosting, Posting};
use crate::ports::{JobSource, Page, PageCursor, Region, RejectedItem, SourceError, SourceRef};

/// Postings per search request: the most Workday serves.
pub const PAGE_SIZE: u64 = 20;

/// Search pages per board and run (20 postings each).
pub const MAX_PAGES: NumberSetting = NumberSetting {
    var: "WORKDAY_MAX_PAGES",
    default: 150,
    min: 1,
    max: 1000,
};

/// Workday's settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Workday,
    base_url: BaseUrlSetting {
        var: "WORKDAY_BASE_URL",
        // `{tenant}` and `{shard}` come from the board; `/wday/cxs/…` is appended.
        default: "https://{tenant}.{shard}.myworkdayjobs.com",
    },
    eu_base_url: None,
    numbers: &[MAX_PAGES],
    build: |http, cfg| Arc::new(Workday::new(http, cfg)),
};

#[derive(Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    total: Option<u64>,
    #[serde(rename = "jobPostings", default)]
    job_postings: Vec<Box<RawValue>>,
}

/// A search item: what the list shows of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    title: String,
    external_path: String,
    #[serde(default)]
    locations_text: Option<String>,
    #[serde(default)]
    posted_on: Option<String>,
    #[serde(default)]
    bullet_fields: Vec<String>,
}

impl Listed {
    /// Whether the list shows the same posting; `postedOn` is left out, since its relative
    /// text moves every day without anything changing.
    fn same_listing(&self, other: &Listed) -> bool {
        (
            &self.title,
            &self.external_path,
            &self.locations_text,
            &self.bullet_fields,
        ) == (
            &other.title,
            &other.external_path,
            &other.locations_text,
            &other.bullet_fields,
        )
    }

    /// The requisition id when a bullet field holds one, else the path's last segment.
    fn job_id(&self) -> Option<String> {
        let looks_like_req = |s: &&String| {
            let s = s.trim();
            !s.is_empty()
                && s.len() <= 40
                && !s.contains(char::is_whitespace)
                && s.chars().any(|c| c.is_ascii_digit())
        };
        self.bullet_fields
            .iter()
            .find(looks_like_req)
            .map(|s| s.trim().to_string())
            .or_else(|| {
                self.external_path
                    .rsplit('/')
                    .find(|s| !s.is_empty())
                    .map(str::to_string)
            })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailAnswer {
    job_posting_info: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    job_description: Option<String>,
    time_type: Option<String>,
    location: Option<String>,
    external_url: Option<String>,
}

/// What is stored for a posting.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    /// The UTC day the list was read; `postedOn` counts back from it.
    listed_on: NaiveDate,
    /// `posted_at` is derived from relative text, so it is only right to the day.
    #[serde(default)]
    posted_at_approximate: bool,
    list: Listed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<Box<RawValue>>,
}

/// The day `postedOn` names: "Posted Today", "Posted Yesterday", "Posted 3 Days Ago",
/// "Posted 30+ Days Ago" (taken as 30 days).
pub fn posted_day(posted_on: &str, listed_on: NaiveDate) -> Option<NaiveDate> {
    let text = posted_on.trim().to_ascii_lowercase();
    let text = text.strip_prefix("posted").unwrap_or(&text).trim();
    let days_ago = match text {
        "today" => 0,
        "yesterday" => 1,
        _ => {
            let number = text
                .strip_suffix("days ago")
                .or(text.strip_suffix("day ago"))?;
            number.trim().trim_end_matches('+').trim().parse().ok()?
        }
    };
    listed_on.checked_sub_days(Days::new(days_ago))
}

fn to_posting(stored: &Stored, path: &str) -> Result<Posting, SourceError> {
    let list = &stored.list;
    let ats_job_id = list.job_id().ok_or_else(|| SourceError::Malformed {
        path: format!("{path}.externalPath"),
        message: "no requisition id and no path".into(),
    })?;
    let detail: Option<Detail> = match &stored.detail {
        Some(raw) => Some(payload::parse(raw.get().as_bytes(), path)?),
        None => None,
    };
    let detail = detail.as_ref();
    let posted_at = list
        .posted_on
        .as_deref()
        .and_then(|text| posted_day(text, stored.listed_on))
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    Ok(Posting {
        ats_job_id,
        title: list.title.trim().to_string(),
        company: None,
        location: detail
            .and_then(|d| clean(d.location.as_deref()))
            .or_else(|| clean(list.locations_text.as_deref())),
        department: None,
        team: None,
        employment_type: detail.and_then(|d| clean(d.time_type.as_deref())),
        workplace_type: None,
        url: detail.and_then(|d| clean(d.external_url.as_deref())),
        apply_url: None,
        description: detail
            .and_then(|d| d.job_description.as_deref())
            .map(html_to_text)
            .unwrap_or_default(),
        salary_text: None,
        posted_at,
        updated_at: None,
    })
}

fn stored_json(stored: &Stored) -> Result<String, SourceError> {
    serde_json::to_string(stored).map_err(|e| SourceError::Malformed {
        path: ".".into(),
        message: e.to_string(),
    })
}

/// The board's tenant, shard and site, from its declared slug.
struct Site<'a> {
    tenant: &'a str,
    shard: &'a str,
    site: &'a str,
}

fn site(source: &SourceRef) -> Result<Site<'_>, SourceError> {
    let mut parts = source.key.slug.declared().splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(tenant), Some(shard), Some(site))
            if !tenant.is_empty() && shard.starts_with("wd") && !site.is_empty() =>
        {
            Ok(Site {
                tenant,
                shard,
                site,
            })
        }
        _ => Err(SourceError::InvalidSource(format!(
            "workday board {:?} is not {{tenant}}.{{shard}}.{{site}} (e.g. acme.wd5.External)",
            source.key.slug.declared()
        ))),
    }
}

/// Workday adapter.
pub struct Workday {
    http: HttpClient,
    base: String,
    max_pages: u32,
}

impl Workday {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Workday {
            http,
            base: cfg.base_url(AtsKind::Workday, Region::Global),
            max_pages: u32::try_from(cfg.number(&MAX_PAGES)).unwrap_or(u32::MAX),
        }
    }

    /// `{base}/wday/cxs/{tenant}/{site}{rest}`. The parts are validated slug characters;
    /// `rest` is a path the API itself gave, parsed as a path only.
    fn url(&self, site: &Site<'_>, rest: &str) -> Result<url::Url, SourceError> {
        let base = self
            .base
            .replace("{tenant}", site.tenant)
            .replace("{shard}", site.shard);
        let mut url = url::Url::parse(base.trim_end_matches('/'))
            .map_err(|e| SourceError::InvalidSource(format!("bad Workday URL: {e}")))?;
        let path = format!(
            "{}/wday/cxs/{}/{}{}",
            url.path().trim_end_matches('/'),
            site.tenant,
            site.site,
            rest
        );
        url.set_path(&path);
        Ok(url)
    }
}

/// Where the next search page starts, and the total the first page announced (some
/// tenants send it on the first page only).
fn cursor_parts(cursor: Option<&PageCursor>) -> Result<(u64, Option<u64>), SourceError> {
    match cursor {
        None => Ok((0, None)),
        Some(PageCursor::Offset(n)) => Ok((*n, None)),
        Some(PageCursor::Token(t)) => {
            let bad = || SourceError::InvalidSource(format!("bad Workday cursor {t:?}"));
            let (offset, total) = t.split_once(':').ok_or_else(bad)?;
            let offset = offset.parse().map_err(|_| bad())?;
            let total = match total {
                "" => None,
                n => Some(n.parse().map_err(|_| bad())?),
            };
            Ok((offset, total))
        }
    }
}

#[async_trait]
impl JobSource for Workday {
    fn kind(&self) -> AtsKind {
        AtsKind::Workday
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
        let site = site(source)?;
        let (offset, known_total) = cursor_parts(cursor)?;
        let url = self.url(&site, "/jobs")?;
        let query = serde_json::json!({
            "appliedFacets": {},
            "limit": PAGE_SIZE,
            "offset": offset,
            "searchText": "",
        });
        let body = self
            .http
            .post_json(url, None, query.to_string().into_bytes())
            .await?;
        let answer: SearchAnswer = payload::parse(&body, "")?;
        let listed_on = Utc::now().date_naive();
        let mut postings = Vec::with_capacity(answer.job_postings.len());
        let mut rejected = Vec::new();
        for (i, item) in answer.job_postings.iter().enumerate() {
            let path = format!("jobPostings[{i}]");
            let converted =
                payload::parse::<Listed>(item.get().as_bytes(), &path).and_then(|list| {
                    let stored = Stored {
                        listed_on,
                        posted_at_approximate: list.posted_on.is_some(),
                        list,
                        detail: None,
                    };
                    Ok(FetchedPosting {
                        posting: to_posting(&stored, &path)?,
                        raw_json: stored_json(&stored)?,
                    })
                });
            match converted {
                Ok(posting) => postings.push(posting),
                Err(SourceError::Malformed { path, message }) => rejected.push(RejectedItem {
                    path,
                    reason: message,
                }),
                Err(other) => return Err(other),
            }
        }
        // A zero total on a later page means "not sent", not an empty board.
        let total = answer
            .total
            .filter(|t| *t > 0 || offset == 0)
            .or(known_total);
        let count = answer.job_postings.len() as u64;
        let end = offset + count;
        let done = count < PAGE_SIZE || total.is_some_and(|t| end >= t);
        let next = (!done).then(|| {
            PageCursor::Token(format!(
                "{end}:{}",
                total.map(|t| t.to_string()).unwrap_or_default()
            ))
        });
        Ok(Page {
            postings,
            rejected,
            next,
        })
    }

    fn lists_without_details(&self) -> bool {
        true
    }

    fn reuse_details(
        &self,
        listed: &FetchedPosting,
        stored_raw_json: &str,
    ) -> Option<FetchedPosting> {
        let now: Stored = serde_json::from_str(&listed.raw_json).ok()?;
        let before: Stored = serde_json::from_str(stored_raw_json).ok()?;
        if before.detail.is_none() || !before.list.same_listing(&now.list) {
            return None;
        }
        Some(FetchedPosting {
            posting: to_posting(&before, "").ok()?,
            raw_json: stored_raw_json.to_string(),
        })
    }

    async fn fetch_detail(
        &self,
        source: &SourceRef,
        listed: &FetchedPosting,
    ) -> Result<FetchedPosting, SourceError> {
        check_kind(self.kind(), source)?;
        let site = site(source)?;
        let mut stored: Stored = payload::parse(listed.raw_json.as_bytes(), "")?;
        let external_path = stored.list.external_path.clone();
        if !external_path.starts_with('/')
            || external_path.contains("..")
            || external_path.contains(['?', '#'])
        {
            return Err(SourceError::Malformed {
                path: "externalPath".into(),
                message: format!("not a posting path: {external_path:?}"),
            });
        }
        let body = self.http.get(self.url(&site, &external_path)?).await?;
        let answer: DetailAnswer = payload::parse(&body, "")?;
        stored.detail = Some(answer.job_posting_info);
        Ok(FetchedPosting {
            posting: to_posting(&stored, "jobPostingInfo")?,
            raw_json: stored_json(&stored)?,
        })
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        let stored: Stored = payload::parse(raw_json.as_bytes(), "")?;
        to_posting(&stored, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_dates_count_back_from_the_listing_day() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let back = |n| day.checked_sub_days(Days::new(n));
        assert_eq!(posted_day("Posted Today", day), back(0));
        assert_eq!(posted_day("Posted Yesterday", day), back(1));
        assert_eq!(posted_day("Posted 3 Days Ago", day), back(3));
        assert_eq!(posted_day("posted 1 day ago", day), back(1));
        assert_eq!(posted_day("Posted 30+ Days Ago", day), back(30));
        assert_eq!(posted_day("Recently", day), None);
    }

    #[test]
    fn the_job_id_is_the_requisition_else_the_path_end() {
        let mut listed = Listed {
            title: "Engineer".into(),
            external_path: "/job/Berlin/Engineer_JR-77".into(),
            locations_text: Some("Berlin".into()),
            posted_on: None,
            bullet_fields: vec!["R-1234".into()],
        };
        assert_eq!(listed.job_id().as_deref(), Some("R-1234"));
        listed.bullet_fields = vec!["2 Locations".into(), "Berlin".into()];
        assert_eq!(listed.job_id().as_deref(), Some("Engineer_JR-77"));
    }

    #[test]
    fn cursors_carry_the_first_pages_total() {
        assert_eq!(cursor_parts(None).unwrap(), (0, None));
        let t = PageCursor::Token("40:45".into());
        assert_eq!(cursor_parts(Some(&t)).unwrap(), (40, Some(45)));
        let t = PageCursor::Token("20:".into());
        assert_eq!(cursor_parts(Some(&t)).unwrap(), (20, None));
        assert!(cursor_parts(Some(&PageCursor::Token("x".into()))).is_err());
    }
}
