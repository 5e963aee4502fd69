//! `jobs-bot sync`: each profile's fits to its Notion data source (or, with `--dry-run`,
//! what would be written). Notion failing never fails the command.

use std::collections::HashMap;
use std::sync::Arc;

use super::AppError;
use crate::adapters::notion::{NotionClient, NotionConfig};
use crate::app::config::Settings;
use crate::app::profiles;
use crate::app::sync::{Sync, SyncDeps, SyncPolicy, SyncReport, SyncTarget};
use crate::app::wiring;
use crate::ports::FitStore;

/// Sink failures in a row after which a profile's sync stops until the next run.
const MAX_CONSECUTIVE_FAILURES: u32 = 3;

pub(crate) fn notion_client(settings: &Settings) -> Result<NotionClient, AppError> {
    let token = settings.notion.token.as_ref().ok_or_else(|| {
        AppError::Usage("NOTION_TOKEN is not set: Notion cannot be reached".into())
    })?;
    NotionClient::new(NotionConfig {
        base_url: settings.notion.base_url.clone(),
        token: token.expose().to_string(),
        version: settings.notion.version.clone(),
        rps: settings.notion.rps,
        timeout: settings.request_timeout,
        max_attempts: settings.retry.max_attempts.max(2),
        base_delay: settings.retry.base_delay,
        max_delay: settings.retry.max_delay,
        names: settings.notion.property_names.clone(),
    })
    .map_err(|e| AppError::Usage(e.to_string()))
}

/// One profile's sync settings as configured: its key, its own data source and threshold.
struct Wanted {
    key: String,
    data_source: Option<String>,
    fit_min: Option<u8>,
}

/// The profiles that sync: the profile folders (their `profile.toml`), else the profiles
/// stored by `score` (a folder-less install, or profiles whose folders are gone).
async fn wanted_profiles(
    settings: &Settings,
    store: Option<&dyn FitStore>,
) -> Result<Vec<Wanted>, AppError> {
    let (dir, must_exist) = settings.profiles_path();
    if must_exist && !dir.is_dir() {
        return Err(AppError::Usage(format!(
            "PROFILES_DIR {} is not a folder",
            dir.display()
        )));
    }
    let discovery = profiles::discover(&dir, None).map_err(|e| AppError::Usage(e.to_string()))?;
    let mut wanted: Vec<Wanted> = discovery
        .profiles
        .iter()
        .map(|p| Wanted {
            key: p.key.as_str().to_string(),
            data_source: p.preferences.notion_data_source_id.clone(),
            fit_min: p.preferences.fit_min,
        })
        .collect();
    if wanted.is_empty()
        && let Some(store) = store
    {
        wanted = store
            .profiles()
            .await?
            .into_iter()
            .map(|p| Wanted {
                key: p.key,
                data_source: None,
                fit_min: None,
            })
            .collect();
    }
    Ok(wanted)
}

/// The profile folders that name no data source when `NOTION_DATA_SOURCE_ID` (the fallback)
/// is unset: a configuration problem when Notion sync is on, reported before any work.
pub(crate) fn profiles_without_data_source(settings: &Settings) -> Vec<String> {
    if settings.notion.data_source_id.is_some() {
        return Vec::new();
    }
    let (dir, _) = settings.profiles_path();
    let Ok(discovery) = profiles::discover(&dir, settings.profile_id.as_deref()) else {
        return Vec::new();
    };
    discovery
        .profiles
        .iter()
        .filter(|p| p.preferences.notion_data_source_id.is_none())
        .map(|p| p.key.as_str().to_string())
        .collect()
}

/// Refuses to start a sync that would skip profiles for want of a data source.
pub(crate) fn require_data_sources(settings: &Settings) -> Result<(), AppError> {
    let lacking = profiles_without_data_source(settings);
    if lacking.is_empty() {
        return Ok(());
    }
    Err(AppError::Usage(format!(
        "NOTION_DATA_SOURCE_ID is not set and profile(s) {} name no notion_data_source_id in \
         profile.toml: set one or the other (or SYNC_TO_NOTION=0)",
        lacking.join(", ")
    )))
}

/// Each profile's data source and threshold (all profiles, or `only`), with
/// `NOTION_DATA_SOURCE_ID` and `FIT_MIN` as defaults. Profiles without any data source
/// (stored ones, when the fallback is unset) are logged and left out.
pub(crate) async fn targets(
    settings: &Settings,
    store: Option<&dyn FitStore>,
    only: Option<&str>,
) -> Result<Vec<SyncTarget>, AppError> {
    let only = only
        .or(settings.profile_id.as_deref())
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let wanted = wanted_profiles(settings, store).await?;
    let destination = |w: &Wanted| {
        w.data_source
            .clone()
            .or_else(|| settings.notion.data_source_id.clone())
    };
    // Sharing is decided over every profile, even when one is selected.
    let mut per_source: HashMap<String, usize> = HashMap::new();
    for ds in wanted.iter().filter_map(destination) {
        *per_source.entry(ds).or_default() += 1;
    }
    let selected: Vec<&Wanted> = wanted
        .iter()
        .filter(|w| only.is_none_or(|o| o.eq_ignore_ascii_case(&w.key)))
        .collect();
    if let Some(o) = only
        && selected.is_empty()
    {
        let known: Vec<&str> = wanted.iter().map(|w| w.key.as_str()).collect();
        return Err(AppError::Usage(format!(
            "no profile {o:?} (known: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let mut out = Vec::new();
    for w in selected {
        let Some(ds) = destination(w) else {
            tracing::warn!(
                event = "notion_sync_failed",
                profile = %w.key,
                reason = "no data source: set notion_data_source_id in profile.toml or NOTION_DATA_SOURCE_ID",
            );
            continue;
        };
        out.push(SyncTarget {
            profile: w.key.clone(),
            shared: per_source.get(&ds).copied().unwrap_or(0) > 1,
            data_source: ds,
            fit_min: w.fit_min.unwrap_or(settings.fit_min),
        });
    }
    Ok(out)
}

/// Syncs the profiles (all, or `profile`) to Notion. Notion's failures are logged
/// (`notion_sync_failed`) and kept per item; only the database failing is an error.
pub async fn sync_profiles(
    settings: &Settings,
    profile: Option<&str>,
    dry_run: bool,
) -> Result<SyncReport, AppError> {
    let store: Arc<dyn FitStore> = if dry_run {
        match wiring::open_existing_database(settings).await? {
            Some(db) => Arc::new(db),
            None => return Ok(SyncReport::default()),
        }
    } else {
        Arc::new(wiring::open_database(settings).await?)
    };
    require_data_sources(settings)?;
    let targets = targets(settings, Some(store.as_ref()), profile).await?;
    let sink = Arc::new(notion_client(settings)?);
    let deps = SyncDeps {
        store,
        sink,
        clock: wiring::clock(),
        names: settings.notion.property_names.clone(),
    };
    let policy = SyncPolicy {
        limit: settings.sync_limit as usize,
        dry_run,
        max_consecutive_failures: MAX_CONSECUTIVE_FAILURES,
    };
    Ok(Sync::new(deps, policy).run(&targets).await?)
}

/// `jobs-bot sync [--profile KEY] [--dry-run]`.
pub(crate) async fn sync(
    settings: &Settings,
    profile: Option<&str>,
    dry_run: bool,
) -> Result<(), AppError> {
    let report = sync_profiles(settings, profile, dry_run).await?;
    if dry_run {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let write = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
            for p in &report.planned {
                writeln!(
                    out,
                    "would {} {} {} ({}) {}",
                    p.action, p.profile, p.job_uid, p.fit_score, p.title
                )?;
            }
            writeln!(out, "{} write(s) planned", report.planned.len())
        };
        write(&mut out).map_err(|e| AppError::Output(e.to_string()))?;
    }
    Ok(())
}
