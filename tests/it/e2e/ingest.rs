//! End-to-end: the built binary against a fake ATS server and a real database.

use crate::helpers::e2e::{
    Backend, World, as_refs, assert_all_succeeded, greenhouse_board, numbered,
};
use crate::helpers::snapshot::snapshot;
use serde_json::Value;
use std::time::Duration;
use wiremock::ResponseTemplate;

const LEVER_FIXTURE: &str = include_str!("../../fixtures/lever_postings.json");
const GREENHOUSE_FIXTURE: &str = include_str!("../../fixtures/greenhouse_jobs.json");

fn count(done: &Value, field: &str) -> u64 {
    done[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} missing in {done}"))
}

async fn lifecycle(backend: Backend) {
    let world = World::new(backend).await;
    world.declare(&["acme", "anthropic"], &["spotify"]);
    let lever_items = serde_json::from_str::<Vec<Value>>(LEVER_FIXTURE)
        .unwrap()
        .len() as u64;
    let gh_fixture: Value = serde_json::from_str(GREENHOUSE_FIXTURE).unwrap();
    let gh_fixture_items = gh_fixture["jobs"].as_array().unwrap().len() as u64;
    let acme = numbered(4);
    let serve_all = |acme: Vec<(u64, String)>| {
        let world = &world;
        let gh_fixture = gh_fixture.clone();
        async move {
            world.reset().await;
            world
                .serve_greenhouse("acme", greenhouse_board("acme", &as_refs(&acme)))
                .await;
            world.serve_greenhouse("anthropic", gh_fixture).await;
            world
                .serve(
                    "/v0/postings/spotify",
                    ResponseTemplate::new(200).set_body_raw(LEVER_FIXTURE, "application/json"),
                )
                .await;
        }
    };

    // First run: everything is new.
    serve_all(acme.clone()).await;
    let first = world.ingest().await;
    assert_eq!(
        count(&first, "inserted"),
        4 + gh_fixture_items + lever_items
    );
    assert_eq!(count(&first, "sources_ok"), 3);
    assert_eq!(first["run_id"].as_str().map(str::len), Some(32));
    let jobs = world.jobs().await;
    assert_eq!(jobs.len() as u64, 4 + gh_fixture_items + lever_items);
    let stored = jobs
        .iter()
        .find(|j| j["ats_job_id"] == "5311686008")
        .expect("real Greenhouse job stored");
    assert_eq!(stored["title"], "Country Lead, Data Center Security");
    assert!(!stored["description"].as_str().unwrap().contains("&lt;"));

    // Second run, nothing changed: nothing written.
    let second = world.ingest().await;
    assert_eq!(
        (count(&second, "inserted"), count(&second, "updated")),
        (0, 0)
    );
    assert_eq!(count(&second, "unchanged"), count(&first, "inserted"));

    // One title changes.
    let mut changed = acme.clone();
    changed[0].1 = "Staff Engineer 1".into();
    serve_all(changed.clone()).await;
    let third = world.ingest().await;
    assert_eq!(
        (count(&third, "inserted"), count(&third, "updated")),
        (0, 1)
    );

    // One posting vanishes: closed, row kept.
    let vanished = changed[3].0.to_string();
    serve_all(changed[..3].to_vec()).await;
    let fourth = world.ingest().await;
    assert_eq!(count(&fourth, "closed"), 1);
    let jobs = world.jobs().await;
    let gone = jobs
        .iter()
        .find(|j| j["ats_job_id"] == vanished.as_str())
        .expect("row kept");
    assert!(gone["closed_at"].is_string());

    // It comes back: reopened, not inserted.
    serve_all(changed).await;
    let fifth = world.ingest().await;
    assert_eq!(
        (count(&fifth, "reopened"), count(&fifth, "inserted")),
        (1, 0)
    );
    let jobs = world.jobs().await;
    let back = jobs
        .iter()
        .find(|j| j["ats_job_id"] == vanished.as_str())
        .unwrap();
    assert!(back["closed_at"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn lifecycle_on_sqlite() {
    lifecycle(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lifecycle_on_mysql() {
    lifecycle(Backend::Mysql).await;
}

async fn caps(backend: Backend) {
    let mut world = World::new(backend).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &as_refs(&numbered(8))))
        .await;
    world.set("MAX_NEW_JOBS_PER_DAY", "5");
    let first = world.ingest().await;
    assert_eq!(count(&first, "inserted"), 5);
    assert_eq!(count(&first, "blocked_new_jobs"), 3);
    assert_eq!(world.jobs().await.len(), 5);
    let second = world.ingest().await;
    assert_eq!(count(&second, "inserted"), 0);
    assert_eq!(world.jobs().await.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn new_job_cap_on_sqlite() {
    caps(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn new_job_cap_on_mysql() {
    caps(Backend::Mysql).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn call_cap_limits_requests_and_the_run_still_succeeds() {
    let mut world = World::new(Backend::Sqlite).await;
    world.declare(&["one", "two", "three"], &[]);
    for t in ["one", "two", "three"] {
        world
            .serve_greenhouse(t, greenhouse_board(t, &[(1, "Job")]))
            .await;
    }
    world.set("MAX_CALLS_PER_DAY", "1");
    let done = world.ingest().await;
    assert_eq!(world.server.received_requests().await.unwrap().len(), 1);
    assert_eq!(count(&done, "sources_ok"), 1);
    assert_eq!(count(&done, "sources_rate_limited"), 2);
    assert_eq!(count(&done, "sources_failed"), 0);
    // Later the same (frozen) day: no request at all.
    world.set("JOBS_BOT_TEST_NOW", "2026-11-30T23:59:59Z");
    world.ingest().await;
    assert_eq!(world.server.received_requests().await.unwrap().len(), 1);
    // The next UTC day has a new budget: one more request.
    world.set("JOBS_BOT_TEST_NOW", "2026-12-01T00:00:01Z");
    let next_day = world.ingest().await;
    assert_eq!(count(&next_day, "api_calls"), 1);
    assert_eq!(world.server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_boards_are_recorded_while_healthy_ones_succeed() {
    let world = World::new(Backend::Sqlite).await;
    world.declare(&["good", "missing", "broken", "flaky", "throttled"], &[]);
    world
        .serve_greenhouse("good", greenhouse_board("good", &[(1, "A")]))
        .await;
    world
        .serve(
            "/v1/boards/missing/jobs",
            ResponseTemplate::new(404).set_body_raw(
                r#"{"status":404,"error":"Job not found"}"#,
                "application/json",
            ),
        )
        .await;
    world
        .serve(
            "/v1/boards/broken/jobs",
            ResponseTemplate::new(200).set_body_raw(r#"{"jobs": [ {"id": 1, "#, "application/json"),
        )
        .await;
    // Fails once, then works: wiremock serves the limited mock first while it lasts.
    for (token, status) in [("flaky", 500), ("throttled", 429)] {
        wiremock::Mock::given(wiremock::matchers::path(format!("/v1/boards/{token}/jobs")))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&world.server)
            .await;
        world
            .serve_greenhouse(token, greenhouse_board(token, &[(7, "B")]))
            .await;
    }
    let done = world.ingest().await;
    assert_eq!(count(&done, "sources_ok"), 3);
    assert_eq!(count(&done, "sources_failed"), 2);
    assert_eq!(count(&done, "inserted"), 3);
    let table = world.sources_table().await;
    let line = |slug: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(slug))
            .unwrap_or_else(|| panic!("{slug} not in {table}"))
            .to_string()
    };
    assert!(line("missing").contains("not_found"), "{table}");
    assert!(line("broken").contains("malformed"), "{table}");
    assert!(!line("flaky").contains("server_error"), "{table}");
    assert!(!line("good").contains("not_found"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_at_once_on_mysql_respect_the_new_job_cap() {
    let mut world = World::new(Backend::Mysql).await;
    world.declare(&["acme", "beta"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &as_refs(&numbered(20))))
        .await;
    world
        .serve_greenhouse("beta", greenhouse_board("beta", &as_refs(&numbered(20))))
        .await;
    world.set("MAX_NEW_JOBS_PER_DAY", "10");
    // Migrate first so both processes start on the same schema at the same moment.
    assert!(world.run(&["migrate"]).await.status.success());
    assert_all_succeeded(&world.run_at_once(2, &["ingest"]).await);
    let jobs = world.jobs().await;
    assert_eq!(
        jobs.len(),
        10,
        "the cap is exact, and both boards offered more"
    );
    let mut uids: Vec<&str> = jobs
        .iter()
        .map(|j| j["job_uid"].as_str().unwrap())
        .collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), jobs.len(), "duplicate rows");
}

/// Three processes at once, twelve boards, a daily cap of seven calls: the provider
/// receives exactly seven requests, and the runs' own counts agree.
async fn processes_at_once_send_exactly_the_call_cap(backend: Backend) {
    let mut world = World::new(backend).await;
    let tokens: Vec<String> = (0..12).map(|i| format!("board{i}")).collect();
    let names: Vec<&str> = tokens.iter().map(String::as_str).collect();
    world.declare(&names, &[]);
    for t in &tokens {
        // A little latency so that the processes' requests overlap.
        let body = greenhouse_board(t, &[(1, "Job")]);
        let response = ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(Duration::from_millis(40));
        world.serve(&format!("/v1/boards/{t}/jobs"), response).await;
    }
    world.set("MAX_CALLS_PER_DAY", "7");
    world.set("INGEST_CONCURRENCY", "3");
    assert!(world.run(&["migrate"]).await.status.success());
    let outputs = world.run_at_once(3, &["ingest"]).await;
    assert_all_succeeded(&outputs);
    let received = world.server.received_requests().await.unwrap().len();
    assert_eq!(received, 7, "requests sent under MAX_CALLS_PER_DAY=7");
    let counted: u64 = outputs
        .iter()
        .map(|o| count(&crate::helpers::e2e::done_line(&o.stdout), "api_calls"))
        .sum();
    assert_eq!(counted, 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_at_once_on_mysql_send_exactly_the_call_cap() {
    processes_at_once_send_exactly_the_call_cap(Backend::Mysql).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_at_once_on_sqlite_send_exactly_the_call_cap() {
    processes_at_once_send_exactly_the_call_cap(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_as_a_mysql_user_with_a_password_never_prints_it() {
    let mut world = World::new(Backend::Mysql).await;
    let secret = "Pw-S3cr3t@x%y";
    let user = format!("jb_pw_{}", std::process::id());
    let db = world.mysql.as_ref().unwrap();
    let db_name = db.name().to_string();
    let mut statements = String::new();
    for host in ["%", "localhost", "127.0.0.1"] {
        statements.push_str(&format!(
            "CREATE USER IF NOT EXISTS '{user}'@'{host}' IDENTIFIED BY '{secret}'; \
             GRANT ALL ON `{}`.* TO '{user}'@'{host}'; ",
            db_name
        ));
    }
    db.admin_execute(&statements).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Solo")]))
        .await;
    let encoded = secret.replace('@', "%40").replace('%', "%25");
    let encoded = encoded.replace("%2540", "%40");
    world.database_url = format!("mysql://{user}:{encoded}@127.0.0.1:3306/{db_name}");
    let mut printed = String::new();
    for args in [
        &["ingest"][..],
        &["check-config"],
        &["sources", "list"],
        &["jobs", "list"],
        &["migrate"],
    ] {
        let out = world.run(args).await;
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(world.jobs().await.len(), 1, "the run worked as that user");
    // The same through the MYSQL_* variables of the Python version.
    world.database_url = String::new();
    for (k, v) in [
        ("MYSQL_HOST", "127.0.0.1"),
        ("MYSQL_PORT", "3306"),
        ("MYSQL_DB", db_name.as_str()),
        ("MYSQL_USER", user.as_str()),
        ("MYSQL_PASSWORD", secret),
    ] {
        world.set(k, v);
    }
    let out = world.run(&["ingest"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    printed.push_str(&String::from_utf8_lossy(&out.stdout));
    printed.push_str(&String::from_utf8_lossy(&out.stderr));
    for shown in [secret, encoded.as_str(), "S3cr3t"] {
        assert!(!printed.contains(shown), "{shown:?} printed:\n{printed}");
    }
    assert!(
        printed.contains(&db_name),
        "the runs did log where they wrote"
    );
    let mut drop_users = String::new();
    for host in ["%", "localhost", "127.0.0.1"] {
        drop_users.push_str(&format!("DROP USER IF EXISTS '{user}'@'{host}'; "));
    }
    world
        .mysql
        .as_ref()
        .unwrap()
        .admin_execute(&drop_users)
        .await;
}

/// What must match between a crashed-then-rerun database and a clean one.
fn comparable(jobs: &[Value]) -> Vec<(String, String, String, bool)> {
    let mut rows: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                j["job_uid"].as_str().unwrap().to_string(),
                j["title"].as_str().unwrap().to_string(),
                j["content_hash"].as_str().unwrap().to_string(),
                j["closed_at"].is_null(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_dash_nine_mid_run_then_rerun_converges_to_a_clean_run() {
    let tokens = ["a1", "a2", "a3", "a4"];
    let setup = |world: World, slow: bool| async move {
        world.declare(&tokens, &[]);
        for (i, t) in tokens.iter().enumerate() {
            let body = greenhouse_board(t, &as_refs(&numbered(30 + i as u64)));
            let mut response = ResponseTemplate::new(200).set_body_json(body);
            if slow && i >= 2 {
                response = response.set_delay(Duration::from_secs(30));
            }
            world.serve(&format!("/v1/boards/{t}/jobs"), response).await;
        }
        world
    };
    let mut crashed = World::new(Backend::Sqlite).await;
    crashed.set("INGEST_CONCURRENCY", "1");
    let crashed = setup(crashed, true).await;
    let mut child = crashed
        .command(&["ingest"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Kill as soon as the first source is written and the run is stuck on a slow board.
    let saw_source = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut done = 0;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("\"source_done\"") {
                done += 1;
                if done == 2 {
                    return true;
                }
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(saw_source, "the run never wrote a source");
    tokio::time::sleep(Duration::from_millis(200)).await;
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let partial = crashed.jobs().await;
    assert_eq!(
        partial.len(),
        30 + 31,
        "exactly the two finished sources, complete"
    );

    // The rerun, with the provider healthy again.
    crashed.reset().await;
    let crashed = setup(crashed, false).await;
    crashed.ingest().await;

    let clean = setup(World::new(Backend::Sqlite).await, false).await;
    clean.ingest().await;
    assert_eq!(
        comparable(&crashed.jobs().await),
        comparable(&clean.jobs().await)
    );
}

/// A dry run on a database that already holds jobs and spent counters: it plans against
/// them (an update, a close, an insert), prints the plan, and leaves every table, the
/// migrations table included, exactly as it was.
async fn dry_run_on_an_existing_database_changes_nothing(backend: Backend) {
    let mut world = World::new(backend).await;
    world.declare(&["acme"], &[]);
    world.set("MAX_CALLS_PER_DAY", "50");
    world.set("MAX_NEW_JOBS_PER_DAY", "50");
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Solo"), (2, "Duo")]))
        .await;
    assert_eq!(count(&world.ingest().await, "inserted"), 2);
    world.reset().await;
    world
        .serve_greenhouse(
            "acme",
            greenhouse_board("acme", &[(1, "Solo v2"), (3, "Trio")]),
        )
        .await;
    let before = snapshot(&world.database_url).await;
    let out = world.run(&["ingest", "--dry-run"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["would insert 1, update 1, close 1", "Trio", "Solo v2"] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert_eq!(
        snapshot(&world.database_url).await,
        before,
        "the dry run wrote"
    );
    // The real run afterwards does what the dry run said.
    let done = world.ingest().await;
    assert_eq!(
        (
            count(&done, "inserted"),
            count(&done, "updated"),
            count(&done, "closed")
        ),
        (1, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_on_an_existing_sqlite_database_changes_nothing() {
    dry_run_on_an_existing_database_changes_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_on_an_existing_mysql_database_changes_nothing() {
    dry_run_on_an_existing_database_changes_nothing(Backend::Mysql).await;
}

/// A dry run on a database not yet migrated (an empty MySQL database, a missing SQLite
/// file) plans against nothing and creates nothing: no table, no migrations table.
#[tokio::test(flavor = "multi_thread")]
async fn dry_run_on_a_database_not_yet_migrated_creates_nothing() {
    for backend in [Backend::Sqlite, Backend::Mysql] {
        let world = World::new(backend).await;
        world.declare(&["acme"], &[]);
        world
            .serve_greenhouse("acme", greenhouse_board("acme", &[(1, "Solo")]))
            .await;
        let before = if world.mysql.is_some() {
            Some(snapshot(&world.database_url).await)
        } else {
            None
        };
        let out = world.run(&["ingest", "--dry-run"]).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("would insert 1"));
        match before {
            Some(before) => {
                assert!(before.is_empty(), "{before:?}");
                assert_eq!(
                    snapshot(&world.database_url).await,
                    before,
                    "tables created"
                );
            }
            None => assert!(
                !world.dir.path().join("jobs.db").exists(),
                "dry run created the database"
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reparse_rederives_fields_from_raw_json_without_api_calls() {
    use jobs_bot::adapters::db::{Database, DatabaseTarget};
    use jobs_bot::domain::JobUid;
    use jobs_bot::ports::{Reparsed, Repository};

    let world = World::new(Backend::Sqlite).await;
    world.declare(&["anthropic"], &[]);
    let fixture: Value = serde_json::from_str(GREENHOUSE_FIXTURE).unwrap();
    world.serve_greenhouse("anthropic", fixture).await;
    world.ingest().await;
    let requests_after_ingest = world.server.received_requests().await.unwrap().len();

    // An older parser stored a worse title: simulate it by rewriting the derived fields.
    let jobs = world.jobs().await;
    let uid = JobUid::parse(jobs[0]["job_uid"].as_str().unwrap()).unwrap();
    let right_title = jobs[0]["title"].as_str().unwrap().to_string();
    let db = Database::connect(&DatabaseTarget::Sqlite(world.dir.path().join("jobs.db")))
        .await
        .unwrap();
    let mut stale = db.job(&uid).await.unwrap().unwrap().posting;
    stale.title = "Stale title".into();
    let hash = stale.content_hash();
    db.apply_reparsed(
        &[Reparsed {
            uid: uid.clone(),
            posting: stale,
            hash,
        }],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(db);

    let out = world.run(&["reparse"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done = crate::helpers::e2e::events(&out.stdout)
        .into_iter()
        .find(|e| e["event"] == "reparse_done")
        .expect("reparse_done logged");
    assert_eq!(count(&done, "changed"), 1);
    assert_eq!(count(&done, "examined"), jobs.len() as u64);
    let restored = world.jobs().await;
    let job = restored
        .iter()
        .find(|j| j["job_uid"] == uid.as_str())
        .unwrap();
    assert_eq!(job["title"].as_str(), Some(right_title.as_str()));
    assert_eq!(
        world.server.received_requests().await.unwrap().len(),
        requests_after_ingest
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn company_comes_from_the_provider_else_the_source_name_else_the_slug() {
    let world = World::new(Backend::Sqlite).await;
    std::fs::write(
        world.sources_path(),
        "[[sources]]\nats = \"greenhouse\"\nslug = \"acme\"\nname = \"Acme Inc.\"\n\n\
         [[sources]]\nats = \"lever\"\nslug = \"spotify\"\nname = \"Spotify AB\"\n\n\
         [[sources]]\nats = \"lever\"\nslug = \"beta\"\n",
    )
    .unwrap();
    let mut board = greenhouse_board("acme", &[(1, "Engineer")]);
    board["jobs"][0]["company_name"] = "Acme Corporation".into();
    world.serve_greenhouse("acme", board).await;
    let lever = r#"[{"id":"l-1","text":"Designer"}]"#;
    for site in ["spotify", "beta"] {
        world
            .serve(
                &format!("/v0/postings/{site}"),
                ResponseTemplate::new(200).set_body_raw(lever, "application/json"),
            )
            .await;
    }
    assert_eq!(count(&world.ingest().await, "inserted"), 3);
    let jobs = world.jobs().await;
    let company = |slug: &str| {
        jobs.iter()
            .find(|j| j["company_slug"] == slug)
            .unwrap_or_else(|| panic!("no job of {slug}"))["company"]
            .clone()
    };
    assert_eq!(
        company("acme"),
        "Acme Corporation",
        "the provider's name wins"
    );
    assert_eq!(company("spotify"), "Spotify AB", "then the source's name");
    assert_eq!(company("beta"), "beta", "then the slug");

    // Reparse applies the same rule, so nothing changes; nor does a second run.
    let out = world.run(&["reparse"]).await;
    assert!(out.status.success());
    let done = crate::helpers::e2e::events(&out.stdout)
        .into_iter()
        .find(|e| e["event"] == "reparse_done")
        .expect("reparse_done logged");
    assert_eq!((count(&done, "examined"), count(&done, "changed")), (3, 0));
    let again = world.ingest().await;
    assert_eq!(
        (count(&again, "updated"), count(&again, "unchanged")),
        (0, 3)
    );
}

/// kill -9 while a source's batch transaction is open and has written its rows (the
/// debug-build hook pauses there and signals through a file): none of it is left, and
/// the rerun stores the whole board.
async fn killed_inside_the_write_transaction_leaves_nothing(backend: Backend) {
    use jobs_bot::adapters::db::{Database, DatabaseTarget};
    use jobs_bot::ports::Repository;

    let world = World::new(backend).await;
    world.declare(&["acme"], &[]);
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &as_refs(&numbered(200))))
        .await;
    let signal = world.dir.path().join("inside-write");
    let mut child = world
        .command(&["ingest"])
        .env("JOBS_BOT_TEST_PAUSE_IN_WRITE", &signal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !signal.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the write never paused: is the binary a debug build (the hook is compiled out of release builds)?"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before pausing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix, inside the open transaction
    child.wait().unwrap();

    let target =
        DatabaseTarget::resolve(Some(&world.database_url), None, "unused.db".into()).unwrap();
    let db = Database::connect(&target).await.unwrap();
    assert_eq!(
        world.jobs().await.len(),
        0,
        "rows of the killed transaction remain"
    );
    let source = db.sources().await.unwrap().remove(0);
    assert_eq!(
        source.last_fetched_at, None,
        "the source outcome was committed"
    );

    let done = world.ingest().await;
    assert_eq!(count(&done, "inserted"), 200);
    assert_eq!(world.jobs().await.len(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_inside_the_write_transaction_on_sqlite_leaves_nothing() {
    killed_inside_the_write_transaction_leaves_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_inside_the_write_transaction_on_mysql_leaves_nothing() {
    killed_inside_the_write_transaction_leaves_nothing(Backend::Mysql).await;
}
