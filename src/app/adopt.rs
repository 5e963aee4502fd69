//! `jobs-bot migrate --adopt`: the Python version's MySQL database converted in place,
//! keeping every job, fit, Notion link and today's counters (plan, copy, swap, re-hash,
//! sources file). The table work is `adapters::db::adopt`; this decides what is adopted.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::commands::AppError;
use super::config::Settings;
use super::{reparse, sources_file, wiring};
use crate::adapters::db::{
    AdoptedSource, AdoptionProgress, Database, DatabaseTarget, PythonSource, SchemaState,
    TableCounts,
};
use crate::domain::{AtsKind, CompanySlug, SourceKey};
use crate::ports::{Region, Repository, SourceSpec};

/// What the adoption will do, printed before anything is written.
struct Plan {
    python: Vec<(String, u64)>,
    adopted: Vec<AdoptedSource>,
    skipped: Vec<(PythonSource, String)>,
    expected: TableCounts,
}

/// Runs (or, with `dry_run`, only prints) the adoption; resumes an unfinished one.
///
/// # Errors
/// Usage (exit 2) when there is nothing of the Python version's to adopt; the store's
/// error when a step fails, which leaves the Python tables intact.
pub(crate) async fn adopt(settings: &Settings, dry_run: bool) -> Result<(), AppError> {
    if !matches!(settings.database, DatabaseTarget::Mysql(_)) {
        return Err(AppError::Usage(
            "--adopt converts the Python version's MySQL database; point DATABASE_URL or \
             MYSQL_* at it"
                .into(),
        ));
    }
    let Some(db) = Database::open_without_migrating(&settings.database).await? else {
        return Err(AppError::Usage("no database to adopt".into()));
    };
    match db.adoption_progress().await? {
        AdoptionProgress::Finished => {
            say(format_args!(
                "already adopted from the Python version (its tables are kept as py_*); \
                 nothing to do"
            ))?;
            Ok(())
        }
        AdoptionProgress::Nothing => nothing_to_adopt(&db).await,
        AdoptionProgress::Pending { switched: false } => {
            let plan = plan(&db).await?;
            print_plan(&plan, settings)?;
            if dry_run {
                return say(format_args!("dry run: nothing was written"));
            }
            db.stage_adoption(&plan.adopted, &plan.expected).await?;
            tracing::info!(
                event = "adoption_copied",
                sources = plan.adopted.len() as u64
            );
            crate::hooks::exit_after_adoption_copy();
            db.switch_to_adopted().await?;
            finish(settings, &db).await
        }
        AdoptionProgress::Pending { switched: true } => {
            say(format_args!(
                "resuming an adoption: jobs-bot's tables already replaced the Python ones \
                 (kept as py_*); finishing"
            ))?;
            if dry_run {
                return say(format_args!("dry run: nothing was written"));
            }
            db.switch_to_adopted().await?;
            finish(settings, &db).await
        }
    }
}

async fn nothing_to_adopt(db: &Database) -> Result<(), AppError> {
    match db.schema_state().await? {
        SchemaState::Current | SchemaState::Behind { .. } => say(format_args!(
            "the database is already jobs-bot's; nothing to adopt"
        )),
        SchemaState::Empty => Err(AppError::Usage(
            "nothing to adopt: the database is empty (run `jobs-bot migrate`)".into(),
        )),
        SchemaState::Foreign { tables } | SchemaState::PythonJobsBot { tables } => {
            Err(AppError::Usage(format!(
                "nothing to adopt: the tables ({}) are not the Python jobs-bot's",
                tables.join(", ")
            )))
        }
    }
}

async fn plan(db: &Database) -> Result<Plan, AppError> {
    let python = db.python_table_counts().await?;
    let (adopted, skipped) = choose_sources(db.python_sources().await?);
    let expected = db.adoption_expected(&adopted).await?;
    Ok(Plan {
        python,
        adopted,
        skipped,
        expected,
    })
}

fn print_plan(plan: &Plan, settings: &Settings) -> Result<(), AppError> {
    say(format_args!(
        "Adopting the Python jobs-bot's tables in {}:",
        wiring::describe_database(settings)
    ))?;
    for (table, rows) in &plan.python {
        say(format_args!("  {table:<16} {rows:>9} rows"))?;
    }
    say(format_args!("into jobs-bot's tables:"))?;
    for (table, rows) in &plan.expected.0 {
        say(format_args!("  {table:<16} {rows:>9} rows"))?;
    }
    if !plan.skipped.is_empty() {
        say(format_args!(
            "{} source(s) not adopted (kept in py_sources, with their jobs in py_jobs):",
            plan.skipped.len()
        ))?;
        for (source, reason) in &plan.skipped {
            say(format_args!(
                "  #{} {}:{}: {reason}",
                source.id, source.ats_type, source.company_slug
            ))?;
        }
    }
    let keys: Vec<SourceKey> = plan.adopted.iter().map(|s| s.key.clone()).collect();
    let disabled = plan.adopted.iter().filter(|s| !s.enabled).count();
    let (path, _) = settings.sources_path();
    match missing_from_file(&path, &keys)? {
        None => say(format_args!(
            "sources file {} does not exist: it will be written with the {} adopted \
             sources ({disabled} disabled)",
            path.display(),
            keys.len()
        ))?,
        Some(missing) if missing.is_empty() => say(format_args!(
            "sources file {} is kept; it lists every adopted source",
            path.display()
        ))?,
        Some(missing) => {
            say(format_args!(
                "sources file {} is kept, but lacks {} adopted source(s), which the next \
                 ingest will disable unless you add them:",
                path.display(),
                missing.len()
            ))?;
            for key in missing {
                say(format_args!("  {key}"))?;
            }
        }
    }
    say(format_args!(
        "Steps: create jobs-bot's tables beside the old ones, copy, check the counts, then \
         rename the old tables to py_<name> (kept as the backup; nothing is dropped)."
    ))
}

/// Re-hashes the adopted jobs from their raw JSON (so an unchanged posting is unchanged at
/// the next fetch), writes the sources file if there is none, and marks the adoption done.
async fn finish(settings: &Settings, db: &Database) -> Result<(), AppError> {
    let adapters = wiring::job_sources(settings)?;
    let report = reparse::reparse(db, &adapters, wiring::clock().as_ref(), None).await?;
    db.restore_adopted_changed_at().await?;
    let specs: Vec<SourceSpec> = db
        .sources()
        .await?
        .into_iter()
        .map(|s| SourceSpec {
            key: s.key,
            name: s.name,
            region: s.region,
            enabled: s.enabled,
        })
        .collect();
    let (path, _) = settings.sources_path();
    let keys: Vec<SourceKey> = specs.iter().map(|s| s.key.clone()).collect();
    match missing_from_file(&path, &keys)? {
        None => {
            sources_file::write_new(
                &path,
                &specs,
                "Written by `jobs-bot migrate --adopt` from the Python version's sources.",
            )?;
            say(format_args!(
                "wrote {} with {} sources",
                path.display(),
                specs.len()
            ))?;
        }
        Some(missing) if !missing.is_empty() => {
            let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
            tracing::warn!(
                event = "adoption_sources_missing",
                path = %path.display(),
                sources = %list.join(", "),
            );
        }
        Some(_) => {}
    }
    db.finish_adoption().await?;
    tracing::info!(
        event = "adoption_done",
        sources = specs.len() as u64,
        jobs = report.examined,
        rehashed = report.changed,
        unparsed = report.failed,
    );
    say(format_args!(
        "adopted: {} sources, {} jobs ({} re-derived from their raw JSON); the Python \
         tables are kept as py_*. Check with `jobs-bot jobs list`.",
        specs.len(),
        report.examined,
        report.changed
    ))
}

/// The adopted sources the file lacks; `None` when there is no file.
fn missing_from_file(path: &Path, keys: &[SourceKey]) -> Result<Option<Vec<SourceKey>>, AppError> {
    if !path.exists() {
        return Ok(None);
    }
    let listed: HashSet<SourceKey> = sources_file::load(path, true)?
        .into_iter()
        .map(|s| s.key)
        .collect();
    Ok(Some(
        keys.iter()
            .filter(|k| !listed.contains(k))
            .cloned()
            .collect(),
    ))
}

fn say(args: std::fmt::Arguments<'_>) -> Result<(), AppError> {
    writeln!(std::io::stdout().lock(), "{args}").map_err(|e| AppError::Output(e.to_string()))
}

/// Maps every Python source; the first (lowest id) of several naming the same board wins.
fn choose_sources(python: Vec<PythonSource>) -> (Vec<AdoptedSource>, Vec<(PythonSource, String)>) {
    let mut adopted: Vec<AdoptedSource> = Vec::new();
    let mut skipped = Vec::new();
    for source in python {
        match adopt_source(&source) {
            Ok(a) => match adopted.iter().find(|b| b.key == a.key) {
                Some(first) => {
                    let reason = format!("the same board as source #{}", first.python_id);
                    skipped.push((source, reason));
                }
                None => adopted.push(a),
            },
            Err(reason) => skipped.push((source, reason)),
        }
    }
    (adopted, skipped)
}

/// A Python source as jobs-bot stores it: provider, slug and region from `api_base` (the
/// board it fetched), else from `company_slug`; the uid spelling is `company_slug` as
/// stored, which the Python version hashed into its uids.
fn adopt_source(py: &PythonSource) -> Result<AdoptedSource, String> {
    let ats: AtsKind = py
        .ats_type
        .trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| format!("provider {:?} is not supported", py.ats_type))?;
    let (board, region) = board_from_api_base(ats, &py.api_base)
        .unwrap_or_else(|| (py.company_slug.trim().to_string(), Region::Global));
    let slug = CompanySlug::parse(&board).map_err(|e| e.to_string())?;
    let uid_slug = (py.company_slug != slug.as_str()).then(|| py.company_slug.clone());
    let name = py
        .company_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    Ok(AdoptedSource {
        python_id: py.id,
        key: SourceKey::new(ats, slug),
        uid_slug,
        name,
        region,
        enabled: py.is_active != 0,
        last_success_at: py.last_ok_at.map(utc),
        last_error: py.last_error.clone(),
        created_at: py.created_at.map(utc),
    })
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The board in a Python `api_base`: Greenhouse `…/v1/boards/{token}`, Lever
/// `…/v0/postings/{site}` (the EU host `api.eu.lever.co` gives the EU region).
fn board_from_api_base(ats: AtsKind, api_base: &str) -> Option<(String, Region)> {
    let url = url::Url::parse(api_base.trim()).ok()?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let after = |name: &str| {
        let i = segments.iter().position(|s| *s == name)?;
        segments.get(i + 1).map(|s| (*s).to_string())
    };
    match ats {
        AtsKind::Greenhouse => after("boards").map(|b| (b, Region::Global)),
        AtsKind::Lever => {
            let eu = url.host_str().is_some_and(|h| h.contains(".eu."));
            after("postings").map(|b| (b, if eu { Region::Eu } else { Region::Global }))
        }
        // Boards named by several parts (Workday, SuccessFactors) or by their host: the
        // address is a careers URL jobs-bot reads as such.
        _ => crate::domain::careers_url::parse_careers_url(api_base)
            .ok()
            .filter(|parsed| parsed.ats == ats)
            .map(|parsed| {
                let region = if parsed.eu {
                    Region::Eu
                } else {
                    Region::Global
                };
                (parsed.slug.declared().to_string(), region)
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(id: i64, ats: &str, slug: &str, api_base: &str) -> PythonSource {
        PythonSource {
            id,
            ats_type: ats.into(),
            company_slug: slug.into(),
            company_name: Some(" Acme Inc ".into()),
            api_base: api_base.into(),
            is_active: 1,
            last_ok_at: None,
            last_error: None,
            created_at: None,
        }
    }

    #[test]
    fn api_base_gives_provider_slug_and_region() {
        let gh = adopt_source(&python(
            1,
            "greenhouse",
            "acme",
            "https://boards-api.greenhouse.io/v1/boards/acme",
        ))
        .unwrap();
        assert_eq!(gh.key.to_string(), "greenhouse:acme");
        assert_eq!(
            (gh.region, gh.uid_slug, gh.name.as_deref()),
            (Region::Global, None, Some("Acme Inc"))
        );
        let lever_eu = adopt_source(&python(
            2,
            "lever",
            "Mistral",
            "https://api.eu.lever.co/v0/postings/mistral/",
        ))
        .unwrap();
        assert_eq!(lever_eu.key.to_string(), "lever:mistral");
        assert_eq!(lever_eu.region, Region::Eu);
        // The uids were hashed from the slug as the Python version stored it.
        assert_eq!(lever_eu.uid_slug.as_deref(), Some("Mistral"));
        // A board named by several parts comes from its careers URL.
        let workday = adopt_source(&python(
            3,
            "workday",
            "acme",
            "https://acme.wd5.myworkdayjobs.com/en-US/External",
        ))
        .unwrap();
        assert_eq!(workday.key.ats, AtsKind::Workday);
        assert_eq!(workday.key.slug.declared(), "acme.wd5.External");
    }

    #[test]
    fn unknown_providers_bad_slugs_and_repeated_boards_are_skipped_with_a_reason() {
        let (adopted, skipped) = choose_sources(vec![
            python(1, "lever", "acme", "https://api.lever.co/v0/postings/acme"),
            python(2, "taleo", "x", "https://x.taleo.net/careersection"),
            python(3, "lever", "Acme", "https://api.lever.co/v0/postings/ACME"),
            python(4, "greenhouse", "a b", "not a url"),
        ]);
        assert_eq!(adopted.len(), 1);
        let reasons: Vec<(i64, &str)> = skipped.iter().map(|(s, r)| (s.id, r.as_str())).collect();
        assert_eq!(reasons[0], (2, "provider \"taleo\" is not supported"));
        assert_eq!(reasons[1], (3, "the same board as source #1"));
        assert_eq!(reasons[2].0, 4);
    }

    #[test]
    fn inactive_sources_are_adopted_disabled() {
        let mut py = python(
            1,
            "greenhouse",
            "acme",
            "https://boards-api.greenhouse.io/v1/boards/acme",
        );
        py.is_active = 0;
        assert!(!adopt_source(&py).unwrap().enabled);
    }
}
