//! End-to-end: `jobs-bot alert` logs `unit_failed` and posts each webhook format, never its URL.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::e2e::{Backend, World, events};

const HOOK_PATH: &str = "/hooks/T000/secret-token-123";
const JOURNAL: [&str; 2] = [
    r#"{"event":"ingest_done","sources_ok":0}"#,
    r#"{"event":"run_failed","reason":"all_sources_failed"}"#,
];

/// A world whose PATH starts with a fake `journalctl` printing [`JOURNAL`] and recording
/// its arguments, and whose webhook is the fake server at [`HOOK_PATH`].
async fn alert_world(format: Option<&str>) -> World {
    let mut world = World::new(Backend::Sqlite).await;
    let bin = world.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("journalctl");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/journalctl-args\"\nprintf '%s\\n' '{}' '{}'\n",
            JOURNAL[0], JOURNAL[1]
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    world.set("PATH", &path);
    let url = format!("{}{HOOK_PATH}", world.server.uri());
    world.set("ALERT_WEBHOOK_URL", &url);
    if let Some(format) = format {
        world.set("ALERT_WEBHOOK_FORMAT", format);
    }
    world
}

async fn hook(world: &World, status: u16, times: Option<u64>) {
    let mock = Mock::given(method("POST"))
        .and(path(HOOK_PATH))
        .respond_with(ResponseTemplate::new(status));
    let mock = match times {
        Some(n) => mock.up_to_n_times(n).with_priority(1),
        None => mock,
    };
    mock.mount(&world.server).await;
}

async fn alert(world: &World, extra: &[&str]) -> Output {
    let mut args = vec!["alert", "--unit", "jobs-bot-ingest.service"];
    args.extend_from_slice(extra);
    world.run(&args).await
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn event<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["event"] == name)
        .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
}

async fn posts(world: &World) -> Vec<wiremock::Request> {
    world
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == HOOK_PATH)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn alert_logs_unit_failed_with_the_journal_and_posts_json_by_default() {
    let world = alert_world(None).await;
    hook(&world, 200, None).await;
    let out = alert(&world, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let lines = events(&out.stdout);
    let failed = event(&lines, "unit_failed");
    assert_eq!(failed["unit"], "jobs-bot-ingest.service");
    assert_eq!(failed["level"], "error");
    assert!(!failed["host"].as_str().unwrap_or_default().is_empty());
    assert_eq!(failed["journal_lines"], 2);
    assert!(
        failed["journal"]
            .as_str()
            .unwrap()
            .contains("all_sources_failed")
    );
    event(&lines, "alert_sent");
    let args = std::fs::read_to_string(world.dir.path().join("bin/journalctl-args")).unwrap();
    assert_eq!(
        args.trim(),
        "-u jobs-bot-ingest.service -n 20 -o cat --no-pager --quiet"
    );

    let posts = posts(&world).await;
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(body["event"], "unit_failed");
    assert_eq!(body["unit"], "jobs-bot-ingest.service");
    assert_eq!(body["host"], failed["host"]);
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["journal"], json!(JOURNAL));
    assert_eq!(
        posts[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert!(!all_output(&out).contains("secret-token-123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn alert_shapes_the_message_for_slack_discord_and_ntfy() {
    for format in ["slack", "discord", "ntfy"] {
        let world = alert_world(Some(format)).await;
        hook(&world, 200, None).await;
        let out = alert(&world, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{format}: {}", all_output(&out));
        let posts = posts(&world).await;
        assert_eq!(posts.len(), 1, "{format}");
        let request = &posts[0];
        let text = match format {
            "slack" | "discord" => {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                let key = if format == "slack" { "text" } else { "content" };
                assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
                body[key].as_str().unwrap().to_string()
            }
            _ => {
                let title = request.headers.get("title").unwrap().to_str().unwrap();
                assert!(
                    title.contains("jobs-bot-ingest.service failed on"),
                    "{title}"
                );
                assert!(
                    request
                        .headers
                        .get("content-type")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with("text/plain")
                );
                String::from_utf8(request.body.clone()).unwrap()
            }
        };
        assert!(
            text.contains("jobs-bot-ingest.service failed on"),
            "{format}: {text}"
        );
        assert!(text.contains("all_sources_failed"), "{format}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn alert_retries_a_server_error_then_succeeds() {
    let world = alert_world(Some("json")).await;
    hook(&world, 500, Some(1)).await;
    hook(&world, 200, None).await;
    let out = alert(&world, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(posts(&world).await.len(), 2);
    let lines = events(&out.stdout);
    assert_eq!(
        event(&lines, "alert_webhook_retry")["reason"],
        "server_error"
    );
    event(&lines, "alert_sent");
    assert!(lines.iter().all(|l| l["event"] != "alert_webhook_failed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_that_keeps_failing_is_logged_and_exits_0_or_1_with_strict() {
    let world = alert_world(Some("slack")).await;
    hook(&world, 503, None).await;
    let out = alert(&world, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(posts(&world).await.len(), 3, "three attempts");
    let lines = events(&out.stdout);
    let failed = event(&lines, "alert_webhook_failed");
    assert_eq!(failed["reason"], "server_error");
    assert!(failed["error"].as_str().unwrap().contains("503"));
    assert!(!all_output(&out).contains("secret-token-123"));

    let out = alert(&world, &["--strict"]).await;
    assert_eq!(out.status.code(), Some(1));
    let lines = events(&out.stdout);
    event(&lines, "alert_webhook_failed");
    assert_eq!(
        event(&lines, "run_failed")["reason"],
        "alert_webhook_failed"
    );
    assert!(!all_output(&out).contains("secret-token-123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_webhook_never_shows_its_url() {
    let mut world = alert_world(None).await;
    // A closed port on this machine: connection refused on every attempt.
    world.set(
        "ALERT_WEBHOOK_URL",
        "http://127.0.0.1:1/hooks/secret-token-123",
    );
    let out = alert(&world, &["--strict"]).await;
    assert_eq!(out.status.code(), Some(1));
    let lines = events(&out.stdout);
    assert_eq!(event(&lines, "alert_webhook_failed")["reason"], "connect");
    let all = all_output(&out);
    assert!(!all.contains("secret-token-123"), "{all}");
    assert!(!all.contains("127.0.0.1:1"), "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_webhook_the_alert_is_only_logged() {
    let mut world = alert_world(None).await;
    world.set("ALERT_WEBHOOK_URL", "");
    let out = alert(&world, &["--strict"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let lines = events(&out.stdout);
    event(&lines, "unit_failed");
    event(&lines, "alert_webhook_skipped");
    assert!(posts(&world).await.is_empty());
}
