//! Settings from the environment (and `.env`), validated all at once before any work.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::ingest::RetryPolicy;
use crate::adapters::ats::PROVIDERS;
use crate::adapters::db::{DatabaseTarget, MysqlParts, default_sqlite_path};
use crate::adapters::webhook::WebhookFormat;
use crate::domain::sync::{Prop, PropertyNames, PropertyNamesError};
use crate::domain::{AtsKind, Cap};
use crate::ports::Region;

/// A value that must never be printed: `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (journald, log shippers).
    Json,
    /// Human-readable lines, with progress bars on a terminal.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotionSettings {
    pub token: Option<Secret>,
    pub data_source_id: Option<String>,
    pub version: String,
    pub base_url: String,
    /// `NOTION_RPS`: requests per second on average (token bucket).
    pub rps: u32,
    /// `NOTION_PROP_*`: the data source's property names (the Python version's by default).
    pub property_names: PropertyNames,
}

/// LLM enrichment through an OpenAI-compatible chat-completions API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmSettings {
    /// `ENRICH_WITH_LLM`: off by default; when off, no request is ever sent.
    pub enabled: bool,
    /// `ENRICH_LIMIT`: jobs enriched per run at most.
    pub limit: u32,
    /// `OPENAI_API_KEY`: sent as a bearer token; local servers usually need none.
    pub api_key: Option<Secret>,
    pub model: String,
    /// `OPENAI_BASE_URL`, without a trailing slash.
    pub base_url: String,
    /// `ENRICH_MAX_TOKENS_PER_DAY`: prompt and completion tokens per UTC day; 0 = unlimited.
    pub max_tokens_per_day: Cap,
    /// `OPENAI_TIMEOUT_S`: one request's timeout (local models can be slow).
    pub timeout: Duration,
}

pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Every setting jobs-bot reads. Built only through [`Settings::from_lookup`], which
/// validates everything and reports every problem at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// From `DATABASE_URL`, else `MYSQL_*`, else the embedded SQLite default. Its
    /// `Debug` and `Display` never show the password.
    pub database: DatabaseTarget,
    pub notion: NotionSettings,
    pub sync_to_notion: bool,
    pub sync_limit: u32,
    pub fit_min: u8,
    pub max_calls_per_day: Cap,
    pub max_new_jobs_per_day: Cap,
    pub max_fetch_per_run: u32,
    pub ingest_per_source_limit: Option<u32>,
    pub request_timeout: Duration,
    pub max_body_bytes: u64,
    /// `SOURCES_FILE`; `None` means `sources.toml` in the working directory, if present.
    pub sources_file: Option<PathBuf>,
    /// `PROFILES_DIR`: one folder per profile (CV and `profile.toml`); `None` means
    /// `profiles/` in the working directory, if present.
    pub profiles_dir: Option<PathBuf>,
    /// `PROFILE_ID`: run only this profile, as the Python version did.
    pub profile_id: Option<String>,
    pub log_format: Option<LogFormat>,
    pub log_level: String,
    /// Every provider's API host per region (`GREENHOUSE_BASE_URL`, `LEVER_EU_BASE_URL`,
    /// …), read as the adapters in `PROVIDERS` declare them; tests point them at a fake.
    pub base_urls: HashMap<(AtsKind, Region), String>,
    /// Every provider's own numbers by variable name (`GREENHOUSE_MAX_PAGES`, …).
    pub provider_numbers: HashMap<&'static str, u64>,
    pub retry: RetryPolicy,
    pub ingest_concurrency: usize,
    pub politeness_delay: Duration,
    /// `WORKER_LEASE_S`: how long a claimed source stays a worker's without renewal.
    pub worker_lease: Duration,
    /// `ALERT_WEBHOOK_URL`: where `jobs-bot alert` posts; a secret (it often embeds a token).
    pub alert_webhook_url: Option<Secret>,
    /// `ALERT_WEBHOOK_FORMAT`: how the alert message is shaped.
    pub alert_webhook_format: WebhookFormat,
    pub llm: LlmSettings,
    /// The Python version's variables that are set but that jobs-bot has no feature for;
    /// named in one `setting_ignored` warning at start.
    pub ignored_settings: Vec<&'static str>,
}

/// Variables the Python version read for features jobs-bot does not have (automatic source
/// discovery). Every other variable it read is honoured with the same meaning.
pub const PYTHON_ONLY_SETTINGS: [&str; 10] = [
    "DISCOVERY_ENABLE",
    "DISCOVERY_REGIONS",
    "DISCOVERY_MAX_COMPANIES_PER_REGION",
    "DISCOVERY_REQUEST_DELAY_S",
    "DISCOVERY_MAX_SOURCES_PER_RUN",
    "DISCOVERY_VERIFY_ENABLE",
    "DISCOVERY_VERIFY_MAX_PER_RUN",
    "DISCOVERY_USER_AGENT",
    "WIKIDATA_USER_AGENT",
    "WIKIDATA_NAME_FALLBACK_ENABLE",
];

/// One invalid setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub variable: &'static str,
    pub message: String,
}

/// Every problem found, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration:\n{}", self.lines())]
pub struct ConfigError {
    pub problems: Vec<ConfigProblem>,
}

impl ConfigError {
    fn lines(&self) -> String {
        self.problems
            .iter()
            .map(|p| format!("  - {}: {}", p.variable, p.message))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Reads variables and collects problems instead of stopping at the first.
struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    /// The trimmed value; empty counts as unset.
    fn raw(&self, var: &str) -> Option<String> {
        (self.lookup)(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn problem(&mut self, variable: &'static str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            variable,
            message: message.into(),
        });
    }

    fn string(&self, var: &'static str, default: &str) -> String {
        self.raw(var).unwrap_or_else(|| default.to_string())
    }

    /// A whole number in `min..=max`. The value is echoed in the message: none of the
    /// numeric variables is secret.
    fn number(&mut self, var: &'static str, default: u64, min: u64, max: u64) -> u64 {
        let Some(raw) = self.raw(var) else {
            return default;
        };
        match raw.parse::<u64>() {
            Ok(v) if (min..=max).contains(&v) => v,
            Ok(v) => {
                self.problem(var, format!("{v} is out of range ({min} to {max})"));
                default
            }
            Err(_) => {
                self.problem(var, format!("{raw:?} is not a whole number"));
                default
            }
        }
    }

    fn flag(&mut self, var: &'static str) -> Option<bool> {
        let raw = self.raw(var)?;
        match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Some(true),
            "0" | "false" | "no" | "off" => Some(false),
            _ => {
                self.problem(var, format!("{raw:?} is not 0 or 1"));
                None
            }
        }
    }

    fn url(&mut self, var: &'static str, default: &str) -> String {
        let value = self.string(var, default).trim_end_matches('/').to_string();
        let probe = crate::adapters::ats::probe_url(&value);
        match url::Url::parse(&probe) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => value,
            _ => {
                self.problem(var, format!("{value:?} is not an http(s) URL"));
                default.to_string()
            }
        }
    }

    fn secret(&self, var: &str) -> Option<Secret> {
        (self.lookup)(var)
            .filter(|v| !v.trim().is_empty())
            .map(Secret::new)
    }
}

pub const DEFAULT_NOTION_VERSION: &str = "2025-09-03";

impl Settings {
    /// Reads the process environment (after `.env` was loaded into it).
    pub fn from_env() -> Result<Settings, ConfigError> {
        Self::from_lookup(&|k| std::env::var(k).ok())
    }

    pub fn from_map(vars: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        Self::from_lookup(&|k| vars.get(k).cloned())
    }

    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let mut r = Reader {
            lookup,
            problems: Vec::new(),
        };
        let database = read_database(&mut r);
        let notion_token = r.secret("NOTION_TOKEN");
        let data_source_id = r.raw("NOTION_DATA_SOURCE_ID");
        let sync_flag = r.flag("SYNC_TO_NOTION");
        // Unset means "on when a token is configured", so a fresh install runs without Notion.
        let sync_to_notion = sync_flag.unwrap_or(notion_token.is_some());
        // NOTION_DATA_SOURCE_ID is only a fallback: whether every profile has a data
        // source is checked against the profiles (`sync::notion_destination_problems`).
        if sync_to_notion && notion_token.is_none() {
            r.problem("NOTION_TOKEN", "required when SYNC_TO_NOTION=1");
        }
        let notion = NotionSettings {
            token: notion_token,
            data_source_id,
            version: r.string("NOTION_VERSION", DEFAULT_NOTION_VERSION),
            base_url: r.url("NOTION_BASE_URL", "https://api.notion.com"),
            rps: r.number("NOTION_RPS", 3, 1, 100) as u32,
            property_names: read_property_names(&mut r),
        };

        let log_format = match r.raw("LOG_FORMAT").map(|v| v.to_ascii_lowercase()) {
            None => None,
            Some(v) if v == "json" => Some(LogFormat::Json),
            Some(v) if v == "text" => Some(LogFormat::Text),
            Some(v) => {
                r.problem("LOG_FORMAT", format!("{v:?} is not json or text"));
                None
            }
        };
        let log_level = r.string("LOG_LEVEL", "info");
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err() {
            r.problem(
                "LOG_LEVEL",
                format!("{log_level:?} is not a log level or filter"),
            );
        }

        let settings = Settings {
            database: database.unwrap_or_else(|| DatabaseTarget::Sqlite(PathBuf::new())),
            sync_to_notion,
            sync_limit: r.number("SYNC_LIMIT", 50, 1, 10_000) as u32,
            fit_min: r.number("FIT_MIN", 60, 0, 100) as u8,
            max_calls_per_day: Cap(r.number("MAX_CALLS_PER_DAY", 50, 0, u32::MAX.into()) as u32),
            max_new_jobs_per_day: Cap(
                r.number("MAX_NEW_JOBS_PER_DAY", 200, 0, u32::MAX.into()) as u32
            ),
            max_fetch_per_run: r.number("MAX_FETCH_PER_RUN", 50, 1, u32::MAX.into()) as u32,
            ingest_per_source_limit: match r.number(
                "INGEST_PER_SOURCE_LIMIT",
                0,
                0,
                u32::MAX.into(),
            ) {
                0 => None,
                n => Some(n as u32),
            },
            request_timeout: Duration::from_secs(r.number("REQUEST_TIMEOUT_S", 20, 1, 600)),
            max_body_bytes: r.number("MAX_BODY_MB", 64, 1, 1024) * 1024 * 1024,
            sources_file: r.raw("SOURCES_FILE").map(PathBuf::from),
            profiles_dir: r.raw("PROFILES_DIR").map(PathBuf::from),
            profile_id: r.raw("PROFILE_ID"),
            log_format,
            log_level,
            base_urls: read_base_urls(&mut r),
            provider_numbers: read_provider_numbers(&mut r),
            retry: RetryPolicy {
                max_attempts: r.number("RETRY_MAX_ATTEMPTS", 3, 1, 10) as u32,
                base_delay: Duration::from_millis(r.number("RETRY_BASE_DELAY_MS", 1000, 0, 60_000)),
                max_delay: Duration::from_secs(r.number("RETRY_MAX_WAIT_S", 60, 0, 3600)),
            },
            ingest_concurrency: r.number("INGEST_CONCURRENCY", 4, 1, 32) as usize,
            politeness_delay: Duration::from_millis(r.number(
                "POLITENESS_DELAY_MS",
                1000,
                0,
                60_000,
            )),
            worker_lease: Duration::from_secs(r.number("WORKER_LEASE_S", 300, 1, 86_400)),
            notion,
            alert_webhook_url: read_webhook_url(&mut r),
            alert_webhook_format: read_webhook_format(&mut r),
            llm: read_llm(&mut r),
            ignored_settings: PYTHON_ONLY_SETTINGS
                .into_iter()
                .filter(|var| r.raw(var).is_some())
                .collect(),
        };
        if r.problems.is_empty() {
            Ok(settings)
        } else {
            Err(ConfigError {
                problems: r.problems,
            })
        }
    }
}

impl Settings {
    /// The sources file, and whether it must exist (it must when named explicitly).
    /// The profiles folder, and whether it must exist (it must when named explicitly).
    pub fn profiles_path(&self) -> (PathBuf, bool) {
        match &self.profiles_dir {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("profiles"), false),
        }
    }

    pub fn sources_path(&self) -> (PathBuf, bool) {
        match &self.sources_file {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("sources.toml"), false),
        }
    }
}

/// The variable that renames each Notion property (`NOTION_PROP_` + the default name in
/// capitals, spaces as `_`).
pub const NOTION_PROPERTY_VARS: &[(Prop, &str)] = &[
    (Prop::JobTitle, "NOTION_PROP_JOB_TITLE"),
    (Prop::JobUid, "NOTION_PROP_JOB_UID"),
    (Prop::Profile, "NOTION_PROP_PROFILE"),
    (Prop::Company, "NOTION_PROP_COMPANY"),
    (Prop::JobUrl, "NOTION_PROP_JOB_URL"),
    (Prop::FitScore, "NOTION_PROP_FIT_SCORE"),
    (Prop::FitClass, "NOTION_PROP_FIT_CLASS"),
    (Prop::FirstSeen, "NOTION_PROP_FIRST_SEEN"),
    (Prop::LastChecked, "NOTION_PROP_LAST_CHECKED"),
    (Prop::Source, "NOTION_PROP_SOURCE"),
    (Prop::Region, "NOTION_PROP_REGION"),
    (Prop::Status, "NOTION_PROP_STATUS"),
    (Prop::Location, "NOTION_PROP_LOCATION"),
    (Prop::Workplace, "NOTION_PROP_WORKPLACE"),
    (Prop::Salary, "NOTION_PROP_SALARY"),
    (Prop::Why, "NOTION_PROP_WHY"),
    (Prop::Closed, "NOTION_PROP_CLOSED"),
];

fn read_property_names(r: &mut Reader<'_>) -> PropertyNames {
    let renames: Vec<(Prop, String)> = NOTION_PROPERTY_VARS
        .iter()
        .filter_map(|(prop, var)| r.raw(var).map(|name| (*prop, name)))
        .collect();
    match PropertyNames::renamed(renames) {
        Ok(names) => names,
        Err(problems) => {
            let var_of = |prop: Prop| {
                NOTION_PROPERTY_VARS
                    .iter()
                    .find(|(p, _)| *p == prop)
                    .map_or("NOTION_PROP_*", |(_, v)| *v)
            };
            for problem in problems {
                let var = match &problem {
                    PropertyNamesError::Empty { prop } => var_of(*prop),
                    PropertyNamesError::Duplicate { second, .. } => var_of(*second),
                };
                r.problem(var, problem.to_string());
            }
            PropertyNames::default()
        }
    }
}

/// `ALERT_WEBHOOK_URL`, an http(s) URL. Its value is never echoed: webhook URLs carry tokens.
fn read_webhook_url(r: &mut Reader<'_>) -> Option<Secret> {
    let url = r.secret("ALERT_WEBHOOK_URL")?;
    match url::Url::parse(url.expose().trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Some(Secret::new(url.expose().trim()))
        }
        _ => {
            r.problem(
                "ALERT_WEBHOOK_URL",
                "is not an http(s) URL (value not shown: it is a secret)",
            );
            None
        }
    }
}

/// The LLM enrichment settings. The key is required when enrichment is on and the endpoint
/// is OpenAI's (a local server usually needs none); it is never echoed.
fn read_llm(r: &mut Reader<'_>) -> LlmSettings {
    let enabled = r.flag("ENRICH_WITH_LLM").unwrap_or(false);
    let base_url = r.url("OPENAI_BASE_URL", DEFAULT_OPENAI_BASE_URL);
    let api_key = r
        .secret("OPENAI_API_KEY")
        .map(|k| Secret::new(k.expose().trim()));
    let openai = url::Url::parse(&base_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.ends_with("openai.com")))
        .unwrap_or(false);
    if enabled && openai && api_key.is_none() {
        r.problem(
            "OPENAI_API_KEY",
            "required when ENRICH_WITH_LLM=1 and OPENAI_BASE_URL is OpenAI's",
        );
    }
    LlmSettings {
        enabled,
        limit: r.number("ENRICH_LIMIT", 10, 1, 100_000) as u32,
        api_key,
        model: r.string("OPENAI_MODEL", "gpt-4.1-mini"),
        base_url,
        max_tokens_per_day: Cap(r.number("ENRICH_MAX_TOKENS_PER_DAY", 0, 0, u32::MAX.into()) as u32),
        timeout: Duration::from_secs(r.number("OPENAI_TIMEOUT_S", 120, 1, 3600)),
    }
}

/// `ALERT_WEBHOOK_FORMAT`: slack, discord, ntfy or json (the default).
fn read_webhook_format(r: &mut Reader<'_>) -> WebhookFormat {
    let Some(raw) = r.raw("ALERT_WEBHOOK_FORMAT") else {
        return WebhookFormat::default();
    };
    raw.parse().unwrap_or_else(|message: String| {
        r.problem("ALERT_WEBHOOK_FORMAT", message);
        WebhookFormat::default()
    })
}

/// Each registered provider's API hosts, by the variables its adapter declares.
fn read_base_urls(r: &mut Reader<'_>) -> HashMap<(AtsKind, Region), String> {
    let mut urls = HashMap::new();
    for info in PROVIDERS {
        for (region, setting) in info.base_urls() {
            urls.insert((info.kind, region), r.url(setting.var, setting.default));
        }
    }
    urls
}

/// Each registered provider's own numbers, by the variables its adapter declares.
fn read_provider_numbers(r: &mut Reader<'_>) -> HashMap<&'static str, u64> {
    PROVIDERS
        .iter()
        .flat_map(|info| info.numbers)
        .map(|n| (n.var, r.number(n.var, n.default, n.min, n.max)))
        .collect()
}

/// `MYSQL_*` variables: all-or-nothing once `MYSQL_HOST` is set.
fn read_mysql(r: &mut Reader<'_>) -> Option<MysqlParts> {
    let host = r.raw("MYSQL_HOST");
    let port = r.number("MYSQL_PORT", 3306, 1, 65_535) as u16;
    let db = r.raw("MYSQL_DB");
    let user = r.raw("MYSQL_USER");
    let password = r.secret("MYSQL_PASSWORD");
    let host = host?;
    if db.is_none() {
        r.problem("MYSQL_DB", "required when MYSQL_HOST is set");
    }
    if user.is_none() {
        r.problem("MYSQL_USER", "required when MYSQL_HOST is set");
    }
    Some(MysqlParts {
        host,
        port: Some(port),
        db: db.unwrap_or_default(),
        user: user.unwrap_or_default(),
        password: password.map(|p| p.expose().to_string()),
    })
}

/// `DATABASE_URL` wins, then `MYSQL_*`, then the SQLite file in the user's data directory.
fn read_database(r: &mut Reader<'_>) -> Option<DatabaseTarget> {
    let url = r.secret("DATABASE_URL");
    let mysql = read_mysql(r);
    let variable = if url.is_some() {
        "DATABASE_URL"
    } else {
        "MYSQL_HOST"
    };
    if url.is_none() && mysql.is_none() && default_sqlite_path().is_none() {
        r.problem(
            "DATABASE_URL",
            "not set, and there is no HOME or XDG_DATA_HOME for the default SQLite file",
        );
        return None;
    }
    let default = default_sqlite_path().unwrap_or_default();
    if url.is_none() && r.problems.iter().any(|p| p.variable.starts_with("MYSQL_")) {
        return None;
    }
    // The resolver's messages never contain the password.
    match DatabaseTarget::resolve(url.as_ref().map(Secret::expose), mysql, default) {
        Ok(target) => Some(target),
        Err(err) => {
            r.problem(variable, err.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sync::PROPERTIES;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_map(&map)
    }

    fn named(err: &ConfigError) -> Vec<&'static str> {
        err.problems.iter().map(|p| p.variable).collect()
    }

    #[test]
    fn defaults_follow_the_seed_spec() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.sync_limit, 50);
        assert_eq!(s.fit_min, 60);
        assert_eq!(s.max_calls_per_day, Cap(50));
        assert_eq!(s.max_new_jobs_per_day, Cap(200));
        assert_eq!(s.max_fetch_per_run, 50);
        assert_eq!(s.request_timeout, Duration::from_secs(20));
        assert_eq!(s.provider_numbers["GREENHOUSE_PER_PAGE"], 100);
        assert_eq!(s.provider_numbers["GREENHOUSE_MAX_PAGES"], 50);
        assert_eq!(s.provider_numbers["LEVER_PAGE_SIZE"], 0);
        assert_eq!(
            s.base_urls[&(AtsKind::Greenhouse, Region::Global)],
            "https://boards-api.greenhouse.io"
        );
        assert_eq!(
            s.base_urls[&(AtsKind::Recruitee, Region::Global)],
            "https://{slug}.recruitee.com"
        );
        assert_eq!(
            s.base_urls[&(AtsKind::Lever, Region::Eu)],
            "https://api.eu.lever.co"
        );
        assert!(!s.base_urls.contains_key(&(AtsKind::Greenhouse, Region::Eu)));
        assert_eq!(s.ingest_per_source_limit, None);
        assert_eq!(s.notion.version, "2025-09-03");
        assert!(!s.sync_to_notion, "no token: Notion sync is off by default");
        assert_eq!(s.sources_path(), (PathBuf::from("sources.toml"), false));
        assert!(matches!(s.database, DatabaseTarget::Sqlite(_)));
    }

    #[test]
    fn every_bad_variable_is_named_at_once() {
        let err = settings(&[
            ("MAX_FETCH_PER_RUN", "0"),
            ("FIT_MIN", "sixty"),
            ("SYNC_TO_NOTION", "1"),
            ("REQUEST_TIMEOUT_S", "-3"),
            ("LOG_FORMAT", "xml"),
            ("GREENHOUSE_BASE_URL", "ftp://x"),
            ("NOTION_PROP_WHY", "Fit score"),
        ])
        .unwrap_err();
        let vars = named(&err);
        for v in [
            "MAX_FETCH_PER_RUN",
            "FIT_MIN",
            "NOTION_TOKEN",
            "NOTION_PROP_WHY",
            "REQUEST_TIMEOUT_S",
            "LOG_FORMAT",
            "GREENHOUSE_BASE_URL",
        ] {
            assert!(vars.contains(&v), "{v} missing from {vars:?}");
        }
        let text = err.to_string();
        assert!(text.contains("MAX_FETCH_PER_RUN: 0 is out of range"));
        assert!(text.contains("FIT_MIN: \"sixty\" is not a whole number"));
    }

    #[test]
    fn provider_variables_come_from_the_registry() {
        let s = settings(&[
            ("LEVER_EU_BASE_URL", "http://127.0.0.1:9/eu/"),
            ("RECRUITEE_BASE_URL", "http://127.0.0.1:9/{slug}"),
            ("LEVER_PAGE_SIZE", "25"),
            // Placeholders in the host are the adapter's to fill.
            ("WORKDAY_BASE_URL", "https://{tenant}.{shard}.example"),
        ])
        .unwrap();
        assert_eq!(
            s.base_urls[&(AtsKind::Workday, Region::Global)],
            "https://{tenant}.{shard}.example"
        );
        assert_eq!(
            s.base_urls[&(AtsKind::Lever, Region::Eu)],
            "http://127.0.0.1:9/eu"
        );
        assert_eq!(
            s.base_urls[&(AtsKind::Recruitee, Region::Global)],
            "http://127.0.0.1:9/{slug}"
        );
        assert_eq!(s.provider_numbers["LEVER_PAGE_SIZE"], 25);
        let err = settings(&[
            ("GREENHOUSE_MAX_PAGES", "0"),
            ("SMARTRECRUITERS_PAGE_SIZE", "101"),
            ("WORKABLE_BASE_URL", "apply.workable.com"),
            ("WORKDAY_MAX_PAGES", "0"),
            ("PERSONIO_EU_BASE_URL", "{slug}.jobs.personio.de"),
        ])
        .unwrap_err();
        let mut vars = named(&err);
        vars.sort();
        assert_eq!(
            vars,
            [
                "GREENHOUSE_MAX_PAGES",
                "PERSONIO_EU_BASE_URL",
                "SMARTRECRUITERS_PAGE_SIZE",
                "WORKABLE_BASE_URL",
                "WORKDAY_MAX_PAGES",
            ]
        );
    }

    #[test]
    fn notion_property_names_can_be_renamed_and_never_clash() {
        let s = settings(&[
            ("NOTION_PROP_JOB_TITLE", "Role"),
            ("NOTION_PROP_FIT_SCORE", " Score "),
        ])
        .unwrap();
        assert_eq!(s.notion.property_names.name(Prop::JobTitle), "Role");
        assert_eq!(s.notion.property_names.name(Prop::FitScore), "Score");
        assert_eq!(s.notion.property_names.name(Prop::JobUid), "Job UID");
        let err = settings(&[("NOTION_PROP_COMPANY", "Job UID")]).unwrap_err();
        assert_eq!(named(&err), vec!["NOTION_PROP_COMPANY"]);
        assert!(err.to_string().contains("Job UID"), "{err}");
    }

    #[test]
    fn every_notion_property_has_one_variable_named_after_its_default() {
        assert_eq!(NOTION_PROPERTY_VARS.len(), PROPERTIES.len());
        for spec in PROPERTIES {
            let vars: Vec<&str> = NOTION_PROPERTY_VARS
                .iter()
                .filter(|(p, _)| *p == spec.prop)
                .map(|(_, v)| *v)
                .collect();
            let expected = format!(
                "NOTION_PROP_{}",
                spec.name.to_ascii_uppercase().replace(' ', "_")
            );
            assert_eq!(vars, vec![expected.as_str()]);
        }
    }

    #[test]
    fn notion_defaults_on_only_with_a_token() {
        let s = settings(&[
            ("NOTION_TOKEN", "secret_abc"),
            ("NOTION_DATA_SOURCE_ID", "ds"),
        ])
        .unwrap();
        assert!(s.sync_to_notion);
        let s = settings(&[("NOTION_TOKEN", "secret_abc"), ("SYNC_TO_NOTION", "0")]).unwrap();
        assert!(!s.sync_to_notion);
        // The data source may come from each profile: the fallback is not required here.
        let s = settings(&[("NOTION_TOKEN", "secret_abc")]).unwrap();
        assert!(s.sync_to_notion);
        assert_eq!(s.notion.data_source_id, None);
        let err = settings(&[("SYNC_TO_NOTION", "1")]).unwrap_err();
        assert_eq!(named(&err), vec!["NOTION_TOKEN"]);
    }

    #[test]
    fn secrets_never_show_in_debug_or_errors() {
        let s = settings(&[
            ("NOTION_TOKEN", "secret_notion_value"),
            ("SYNC_TO_NOTION", "0"),
            ("MYSQL_HOST", "db"),
            ("MYSQL_DB", "jobs"),
            ("MYSQL_USER", "bot"),
            ("MYSQL_PASSWORD", "hunter2-password"),
            ("DATABASE_URL", "mysql://bot:dburl-password@db/jobs"),
        ])
        .unwrap();
        let debug = format!("{s:?}");
        for secret in ["secret_notion_value", "hunter2-password", "dburl-password"] {
            assert!(!debug.contains(secret), "{secret} leaked in {debug}");
        }
        let err = settings(&[
            ("DATABASE_URL", "postgres://u:pg-password@h/db"),
            ("MYSQL_HOST", "db"),
            ("MYSQL_PASSWORD", "hunter2-password"),
        ])
        .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("pg-password") && !text.contains("hunter2-password"));
        let mut vars = named(&err);
        vars.sort();
        assert_eq!(vars, vec!["DATABASE_URL", "MYSQL_DB", "MYSQL_USER"]);
    }

    #[test]
    fn alert_webhook_settings_are_validated_without_echoing_the_url() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.alert_webhook_url, None);
        assert_eq!(s.alert_webhook_format, WebhookFormat::Json);
        assert_eq!(s.profiles_path(), (PathBuf::from("profiles"), false));
        let s = settings(&[
            ("ALERT_WEBHOOK_URL", "https://hooks.example/T0/secret-path"),
            ("ALERT_WEBHOOK_FORMAT", "Discord"),
            ("PROFILES_DIR", "/srv/profiles"),
        ])
        .unwrap();
        assert_eq!(
            s.alert_webhook_url.as_ref().map(Secret::expose),
            Some("https://hooks.example/T0/secret-path")
        );
        assert_eq!(s.alert_webhook_format, WebhookFormat::Discord);
        assert_eq!(s.profiles_path(), (PathBuf::from("/srv/profiles"), true));
        assert!(!format!("{s:?}").contains("secret-path"));
        let err = settings(&[
            ("ALERT_WEBHOOK_URL", "not-a-url-secret-xyz"),
            ("ALERT_WEBHOOK_FORMAT", "teams"),
        ])
        .unwrap_err();
        let mut vars = named(&err);
        vars.sort();
        assert_eq!(vars, ["ALERT_WEBHOOK_FORMAT", "ALERT_WEBHOOK_URL"]);
        assert!(!err.to_string().contains("secret-xyz"));
    }

    #[test]
    fn llm_enrichment_is_off_by_default_and_validated_when_on() {
        let s = settings(&[]).unwrap();
        assert!(!s.llm.enabled);
        assert_eq!(s.llm.limit, 10);
        assert_eq!(s.llm.model, "gpt-4.1-mini");
        assert_eq!(s.llm.base_url, "https://api.openai.com/v1");
        assert!(s.llm.max_tokens_per_day.is_unlimited());
        let err = settings(&[("ENRICH_WITH_LLM", "1"), ("ENRICH_LIMIT", "0")]).unwrap_err();
        let mut vars = named(&err);
        vars.sort();
        assert_eq!(vars, ["ENRICH_LIMIT", "OPENAI_API_KEY"]);
        // A local server needs no key.
        let s = settings(&[
            ("ENRICH_WITH_LLM", "1"),
            ("OPENAI_BASE_URL", "http://localhost:11434/v1/"),
            ("OPENAI_MODEL", "llama3.1"),
            ("ENRICH_MAX_TOKENS_PER_DAY", "50000"),
        ])
        .unwrap();
        assert!(s.llm.enabled);
        assert_eq!(s.llm.base_url, "http://localhost:11434/v1");
        assert_eq!(s.llm.max_tokens_per_day, Cap(50_000));
        let s = settings(&[
            ("ENRICH_WITH_LLM", "1"),
            ("OPENAI_API_KEY", "sk-test-secret-123"),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains("sk-test-secret-123"));
        let err = settings(&[
            ("ENRICH_WITH_LLM", "maybe"),
            ("OPENAI_BASE_URL", "localhost"),
        ])
        .unwrap_err();
        let mut vars = named(&err);
        vars.sort();
        assert_eq!(vars, ["ENRICH_WITH_LLM", "OPENAI_BASE_URL"]);
    }

    #[test]
    fn python_only_variables_that_are_set_are_listed_as_ignored() {
        let s = settings(&[
            ("DISCOVERY_REGIONS", "US,EU"),
            ("DISCOVERY_ENABLE", "1"),
            // Honoured now (LLM enrichment), so never named as ignored.
            ("ENRICH_LIMIT", "5"),
            ("WIKIDATA_USER_AGENT", " "),
            ("PROFILE_ID", "default"),
        ])
        .unwrap();
        assert_eq!(
            s.ignored_settings,
            ["DISCOVERY_ENABLE", "DISCOVERY_REGIONS"]
        );
        assert_eq!(s.profile_id.as_deref(), Some("default"));
        assert!(settings(&[]).unwrap().ignored_settings.is_empty());
    }

    #[test]
    fn zero_caps_mean_unlimited_and_blank_means_default() {
        let s = settings(&[
            ("MAX_CALLS_PER_DAY", "0"),
            ("MAX_NEW_JOBS_PER_DAY", "0"),
            ("INGEST_PER_SOURCE_LIMIT", "7"),
            ("SYNC_LIMIT", "  "),
        ])
        .unwrap();
        assert!(s.max_calls_per_day.is_unlimited());
        assert!(s.max_new_jobs_per_day.is_unlimited());
        assert_eq!(s.ingest_per_source_limit, Some(7));
        assert_eq!(s.sync_limit, 50);
    }
}
