//! End-to-end: `jobs-bot doctor` healthy, wrong DB password, loose env file, bad Notion schema.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::e2e::{Backend, World, greenhouse_board};
use crate::helpers::mysql::mysql_admin_url;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The status (`pass`, `warn`, `fail`) of every line of check `name`.
fn statuses(out: &Output, name: &str) -> Vec<String> {
    stdout(out)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let status = words.next()?;
            (words.next() == Some(name)).then(|| status.to_string())
        })
        .collect()
}

const TOKEN: &str = "secret_notion_token_77";

/// A healthy world: one Greenhouse board served, a migrated SQLite database, a profile with
/// a CV and Notion pointed at the fake server.
async fn healthy_world(properties: serde_json::Value) -> World {
    let mut world = World::new(Backend::Sqlite).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Engineer")]))
        .await;
    let profile = world.dir.path().join("profiles/alice");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("cv.md"), "# Alice\nRust engineer\n").unwrap();
    world.set("SYNC_TO_NOTION", "1");
    world.set("NOTION_TOKEN", TOKEN);
    world.set("NOTION_DATA_SOURCE_ID", "ds-1");
    world.set("NOTION_BASE_URL", &world.server.uri());
    Mock::given(method("GET"))
        .and(path("/v1/data_sources/ds-1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("notion-version", "2025-09-03"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "data_source", "properties": properties})),
        )
        .mount(&world.server)
        .await;
    let out = world.run(&["migrate"]).await;
    assert!(out.status.success(), "{}", all_output(&out));
    world
}

fn every_property() -> serde_json::Value {
    let mut props = serde_json::Map::new();
    props.insert("Job Title".into(), json!({"type": "title"}));
    props.insert("Job UID".into(), json!({"type": "rich_text"}));
    for name in [
        "Profile",
        "Company",
        "Job URL",
        "Fit score",
        "Fit class",
        "First seen",
        "Last checked",
        "Source",
        "Region",
        "Status",
    ] {
        props.insert(name.into(), json!({"type": "rich_text"}));
    }
    serde_json::Value::Object(props)
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_passes_on_a_healthy_sqlite_setup() {
    let world = healthy_world(every_property()).await;
    let out = world.run(&["doctor"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    for check in [
        "config", "database", "sources", "provider", "notion", "profiles", "env-file", "clock",
    ] {
        assert_eq!(statuses(&out, check), ["pass"], "{check}: {}", stdout(&out));
    }
    let text = stdout(&out);
    assert!(text.contains("reachable and migrated"), "{text}");
    assert!(text.contains("greenhouse: http://127.0.0.1"), "{text}");
    assert!(text.contains("alice"), "{text}");
    assert!(text.contains("doctor: 8 pass, 0 warn, 0 fail"), "{text}");
    assert!(!all_output(&out).contains(TOKEN));
    // One request per provider host, one to Notion.
    let requests = world.server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "{requests:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_fails_when_notion_lacks_a_key_property_and_warns_about_the_others() {
    let world =
        healthy_world(json!({"Job Title": {"type": "title"}, "Company": {"type": "rich_text"}}))
            .await;
    let out = world.run(&["doctor"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(statuses(&out, "notion"), ["fail"], "{}", stdout(&out));
    assert!(stdout(&out).contains("Job UID"), "{}", stdout(&out));

    let mut props = every_property();
    props.as_object_mut().unwrap().remove("Fit score");
    let world = healthy_world(props).await;
    let out = world.run(&["doctor"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(statuses(&out, "notion"), ["warn"]);
    assert!(stdout(&out).contains("Fit score"));
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_with_a_wrong_mysql_password_fails_without_printing_it() {
    let mut url = url::Url::parse(&mysql_admin_url()).expect("TEST_DATABASE_URL is a URL");
    url.set_password(Some("wrong-pass-123")).unwrap();
    let mut world = World::new(Backend::Sqlite).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Engineer")]))
        .await;
    world.database_url = url.to_string();
    world.set("DATABASE_URL", url.as_str());
    let out = world.run(&["doctor"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(statuses(&out, "database"), ["fail"], "{}", stdout(&out));
    let all = all_output(&out);
    assert!(!all.contains("wrong-pass-123"), "{all}");
    // The other checks still ran.
    assert_eq!(statuses(&out, "provider"), ["pass"], "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_warns_about_a_world_readable_env_file() {
    let world = World::new(Backend::Sqlite).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Engineer")]))
        .await;
    let env = world.dir.path().join(".env");
    std::fs::write(&env, "MAX_CALLS_PER_DAY=0\n").unwrap();
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = world.run(&["doctor"]).await;
    assert_eq!(statuses(&out, "env-file"), ["warn"], "{}", stdout(&out));
    assert!(stdout(&out).contains("chmod 600 .env"), "{}", stdout(&out));
    // Warnings alone do not fail (no database yet, no profiles folder: warnings too).
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));

    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = world.run(&["doctor"]).await;
    assert_eq!(statuses(&out, "env-file"), ["pass"], "{}", stdout(&out));

    // An explicit --env-file is the one checked.
    let other = world.dir.path().join("jobs-bot.env");
    std::fs::write(&other, "").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o664)).unwrap();
    let path = other.display().to_string();
    let out = world.run(&["--env-file", &path, "doctor"]).await;
    assert_eq!(statuses(&out, "env-file"), ["warn"], "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("chmod 600 {path}")));
}
