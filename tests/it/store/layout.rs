//! Physical layout: the migrations that change it keep every row, and each backend's
//! planner finds jobs the way the hot paths expect.

use diesel::migration::{Migration, MigrationSource};
use diesel::sqlite::Sqlite;
use diesel::{Connection, RunQueryDsl, SqliteConnection, connection::SimpleConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::helpers::store::{Store, connect};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// The migration that rebuilds `jobs` with its large columns last.
const REBUILD: &str = "20261208000000";

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

fn open(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    conn
}

/// Each row of `query`, whose one column is named `v`.
fn texts(conn: &mut SqliteConnection, query: &str) -> Vec<String> {
    diesel::sql_query(query)
        .load::<Text>(conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .into_iter()
        .map(|t| t.v)
        .collect()
}

/// Applies the migrations older than `version`, as an earlier release did.
fn migrate_before(conn: &mut SqliteConnection, version: &str) {
    loop {
        let pending = conn.pending_migrations(MIGRATIONS).unwrap();
        let Some(next) = pending.first() else { break };
        if next.name().version().to_string().as_str() >= version {
            break;
        }
        conn.run_migration(next.as_ref()).unwrap();
    }
    let known = MigrationSource::<Sqlite>::migrations(&MIGRATIONS).unwrap();
    assert!(
        known
            .iter()
            .any(|m| m.name().version().to_string() == version),
        "no migration {version}"
    );
}

const JOB_COLUMNS: &str = "job_uid || '|' || ats_job_id || '|' || title || '|' || \
    length(description) || '|' || raw_json || '|' || ifnull(raw_hash, '-') || '|' || \
    content_hash || '|' || first_seen_at || '|' || last_seen_at || '|' || changed_at || '|' || \
    ifnull(closed_at, '-') || '|' || ifnull(location, '-')";

// Foreign keys must be off while `jobs` is replaced: dropping the old table with them on
// deletes every job's enrichment and fits (ON DELETE CASCADE), which a migration run inside
// the harness's transaction would do.
#[tokio::test(flavor = "multi_thread")]
async fn rebuilding_jobs_keeps_every_row_and_its_dependants() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let mut conn = open(&url);
    migrate_before(&mut conn, REBUILD);
    conn.batch_execute(
        "INSERT INTO sources (ats_type, company_slug, declared_slug, created_at)
             VALUES ('lever', 'acme', 'Acme', '2026-01-01 00:00:00');
         INSERT INTO jobs (job_uid, ats_type, company_slug, ats_job_id, title, location,
             description, first_seen_at, last_seen_at, content_hash, changed_at, raw_json,
             raw_hash, closed_at)
         VALUES
             ('lever:acme:1', 'lever', 'acme', '1', 'Engineer', 'Berlin',
              printf('%.9000c', 'x'), '2026-01-01', '2026-01-02', 'h1', '2026-01-01',
              '{\"id\":1}', 'r1', NULL),
             ('lever:acme:2', 'lever', 'acme', '2', 'Designer', NULL, 'short',
              '2026-01-01', '2026-01-03', 'h2', '2026-01-02', '{\"id\":2}', NULL,
              '2026-01-04');
         INSERT INTO job_enrichment (job_uid, enriched_at, analysis_json)
             VALUES ('lever:acme:1', '2026-01-02', '{}');
         INSERT INTO job_fit (job_uid, profile_key, fit_score, fit_class, penalty_flags,
             reasons_json, scorer_version, input_hash, computed_at)
             VALUES ('lever:acme:1', 'default', 80, 'Good', '[]', '{}', 1, 'i', '2026-01-02');",
    )
    .unwrap();
    let jobs_query = format!("SELECT {JOB_COLUMNS} AS v FROM jobs ORDER BY job_uid");
    let before = texts(&mut conn, &jobs_query);
    drop(conn);

    connect(&url).await; // applies the rest, as an upgrade does

    let mut conn = open(&url);
    assert_eq!(texts(&mut conn, &jobs_query), before);
    let count = |conn: &mut SqliteConnection, table: &str| {
        texts(
            conn,
            &format!("SELECT CAST(COUNT(*) AS TEXT) AS v FROM {table}"),
        )
    };
    assert_eq!(count(&mut conn, "job_enrichment"), ["1"]);
    assert_eq!(count(&mut conn, "job_fit"), ["1"]);
    let columns = texts(&mut conn, "SELECT name AS v FROM pragma_table_info('jobs')");
    assert_eq!(columns[columns.len() - 2..], ["description", "raw_json"]);
    let broken = texts(
        &mut conn,
        "SELECT \"table\" || ' ' || parent AS v FROM pragma_foreign_key_check",
    );
    assert!(broken.is_empty(), "{broken:?}");
    // The references still hold on the rebuilt table: removing a job removes its fits.
    conn.batch_execute("DELETE FROM jobs WHERE job_uid = 'lever:acme:1'")
        .unwrap();
    assert_eq!(count(&mut conn, "job_fit"), ["0"]);
}

#[derive(diesel::QueryableByName)]
struct PlanStep {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// SQLite's plan for `statement`, one line per step.
fn plan(url: &str, statement: &str) -> String {
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {statement}"))
        .load::<PlanStep>(&mut open(url))
        .unwrap()
        .into_iter()
        .map(|s| s.detail)
        .collect::<Vec<_>>()
        .join("\n")
}

// The statements that close jobs or mark them seen by uid must find them by primary key:
// with no statistics, SQLite once searched the `closed_at` index for NULL instead, reading
// every open job once per chunk of uids (an incremental run at 100k jobs took 27 s, not 4 s).
#[tokio::test(flavor = "multi_thread")]
async fn sqlite_finds_open_jobs_by_uid_not_by_closed_at() {
    let store = Store::sqlite().await;
    let uids = (0..20)
        .map(|i| format!("'lever:acme:{i}'"))
        .collect::<Vec<_>>()
        .join(",");
    for statement in [
        format!("UPDATE jobs SET closed_at = 'x' WHERE job_uid IN ({uids}) AND closed_at IS NULL"),
        format!(
            "UPDATE jobs SET last_seen_at = 'x' WHERE job_uid IN ({uids}) \
             AND closed_at IS NULL AND last_seen_at < 'y'"
        ),
    ] {
        let plan = plan(store.target.as_deref().unwrap(), &statement);
        assert!(plan.contains("(job_uid=?)"), "{statement}\n{plan}");
    }
}

#[derive(diesel::QueryableByName)]
struct MysqlPlanStep {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    key: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    #[diesel(column_name = "Extra")]
    extra: Option<String>,
}

// A board's fingerprints (read before every fetch) must come from the board's index alone:
// job uids are hashes, so reading the rows themselves costs a page per job on a table larger
// than the buffer pool (67 ms per 500-job board at 100k jobs, most of a warm run).
#[tokio::test(flavor = "multi_thread")]
async fn mysql_reads_a_boards_fingerprints_from_its_index_alone() {
    use diesel_async::{AsyncConnection, AsyncMysqlConnection};
    let store = Store::mysql().await;
    let mut conn = AsyncMysqlConnection::establish(store.target.as_deref().unwrap())
        .await
        .unwrap();
    // The same columns and filter as `Repository::fingerprints`.
    let explain = diesel::sql_query(
        "EXPLAIN SELECT job_uid, content_hash, closed_at IS NOT NULL, raw_hash FROM jobs \
         WHERE ats_type = 'lever' AND company_slug = 'acme'",
    );
    let steps: Vec<MysqlPlanStep> = diesel_async::RunQueryDsl::load(explain, &mut conn)
        .await
        .unwrap();
    let step = &steps[0];
    assert_eq!(step.key.as_deref(), Some("jobs_source"));
    // "Using index" alone: "Using index condition" still reads the rows.
    let extra = step.extra.as_deref().unwrap_or("");
    assert!(extra.split("; ").any(|e| e == "Using index"), "{extra}");
}
