//! `jobs-bot notion check|setup`: the data sources' schema verdict, and adding the owned
//! properties that are missing.

use std::sync::Arc;

use super::AppError;
use super::sync::{notion_client, targets};
use crate::app::cli::NotionCommand;
use crate::app::config::Settings;
use crate::app::sync::{Sync, SyncDeps, SyncPolicy};
use crate::app::wiring;
use crate::domain::sync::{Need, PROPERTIES, Prop, PropKind};
use crate::ports::{FitStore, Sink};

pub(crate) async fn notion(settings: &Settings, cmd: NotionCommand) -> Result<(), AppError> {
    let (profile, setup) = match &cmd {
        NotionCommand::Check { profile } => (profile.as_deref(), false),
        NotionCommand::Setup { profile } => (profile.as_deref(), true),
    };
    let store = wiring::open_existing_database(settings)
        .await
        .ok()
        .flatten();
    let store_ref = store.as_ref().map(|db| db as &dyn FitStore);
    let mut targets = targets(settings, store_ref, profile).await?;
    if targets.is_empty()
        && let Some(ds) = &settings.notion.data_source_id
    {
        targets.push(crate::app::sync::SyncTarget {
            profile: "(default)".into(),
            data_source: ds.clone(),
            fit_min: settings.fit_min,
            shared: false,
        });
    }
    let client = Arc::new(notion_client(settings)?);
    let sink: Arc<dyn Sink> = client.clone();
    let checker = Sync::new(
        SyncDeps {
            store: Arc::new(crate::adapters::memory::InMemoryRepository::new()),
            sink: sink.clone(),
            clock: wiring::clock(),
            names: settings.notion.property_names.clone(),
        },
        SyncPolicy {
            limit: 0,
            dry_run: true,
            max_consecutive_failures: 1,
        },
    );
    let mut bad = 0;
    let mut done: Vec<String> = Vec::new();
    for t in &targets {
        let verdict = match checker.check(t).await {
            Ok(v) => v,
            Err(e) => {
                bad += 1;
                println!(
                    "{} → {}: cannot read the data source: {e}",
                    t.profile, t.data_source
                );
                continue;
            }
        };
        if setup && !done.contains(&t.data_source) {
            done.push(t.data_source.clone());
            let names = &settings.notion.property_names;
            let missing: Vec<(String, PropKind)> = PROPERTIES
                .iter()
                .filter(|s| s.need != Need::Optional || s.prop == Prop::Closed)
                .filter(|s| {
                    !verdict.present.contains(&s.prop) && !verdict.occupied.contains(&s.prop)
                })
                .map(|s| (names.name(s.prop).to_string(), s.kind))
                .collect();
            if missing.is_empty() {
                println!("{}: nothing to add", t.data_source);
            } else {
                let names: Vec<&str> = missing.iter().map(|(n, _)| n.as_str()).collect();
                match sink.add_properties(&t.data_source, &missing).await {
                    Ok(()) => println!("{}: added {}", t.data_source, names.join(", ")),
                    Err(e) => {
                        bad += 1;
                        println!("{}: cannot add {}: {e}", t.data_source, names.join(", "));
                    }
                }
            }
            continue;
        }
        let state = if verdict.usable() { "ok" } else { "unusable" };
        println!(
            "{} → {}{}: {state}",
            t.profile,
            t.data_source,
            if t.shared { " (shared)" } else { "" }
        );
        for m in &verdict.missing_required {
            println!("  missing (required): {m}");
        }
        for m in &verdict.missing_owned {
            println!("  missing: {m}");
        }
        for m in &verdict.missing_optional {
            println!("  not present (optional): {m}");
        }
        if !verdict.usable() {
            bad += 1;
        }
    }
    if bad > 0 {
        return Err(AppError::Usage(format!("{bad} data source(s) not usable")));
    }
    Ok(())
}
