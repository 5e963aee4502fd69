//! End-to-end: exit 1 when every source fails, the `config_invalid` event, journald priorities.

use std::os::unix::fs::MetadataExt;
use std::process::Stdio;

use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::helpers::e2e::{Backend, World, events, greenhouse_board};

async fn serve_404(world: &World, token: &str) {
    world
        .serve(
            &format!("/v1/boards/{token}/jobs"),
            ResponseTemplate::new(404).set_body_raw(
                r#"{"status":404,"error":"Job not found"}"#,
                "application/json",
            ),
        )
        .await;
}

fn position(lines: &[Value], event: &str) -> usize {
    lines
        .iter()
        .position(|l| l["event"] == event)
        .unwrap_or_else(|| panic!("no {event} in {lines:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_whose_boards_all_fail_exits_1_with_all_sources_failed() {
    let world = World::new(Backend::Sqlite).await;
    world.declare(&["gone", "moved"], &[]);
    serve_404(&world, "gone").await;
    serve_404(&world, "moved").await;
    let out = world.run(&["ingest"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = events(&out.stdout);
    let done = position(&lines, "ingest_done");
    let failed = position(&lines, "run_failed");
    assert!(done < failed, "run_failed must follow ingest_done");
    assert_eq!(lines[done]["sources_failed"], 2);
    assert_eq!(lines[failed]["reason"], "all_sources_failed");
    assert_eq!(lines[failed]["level"], "error");
    // The failures are still recorded against the boards.
    let table = world.sources_table().await;
    assert!(table.contains("not_found"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_with_only_rate_limited_sources_exits_0() {
    let mut world = World::new(Backend::Sqlite).await;
    world.declare(&["one", "two"], &[]);
    for t in ["one", "two"] {
        world
            .serve_greenhouse(t, greenhouse_board(t, &[(1, "Job")]))
            .await;
    }
    world.set("MAX_CALLS_PER_DAY", "1");
    world.ingest().await;
    // Same day: the cap is spent, every source is rate-limited, nothing was attempted.
    let out = world.run(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(0));
    let lines = events(&out.stdout);
    let done = &lines[position(&lines, "ingest_done")];
    assert_eq!(done["sources_ok"], 0);
    assert_eq!(done["sources_rate_limited"], 2);
    assert!(lines.iter().all(|l| l["event"] != "run_failed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_configuration_logs_one_config_invalid_event_naming_variables_only() {
    let mut world = World::new(Backend::Sqlite).await;
    world.set("FIT_MIN", "sixty");
    world.set("SYNC_TO_NOTION", "1");
    world.set("NOTION_TOKEN", "secret_notion_value_42");
    // Two Notion properties under one name.
    world.set("NOTION_PROP_COMPANY", "Job UID");
    world.set("ALERT_WEBHOOK_URL", "ftp://hooks.example/secret-hook-path");
    world.set("MYSQL_PASSWORD", "hunter2-secret");
    let out = world.run(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one event on stdout: {stdout}");
    let event: Value = serde_json::from_str(lines[0]).expect("a JSON line");
    assert_eq!(event["event"], "config_invalid");
    assert_eq!(event["level"], "error");
    assert_eq!(event["run_id"].as_str().map(str::len), Some(32));
    assert!(event["timestamp"].as_str().is_some());
    let variables: Vec<&str> = event["variables"]
        .as_array()
        .expect("variables")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for var in ["FIT_MIN", "NOTION_PROP_COMPANY", "ALERT_WEBHOOK_URL"] {
        assert!(variables.contains(&var), "{var} not in {variables:?}");
        assert!(stderr.contains(var), "{var} not on stderr: {stderr}");
    }
    for secret in [
        "secret_notion_value_42",
        "secret-hook-path",
        "hunter2-secret",
        "sixty",
    ] {
        assert!(
            !stdout.contains(secret),
            "{secret} leaked on stdout: {stdout}"
        );
    }
    for secret in [
        "secret_notion_value_42",
        "secret-hook-path",
        "hunter2-secret",
    ] {
        assert!(
            !stderr.contains(secret),
            "{secret} leaked on stderr: {stderr}"
        );
    }
}

/// Runs the binary with stdout going to a file; `journal` sets `JOURNAL_STREAM` to that
/// file's `device:inode` (as systemd does for its journal stream) or to another stream's.
async fn run_to_file(world: &World, args: &[&str], journal: Option<bool>) -> (i32, String) {
    let path = world.dir.path().join(format!("stdout-{}", uuid_like()));
    let file = std::fs::File::create(&path).expect("stdout file");
    let meta = file.metadata().expect("stat");
    let mut cmd = world.command(args);
    match journal {
        Some(true) => {
            cmd.env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()));
        }
        Some(false) => {
            cmd.env(
                "JOURNAL_STREAM",
                format!("{}:{}", meta.dev(), meta.ino() + 1),
            );
        }
        None => {}
    }
    cmd.stdout(Stdio::from(file)).stderr(Stdio::null());
    let status = tokio::task::spawn_blocking(move || cmd.status().expect("binary runs"))
        .await
        .expect("join");
    let text = std::fs::read_to_string(&path).expect("read stdout");
    (status.code().unwrap_or(-1), text)
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn under_journald_every_line_starts_with_its_syslog_priority() {
    let world = World::new(Backend::Sqlite).await;
    world.declare(&["good", "gone"], &[]);
    world
        .serve_greenhouse("good", greenhouse_board("good", &[(1, "A")]))
        .await;
    serve_404(&world, "gone").await;
    let (code, text) = run_to_file(&world, &["ingest"], Some(true)).await;
    assert_eq!(code, 0, "{text}");
    let mut seen = Vec::new();
    for line in text.lines() {
        let (prefix, json) = line.split_at(3);
        let value: Value = serde_json::from_str(json).unwrap_or_else(|_| panic!("{line}"));
        let expected = match value["level"].as_str() {
            Some("error") => "<3>",
            Some("warn") => "<4>",
            Some("info") => "<6>",
            _ => "<7>",
        };
        assert_eq!(prefix, expected, "{line}");
        seen.push((prefix.to_string(), value["event"].clone()));
    }
    assert!(
        seen.contains(&("<6>".into(), Value::from("ingest_done"))),
        "{seen:?}"
    );
    assert!(seen.iter().any(|(p, _)| p == "<4>"), "a warning: {seen:?}");

    // All boards failing: run_failed is an error, <3>.
    std::fs::write(
        world.sources_path(),
        "[[sources]]\nats = \"greenhouse\"\nslug = \"gone\"\n",
    )
    .unwrap();
    let (code, text) = run_to_file(&world, &["ingest"], Some(true)).await;
    assert_eq!(code, 1);
    assert!(
        text.lines()
            .any(|l| l.starts_with("<3>") && l.contains("\"run_failed\"")),
        "{text}"
    );

    // Another stream (a pipe or a redirect under systemd): plain JSON lines.
    let (_, text) = run_to_file(&world, &["ingest"], Some(false)).await;
    assert!(text.lines().all(|l| l.starts_with('{')), "{text}");
    let (_, text) = run_to_file(&world, &["ingest"], None).await;
    assert!(text.lines().all(|l| l.starts_with('{')), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_invalid_under_journald_is_an_error_priority_line() {
    let mut world = World::new(Backend::Sqlite).await;
    world.set("MAX_FETCH_PER_RUN", "0");
    let (code, text) = run_to_file(&world, &["ingest"], Some(true)).await;
    assert_eq!(code, 2);
    let line = text.lines().next().expect("one line");
    assert!(line.starts_with("<3>{"), "{line}");
    let value: Value = serde_json::from_str(&line[3..]).unwrap();
    assert_eq!(value["event"], "config_invalid");
    assert_eq!(value["variables"][0], "MAX_FETCH_PER_RUN");
}
