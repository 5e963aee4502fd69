//! Adopting the Python version's MySQL database (`migrate --adopt`), end to end on MariaDB:
//! the Python schema and rows are written here from the issue's facts, then the built
//! binary adopts them and ingests against a fake ATS.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;
use sha1::{Digest, Sha1};
use wiremock::ResponseTemplate;

use crate::helpers::e2e::{Backend, World, events, greenhouse_board};
use crate::helpers::snapshot::snapshot;

const LEVER_FIXTURE: &str = include_str!("../fixtures/lever_postings.json");

/// The Python version's tables, as its SQLAlchemy models created them (server-default
/// collation, ENUMs, JSON columns).
const PYTHON_DDL: &str = r#"
CREATE TABLE sources (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ats_type ENUM('greenhouse','lever') NOT NULL,
    company_slug VARCHAR(255) NOT NULL,
    company_name VARCHAR(255) NULL,
    api_base VARCHAR(512) NOT NULL,
    is_active INT NOT NULL DEFAULT 1,
    discovered_via ENUM('manual','brave','serpapi') NOT NULL DEFAULT 'manual',
    last_ok_at DATETIME NULL,
    last_error TEXT NULL,
    verified_at DATETIME NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE jobs (
    job_uid VARCHAR(40) NOT NULL PRIMARY KEY,
    source_id BIGINT NOT NULL,
    ats_job_id VARCHAR(128) NOT NULL,
    title VARCHAR(512) NOT NULL,
    company VARCHAR(255) NOT NULL,
    url VARCHAR(1024) NOT NULL,
    location_raw VARCHAR(512) NULL,
    workplace_raw VARCHAR(128) NULL,
    salary_text VARCHAR(255) NULL,
    first_seen DATETIME NOT NULL,
    last_seen DATETIME NOT NULL,
    last_checked DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    raw_json JSON NOT NULL,
    raw_text LONGTEXT NULL,
    fit_score INT NOT NULL DEFAULT 0,
    fit_class ENUM('Good','Maybe','No') NOT NULL DEFAULT 'No',
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (source_id) REFERENCES sources (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE job_enrichment (
    job_uid VARCHAR(40) NOT NULL PRIMARY KEY,
    summary TEXT NULL,
    skills_json JSON NULL,
    pros TEXT NULL,
    cons TEXT NULL,
    salary VARCHAR(255) NULL,
    outreach_target VARCHAR(512) NULL,
    enriched_at DATETIME NULL,
    llm_model VARCHAR(128) NULL,
    llm_tokens INT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (job_uid) REFERENCES jobs (job_uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE profiles (
    profile_id VARCHAR(64) NOT NULL PRIMARY KEY,
    cv_path VARCHAR(1024) NOT NULL,
    cv_sha256 VARCHAR(64) NOT NULL,
    profile_text TEXT NULL,
    profile_json JSON NULL,
    analyzed_at DATETIME NULL,
    last_error TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE job_profile (
    job_uid VARCHAR(40) NOT NULL,
    profile_id VARCHAR(64) NOT NULL,
    fit_score INT NOT NULL DEFAULT 0,
    fit_class ENUM('Good','Maybe','No') NOT NULL DEFAULT 'No',
    penalty_flags JSON NULL,
    fit_job_last_checked DATETIME NULL,
    fit_profile_cv_sha256 VARCHAR(64) NULL,
    fit_computed_at DATETIME NULL,
    notion_page_id VARCHAR(36) NULL,
    notion_last_sync DATETIME NULL,
    notion_last_error TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (job_uid, profile_id),
    FOREIGN KEY (job_uid) REFERENCES jobs (job_uid),
    FOREIGN KEY (profile_id) REFERENCES profiles (profile_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE api_daily_usage (
    day DATE NOT NULL,
    ats_type VARCHAR(32) NOT NULL,
    calls INT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, ats_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE job_daily_new (
    day DATE NOT NULL PRIMARY KEY,
    created INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
"#;

/// Today for the binary (`TEST_NOW`) and the day before.
const TODAY: &str = "2026-11-30";
const YESTERDAY: &str = "2026-11-29";

fn python_uid(ats: &str, slug: &str, id: &str) -> String {
    Sha1::digest(format!("{ats}:{slug}:{id}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// The Greenhouse board the fake serves before adoption: jobs 1001–1003 of `acme`.
fn acme_before() -> Value {
    greenhouse_board(
        "acme",
        &[
            (1001, "Engineer 1"),
            (1002, "Engineer 2"),
            (1003, "Engineer 3"),
        ],
    )
}

fn lever_items() -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(LEVER_FIXTURE).unwrap()[..2].to_vec()
}

/// What the Python version left: three sources (one stored as `Acme`, one inactive), five
/// jobs with their raw JSON, an enrichment, a profile, two fits with Notion pages and the
/// daily counters of today and yesterday.
async fn seed_python(url: &str) {
    let mut conn = AsyncMysqlConnection::establish(url).await.unwrap();
    conn.batch_execute(PYTHON_DDL).await.unwrap();
    let mut sql = String::from(
        "INSERT INTO sources (id, ats_type, company_slug, company_name, api_base, is_active, \
         last_ok_at) VALUES \
         (1, 'greenhouse', 'acme', 'Acme Corp', 'https://boards-api.greenhouse.io/v1/boards/acme', 1, '2026-11-30 06:00:00'), \
         (2, 'lever', 'Acme', NULL, 'https://api.lever.co/v0/postings/Acme', 1, NULL), \
         (3, 'greenhouse', 'oldco', 'Old Co', 'https://boards-api.greenhouse.io/v1/boards/oldco', 0, NULL);",
    );
    let gh = acme_before();
    for (i, item) in gh["jobs"].as_array().unwrap().iter().enumerate() {
        let id = item["id"].to_string();
        sql.push_str(&format!(
            "INSERT INTO jobs (job_uid, source_id, ats_job_id, title, company, url, location_raw, \
             first_seen, last_seen, last_checked, raw_json, raw_text, fit_score) VALUES \
             ({uid}, 1, {id}, {title}, 'Acme Corp', {url}, 'Remote, US', '2026-0{m}-01 08:00:00', \
             '2026-11-30 06:00:00', '2026-11-30 06:00:00', {raw}, '<p>Build things</p>', 0);",
            uid = quote(&python_uid("greenhouse", "acme", &id)),
            id = quote(&id),
            title = quote(item["title"].as_str().unwrap()),
            url = quote(item["absolute_url"].as_str().unwrap()),
            m = i + 1,
            raw = quote(&item.to_string()),
        ));
    }
    for item in lever_items() {
        let id = item["id"].as_str().unwrap();
        sql.push_str(&format!(
            "INSERT INTO jobs (job_uid, source_id, ats_job_id, title, company, url, workplace_raw, \
             first_seen, last_seen, last_checked, raw_json, raw_text) VALUES \
             ({uid}, 2, {id}, {title}, 'Acme', {url}, 'Remote', '2026-05-05 05:05:05', \
             '2026-11-29 06:00:00', '2026-11-29 06:00:00', {raw}, 'text');",
            uid = quote(&python_uid("lever", "Acme", id)),
            id = quote(id),
            title = quote(item["text"].as_str().unwrap()),
            url = quote(item["hostedUrl"].as_str().unwrap()),
            raw = quote(&item.to_string()),
        ));
    }
    let gh_uid = python_uid("greenhouse", "acme", "1001");
    let lever_uid = python_uid("lever", "Acme", lever_items()[0]["id"].as_str().unwrap());
    sql.push_str(&format!(
        "INSERT INTO job_enrichment (job_uid, summary, skills_json, salary, enriched_at, llm_model, \
         llm_tokens) VALUES ('{gh_uid}', 'A good job', '[\"rust\"]', '$100k', '2026-11-01 00:00:00', \
         'gpt-4.1-mini', 321);
         INSERT INTO profiles (profile_id, cv_path, cv_sha256, profile_json) VALUES \
         ('default', '/opt/profiles/default/cv.docx', 'abc123', '{{\"skills\": []}}');
         INSERT INTO job_profile (job_uid, profile_id, fit_score, fit_class, penalty_flags, \
         fit_computed_at, notion_page_id, notion_last_sync) VALUES \
         ('{gh_uid}', 'default', 81, 'Good', '[\"remote\"]', '2026-11-30 06:00:00', \
          '11111111-2222-3333-4444-555555555555', '2026-11-30 06:30:00'), \
         ('{lever_uid}', 'default', 55, 'Maybe', '{{\"x\": 1}}', NULL, \
          '66666666-7777-8888-9999-000000000000', '2026-11-29 07:00:00');
         INSERT INTO api_daily_usage (day, ats_type, calls) VALUES \
         ('{TODAY}', 'greenhouse', 7), ('{YESTERDAY}', 'lever', 3);
         INSERT INTO job_daily_new (day, created) VALUES ('{TODAY}', 5), ('{YESTERDAY}', 9);"
    ));
    conn.batch_execute(&sql).await.unwrap();
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    v: String,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Each row of `query` (one text column named `v`), in order.
async fn lines(url: &str, query: &str) -> Vec<String> {
    let mut conn = AsyncMysqlConnection::establish(url).await.unwrap();
    diesel::sql_query(query)
        .load::<Line>(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|l| l.v)
        .collect()
}

async fn rows(url: &str, table: &str) -> i64 {
    let mut conn = AsyncMysqlConnection::establish(url).await.unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM `{table}`"))
        .get_result::<Number>(&mut conn)
        .await
        .unwrap()
        .n
}

/// The state an adoption must reach, compared between an interrupted and a straight run.
async fn adopted_state(url: &str) -> Vec<String> {
    let mut state = lines(
        url,
        "SELECT CONCAT_WS('|', job_uid, ats_type, company_slug, title, first_seen_at, \
         last_seen_at, changed_at, content_hash, IFNULL(workplace_type, '-')) AS v \
         FROM jobs ORDER BY job_uid",
    )
    .await;
    for query in [
        "SELECT CONCAT_WS('|', id, ats_type, company_slug, declared_slug, IFNULL(uid_slug, '-'), \
         enabled, region) AS v FROM sources ORDER BY id",
        "SELECT CONCAT_WS('|', job_uid, profile_key, fit_score, fit_class, penalty_flags, \
         IFNULL(notion_page_id, '-'), IFNULL(notion_last_sync, '-')) AS v FROM job_fit \
         ORDER BY job_uid",
        "SELECT CONCAT_WS('|', counter, day, used) AS v FROM daily_counters ORDER BY counter, day",
        "SELECT CONCAT_WS('|', job_uid, IFNULL(summary, '-'), IFNULL(llm_salary, '-'), \
         IFNULL(llm_tokens, '-')) AS v FROM job_enrichment ORDER BY job_uid",
        "SELECT CONCAT_WS('|', profile_key, cv_path, IFNULL(cv_sha256, '-')) AS v FROM profiles",
    ] {
        state.extend(lines(url, query).await);
    }
    state
}

async fn adopt(world: &World, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["migrate", "--adopt"];
    args.extend_from_slice(extra);
    world.run(&args).await
}

fn text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn python_world() -> World {
    let world = World::new(Backend::Mysql).await;
    seed_python(&world.database_url).await;
    world
}

#[tokio::test(flavor = "multi_thread")]
async fn a_python_database_is_refused_untouched_until_adopt_is_asked_for_on_mysql() {
    let world = python_world().await;
    let before = snapshot(&world.database_url).await;
    let out = adopt(&world, &["--dry-run"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("jobs") && stdout.contains("5 rows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("will be written with the 3 adopted sources (1 disabled)"),
        "{stdout}"
    );
    assert!(stdout.contains("nothing was written"), "{stdout}");
    assert!(
        !world.sources_path().exists(),
        "a dry run wrote the sources file"
    );
    // Every table, the migrations table included, exactly as it was.
    assert_eq!(
        snapshot(&world.database_url).await,
        before,
        "--dry-run wrote"
    );

    world.declare(&["acme"], &[]);
    for args in [
        vec!["migrate"],
        vec!["jobs", "list"],
        vec!["ingest", "--dry-run"],
        vec!["ingest"],
    ] {
        let out = world.run(&args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("jobs-bot migrate --adopt"),
            "{args:?}: {}",
            text(&out)
        );
        assert_eq!(
            snapshot(&world.database_url).await,
            before,
            "{args:?} wrote"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn adopt_keeps_every_job_fit_link_and_counter_then_ingest_carries_on_on_mysql() {
    let mut world = python_world().await;
    let url = world.database_url.clone();
    let python_uids = lines(&url, "SELECT job_uid AS v FROM jobs ORDER BY job_uid").await;
    let python_first_seen = lines(
        &url,
        "SELECT CONCAT(job_uid, ' ', first_seen) AS v FROM jobs ORDER BY job_uid",
    )
    .await;

    let out = adopt(&world, &[]).await;
    assert!(out.status.success(), "{}", text(&out));

    // Row counts equal; the Python tables kept as py_*.
    for (ours, python, n) in [
        ("sources", "py_sources", 3),
        ("jobs", "py_jobs", 5),
        ("job_enrichment", "py_job_enrichment", 1),
        ("profiles", "py_profiles", 1),
        ("job_fit", "py_job_profile", 2),
    ] {
        assert_eq!(
            (rows(&url, ours).await, rows(&url, python).await),
            (n, n),
            "{ours}"
        );
    }
    // Uids and first_seen unchanged; Notion pages and counters carried over.
    assert_eq!(
        lines(&url, "SELECT job_uid AS v FROM jobs ORDER BY job_uid").await,
        python_uids
    );
    assert_eq!(
        lines(
            &url,
            "SELECT CONCAT(job_uid, ' ', DATE_FORMAT(first_seen_at, '%Y-%m-%d %H:%i:%s')) AS v \
             FROM jobs ORDER BY job_uid"
        )
        .await,
        python_first_seen
    );
    let pages = lines(
        &url,
        "SELECT CONCAT(notion_page_id, ' ', notion_last_sync) AS v FROM job_fit ORDER BY fit_score",
    )
    .await;
    assert_eq!(
        pages,
        [
            "66666666-7777-8888-9999-000000000000 2026-11-29 07:00:00.000000",
            "11111111-2222-3333-4444-555555555555 2026-11-30 06:30:00.000000",
        ]
    );
    let counters = lines(
        &url,
        "SELECT CONCAT(counter, ' ', day, ' ', used) AS v FROM daily_counters ORDER BY day, counter",
    )
    .await;
    assert_eq!(
        counters,
        [
            format!("api_calls:lever {YESTERDAY} 3"),
            format!("new_jobs {YESTERDAY} 9"),
            format!("api_calls:greenhouse {TODAY} 7"),
            format!("new_jobs {TODAY} 5"),
        ]
    );
    // changed_at is the Python last_checked (the Notion sync's "changed since"), not the
    // time of the re-hash.
    assert_eq!(
        lines(
            &url,
            "SELECT DISTINCT CAST(changed_at AS CHAR) AS v FROM jobs ORDER BY v"
        )
        .await,
        ["2026-11-29 06:00:00.000000", "2026-11-30 06:00:00.000000"]
    );
    // The adopted jobs were re-derived from their raw JSON: no markup left.
    let descriptions = lines(&url, "SELECT description AS v FROM jobs").await;
    assert!(
        descriptions.iter().all(|d| !d.contains("<p>")),
        "{descriptions:?}"
    );
    // The sources file was written from the adopted sources.
    let file = std::fs::read_to_string(world.sources_path()).unwrap();
    assert!(file.contains("slug = \"Acme\""), "{file}");
    assert!(file.contains("enabled = false"), "{file}");

    // A second --adopt is a no-op.
    let before = snapshot(&url).await;
    let again = adopt(&world, &[]).await;
    assert!(again.status.success(), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already adopted"));
    assert_eq!(snapshot(&url).await, before);

    // The next ingest: 1001 unchanged, 1002 changed, 1004 new; both Lever postings of the
    // source stored as `Acme` are the same rows, not new ones. Today's API calls go on
    // from the Python version's 7: one more Greenhouse call is allowed, no more.
    world.set("MAX_CALLS_PER_DAY", "8");
    world
        .serve_greenhouse(
            "acme",
            greenhouse_board(
                "acme",
                &[
                    (1001, "Engineer 1"),
                    (1002, "Staff Engineer 2"),
                    (1003, "Engineer 3"),
                    (1004, "New"),
                ],
            ),
        )
        .await;
    world
        .serve(
            "/v0/postings/acme",
            ResponseTemplate::new(200).set_body_json(Value::Array(lever_items())),
        )
        .await;
    let done = world.ingest().await;
    assert_eq!(
        (
            done["inserted"].as_u64(),
            done["updated"].as_u64(),
            done["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(4)),
        "{done}"
    );
    assert_eq!(rows(&url, "jobs").await, 6);
    let counters = lines(
        &url,
        &format!("SELECT CONCAT(counter, ' ', used) AS v FROM daily_counters WHERE day = '{TODAY}' ORDER BY counter"),
    )
    .await;
    assert_eq!(
        counters,
        ["api_calls:greenhouse 8", "api_calls:lever 1", "new_jobs 6"]
    );
    // The fits kept their Notion pages through the ingest.
    assert_eq!(
        lines(
            &url,
            "SELECT notion_page_id AS v FROM job_fit WHERE notion_page_id IS NOT NULL"
        )
        .await
        .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adoption_interrupted_after_the_copy_resumes_to_the_same_state_on_mysql() {
    let straight = python_world().await;
    let out = adopt(&straight, &[]).await;
    assert!(out.status.success(), "{}", text(&out));

    let mut interrupted = python_world().await;
    interrupted.set("JOBS_BOT_TEST_EXIT_AFTER_ADOPT_COPY", "1");
    let out = adopt(&interrupted, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Copied but not switched: the Python tables are intact and still refused.
    let url = interrupted.database_url.clone();
    assert_eq!(rows(&url, "adopt_jobs").await, 5);
    assert_eq!(
        lines(&url, "SELECT api_base AS v FROM sources ORDER BY id")
            .await
            .len(),
        3
    );
    interrupted.extra_env.clear();
    let out = interrupted.run(&["jobs", "list"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    let out = adopt(&interrupted, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        adopted_state(&url).await,
        adopted_state(&straight.database_url).await
    );
    assert!(
        lines(
            &url,
            "SELECT CAST(table_name AS CHAR) AS v FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name LIKE 'adopt%'"
        )
        .await
        .is_empty(),
        "staging tables left behind"
    );
    let out = interrupted.run(&["jobs", "list", "--format", "json"]).await;
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_sources_file_is_kept_and_the_plan_names_what_it_lacks_on_mysql() {
    let world = python_world().await;
    world.declare(&["acme"], &[]);
    let out = adopt(&world, &["--dry-run"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("lacks 2 adopted source(s)"), "{stdout}");
    assert!(
        stdout.contains("lever:acme") && stdout.contains("greenhouse:oldco"),
        "{stdout}"
    );
    let out = adopt(&world, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let file = std::fs::read_to_string(world.sources_path()).unwrap();
    assert_eq!(
        file,
        "[[sources]]\nats = \"greenhouse\"\nslug = \"acme\"\n\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn python_only_settings_are_named_in_one_warning_without_their_values() {
    let mut world = World::new(Backend::Sqlite).await;
    world.set("DISCOVERY_ENABLE", "1");
    world.set("WIKIDATA_USER_AGENT", "jobs-bot/1.0 me@example.org");
    // Honoured (LLM enrichment, off here), so not named; a secret either way.
    world.set("OPENAI_API_KEY", "sk-very-secret");
    world.set("PROFILE_ID", "default");
    let out = world.run(&["migrate"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let warnings: Vec<Value> = events(&out.stdout)
        .into_iter()
        .filter(|e| e["event"] == "setting_ignored")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", text(&out));
    assert_eq!(
        warnings[0]["variables"],
        "DISCOVERY_ENABLE, WIKIDATA_USER_AGENT"
    );
    assert!(!text(&out).contains("sk-very-secret"));
}
