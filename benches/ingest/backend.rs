//! The databases a benchmark run writes to: a temporary SQLite file, or a fresh database on
//! the MySQL server of `BENCH_DATABASE_URL`; and the trigger-based count of `jobs` rows written.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl, SimpleAsyncConnection};
use jobs_bot::adapters::db::DatabaseTarget;

/// Where a run's databases live.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite { dir: PathBuf },
    Mysql { admin_url: String },
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Counts every row inserted, updated or deleted in `jobs`, by triggers the benchmark adds
/// (after the cold run, so that the cold timing carries no trigger cost).
const SQLITE_COUNTER: &str = "\
    CREATE TABLE bench_job_writes (n BIGINT NOT NULL); INSERT INTO bench_job_writes VALUES (0);\
    CREATE TRIGGER bench_jobs_ins AFTER INSERT ON jobs BEGIN UPDATE bench_job_writes SET n = n + 1; END;\
    CREATE TRIGGER bench_jobs_upd AFTER UPDATE ON jobs BEGIN UPDATE bench_job_writes SET n = n + 1; END;\
    CREATE TRIGGER bench_jobs_del AFTER DELETE ON jobs BEGIN UPDATE bench_job_writes SET n = n + 1; END;";
const MYSQL_COUNTER: &str = "\
    CREATE TABLE bench_job_writes (n BIGINT NOT NULL); INSERT INTO bench_job_writes VALUES (0);\
    CREATE TRIGGER bench_jobs_ins AFTER INSERT ON jobs FOR EACH ROW UPDATE bench_job_writes SET n = n + 1;\
    CREATE TRIGGER bench_jobs_upd AFTER UPDATE ON jobs FOR EACH ROW UPDATE bench_job_writes SET n = n + 1;\
    CREATE TRIGGER bench_jobs_del AFTER DELETE ON jobs FOR EACH ROW UPDATE bench_job_writes SET n = n + 1;";
const READ_COUNTER: &str = "SELECT n FROM bench_job_writes";
const COUNT_JOBS: &str = "SELECT COUNT(*) AS n FROM jobs";

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Mysql { .. } => "mysql",
        }
    }

    /// A new, empty database named after `label`.
    pub async fn fresh(&self, label: &str) -> DatabaseTarget {
        match self {
            Backend::Sqlite { dir } => DatabaseTarget::Sqlite(dir.join(format!("{label}.db"))),
            Backend::Mysql { admin_url } => {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                let name = format!("jb_bench_{label}_{}_{nanos}", std::process::id());
                let mut conn = AsyncMysqlConnection::establish(admin_url)
                    .await
                    .expect("BENCH_DATABASE_URL reachable");
                conn.batch_execute(&format!(
                    "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                ))
                .await
                .expect("create bench database");
                let mut url = url::Url::parse(admin_url).expect("BENCH_DATABASE_URL is a URL");
                url.set_path(&name);
                DatabaseTarget::resolve(Some(url.as_str()), None, PathBuf::new())
                    .expect("bench database URL")
            }
        }
    }

    /// Drops a MySQL database made by `fresh` (SQLite files go with the temp folder).
    pub async fn drop_db(&self, target: &DatabaseTarget) {
        if let (Backend::Mysql { admin_url }, DatabaseTarget::Mysql(m)) = (self, target)
            && let Ok(mut conn) = AsyncMysqlConnection::establish(admin_url).await
        {
            let _ = conn
                .batch_execute(&format!("DROP DATABASE IF EXISTS `{}`", m.database))
                .await;
        }
    }

    pub fn url(&self, target: &DatabaseTarget) -> String {
        match (self, target) {
            (_, DatabaseTarget::Sqlite(path)) => path.display().to_string(),
            (Backend::Mysql { admin_url }, DatabaseTarget::Mysql(m)) => {
                let mut url = url::Url::parse(admin_url).expect("BENCH_DATABASE_URL is a URL");
                url.set_path(&m.database);
                url.to_string()
            }
            (Backend::Sqlite { .. }, DatabaseTarget::Mysql(_)) => unreachable!("mixed backends"),
        }
    }

    async fn exec(&self, target: &DatabaseTarget, sql: &'static str) {
        match target {
            DatabaseTarget::Sqlite(path) => {
                let path = path.display().to_string();
                tokio::task::spawn_blocking(move || {
                    use diesel::connection::SimpleConnection;
                    let mut conn = SqliteConnection::establish(&path).expect("open sqlite");
                    conn.batch_execute(sql).expect("bench SQL");
                })
                .await
                .expect("blocking task");
            }
            DatabaseTarget::Mysql(_) => {
                let mut conn = AsyncMysqlConnection::establish(&self.url(target))
                    .await
                    .expect("connect");
                // One statement at a time: no trigger body here holds a `;`.
                for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
                    conn.batch_execute(statement).await.expect("bench SQL");
                }
            }
        }
    }

    async fn read(&self, target: &DatabaseTarget, sql: &'static str) -> i64 {
        match target {
            DatabaseTarget::Sqlite(path) => {
                let path = path.display().to_string();
                tokio::task::spawn_blocking(move || {
                    let mut conn = SqliteConnection::establish(&path).expect("open sqlite");
                    diesel::RunQueryDsl::get_result::<Count>(diesel::sql_query(sql), &mut conn)
                        .expect("count")
                        .n
                })
                .await
                .expect("blocking task")
            }
            DatabaseTarget::Mysql(_) => {
                let mut conn = AsyncMysqlConnection::establish(&self.url(target))
                    .await
                    .expect("connect");
                diesel::sql_query(sql)
                    .get_result::<Count>(&mut conn)
                    .await
                    .expect("count")
                    .n
            }
        }
    }

    pub async fn install_write_counter(&self, target: &DatabaseTarget) {
        let sql = match self {
            Backend::Sqlite { .. } => SQLITE_COUNTER,
            Backend::Mysql { .. } => MYSQL_COUNTER,
        };
        self.exec(target, sql).await;
    }

    /// `jobs` rows written since the counter was installed.
    pub async fn rows_written(&self, target: &DatabaseTarget) -> u64 {
        u64::try_from(self.read(target, READ_COUNTER).await).unwrap_or(0)
    }

    pub async fn count_jobs(&self, target: &DatabaseTarget) -> u64 {
        u64::try_from(self.read(target, COUNT_JOBS).await).unwrap_or(0)
    }
}
