//! `jobs-bot doctor`: check the installation, one `pass`/`warn`/`fail` line per check with a hint.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::{AppError, load_sources};
use crate::adapters::ats::AtsConfig;
use crate::adapters::db::{Database, SchemaState};
use crate::app::config::Settings;
use crate::app::profiles;
use crate::app::wiring;
use crate::domain::AtsKind;
use crate::domain::sync::{Need, PROPERTIES, PropertyNames};
use crate::ports::{Region, StoreError};

/// Largest clock difference with a server's `Date` header that passes.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// The checks so far; each is printed as soon as it is known.
#[derive(Default)]
struct Checks {
    counts: [usize; 3],
    /// `Date` headers of HTTP answers, with the local time they arrived, for the clock check.
    server_dates: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Checks {
    fn record(&mut self, status: Status, name: &str, message: &str, hint: Option<&str>) {
        self.counts[status as usize] += 1;
        println!("{:<4}  {name:<9} {message}", status.label());
        if let Some(hint) = hint {
            println!("{:<4}  {:<9} hint: {hint}", "", "");
        }
    }

    fn pass(&mut self, name: &str, message: &str) {
        self.record(Status::Pass, name, message, None);
    }

    fn warn(&mut self, name: &str, message: &str, hint: &str) {
        self.record(Status::Warn, name, message, Some(hint));
    }

    fn fail(&mut self, name: &str, message: &str, hint: &str) {
        self.record(Status::Fail, name, message, Some(hint));
    }

    fn failed(&self) -> usize {
        self.counts[Status::Fail as usize]
    }
}

pub(crate) async fn doctor(settings: &Settings, env_file: Option<&Path>) -> Result<(), AppError> {
    let mut checks = Checks::default();
    checks.pass(
        "config",
        &format!(
            "configuration is valid; database: {}",
            wiring::describe_database(settings)
        ),
    );
    check_database(settings, &mut checks).await;
    let client = http_client(settings);
    match load_sources(settings) {
        Ok(specs) => {
            let (path, _) = settings.sources_path();
            if specs.is_empty() && !path.exists() {
                checks.warn(
                    "sources",
                    &format!("no sources file at {}", path.display()),
                    "declare boards in sources.toml (see README) or set SOURCES_FILE",
                );
            } else {
                let enabled = specs.iter().filter(|s| s.enabled).count();
                checks.pass(
                    "sources",
                    &format!(
                        "{} parses: {} source(s), {enabled} enabled",
                        path.display(),
                        specs.len()
                    ),
                );
            }
            check_providers(settings, &client, &specs, &mut checks).await;
        }
        Err(err) => checks.fail(
            "sources",
            &err.to_string(),
            "fix the entry named; `jobs-bot sources check` validates the file offline",
        ),
    }
    check_notion(settings, &client, &mut checks).await;
    check_profiles(&settings.profiles_path().0, &mut checks);
    check_env_file(env_file, &mut checks);
    check_clock(Utc::now(), &mut checks);
    let [pass, warn, fail] = checks.counts;
    println!("doctor: {pass} pass, {warn} warn, {fail} fail");
    match checks.failed() {
        0 => Ok(()),
        failed => Err(AppError::DoctorFailed { failed }),
    }
}

fn http_client(settings: &Settings) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(AtsConfig::default().user_agent)
        .connect_timeout(settings.request_timeout)
        .timeout(settings.request_timeout)
        .build()
        .map_err(|e| e.without_url().to_string())
}

const FIRST_RUN: &str = "the first `jobs-bot ingest` (or `jobs-bot migrate`) creates the tables";

/// Connects without creating, migrating or writing anything.
async fn check_database(settings: &Settings, checks: &mut Checks) {
    let probe = async {
        match Database::open_without_migrating(&settings.database).await? {
            Some(db) => db.schema_state().await.map(Some),
            None => Ok(None),
        }
    };
    let limit = settings.request_timeout.max(Duration::from_secs(5));
    match tokio::time::timeout(limit, probe).await {
        Ok(Ok(None)) => checks.warn(
            "database",
            "the SQLite file does not exist yet",
            "the first `jobs-bot ingest` (or `jobs-bot migrate`) creates it and its folder",
        ),
        Ok(Ok(Some(SchemaState::Current))) => checks.pass("database", "reachable and migrated"),
        Ok(Ok(Some(SchemaState::Empty))) => checks.warn(
            "database",
            "reachable, and empty (no tables yet)",
            FIRST_RUN,
        ),
        Ok(Ok(Some(SchemaState::Behind { pending }))) => checks.warn(
            "database",
            &format!(
                "reachable; {} migration(s) not applied yet ({})",
                pending.len(),
                pending.join(", ")
            ),
            "`jobs-bot migrate` applies them (every run does too, at start)",
        ),
        Ok(Ok(Some(SchemaState::PythonJobsBot { tables }))) => checks.fail(
            "database",
            &format!(
                "reachable; it holds the Python jobs-bot's tables ({})",
                tables.join(", ")
            ),
            "back it up (mysqldump), then `jobs-bot migrate --adopt` converts it in place",
        ),
        Ok(Ok(Some(SchemaState::Foreign { tables }))) => checks.fail(
            "database",
            &format!(
                "reachable, but it holds tables jobs-bot did not create ({})",
                tables.join(", ")
            ),
            "point DATABASE_URL (or MYSQL_DB) at an empty database of its own",
        ),
        Ok(Err(err)) => checks.fail("database", &err.to_string(), database_hint(&err)),
        Err(_) => checks.fail(
            "database",
            &format!("no answer within {}s", limit.as_secs()),
            "check the host and port in DATABASE_URL / MYSQL_HOST, and that the server runs",
        ),
    }
}

fn database_hint(err: &StoreError) -> &'static str {
    match err {
        StoreError::Unavailable { .. } => {
            "check DATABASE_URL or MYSQL_* (host, port, user, password, database) and that the server runs"
        }
        _ => {
            "the database answered but its catalogue could not be read: check the user's privileges"
        }
    }
}

/// One GET per provider host in use (the API root, or the board host of the first source
/// for providers whose boards are subdomains): any HTTP answer means it is reachable.
async fn check_providers(
    settings: &Settings,
    client: &Result<reqwest::Client, String>,
    specs: &[crate::ports::SourceSpec],
    checks: &mut Checks,
) {
    let mut hosts: BTreeMap<(&'static str, &'static str), (AtsKind, Region, String)> =
        BTreeMap::new();
    for spec in specs.iter().filter(|s| s.enabled) {
        let kind = spec.key.ats;
        hosts
            .entry((kind.as_str(), spec.region.as_str()))
            .or_insert_with(|| (kind, spec.region, spec.key.slug.as_str().to_string()));
    }
    for (kind, region, slug) in hosts.into_values() {
        let name = match region {
            Region::Global => kind.as_str().to_string(),
            Region::Eu => format!("{kind} (eu)"),
        };
        let Some(base) = settings.base_urls.get(&(kind, region)) else {
            continue;
        };
        let url = format!("{}/", base.replace("{slug}", &slug).trim_end_matches('/'));
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                checks.fail("provider", &format!("cannot build an HTTP client: {e}"), "");
                return;
            }
        };
        match client.get(&url).send().await {
            Ok(response) => {
                note_date(checks, &response);
                checks.pass(
                    "provider",
                    &format!("{name}: {url} answered HTTP {}", response.status().as_u16()),
                );
            }
            Err(err) => checks.fail(
                "provider",
                &format!("{name}: cannot reach {url}: {}", describe_http_error(&err)),
                "check DNS, the firewall or proxy, and the provider's *_BASE_URL setting",
            ),
        }
    }
}

fn describe_http_error(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "connection failed".into()
    } else {
        "network error".into()
    }
}

fn note_date(checks: &mut Checks, response: &reqwest::Response) {
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
    if let Some(date) = date {
        checks
            .server_dates
            .push((date.with_timezone(&Utc), Utc::now()));
    }
}

/// `GET /v1/data_sources/{id}`: the data source exists, the token may read it, and it has
/// the properties a sync writes.
async fn check_notion(
    settings: &Settings,
    client: &Result<reqwest::Client, String>,
    checks: &mut Checks,
) {
    let notion = &settings.notion;
    let (true, Some(token), Some(id)) = (
        settings.sync_to_notion,
        notion.token.as_ref(),
        notion.data_source_id.as_deref(),
    ) else {
        checks.pass(
            "notion",
            "Notion sync is off (SYNC_TO_NOTION): nothing to check",
        );
        return;
    };
    let Ok(client) = client else {
        checks.fail("notion", "cannot build an HTTP client", "");
        return;
    };
    let url = format!("{}/v1/data_sources/{id}", notion.base_url);
    let response = client
        .get(&url)
        .bearer_auth(token.expose())
        .header("Notion-Version", &notion.version)
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(err) => {
            checks.fail(
                "notion",
                &format!(
                    "cannot reach {}: {}",
                    notion.base_url,
                    describe_http_error(&err)
                ),
                "check DNS, the firewall or proxy, and NOTION_BASE_URL",
            );
            return;
        }
    };
    note_date(checks, &response);
    let status = response.status().as_u16();
    match status {
        200 => {}
        401 => {
            return checks.fail(
                "notion",
                "Notion refused the token (HTTP 401)",
                "check NOTION_TOKEN (an internal integration secret)",
            );
        }
        403 | 404 => {
            return checks.fail(
                "notion",
                &format!("data source {id} is not readable with this token (HTTP {status})"),
                "check NOTION_DATA_SOURCE_ID and share the database with the integration (… > Connections)",
            );
        }
        _ => {
            return checks.fail(
                "notion",
                &format!("GET {url} answered HTTP {status}"),
                "check NOTION_BASE_URL and NOTION_VERSION, or try again later",
            );
        }
    }
    let body = response.bytes().await.ok();
    let body: Value = match body.and_then(|b| serde_json::from_slice(&b).ok()) {
        Some(v) => v,
        None => {
            return checks.fail(
                "notion",
                "the data source answer is not JSON",
                "check NOTION_BASE_URL",
            );
        }
    };
    let (problems, missing) = notion_schema_problems(&body, &settings.notion.property_names);
    if !problems.is_empty() {
        checks.fail(
            "notion",
            &format!("data source {id}: {}", problems.join("; ")),
            "add these properties in Notion with exactly these names and types",
        );
    } else if !missing.is_empty() {
        checks.warn(
            "notion",
            &format!(
                "data source {id} lacks properties jobs-bot fills: {}",
                missing.join(", ")
            ),
            "add them in Notion to see those fields; the sync works without them",
        );
    } else {
        checks.pass(
            "notion",
            &format!("data source {id} is readable and has every property jobs-bot writes"),
        );
    }
}

/// Problems with the key properties, and the other owned properties that are missing
/// (under the names the settings give them).
fn notion_schema_problems(body: &Value, names: &PropertyNames) -> (Vec<String>, Vec<String>) {
    let properties = body.get("properties").and_then(Value::as_object);
    let type_of = |name: &str| {
        properties
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
    };
    let mut problems = Vec::new();
    // The sync's own table of names and types, so doctor checks what the sync needs.
    for spec in PROPERTIES.iter().filter(|s| s.need == Need::Required) {
        let (name, wanted) = (names.name(spec.prop), spec.kind.as_str());
        match type_of(name) {
            Some(t) if t == wanted => {}
            Some(t) => problems.push(format!("{name:?} is of type {t}, not {wanted}")),
            None => problems.push(format!("no {name:?} property (type {wanted})")),
        }
    }
    let missing = PROPERTIES
        .iter()
        .filter(|s| s.need == Need::Owned)
        .map(|s| names.name(s.prop))
        .filter(|name| properties.is_none_or(|p| !p.contains_key(*name)))
        .map(str::to_string)
        .collect();
    (problems, missing)
}

/// The profiles folder: one sub-folder per profile, each with a readable CV.
fn check_profiles(dir: &Path, checks: &mut Checks) {
    const HINT: &str =
        "one folder per profile, each with cv.docx, cv.pdf, cv.md or cv.txt (see README)";
    if !dir.exists() {
        checks.warn(
            "profiles",
            &format!("profiles folder {} does not exist", dir.display()),
            &format!(
                "scoring needs it: create {}/<key>/cv.md; {HINT}",
                dir.display()
            ),
        );
        return;
    }
    let discovery = match profiles::discover(dir, None) {
        Ok(d) => d,
        Err(err) => return checks.fail("profiles", &err.to_string(), HINT),
    };
    for problem in &discovery.problems {
        checks.fail("profiles", &problem.to_string(), HINT);
    }
    if discovery.profiles.is_empty() && discovery.problems.is_empty() {
        checks.warn(
            "profiles",
            &format!("no profile folders in {}", dir.display()),
            HINT,
        );
    }
    for profile in &discovery.profiles {
        let key = profile.key.as_str();
        match &profile.cv_path {
            Ok(cv) => match std::fs::File::open(cv) {
                Ok(_) => checks.pass("profiles", &format!("{key}: {}", cv.display())),
                Err(e) => checks.fail(
                    "profiles",
                    &format!("{key}: cannot read {}: {e}", cv.display()),
                    "make the CV readable by the user jobs-bot runs as",
                ),
            },
            Err(err) => checks.fail("profiles", &format!("{key}: {err}"), HINT),
        }
    }
}

/// The env file holds secrets: nobody but its owner (and group) should read it.
fn check_env_file(explicit: Option<&Path>, checks: &mut Checks) {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(".env"),
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(_) if explicit.is_none() => {
            return checks.pass(
                "env-file",
                "no ./.env: settings come from the environment only",
            );
        }
        Err(e) => {
            return checks.fail(
                "env-file",
                &format!("cannot read {}: {e}", path.display()),
                "check the --env-file path",
            );
        }
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o004 != 0 {
        checks.warn(
            "env-file",
            &format!(
                "{} is readable by every user (mode {mode:04o}) and may hold secrets",
                path.display()
            ),
            &format!("chmod 600 {}", path.display()),
        );
    } else {
        checks.pass(
            "env-file",
            &format!("{} is not world-readable (mode {mode:04o})", path.display()),
        );
    }
}

/// The system clock is after 2024-01-01 and within 5 minutes of every server that sent a
/// `Date` header.
fn check_clock(now: DateTime<Utc>, checks: &mut Checks) {
    let floor = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single();
    if floor.is_some_and(|f| now < f) {
        return checks.fail(
            "clock",
            &format!("system time {} is before 2024-01-01", now.to_rfc3339()),
            "enable time synchronisation (timedatectl set-ntp true)",
        );
    }
    let worst = checks
        .server_dates
        .iter()
        .map(|(server, local)| (*local - *server).abs())
        .max();
    match worst.and_then(|w| w.to_std().ok()) {
        Some(skew) if skew > MAX_SKEW => checks.fail(
            "clock",
            &format!(
                "system time is {}s away from the servers' Date headers",
                skew.as_secs()
            ),
            "enable time synchronisation (timedatectl set-ntp true)",
        ),
        Some(skew) => checks.pass(
            "clock",
            &format!(
                "system time is sane ({}s from the servers' Date headers)",
                skew.as_secs()
            ),
        ),
        None => checks.pass(
            "clock",
            "system time is after 2024-01-01 (no server Date header to compare with)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sync::Prop;
    use serde_json::json;

    #[test]
    fn notion_schema_needs_the_key_properties_and_lists_the_missing_others() {
        let body = json!({"properties": {
            "Job Title": {"type": "title"},
            "Job UID": {"type": "rich_text"},
            "Company": {"type": "rich_text"},
        }});
        let names = PropertyNames::default();
        let (problems, missing) = notion_schema_problems(&body, &names);
        assert!(problems.is_empty());
        assert!(
            missing.iter().any(|m| m == "Fit score") && !missing.iter().any(|m| m == "Company")
        );
        let body = json!({"properties": {"Job Title": {"type": "rich_text"}}});
        let (problems, _) = notion_schema_problems(&body, &names);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (problems, missing) = notion_schema_problems(&json!({}), &names);
        assert_eq!((problems.len(), missing.len()), (2, 10));
        // Renamed: the new name is required, the old one no longer counts.
        let renamed = PropertyNames::renamed([(Prop::JobTitle, "Role".to_string())]).unwrap();
        let (problems, _) = notion_schema_problems(&body, &renamed);
        assert!(
            problems.iter().any(|p| p.contains("\"Role\"")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_clock_far_from_the_servers_fails() {
        let now = Utc::now();
        let mut checks = Checks::default();
        checks
            .server_dates
            .push((now - chrono::Duration::minutes(10), now));
        check_clock(now, &mut checks);
        assert_eq!(checks.failed(), 1);
        let mut checks = Checks::default();
        checks
            .server_dates
            .push((now - chrono::Duration::seconds(3), now));
        check_clock(now, &mut checks);
        assert_eq!(checks.failed(), 0);
        let mut checks = Checks::default();
        check_clock(
            Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap(),
            &mut checks,
        );
        assert_eq!(checks.failed(), 1);
    }
}
