//! Personio XML job feed: every published `position` of a company, with its descriptions.
//!
//! A company's feed is at `https://{company}.jobs.personio.com/xml` or, for boards declared
//! `region = "eu"`, on `.de`. A company that has not enabled the feed answers with an HTML
//! page, reported as such.

use std::sync::Arc;

use async_trait::async_trait;

use super::payload::{self, parse_time};
use super::text::{html_to_text, join_blocks};
use super::xml::{self, Record};
use super::{AtsConfig, BaseUrlSetting, HttpClient, ProviderInfo, check_kind, endpoint};
use crate::domain::{AtsKind, Posting};
use crate::ports::{JobSource, Page, PageCursor, Region, SourceError, SourceRef};

/// Personio's settings and constructor.
pub const PROVIDER: ProviderInfo = ProviderInfo {
    kind: AtsKind::Personio,
    base_url: BaseUrlSetting {
        var: "PERSONIO_BASE_URL",
        default: "https://{slug}.jobs.personio.com",
    },
    eu_base_url: Some(BaseUrlSetting {
        var: "PERSONIO_EU_BASE_URL",
        default: "https://{slug}.jobs.personio.de",
    }),
    numbers: &[],
    build: |http, cfg| Arc::new(Personio::new(http, cfg)),
};

const NOT_ENABLED: &str = "the company has not enabled its Personio XML feed, or the \
                           board is on the other domain (region = \"eu\" for .de)";

/// Personio adapter.
pub struct Personio {
    http: HttpClient,
    base: String,
    eu_base: String,
}

impl Personio {
    pub fn new(http: HttpClient, cfg: &AtsConfig) -> Self {
        Personio {
            http,
            base: cfg.base_url(AtsKind::Personio, Region::Global),
            eu_base: cfg.base_url(AtsKind::Personio, Region::Eu),
        }
    }
}

fn to_posting(raw: &str, path: &str, source: &SourceRef) -> Result<Posting, SourceError> {
    let position = Record::parse(raw, path)?;
    let id = position.required("id", path)?;
    let descriptions: Vec<String> = position
        .nested("jobDescriptions")
        .iter()
        .flat_map(|list| list.nested("jobDescription"))
        .map(|d| {
            let body = d
                .text("value")
                .map(|v| html_to_text(&v))
                .unwrap_or_default();
            join_blocks([d.text("name").unwrap_or_default().as_str(), body.as_str()])
        })
        .collect();
    let employment: Vec<String> = ["employmentType", "schedule"]
        .iter()
        .filter_map(|f| position.text(f))
        .collect();
    let tld = match source.region {
        Region::Eu => "de",
        Region::Global => "com",
    };
    let url = format!(
        "https://{}.jobs.personio.{tld}/job/{id}",
        source.key.slug.as_str()
    );
    Ok(Posting {
        title: position.required("name", path)?,
        company: position.text("subcompany"),
        location: position.text("office"),
        department: position.text("department"),
        team: position.text("recruitingCategory"),
        employment_type: (!employment.is_empty()).then(|| employment.join(", ")),
        workplace_type: None,
        url: Some(url.clone()),
        apply_url: Some(url),
        description: join_blocks(descriptions.iter().map(String::as_str)),
        salary_text: None,
        posted_at: parse_time(position.text("createdAt").as_deref()),
        updated_at: None,
        ats_job_id: id,
    })
}

#[async_trait]
impl JobSource for Personio {
    fn kind(&self) -> AtsKind {
        AtsKind::Personio
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        _cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        check_kind(self.kind(), source)?;
        let base = match source.region {
            Region::Eu => &self.eu_base,
            Region::Global => &self.base,
        };
        let mut url = endpoint(base, source.key.slug.as_str(), "/xml")?;
        url.query_pairs_mut().append_pair("language", "en");
        let body = self.http.get_xml(url).await?;
        let root = xml::parse_document(&body, NOT_ENABLED)?;
        let records = xml::records(&root, &["position"]);
        // The feed is the whole board: no next page.
        Ok(payload::convert_items(
            source,
            &records,
            "position",
            |raw, path| to_posting(raw, path, source).map(Some),
        ))
    }

    fn reparse(&self, source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        check_kind(self.kind(), source)?;
        to_posting(raw_json, "", source)
    }
}
