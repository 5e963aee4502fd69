//! The built binary: `sync` with Notion down still exits 0 and says why; `notion check`
//! and `setup` against the fake.

use serde_json::Value;

use crate::helpers::e2e::{Backend, World, events};
use crate::helpers::notion::{FakeNotion, TOKEN, VERSION};

async fn world(notion_url: &str) -> World {
    let mut w = World::new(Backend::Sqlite).await;
    let profiles = w.dir.path().join("profiles");
    std::fs::create_dir_all(profiles.join("alice")).unwrap();
    std::fs::write(
        profiles.join("alice").join("profile.toml"),
        "fit_min = 60\n",
    )
    .unwrap();
    w.set("PROFILES_DIR", profiles.to_str().unwrap());
    w.set("NOTION_TOKEN", TOKEN);
    w.set("NOTION_VERSION", VERSION);
    w.set("NOTION_DATA_SOURCE_ID", "ds-main");
    w.set("NOTION_BASE_URL", notion_url);
    w.set("SYNC_TO_NOTION", "1");
    w
}

fn check_failed_run(out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked"
    );
    let evs = events(&out.stdout);
    let failed: Vec<&Value> = evs
        .iter()
        .filter(|e| e["event"] == "notion_sync_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert_eq!(failed[0]["profile"], "alice");
    assert!(
        evs.iter().any(|e| e["event"] == "notion_sync_done"),
        "{stdout}"
    );
}

#[tokio::test]
async fn sync_with_notion_down_exits_0_and_logs_notion_sync_failed() {
    let fake = FakeNotion::start().await;
    fake.set_down(Some(500));
    let w = world(&fake.uri()).await;
    let out = w.run(&["sync"]).await;
    check_failed_run(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("500"));

    // Connection refused.
    let w = world("http://127.0.0.1:9").await;
    let out = w.run(&["sync"]).await;
    check_failed_run(&out);
}

/// `run` (the unit's command): ingest and score succeed, Notion being down only logs.
#[tokio::test]
async fn run_with_notion_down_still_ingests_and_scores_and_exits_0() {
    let fake = FakeNotion::start().await;
    fake.set_down(Some(503));
    let w = world(&fake.uri()).await;
    std::fs::write(
        w.dir.path().join("profiles").join("alice").join("cv.md"),
        "Senior Backend Engineer (2015 - present): Rust, PostgreSQL, Kubernetes.\n",
    )
    .unwrap();
    w.declare(&["acme"], &[]);
    w.serve_greenhouse(
        "acme",
        crate::helpers::e2e::greenhouse_board("acme", &[(1, "Senior Backend Engineer")]),
    )
    .await;
    let out = w.run(&["run"]).await;
    check_failed_run(&out);
    let evs = events(&out.stdout);
    let done = |name: &str| evs.iter().find(|e| e["event"] == name).cloned();
    assert_eq!(done("ingest_done").expect("ingest_done")["inserted"], 1);
    assert_eq!(done("score_done").expect("score_done")["scored"], 1);
}

#[tokio::test]
async fn notion_check_reports_and_setup_adds_the_missing_properties() {
    let fake = FakeNotion::start().await;
    fake.add_data_source(
        "ds-main",
        &[("Job Title", "title"), ("Job UID", "rich_text")],
    );
    let w = world(&fake.uri()).await;
    let out = w.run(&["notion", "check"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("missing: Fit score (number)"), "{stdout}");

    let out = w.run(&["notion", "setup"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("added"), "{stdout}");
    let out = w.run(&["notion", "check"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!stdout.contains("missing:"), "{stdout}");

    fake.add_data_source("ds-main", &[("Name", "title")]);
    let out = w.run(&["notion", "check"]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("missing (required): Job Title"));
}

#[tokio::test]
async fn sync_reports_a_missing_property_once_by_name_and_exits_0() {
    let fake = FakeNotion::start().await;
    let props: Vec<(&str, &str)> = crate::helpers::notion::full_schema()
        .into_iter()
        .filter(|(n, _)| *n != "Company")
        .collect();
    fake.add_data_source("ds-main", &props);
    let w = world(&fake.uri()).await;
    let out = w.run(&["sync"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains(TOKEN));
    let evs = events(&out.stdout);
    let missing: Vec<&Value> = evs
        .iter()
        .filter(|e| e["event"] == "notion_property_missing")
        .collect();
    assert_eq!(missing.len(), 1, "{stdout}");
    assert_eq!(missing[0]["property"], "Company (rich_text)");
    let done = evs
        .iter()
        .find(|e| e["event"] == "notion_sync_done")
        .expect("notion_sync_done");
    for field in [
        "created",
        "updated",
        "unchanged",
        "dismissed",
        "failed",
        "requests",
        "rate_limited",
    ] {
        assert!(done.get(field).is_some(), "{field} in {done}");
    }
    assert!(evs.iter().all(|e| e["event"] != "notion_sync_failed"));
}

/// Scores profile `alice` (stored in the database), then removes the profiles folder.
async fn world_with_a_stored_profile_only(notion_url: &str) -> World {
    let mut w = World::new(Backend::Sqlite).await;
    // The default PROFILES_DIR: `profiles` in the working directory.
    let profiles = w.dir.path().join("profiles");
    std::fs::create_dir_all(profiles.join("alice")).unwrap();
    std::fs::write(
        profiles.join("alice").join("cv.md"),
        "Senior Backend Engineer (2015 - present): Rust, PostgreSQL.\n",
    )
    .unwrap();
    w.declare(&[], &[]);
    let out = w.run(&["score"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::rename(&profiles, w.dir.path().join("old-profiles")).unwrap();
    w.set("NOTION_TOKEN", TOKEN);
    w.set("NOTION_VERSION", VERSION);
    w.set("NOTION_DATA_SOURCE_ID", "ds-main");
    w.set("NOTION_BASE_URL", notion_url);
    w.set("SYNC_TO_NOTION", "1");
    w
}

#[tokio::test]
async fn sync_of_one_profile_known_only_from_the_database_works_without_its_folder() {
    let fake = FakeNotion::start().await;
    fake.add_data_source("ds-main", &crate::helpers::notion::full_schema());
    let w = world_with_a_stored_profile_only(&fake.uri()).await;
    let out = w.run(&["sync", "--profile", "alice"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    let evs = events(&out.stdout);
    let done = evs
        .iter()
        .find(|e| e["event"] == "notion_sync_done")
        .expect("notion_sync_done");
    assert_eq!(done["profiles"], 1, "{stdout}");
    assert_eq!(done["profiles_failed"], 0, "{stdout}");

    let out = w.run(&["sync", "--profile", "bob"]).await;
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("no profile \"bob\"") && all.contains("alice"),
        "{all}"
    );
}

#[tokio::test]
async fn each_profile_may_name_its_own_data_source_without_the_fallback() {
    let fake = FakeNotion::start().await;
    fake.add_data_source("ds-alice", &crate::helpers::notion::full_schema());
    let mut w = World::new(Backend::Sqlite).await;
    let profiles = w.dir.path().join("profiles");
    std::fs::create_dir_all(profiles.join("alice")).unwrap();
    std::fs::write(
        profiles.join("alice").join("profile.toml"),
        "notion_data_source_id = \"ds-alice\"\n",
    )
    .unwrap();
    w.set("PROFILES_DIR", profiles.to_str().unwrap());
    w.set("NOTION_TOKEN", TOKEN);
    w.set("NOTION_VERSION", VERSION);
    w.set("NOTION_BASE_URL", &fake.uri());
    w.set("SYNC_TO_NOTION", "1");
    w.declare(&[], &[]);

    let out = w.run(&["check-config"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = w.run(&["sync"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    let evs = events(&out.stdout);
    assert!(
        evs.iter().all(|e| e["event"] != "notion_sync_failed"),
        "{stdout}"
    );
    assert!(
        fake.log()
            .iter()
            .any(|l| l.path == "/v1/data_sources/ds-alice"),
        "the profile's own data source was read"
    );

    // A second profile without a data source, and no fallback: refused before any work.
    std::fs::create_dir_all(profiles.join("bob")).unwrap();
    for args in [&["check-config"][..], &["run"][..]] {
        let out = w.run(args).await;
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.contains("NOTION_DATA_SOURCE_ID") && all.contains("bob"),
            "{all}"
        );
        assert!(!all.contains("ingest_start"), "nothing ran: {all}");
    }
}
