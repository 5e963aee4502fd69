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
    })
    .map_err(|e| AppError::Usage(e.to_string()))
}

/// Each profile's data source and threshold: the profile folders (their `profile.toml`),
/// else the profiles stored by `score`, with `NOTION_DATA_SOURCE_ID` and `FIT_MIN` as
/// defaults. Profiles without any data source are logged and left out.
pub(crate) async fn targets(
    settings: &Settings,
    store: Option<&dyn FitStore>,
    only: Option<&str>,
) -> Result<Vec<SyncTarget>, AppError> {
    let (dir, must_exist) = settings.profiles_path();
    let only = only.or(settings.profile_id.as_deref());
    if must_exist && !dir.is_dir() {
        return Err(AppError::Usage(format!(
            "PROFILES_DIR {} is not a folder",
            dir.display()
        )));
    }
    let discovery = profiles::discover(&dir, only).map_err(|e| AppError::Usage(e.to_string()))?;
    let mut wanted: Vec<(String, Option<String>, Option<u8>)> = discovery
        .profiles
        .iter()
        .map(|p| {
            (
                p.key.as_str().to_string(),
                p.preferences.notion_data_source_id.clone(),
                p.preferences.fit_min,
            )
        })
        .collect();
    if wanted.is_empty()
        && let Some(store) = store
    {
        wanted = store
            .profiles()
            .await?
            .into_iter()
            .filter(|p| only.is_none_or(|o| o.eq_ignore_ascii_case(&p.key)))
            .map(|p| (p.key, None, None))
            .collect();
    }
    if let Some(o) = only
        && wanted.is_empty()
    {
        return Err(AppError::Usage(format!("no profile {o:?}")));
    }
    let mut out = Vec::new();
    for (key, ds, fit_min) in wanted {
        let Some(ds) = ds.or_else(|| settings.notion.data_source_id.clone()) else {
            tracing::warn!(
                event = "notion_sync_failed",
                profile = %key,
                reason = "no data source: set notion_data_source_id in profile.toml or NOTION_DATA_SOURCE_ID",
            );
            continue;
        };
        out.push(SyncTarget {
            profile: key,
            data_source: ds,
            fit_min: fit_min.unwrap_or(settings.fit_min),
            shared: false,
        });
    }
    let mut per_source: HashMap<String, usize> = HashMap::new();
    for t in &out {
        *per_source.entry(t.data_source.clone()).or_default() += 1;
    }
    // Sharing is decided over every profile, even when one is selected.
    if only.is_some() {
        let all = profiles::discover(&dir, None).map_err(|e| AppError::Usage(e.to_string()))?;
        per_source.clear();
        for p in &all.profiles {
            if let Some(ds) = p
                .preferences
                .notion_data_source_id
                .clone()
                .or_else(|| settings.notion.data_source_id.clone())
            {
                *per_source.entry(ds).or_default() += 1;
            }
        }
    }
    for t in &mut out {
        t.shared = per_source.get(&t.data_source).copied().unwrap_or(0) > 1;
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
    let targets = targets(settings, Some(store.as_ref()), profile).await?;
    let sink = Arc::new(notion_client(settings)?);
    let deps = SyncDeps {
        store,
        sink,
        clock: wiring::clock(),
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
