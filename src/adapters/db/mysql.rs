//! MySQL/MariaDB: the connection pool, the dialect statements and the server's error
//! number of a failed statement. Diesel has no `excluded()` for MySQL, so upserts name the
//! incoming row as `VALUES(col)`, the one spelling both MySQL and MariaDB accept.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{DuplicatedKeys, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, SmallInt, Text, Timestamp};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl, SimpleAsyncConnection};

use super::DbError;
use super::dialect::Dialect;
use super::fit_models::{NewEnrichment, NewFit, ProfileRow};
use super::leases::claimable;
use super::models::{NewJob, NewSource};
use super::schema::{daily_counters, job_enrichment, job_fit, jobs, profiles, sources};
use super::target::MysqlTarget;
use crate::ports::StoreError;

pub(super) type MysqlConn = AsyncMysqlConnection;

const POOL_SIZE: usize = 8;

/// mysql_async keeps spare packet buffers for reuse: by default up to 128 of up to 4 MiB
/// each, which after a few multi-row inserts holds ~100 MB for nothing. Its only knob is
/// this variable, read when the first connection opens.
const CLIENT_BUFFER_POOL_VAR: &str = "MYSQL_ASYNC_BUFFER_POOL_CAP";
const CLIENT_BUFFER_POOL_CAP: &str = "8";

/// Caps the MySQL client's spare buffers (see [`CLIENT_BUFFER_POOL_VAR`]) unless the
/// environment already sets the cap.
///
/// # Safety
/// Sets a process environment variable: call it only while the process has one thread
/// (before the async runtime starts), as for any `std::env::set_var`.
pub unsafe fn cap_client_buffers() {
    if std::env::var_os(CLIENT_BUFFER_POOL_VAR).is_none() {
        // SAFETY: the caller guarantees no other thread exists to read the environment.
        unsafe { std::env::set_var(CLIENT_BUFFER_POOL_VAR, CLIENT_BUFFER_POOL_CAP) };
    }
}

/// A pool to the server; nothing connects until the first checkout. diesel-async opens
/// every connection with `client_found_rows`, so an UPDATE reports the rows it matched,
/// not only those it changed: the "was the row there" checks of `apply_batch` rely on it.
pub(super) fn pool(target: &MysqlTarget) -> Result<Pool<MysqlConn>, StoreError> {
    let manager = AsyncDieselConnectionManager::<MysqlConn>::new(target.connection_url());
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .map_err(|e| StoreError::Unavailable {
            message: e.to_string(),
        })
}

/// Adds the server's error number to the error of a statement that just failed on `conn`,
/// inside the transaction and before its rollback.
pub(super) async fn with_server_code<T>(
    conn: &mut MysqlConn,
    result: Result<T, DbError>,
) -> Result<T, DbError> {
    match result {
        Err(DbError::Diesel {
            error: error @ diesel::result::Error::DatabaseError(..),
            server_code: None,
        }) => {
            let server_code = server_error_code(conn).await;
            Err(DbError::Diesel { error, server_code })
        }
        other => other,
    }
}

#[derive(QueryableByName)]
struct ServerCode {
    #[diesel(sql_type = Nullable<BigInt>)]
    code: Option<i64>,
}

/// The error number (`MYSQL_ERRNO`) of the last statement on `conn`, or `None` if it
/// raised no condition or the server cannot be asked.
///
/// diesel-async 0.9 keeps only the message of a server error (its `ErrorHelper` boxes
/// `ServerError::message` and drops `code`), so the number is read back from the
/// session's diagnostics area, which only the next non-diagnostic statement clears.
/// `@jobs_bot_conditions` is written on every call and guards `@jobs_bot_errno`, which a
/// statement without conditions leaves as an earlier call set it.
pub(super) async fn server_error_code(conn: &mut MysqlConn) -> Option<u16> {
    conn.batch_execute(
        "GET DIAGNOSTICS @jobs_bot_conditions = NUMBER; \
         GET DIAGNOSTICS CONDITION 1 @jobs_bot_errno = MYSQL_ERRNO",
    )
    .await
    .ok()?;
    let row: ServerCode = diesel::sql_query(
        "SELECT CASE WHEN @jobs_bot_conditions > 0 \
         THEN CAST(@jobs_bot_errno AS SIGNED) END AS code",
    )
    .get_result(conn)
    .await
    .ok()?;
    row.code.and_then(|c| u16::try_from(c).ok())
}

/// The value the conflicting insert carried for `column`.
fn new<ST: diesel::expression::TypedExpressionType>(
    column: &str,
) -> diesel::expression::SqlLiteral<ST> {
    sql::<ST>(&format!("VALUES(`{column}`)"))
}

impl Dialect for MysqlConn {
    async fn insert_jobs(&mut self, rows: Vec<NewJob>) -> QueryResult<()> {
        // Diesel writes do_nothing as `ON DUPLICATE KEY UPDATE job_uid = job_uid`;
        // unlike INSERT IGNORE it does not hide other errors such as truncation.
        diesel::insert_into(jobs::table)
            .values(&rows)
            .on_conflict(DuplicatedKeys)
            .do_nothing()
            .execute(self)
            .await
            .map(drop)
    }

    async fn upsert_sources(&mut self, rows: Vec<NewSource>) -> QueryResult<()> {
        use sources::*;
        diesel::insert_into(table)
            .values(&rows)
            .on_conflict(DuplicatedKeys)
            .do_update()
            .set((
                declared_slug.eq(new::<Text>("declared_slug")),
                name.eq(new::<Nullable<Text>>("name")),
                region.eq(new::<Text>("region")),
                enabled.eq(new::<Bool>("enabled")),
            ))
            .execute(self)
            .await
            .map(drop)
    }

    async fn lock_claimable(
        &mut self,
        round: i64,
        now: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<i64>> {
        claimable!(round, now)
            .limit(limit)
            .for_update()
            .skip_locked()
            .load::<i64>(self)
            .await
    }

    fn counter_used_locked(
        &mut self,
        counter: &str,
        day: NaiveDate,
    ) -> impl Future<Output = QueryResult<i64>> + Send {
        let counter = counter.to_owned();
        async move {
            daily_counters::table
                .find((counter, day))
                .select(daily_counters::used)
                .for_update()
                .first(self)
                .await
        }
    }

    async fn upsert_profile(&mut self, row: ProfileRow) -> QueryResult<()> {
        diesel::insert_into(profiles::table)
            .values(&row)
            .on_conflict(DuplicatedKeys)
            .do_update()
            .set(&row)
            .execute(self)
            .await
            .map(drop)
    }

    async fn upsert_enrichments(&mut self, rows: Vec<NewEnrichment>) -> QueryResult<()> {
        use job_enrichment::*;
        diesel::insert_into(table)
            .values(&rows)
            .on_conflict(DuplicatedKeys)
            .do_update()
            .set((
                content_hash.eq(new::<Nullable<Text>>("content_hash")),
                analyzer_version.eq(new::<Nullable<Integer>>("analyzer_version")),
                analysis_json.eq(new::<Nullable<Text>>("analysis_json")),
                salary.eq(new::<Nullable<Text>>("salary")),
                enriched_at.eq(new::<Timestamp>("enriched_at")),
            ))
            .execute(self)
            .await
            .map(drop)
    }

    async fn upsert_fits(&mut self, rows: Vec<NewFit>) -> QueryResult<()> {
        use job_fit::*;
        diesel::insert_into(table)
            .values(&rows)
            .on_conflict(DuplicatedKeys)
            .do_update()
            .set((
                fit_score.eq(new::<SmallInt>("fit_score")),
                fit_class.eq(new::<Text>("fit_class")),
                penalty_flags.eq(new::<Text>("penalty_flags")),
                reasons_json.eq(new::<Text>("reasons_json")),
                scorer_version.eq(new::<Integer>("scorer_version")),
                input_hash.eq(new::<Text>("input_hash")),
                computed_at.eq(new::<Timestamp>("computed_at")),
            ))
            .execute(self)
            .await
            .map(drop)
    }
}

/// Against the server named by `TEST_DATABASE_URL`: real lock conflicts and signalled
/// errors, so the detection is checked on what the driver really delivers.
#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use diesel_async::AsyncConnection;

    use super::*;
    use crate::adapters::db::{
        Database, DatabaseTarget, DbPool, LockConflict, TX_ATTEMPTS, lock_conflict, write_tx,
    };

    /// `TEST_DATABASE_URL`; like the integration tests, fails rather than skip without it.
    fn url() -> String {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => panic!(
                "TEST_DATABASE_URL is not set, so this MySQL test cannot run. Point it at a \
                 MySQL/MariaDB server (e.g. TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test), \
                 or leave the MySQL tests out explicitly: cargo test -- --skip mysql"
            ),
        }
    }

    async fn conn() -> MysqlConn {
        MysqlConn::establish(&url()).await.unwrap()
    }

    /// A two-row table of its own in the test database, dropped by `drop_table`.
    async fn table(c: &mut MysqlConn) -> String {
        let name = format!("jb_lock_probe_{}", uuid::Uuid::new_v4().simple());
        c.batch_execute(&format!(
            "CREATE TABLE `{name}` (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; \
             INSERT INTO `{name}` VALUES (1, 0), (2, 0)"
        ))
        .await
        .unwrap();
        name
    }

    async fn drop_table(c: &mut MysqlConn, name: &str) {
        c.batch_execute(&format!("DROP TABLE IF EXISTS `{name}`"))
            .await
            .unwrap();
    }

    /// A prepared UPDATE, as the repository's statements are.
    async fn bump(c: &mut MysqlConn, table: &str, id: i32) -> QueryResult<usize> {
        diesel::sql_query(format!("UPDATE `{table}` SET v = v + 1 WHERE id = ?"))
            .bind::<diesel::sql_types::Integer, _>(id)
            .execute(c)
            .await
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn mysql_reports_deadlock_by_number() {
        let (mut a, mut b) = (conn().await, conn().await);
        let t = table(&mut a).await;
        a.batch_execute("BEGIN").await.unwrap();
        b.batch_execute("BEGIN").await.unwrap();
        bump(&mut a, &t, 1).await.unwrap();
        bump(&mut b, &t, 2).await.unwrap();
        // a waits for row 2, then b asks for row 1: the server aborts one of them.
        let (ra, rb) = tokio::join!(bump(&mut a, &t, 2), async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            bump(&mut b, &t, 1).await
        });
        let (victim, error) = match (ra, rb) {
            (Err(e), Ok(_)) => (&mut a, e),
            (Ok(_), Err(e)) => (&mut b, e),
            other => panic!("expected exactly one deadlock victim: {other:?}"),
        };
        let code = server_error_code(victim).await;
        assert_eq!(code, Some(1213), "{error}");
        assert_eq!(lock_conflict(&error, code), Some(LockConflict::Deadlock));
        a.batch_execute("ROLLBACK").await.unwrap();
        b.batch_execute("ROLLBACK").await.unwrap();
        drop_table(&mut a, &t).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn mysql_reports_lock_wait_timeout_by_number() {
        let (mut a, mut b) = (conn().await, conn().await);
        let t = table(&mut a).await;
        a.batch_execute("BEGIN").await.unwrap();
        bump(&mut a, &t, 1).await.unwrap();
        b.batch_execute("SET SESSION innodb_lock_wait_timeout = 1; BEGIN")
            .await
            .unwrap();
        let error = bump(&mut b, &t, 1).await.unwrap_err();
        let code = server_error_code(&mut b).await;
        assert_eq!(code, Some(1205), "{error}");
        assert_eq!(
            lock_conflict(&error, code),
            Some(LockConflict::LockWaitTimeout)
        );
        // A statement that succeeded leaves no number behind, not even the earlier one.
        bump(&mut b, &t, 2).await.unwrap();
        assert_eq!(server_error_code(&mut b).await, None);
        a.batch_execute("ROLLBACK").await.unwrap();
        b.batch_execute("ROLLBACK").await.unwrap();
        drop_table(&mut a, &t).await;
    }

    /// A database on the test server without migrations: the transactions below only signal.
    fn database() -> Database {
        let target = DatabaseTarget::resolve(Some(&url()), None, "unused.db".into()).unwrap();
        let DatabaseTarget::Mysql(m) = &target else {
            panic!("TEST_DATABASE_URL is not a MySQL URL");
        };
        Database {
            pool: DbPool::Mysql(pool(m).unwrap()),
            target,
            claim_strategy: std::sync::OnceLock::new(),
        }
    }

    /// Runs a write transaction whose `n`-th run executes `signals[n]` (if any); returns
    /// the number of the run that succeeded.
    async fn run_tx(
        db: &Database,
        runs: &AtomicU32,
        signals: &[String],
    ) -> Result<u32, StoreError> {
        write_tx!(db, |c| {
            let run = runs.fetch_add(1, Ordering::SeqCst);
            if let Some(sql) = usize::try_from(run).ok().and_then(|i| signals.get(i)) {
                c.batch_execute(sql).await?;
            }
            run + 1
        })
    }

    fn signal(errno: u16, text: &str) -> String {
        format!("SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = {errno}, MESSAGE_TEXT = '{text}'")
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn mysql_write_tx_restarts_on_lock_conflict_numbers_only() {
        let db = database();
        // Conflicts by number, whatever the text: run again until it succeeds.
        let runs = AtomicU32::new(0);
        let signals = [signal(1213, "synthetic one"), signal(1205, "synthetic two")];
        assert_eq!(run_tx(&db, &runs, &signals).await, Ok(3));

        // Conflicts every time: given up after TX_ATTEMPTS runs, as a Conflict.
        let runs = AtomicU32::new(0);
        let signals = vec![signal(1213, "again"); TX_ATTEMPTS as usize + 1];
        let err = run_tx(&db, &runs, &signals).await.unwrap_err();
        assert_eq!(
            err,
            StoreError::Conflict {
                attempts: TX_ATTEMPTS,
                message: "again".into()
            }
        );
        assert_eq!(AtomicU32::load(&runs, Ordering::SeqCst), TX_ATTEMPTS);

        // The server's usual text under another number is not a conflict: no restart.
        let runs = AtomicU32::new(0);
        let text = "Deadlock found when trying to get lock; try restarting transaction";
        let err = run_tx(&db, &runs, &[signal(1644, text)]).await.unwrap_err();
        assert_eq!(err, StoreError::Query(text.into()));
        assert_eq!(AtomicU32::load(&runs, Ordering::SeqCst), 1);
    }
}
