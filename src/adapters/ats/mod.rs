//! ATS job-board adapters: one `JobSource` per provider over one shared HTTP client.
//!
//! Each adapter file declares its own settings and constructor in a `PROVIDER`
//! ([`ProviderInfo`]); [`PROVIDERS`] lists them, and everything else (settings, wiring,
//! base-URL checks) iterates that list. See `docs/providers.md` for adding a provider.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::domain::AtsKind;
use crate::ports::{JobSource, PageCursor, Region, SourceError, SourceRef};

pub mod ashby;
mod char_refs;
pub mod greenhouse;
mod html_text;
pub mod http;
pub mod lever;
pub mod payload;
pub mod personio;
pub mod recruitee;
pub mod smartrecruiters;
pub mod successfactors;
pub mod text;
pub mod workable;
pub mod workday;
pub mod xml;

pub use http::HttpClient;

/// Every provider's adapter. Adding a provider adds one line here.
pub const PROVIDERS: &[ProviderInfo] = &[
    greenhouse::PROVIDER,
    lever::PROVIDER,
    ashby::PROVIDER,
    smartrecruiters::PROVIDER,
    workable::PROVIDER,
    recruitee::PROVIDER,
    workday::PROVIDER,
    successfactors::PROVIDER,
    personio::PROVIDER,
];

/// What one adapter declares about itself, in one place: the settings it reads (variable
/// names and defaults) and how to build it.
#[derive(Debug, Clone, Copy)]
pub struct ProviderInfo {
    pub kind: AtsKind,
    /// The API host. May contain `{slug}`, replaced by the board's slug (for providers
    /// whose boards are subdomains), or the placeholders its adapter documents
    /// (`{tenant}`, `{shard}`, `{host}`).
    pub base_url: BaseUrlSetting,
    /// The EU instance's API host: `Some` exactly for providers whose domain facts say they
    /// have one (a test checks).
    pub eu_base_url: Option<BaseUrlSetting>,
    /// Provider-specific whole numbers (page sizes, page limits), read from the environment.
    pub numbers: &'static [NumberSetting],
    pub build: fn(HttpClient, &AtsConfig) -> Arc<dyn JobSource>,
}

impl ProviderInfo {
    /// The API host settings, by region.
    pub fn base_urls(&self) -> impl Iterator<Item = (Region, &BaseUrlSetting)> {
        std::iter::once((Region::Global, &self.base_url))
            .chain(self.eu_base_url.as_ref().map(|eu| (Region::Eu, eu)))
    }
}

/// An API host setting: the variable that overrides it, and its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseUrlSetting {
    pub var: &'static str,
    pub default: &'static str,
}

/// A provider-specific whole-number setting: its variable, default and accepted range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberSetting {
    pub var: &'static str,
    pub default: u64,
    pub min: u64,
    pub max: u64,
}

/// The registered adapter of `kind`.
pub fn provider(kind: AtsKind) -> Option<&'static ProviderInfo> {
    PROVIDERS.iter().find(|p| p.kind == kind)
}

/// Settings for the ATS adapters; the app's settings layer fills it from the environment.
/// A provider setting missing from the maps takes the default its adapter declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtsConfig {
    /// Connect timeout and total request timeout (REQUEST_TIMEOUT_S).
    pub timeout: Duration,
    /// Largest response body read; past it the page fails with `TooLarge`.
    pub max_body_bytes: u64,
    pub user_agent: String,
    /// API host per provider and region.
    pub base_urls: HashMap<(AtsKind, Region), String>,
    /// Provider numbers by variable name (`GREENHOUSE_MAX_PAGES`).
    pub numbers: HashMap<&'static str, u64>,
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
            base_urls: HashMap::new(),
            numbers: HashMap::new(),
        }
    }
}

impl AtsConfig {
    /// The API host for boards of `kind` in `region`: as set, else as declared. A region
    /// the provider has no instance for falls back to its global host.
    pub fn base_url(&self, kind: AtsKind, region: Region) -> String {
        let Some(info) = provider(kind) else {
            return String::new();
        };
        let (region, setting) = info
            .base_urls()
            .find(|(r, _)| *r == region)
            .unwrap_or((Region::Global, &info.base_url));
        self.base_urls
            .get(&(kind, region))
            .cloned()
            .unwrap_or_else(|| setting.default.to_string())
    }

    /// A provider number: as set, else as declared.
    pub fn number(&self, setting: &NumberSetting) -> u64 {
        self.numbers
            .get(setting.var)
            .copied()
            .unwrap_or(setting.default)
    }

    /// The same config with one API host replaced.
    pub fn with_base_url(mut self, kind: AtsKind, region: Region, url: impl Into<String>) -> Self {
        self.base_urls.insert((kind, region), url.into());
        self
    }

    /// The same config with one provider number replaced, by variable name.
    pub fn with_number(mut self, var: &'static str, value: u64) -> Self {
        self.numbers.insert(var, value);
        self
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
    for info in PROVIDERS {
        for (region, setting) in info.base_urls() {
            let value = cfg.base_url(info.kind, region);
            let probe = probe_url(&value);
            let ok = Url::parse(&probe).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(AtsError::BaseUrl {
                    name: setting.var,
                    value,
                });
            }
        }
    }
    let http = HttpClient::new(cfg)?;
    Ok(PROVIDERS
        .iter()
        .map(|info| (info.kind, (info.build)(http.clone(), cfg)))
        .collect())
}

/// A base URL with every `{placeholder}` replaced by a plain label, so it can be checked.
pub fn probe_url(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str("probe");
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_exactly_one_adapter_that_says_so() {
        let kinds: Vec<AtsKind> = PROVIDERS.iter().map(|p| p.kind).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), kinds.len(), "a provider is registered twice");
        let mut all = AtsKind::ALL.to_vec();
        all.sort();
        assert_eq!(sorted, all, "every AtsKind needs a line in PROVIDERS");
        let sources = build_sources(&AtsConfig::default()).expect("defaults build");
        for kind in AtsKind::ALL {
            assert_eq!(sources[&kind].kind(), kind);
        }
    }

    #[test]
    fn eu_hosts_match_the_domain_facts_and_variables_are_unique() {
        let mut vars = HashSet::new();
        for info in PROVIDERS {
            assert_eq!(
                info.eu_base_url.is_some(),
                info.kind.has_eu_instance(),
                "{}: EU base URL vs domain facts",
                info.kind
            );
            let names = info
                .base_urls()
                .map(|(_, s)| s.var)
                .chain(info.numbers.iter().map(|n| n.var));
            for var in names {
                assert!(vars.insert(var), "{var} declared twice");
                let prefix = info.kind.as_str().to_ascii_uppercase() + "_";
                assert!(var.starts_with(&prefix), "{var} should start with {prefix}");
            }
            for n in info.numbers {
                assert!((n.min..=n.max).contains(&n.default), "{} default", n.var);
            }
        }
    }

    #[test]
    fn base_urls_default_to_the_declared_ones_and_can_be_replaced() {
        let cfg = AtsConfig::default();
        assert_eq!(
            cfg.base_url(AtsKind::Greenhouse, Region::Global),
            "https://boards-api.greenhouse.io"
        );
        assert_eq!(
            cfg.base_url(AtsKind::Lever, Region::Eu),
            "https://api.eu.lever.co"
        );
        // No EU instance: the global host.
        assert_eq!(
            cfg.base_url(AtsKind::Greenhouse, Region::Eu),
            "https://boards-api.greenhouse.io"
        );
        let cfg = cfg
            .with_base_url(AtsKind::Greenhouse, Region::Global, "http://local")
            .with_number("GREENHOUSE_MAX_PAGES", 7);
        assert_eq!(
            cfg.base_url(AtsKind::Greenhouse, Region::Eu),
            "http://local"
        );
        assert_eq!(cfg.number(&greenhouse::MAX_PAGES), 7);
        let bad = AtsConfig::default().with_base_url(AtsKind::Lever, Region::Eu, "not a url");
        assert!(matches!(
            build_sources(&bad),
            Err(AtsError::BaseUrl {
                name: "LEVER_EU_BASE_URL",
                ..
            })
        ));
    }
}
