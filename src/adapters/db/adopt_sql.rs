//! The SQL of the adoption (`adopt.rs`): the staging schema, each table's copy from the
//! Python version's columns into jobs-bot's, the counts the copy must reach, the swap.
//!
//! Only table names, column names from the catalogue and integers are spliced into these
//! statements; every value comes from the database itself or is bound.

use super::adopt::PresentPython;

/// Records the adoption's finished steps; kept with the `py_*` tables.
pub const MARKER_TABLE: &str = "py_adoption";

pub const CREATE_MARKER: &str = "CREATE TABLE IF NOT EXISTS py_adoption (\
     step VARCHAR(32) NOT NULL PRIMARY KEY, done_at DATETIME(6) NOT NULL) \
     ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/// jobs-bot's tables, parents before the tables that refer to them: the copy order.
pub const STAGED_TABLES: [&str; 6] = [
    "sources",
    "jobs",
    "job_enrichment",
    "job_fit",
    "profiles",
    "daily_counters",
];

pub fn marker_count(step: &'static str) -> String {
    format!("SELECT COUNT(*) AS n FROM py_adoption WHERE step = '{step}'")
}

pub fn mark(step: &'static str) -> String {
    format!("INSERT IGNORE INTO py_adoption (step, done_at) VALUES ('{step}', UTC_TIMESTAMP(6))")
}

/// Drops the staging tables only (`adopt_*`, built by an earlier, unfinished run).
pub fn drop_staging() -> String {
    let tables: Vec<String> = STAGED_TABLES
        .iter()
        .rev()
        .map(|t| format!("`adopt_{t}`"))
        .collect();
    format!("DROP TABLE IF EXISTS {}", tables.join(", "))
}

/// A migration's DDL with jobs-bot's tables renamed `adopt_<name>` wherever it creates,
/// alters or refers to one.
pub fn staged(ddl: &str) -> String {
    let mut out = ddl.to_string();
    for table in STAGED_TABLES {
        for prefix in ["CREATE TABLE", "ALTER TABLE", "REFERENCES"] {
            for end in [" ", "\n"] {
                out = out.replace(
                    &format!("{prefix} {table}{end}"),
                    &format!("{prefix} adopt_{table}{end}"),
                );
            }
        }
    }
    out
}

pub const PYTHON_SOURCES: &str = "SELECT CAST(id AS SIGNED) AS id, \
     CAST(ats_type AS CHAR) AS ats_type, CAST(company_slug AS CHAR) AS company_slug, \
     CAST(company_name AS CHAR) AS company_name, CAST(api_base AS CHAR) AS api_base, \
     CAST(is_active AS SIGNED) AS is_active, last_ok_at, \
     CAST(last_error AS CHAR) AS last_error, created_at \
     FROM sources ORDER BY id";

/// `alias.column` when the Python table has the column, else NULL.
fn col(columns: &[String], alias: &str, name: &str) -> String {
    if columns.iter().any(|c| c == name) {
        format!("{alias}.`{name}`")
    } else {
        "NULL".into()
    }
}

/// The first of `names` that is set, among the columns the table has, else `fallback`.
fn first_set(columns: &[String], alias: &str, names: &[&str], fallback: &str) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .filter(|n| columns.iter().any(|c| c == *n))
        .map(|n| format!("{alias}.`{n}`"))
        .collect();
    parts.push(fallback.to_string());
    format!("COALESCE({})", parts.join(", "))
}

/// Python's `workplace_raw` (free text, `Remote` in practice) as jobs-bot's workplace type;
/// anything else is left to the re-hash, which derives it from the raw JSON.
fn workplace(columns: &[String]) -> String {
    let raw = col(columns, "j", "workplace_raw");
    format!(
        "CASE LOWER(REPLACE(REPLACE(REPLACE(COALESCE({raw}, ''), '-', ''), ' ', ''), '_', '')) \
         WHEN 'remote' THEN 'remote' WHEN 'fullyremote' THEN 'remote' \
         WHEN 'hybrid' THEN 'hybrid' WHEN 'onsite' THEN 'on_site' \
         WHEN 'inoffice' THEN 'on_site' WHEN 'office' THEN 'on_site' ELSE NULL END"
    )
}

fn counters_select(present: &PresentPython) -> Option<String> {
    let mut parts = Vec::new();
    if present.has("api_daily_usage") {
        parts.push(
            "SELECT CONCAT('api_calls:', LOWER(CAST(ats_type AS CHAR))) AS counter, \
             CAST(`day` AS DATE) AS `day`, SUM(calls) AS used FROM api_daily_usage \
             GROUP BY CONCAT('api_calls:', LOWER(CAST(ats_type AS CHAR))), CAST(`day` AS DATE)"
                .to_string(),
        );
    }
    if present.has("job_daily_new") {
        parts.push(
            "SELECT CAST('new_jobs' AS CHAR) AS counter, CAST(`day` AS DATE) AS `day`, \
             SUM(created) AS used FROM job_daily_new GROUP BY CAST(`day` AS DATE)"
                .to_string(),
        );
    }
    (!parts.is_empty()).then(|| parts.join(" UNION ALL "))
}

/// The count each staging table must reach, for the sources whose Python ids are `ids`.
/// `None`: the Python table is absent, so nothing is copied.
pub fn expected_counts(present: &PresentPython, ids: &str) -> Vec<(&'static str, Option<String>)> {
    let per_job = |table: &str| {
        present.has(table).then(|| {
            format!(
                "SELECT COUNT(*) AS n FROM `{table}` x JOIN jobs j ON j.job_uid = x.job_uid \
                 WHERE j.source_id IN ({ids})"
            )
        })
    };
    vec![
        (
            "jobs",
            Some(format!(
                "SELECT COUNT(*) AS n FROM jobs j WHERE j.source_id IN ({ids})"
            )),
        ),
        ("job_enrichment", per_job("job_enrichment")),
        ("job_fit", per_job("job_profile")),
        (
            "profiles",
            present
                .has("profiles")
                .then(|| "SELECT COUNT(*) AS n FROM profiles".to_string()),
        ),
        (
            "daily_counters",
            counters_select(present).map(|s| format!("SELECT COUNT(*) AS n FROM ({s}) c")),
        ),
    ]
}

/// The `INSERT … SELECT` that fills one staging table (all but `sources`, whose rows the
/// caller maps), or `None` when the Python table it reads is absent. The `job_fit` copy
/// binds one parameter: the placeholder reasons of a fit not yet scored by jobs-bot.
pub fn copy(table: &str, present: &PresentPython, ids: &str) -> Option<String> {
    match table {
        "jobs" => {
            let c = &present.jobs;
            Some(format!(
                "INSERT INTO adopt_jobs (job_uid, ats_type, company_slug, ats_job_id, title, \
                 company, location, department, team, employment_type, workplace_type, url, \
                 apply_url, description, salary_text, posted_at, updated_at, first_seen_at, \
                 last_seen_at, content_hash, changed_at, closed_at, raw_json) \
                 SELECT j.job_uid, s.ats_type, s.company_slug, j.ats_job_id, j.title, \
                 {company}, {location}, NULL, NULL, NULL, {workplace}, {url}, NULL, \
                 COALESCE({raw_text}, ''), {salary}, {posted}, NULL, j.first_seen, \
                 j.last_seen, '', {changed}, NULL, \
                 COALESCE(CAST({raw_json} AS CHAR), '{{}}') \
                 FROM jobs j JOIN adopt_sources s ON s.id = j.source_id",
                company = col(c, "j", "company"),
                location = col(c, "j", "location_raw"),
                workplace = workplace(c),
                url = col(c, "j", "url"),
                raw_text = col(c, "j", "raw_text"),
                salary = col(c, "j", "salary_text"),
                posted = col(c, "j", "posted_at"),
                changed = first_set(c, "j", &["last_checked", "last_seen"], "j.first_seen"),
                raw_json = col(c, "j", "raw_json"),
            ))
        }
        "job_enrichment" if present.has("job_enrichment") => {
            let c = &present.job_enrichment;
            Some(format!(
                "INSERT INTO adopt_job_enrichment (job_uid, salary, enriched_at, summary, \
                 skills_json, pros, cons, llm_salary, outreach_target, llm_model, llm_tokens) \
                 SELECT e.job_uid, NULL, {enriched}, {summary}, CAST({skills} AS CHAR), \
                 {pros}, {cons}, {salary}, {outreach}, {model}, {tokens} \
                 FROM job_enrichment e JOIN jobs j ON j.job_uid = e.job_uid \
                 WHERE j.source_id IN ({ids})",
                enriched = first_set(
                    c,
                    "e",
                    &["enriched_at", "updated_at", "created_at"],
                    "UTC_TIMESTAMP(6)"
                ),
                summary = col(c, "e", "summary"),
                skills = col(c, "e", "skills_json"),
                pros = col(c, "e", "pros"),
                cons = col(c, "e", "cons"),
                salary = col(c, "e", "salary"),
                outreach = col(c, "e", "outreach_target"),
                model = col(c, "e", "llm_model"),
                tokens = col(c, "e", "llm_tokens"),
            ))
        }
        "job_fit" if present.has("job_profile") => {
            let c = &present.job_profile;
            let flags = col(c, "f", "penalty_flags");
            Some(format!(
                "INSERT INTO adopt_job_fit (job_uid, profile_key, fit_score, fit_class, \
                 penalty_flags, reasons_json, scorer_version, input_hash, computed_at, \
                 notion_page_id, notion_last_sync, notion_last_error, notion_dismissed) \
                 SELECT f.job_uid, f.profile_id, \
                 LEAST(GREATEST(COALESCE({score}, 0), 0), 100), \
                 COALESCE(CAST({class} AS CHAR), 'No'), \
                 CASE WHEN JSON_TYPE({flags}) = 'ARRAY' THEN CAST({flags} AS CHAR) ELSE '[]' END, \
                 ?, 0, '', {computed}, {page}, {synced}, {error}, FALSE \
                 FROM job_profile f JOIN jobs j ON j.job_uid = f.job_uid \
                 WHERE j.source_id IN ({ids})",
                score = col(c, "f", "fit_score"),
                class = col(c, "f", "fit_class"),
                computed = first_set(
                    c,
                    "f",
                    &["fit_computed_at", "updated_at", "created_at"],
                    "UTC_TIMESTAMP(6)"
                ),
                page = col(c, "f", "notion_page_id"),
                synced = col(c, "f", "notion_last_sync"),
                error = col(c, "f", "notion_last_error"),
            ))
        }
        "profiles" if present.has("profiles") => {
            let c = &present.profiles;
            // Re-analysed by jobs-bot's scorer (empty preferences hash, analyzer 0): the
            // Python analysis has another shape and stays in py_profiles.
            Some(format!(
                "INSERT INTO adopt_profiles (profile_key, cv_path, cv_sha256, \
                 preferences_hash, analyzer_version, profile_json, analyzed_at, last_error, \
                 updated_at) \
                 SELECT p.profile_id, COALESCE({path}, ''), {sha}, '', 0, NULL, NULL, {error}, \
                 {updated} FROM profiles p",
                path = col(c, "p", "cv_path"),
                sha = col(c, "p", "cv_sha256"),
                error = col(c, "p", "last_error"),
                updated = first_set(c, "p", &["updated_at", "created_at"], "UTC_TIMESTAMP(6)"),
            ))
        }
        "daily_counters" => counters_select(present)
            .map(|s| format!("INSERT INTO adopt_daily_counters (counter, `day`, used) {s}")),
        _ => None,
    }
}

/// Rows of `adopt_sources` per INSERT: 12 parameters each, far below MySQL's 65 535.
pub const SOURCES_PER_INSERT: usize = 1000;

/// A multi-row INSERT of `rows` adopted sources, 12 bound values each.
pub fn insert_sources(rows: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    format!(
        "INSERT INTO adopt_sources (id, ats_type, company_slug, declared_slug, name, region, \
         enabled, last_fetched_at, last_success_at, last_error, created_at, uid_slug) VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// One atomic `RENAME TABLE`: each Python table to `py_<name>`, then each staging table to
/// its final name.
pub fn rename_all(python_tables: &[&str]) -> String {
    let mut pairs: Vec<String> = python_tables
        .iter()
        .map(|t| format!("`{t}` TO `py_{t}`"))
        .collect();
    pairs.extend(
        STAGED_TABLES
            .iter()
            .map(|t| format!("`adopt_{t}` TO `{t}`")),
    );
    format!("RENAME TABLE {}", pairs.join(", "))
}

/// Diesel's migration history (its own DDL), with `versions` recorded as applied.
pub fn record_migrations(versions: &[String]) -> String {
    let values: Vec<String> = versions
        .iter()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .map(|v| format!("('{v}')"))
        .collect();
    let mut sql = "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\
         version VARCHAR(50) PRIMARY KEY NOT NULL, \
         run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        .to_string();
    if !values.is_empty() {
        sql.push_str(&format!(
            "; INSERT IGNORE INTO __diesel_schema_migrations (version) VALUES {}",
            values.join(", ")
        ));
    }
    sql
}

/// Every adopted job's `changed_at` from the Python row (its `last_checked`). The uids are
/// compared as utf8mb4 binary whatever the Python table's character set was.
pub fn restore_changed_at(py_jobs_columns: &[String]) -> String {
    let changed = first_set(
        py_jobs_columns,
        "p",
        &["last_checked", "last_seen"],
        "p.first_seen",
    );
    format!(
        "UPDATE jobs j JOIN py_jobs p \
         ON CONVERT(p.job_uid USING utf8mb4) COLLATE utf8mb4_bin = j.job_uid \
         SET j.changed_at = {changed}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_python_columns_read_as_null() {
        let cols = vec!["title".to_string()];
        assert_eq!(col(&cols, "j", "title"), "j.`title`");
        assert_eq!(col(&cols, "j", "posted_at"), "NULL");
        assert_eq!(
            first_set(&cols, "j", &["x", "title"], "NOW()"),
            "COALESCE(j.`title`, NOW())"
        );
    }

    #[test]
    fn rename_moves_python_tables_aside_before_staging_takes_their_names() {
        let sql = rename_all(&["sources", "jobs"]);
        let python = sql.find("`sources` TO `py_sources`").unwrap();
        let staged = sql.find("`adopt_sources` TO `sources`").unwrap();
        assert!(python < staged, "{sql}");
        assert!(sql.contains("`adopt_daily_counters` TO `daily_counters`"));
    }

    #[test]
    fn only_digit_versions_are_recorded() {
        let sql = record_migrations(&["20260101000000".into(), "1'; DROP".into()]);
        assert!(sql.contains("('20260101000000')"));
        assert!(!sql.contains("DROP"));
    }
}
