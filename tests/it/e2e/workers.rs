//! Several `jobs-bot ingest` workers on one MariaDB: every board once, caps exact, and a
//! killed worker's boards finished by the others once its lease expires.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::helpers::e2e::{
    Backend, World, assert_all_succeeded, done_line, events, greenhouse_board,
};

fn count(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

/// `n` Greenhouse boards, `b000`…, each serving two postings after `delay`.
async fn boards(world: &World, n: usize, delay: Duration) -> Vec<String> {
    let tokens: Vec<String> = (0..n).map(|i| format!("b{i:03}")).collect();
    let names: Vec<&str> = tokens.iter().map(String::as_str).collect();
    world.declare(&names, &[]);
    let respond = move |req: &Request| {
        let token = req.url.path().split('/').nth(3).unwrap_or("").to_string();
        ResponseTemplate::new(200)
            .set_body_json(greenhouse_board(
                &token,
                &[(1, "Engineer"), (2, "Designer")],
            ))
            .set_delay(delay)
    };
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/boards/[^/]+/jobs$"))
        .respond_with(respond)
        .mount(&world.server)
        .await;
    tokens
}

/// Requests received per board path.
async fn requests_per_board(world: &World) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for req in world.server.received_requests().await.unwrap() {
        *seen.entry(req.url.path().to_string()).or_default() += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn four_workers_on_mysql_fetch_every_board_once_and_keep_the_caps() {
    let mut world = World::new(Backend::Mysql).await;
    // Slow enough that the round outlasts the workers' start-up on a loaded machine (a
    // worker starting after the round is done would rightly start the next one).
    let tokens = boards(&world, 400, Duration::from_millis(15)).await;
    // 800 postings on offer: the new-job cap binds.
    world.set("MAX_NEW_JOBS_PER_DAY", "700");
    world.set("INGEST_CONCURRENCY", "4");
    assert!(world.run(&["migrate"]).await.status.success());
    let outputs = world.run_at_once(4, &["ingest"]).await;
    assert_all_succeeded(&outputs);

    let seen = requests_per_board(&world).await;
    let done: Vec<Value> = outputs.iter().map(|o| done_line(&o.stdout)).collect();
    assert_eq!(
        seen.len(),
        tokens.len(),
        "every board fetched; the workers' summaries: {done:#?}"
    );
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "fetched more than once: {twice:?}");

    let sum = |field| done.iter().map(|d| count(d, field)).sum::<u64>();
    assert_eq!(
        sum("sources_ok"),
        400,
        "each board done by exactly one worker"
    );
    assert_eq!(
        sum("inserted"),
        700,
        "MAX_NEW_JOBS_PER_DAY is global and exact"
    );
    assert_eq!(sum("blocked_new_jobs"), 100);
    let workers_with_work = done.iter().filter(|d| count(d, "sources_ok") > 0).count();
    assert!(workers_with_work >= 2, "the boards were shared: {done:?}");

    let jobs = world.jobs().await;
    assert_eq!(jobs.len(), 700);
    let mut uids: Vec<&str> = jobs
        .iter()
        .map(|j| j["job_uid"].as_str().unwrap())
        .collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), 700, "every posting stored once");

    // The next run is a new round: every board once more.
    world.server.reset().await;
    boards(&world, 400, Duration::ZERO).await;
    let again = world.ingest().await;
    assert_eq!(count(&again, "sources_ok"), 400);
    assert_eq!(requests_per_board(&world).await.len(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_workers_boards_are_finished_by_the_others_after_its_lease_expires() {
    let mut world = World::new(Backend::Mysql).await;
    // One request at a time per provider and worker: the victim holds its claimed boards
    // for a while.
    let tokens = boards(&world, 40, Duration::from_millis(150)).await;
    world.set("INGEST_CONCURRENCY", "4");
    world.set("WORKER_LEASE_S", "2");
    assert!(world.run(&["migrate"]).await.status.success());

    let mut victim = world
        .command(&["ingest", "--worker-id", "victim"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    // Its first request means it has claimed a batch of four.
    let started = Instant::now();
    while world.server.received_requests().await.unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "victim never fetched"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    victim.kill().expect("kill -9");
    victim.wait().expect("reaped");
    let killed_at = Instant::now();

    let outputs = world.run_at_once(3, &["ingest"]).await;
    assert_all_succeeded(&outputs);
    let done: Vec<Value> = outputs.iter().map(|o| done_line(&o.stdout)).collect();
    let sources_ok: u64 = done.iter().map(|d| count(d, "sources_ok")).sum();
    assert_eq!(
        sources_ok, 40,
        "the others did every board, the victim's too: {done:?}"
    );
    let waited = outputs
        .iter()
        .flat_map(|o| events(&o.stdout))
        .any(|e| e["event"] == "waiting_for_leases");
    assert!(waited, "someone waited for the victim's leases");
    assert!(
        killed_at.elapsed() >= Duration::from_millis(1500),
        "the victim's boards were taken before its lease could expire"
    );

    let seen = requests_per_board(&world).await;
    assert_eq!(seen.len(), tokens.len(), "every board fetched");
    let repeated: usize = seen.values().map(|n| n - 1).sum();
    assert!(
        (1..=4).contains(&repeated),
        "only the victim's claimed boards are fetched again: {repeated}"
    );
    let jobs = world.jobs().await;
    assert_eq!(jobs.len(), 80, "every posting stored once");
}
