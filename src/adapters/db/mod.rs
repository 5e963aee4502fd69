//! Diesel storage: embedded SQLite by default, MySQL/MariaDB for servers; one schema, one
//! `Repository` + `CounterStore` implementation for both.
//!
//! Shape: an enum of connection pools, and macros that expand the same Diesel code once
//! per backend so each expansion is type-checked against its concrete connection. The
//! few statements whose SQL differs (multi-row inserts that skip or merge existing rows,
//! the counter's locking read) live behind the `Dialect` trait in `sqlite.rs` / `mysql.rs`.
//! Job columns are mapped to `Posting` once, in `models::JobContent`.
//!
//! `FitStore` (`fit.rs`) is implemented the same way.
//!
//! Tables (see the migrations): `sources`, `jobs`, `job_enrichment` (a job's analysis and
//! salary), `profiles`, `job_fit` (a fit per job and profile, with its Notion link) and
//! `daily_counters`, one table for every daily counter keyed by
//! `(counter, day)`, where `counter` is the `CounterKey`'s display name
//! (`api_calls:lever`, `new_jobs`). Timestamps are UTC with microsecond precision.

mod adopt;
mod adopt_sql;
mod counters;
mod dialect;
mod fit;
mod fit_models;
mod leases;
mod models;
mod mysql;
mod repo;
pub mod schema;
mod schema_state;
mod sqlite;
pub mod target;

use std::fmt;

use diesel::Connection;
use diesel_async::AsyncMysqlConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use adopt::{AdoptedSource, AdoptionProgress, PythonSource, TableCounts};
pub use leases::ClaimStrategy;
pub use mysql::cap_client_buffers;
pub use schema_state::SchemaState;
pub use target::{DatabaseTarget, MysqlParts, MysqlTarget, TargetError, default_sqlite_path};

use crate::domain::SourceKey;
use crate::ports::StoreError;
use mysql::MysqlConn;
use sqlite::SqliteConn;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

enum DbPool {
    /// SQLite has one writer: this process's write transactions queue on the mutex, each
    /// handed the lock as the previous one commits, instead of polling it through SQLite's
    /// busy handler, which sleeps 1–100 ms between tries.
    Sqlite(Pool<SqliteConn>, tokio::sync::Mutex<()>),
    Mysql(Pool<MysqlConn>),
}

/// The database behind the repository and the daily counters.
pub struct Database {
    pool: DbPool,
    target: DatabaseTarget,
    /// How source claims avoid double grants; detected on first use (`leases.rs`).
    claim_strategy: std::sync::OnceLock<ClaimStrategy>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The target's Display leaves the password out.
        f.debug_struct("Database")
            .field("target", &self.target.to_string())
            .finish()
    }
}

/// What can fail inside a unit of work, mapped to `StoreError` at the boundary.
#[derive(Debug)]
enum DbError {
    /// A failed statement, with the MySQL/MariaDB error number when it was asked of the
    /// server (`mysql::with_server_code`): diesel-async does not pass it on.
    Diesel {
        error: diesel::result::Error,
        server_code: Option<u16>,
    },
    UnknownSource(SourceKey),
}

impl From<diesel::result::Error> for DbError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::Diesel {
            error,
            server_code: None,
        }
    }
}

impl DbError {
    /// The lock conflict that made the server abort the transaction, if that is what failed.
    fn lock_conflict(&self) -> Option<LockConflict> {
        match self {
            DbError::Diesel { error, server_code } => lock_conflict(error, *server_code),
            DbError::UnknownSource(_) => None,
        }
    }

    /// The error as the port reports it, once its transaction ran `attempts` times.
    /// Messages are not yet redacted (see `Database::store_error`).
    fn into_store_error(self, attempts: u32) -> StoreError {
        use diesel::result::{DatabaseErrorKind, Error as E};
        let (error, server_code) = match self {
            DbError::UnknownSource(key) => return StoreError::UnknownSource { key },
            DbError::Diesel { error, server_code } => (error, server_code),
        };
        if lock_conflict(&error, server_code).is_some() {
            return StoreError::Conflict {
                attempts,
                message: error.to_string(),
            };
        }
        match error {
            E::DeserializationError(e) => StoreError::Corrupt(e.to_string()),
            e @ (E::BrokenTransactionManager
            | E::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => {
                StoreError::Unavailable {
                    message: e.to_string(),
                }
            }
            e => StoreError::Query(e.to_string()),
        }
    }
}

/// A lock conflict that MySQL/MariaDB resolve by aborting a transaction (all of it for a
/// deadlock, the statement for a lock wait timeout) and asking for it to be run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockConflict {
    Deadlock,
    LockWaitTimeout,
}

/// `ER_LOCK_DEADLOCK`: "Deadlock found when trying to get lock; try restarting transaction".
const ER_LOCK_DEADLOCK: u16 = 1213;
/// `ER_LOCK_WAIT_TIMEOUT`: "Lock wait timeout exceeded; try restarting transaction".
const ER_LOCK_WAIT_TIMEOUT: u16 = 1205;

/// Classifies a failed statement by its kind and server error number, never by its text.
/// diesel-async 0.9 maps MySQL server errors to a `DatabaseErrorKind` by number but sends
/// 1213 and 1205 to `Unknown` with only the message kept, so the number comes from the
/// server (`server_code`); Diesel's own MySQL connection reports 1213 as
/// `SerializationFailure`, which is honoured too.
pub(crate) fn lock_conflict(
    error: &diesel::result::Error,
    server_code: Option<u16>,
) -> Option<LockConflict> {
    use diesel::result::{DatabaseErrorKind, Error as E};
    let E::DatabaseError(kind, _) = error else {
        return None;
    };
    match (kind, server_code) {
        (_, Some(ER_LOCK_DEADLOCK)) | (DatabaseErrorKind::SerializationFailure, _) => {
            Some(LockConflict::Deadlock)
        }
        (_, Some(ER_LOCK_WAIT_TIMEOUT)) => Some(LockConflict::LockWaitTimeout),
        _ => None,
    }
}

/// Runs `$body` (which evaluates to the success value and may use `?` on Diesel results)
/// with a pooled connection bound to `$c`, once per backend. Yields `Result<_, StoreError>`.
macro_rules! with_conn {
    ($db:expr, |$c:ident| $body:expr) => {
        match &$db.pool {
            $crate::adapters::db::DbPool::Sqlite(pool, _) => {
                let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                let $c: &mut $crate::adapters::db::sqlite::SqliteConn = &mut obj;
                async { Ok::<_, $crate::adapters::db::DbError>($body) }
                    .await
                    .map_err(|e| $db.store_error(e, 1))
            }
            $crate::adapters::db::DbPool::Mysql(pool) => {
                let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                let $c: &mut $crate::adapters::db::mysql::MysqlConn = &mut obj;
                async { Ok::<_, $crate::adapters::db::DbError>($body) }
                    .await
                    .map_err(|e| $db.store_error(e, 1))
            }
        }
    };
}

/// Like `with_conn!`, inside one write transaction: `BEGIN IMMEDIATE` on SQLite (taking
/// the write lock up front, so no read-to-write upgrade can fail with SQLITE_BUSY), a
/// plain transaction on MySQL. Everything is rolled back if `$body` fails or the process
/// dies, so a source's batch is written whole or not at all. A transaction the server
/// aborted for a lock conflict (by error number, see `lock_conflict`) is run again from
/// the start, up to `TX_ATTEMPTS` times in all; then it fails with `StoreError::Conflict`.
macro_rules! write_tx {
    ($db:expr, |$c:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = match &$db.pool {
                $crate::adapters::db::DbPool::Sqlite(pool, writer) => {
                    let _turn = writer.lock().await;
                    let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                    let conn: &mut $crate::adapters::db::sqlite::SqliteConn = &mut obj;
                    conn.immediate_transaction(async |$c| {
                        Ok::<_, $crate::adapters::db::DbError>($body)
                    })
                    .await
                }
                $crate::adapters::db::DbPool::Mysql(pool) => {
                    let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                    let conn: &mut $crate::adapters::db::mysql::MysqlConn = &mut obj;
                    diesel_async::AsyncConnection::transaction(conn, async |$c| {
                        let result = async { Ok::<_, $crate::adapters::db::DbError>($body) }.await;
                        // Before the rollback, which would clear the server's diagnostics.
                        $crate::adapters::db::mysql::with_server_code($c, result).await
                    })
                    .await
                }
            };
            match result {
                Err(e) if attempt < $crate::adapters::db::TX_ATTEMPTS => {
                    let Some(conflict) = e.lock_conflict() else {
                        break Err($db.store_error(e, attempt));
                    };
                    tracing::debug!(event = "db_transaction_restarted", ?conflict, attempt);
                    tokio::time::sleep($crate::adapters::db::restart_delay(attempt)).await;
                }
                other => break other.map_err(|e| $db.store_error(e, attempt)),
            }
        }
    }};
}

/// Runs of one write transaction that the server keeps aborting for lock conflicts.
pub(crate) const TX_ATTEMPTS: u32 = 5;

/// A short, growing, jittered pause (20 ms × attempt, plus up to 49 ms) so that the two
/// sides of a deadlock do not collide again.
pub(crate) fn restart_delay(attempt: u32) -> std::time::Duration {
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 50;
    std::time::Duration::from_millis(20 * u64::from(attempt) + jitter)
}

pub(crate) use {with_conn, write_tx};

/// Splits rows into statements bounded by row count and approximate size (SQLite's
/// variable limit, MySQL's max_allowed_packet).
pub(crate) fn batches<T>(
    rows: Vec<T>,
    max_rows: usize,
    max_bytes: usize,
    bytes: impl Fn(&T) -> usize,
) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut size = 0;
    for row in rows {
        let n = bytes(&row);
        if !current.is_empty() && (current.len() == max_rows || size + n > max_bytes) {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
        size += n;
        current.push(row);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl Database {
    /// Opens the database (creating an SQLite file and its folder if missing) and applies
    /// pending migrations.
    pub async fn connect(target: &DatabaseTarget) -> Result<Database, StoreError> {
        let db = Database::open(target).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// The pool, without touching the schema (nothing connects until first use).
    async fn open(target: &DatabaseTarget) -> Result<Database, StoreError> {
        let pool = match target {
            DatabaseTarget::Sqlite(path) => {
                DbPool::Sqlite(sqlite::pool(path)?, tokio::sync::Mutex::new(()))
            }
            DatabaseTarget::Mysql(m) => {
                DbPool::Mysql(mysql::pool(m).map_err(|e| redact_store(e, m.password()))?)
            }
        };
        Ok(Database {
            pool,
            target: target.clone(),
            claim_strategy: std::sync::OnceLock::new(),
        })
    }

    /// Where this database is, safe to log.
    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// Applies the migrations not yet applied; running it again does nothing. Runs the
    /// sync migration harness on a blocking thread, which works on any tokio runtime.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let outcome = match (&self.pool, &self.target) {
            (DbPool::Sqlite(pool, _), _) => {
                let mut conn = pool.get().await.map_err(|e| self.unavailable(e))?;
                conn.spawn_blocking(|c: &mut diesel::SqliteConnection| {
                    Ok(c.run_pending_migrations(SQLITE_MIGRATIONS)
                        .map(drop)
                        .map_err(|e| e.to_string()))
                })
                .await
                .map_err(|e| StoreError::Migration(e.to_string()))?
            }
            (DbPool::Mysql(_), DatabaseTarget::Mysql(m)) => {
                let url = m.connection_url();
                tokio::task::spawn_blocking(move || {
                    let mut conn = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(&url)
                        .map_err(|e| e.to_string())?;
                    conn.run_pending_migrations(MYSQL_MIGRATIONS)
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| StoreError::Migration(e.to_string()))?
            }
            (DbPool::Mysql(_), DatabaseTarget::Sqlite(_)) => {
                Err("pool and target disagree".to_string())
            }
        };
        outcome.map_err(|e| StoreError::Migration(self.redact(e)))
    }

    fn unavailable(&self, e: impl fmt::Display) -> StoreError {
        StoreError::Unavailable {
            message: self.redact(e.to_string()),
        }
    }

    /// A unit of work's failure as the port reports it, without the password.
    fn store_error(&self, e: DbError, attempts: u32) -> StoreError {
        match &self.target {
            DatabaseTarget::Mysql(m) => redact_store(e.into_store_error(attempts), m.password()),
            DatabaseTarget::Sqlite(_) => e.into_store_error(attempts),
        }
    }

    fn redact(&self, msg: String) -> String {
        match &self.target {
            DatabaseTarget::Mysql(m) => redact(msg, m.password()),
            DatabaseTarget::Sqlite(_) => msg,
        }
    }
}

/// Removes the password (plain or percent-encoded) from a message that could echo a URL.
fn redact(msg: String, password: Option<&str>) -> String {
    let Some(pw) = password.filter(|p| !p.is_empty()) else {
        return msg;
    };
    let mut encoded = url::Url::parse("mysql://u@h/").ok();
    let encoded = encoded.as_mut().and_then(|u| {
        u.set_password(Some(pw))
            .ok()
            .and(u.password().map(str::to_owned))
    });
    let mut out = msg.replace(pw, "***");
    if let Some(enc) = encoded.filter(|e| e != pw) {
        out = out.replace(&enc, "***");
    }
    out
}

fn redact_store(e: StoreError, password: Option<&str>) -> StoreError {
    match e {
        StoreError::Unavailable { message } => StoreError::Unavailable {
            message: redact(message, password),
        },
        StoreError::Conflict { attempts, message } => StoreError::Conflict {
            attempts,
            message: redact(message, password),
        },
        StoreError::Corrupt(m) => StoreError::Corrupt(redact(m, password)),
        StoreError::Migration(m) => StoreError::Migration(redact(m, password)),
        StoreError::Query(m) => StoreError::Query(redact(m, password)),
        e @ StoreError::UnknownSource { .. } => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_plain_and_encoded_password() {
        let msg = "failed mysql://u:p%40ss@h/d and p@ss".to_string();
        let out = redact(msg, Some("p@ss"));
        assert!(!out.contains("p@ss") && !out.contains("p%40ss"), "{out}");
        assert_eq!(redact("x".into(), None), "x");
    }

    #[test]
    fn redact_store_scrubs_every_message() {
        let leak = || "at mysql://u:p%40ss@h/d with p@ss".to_string();
        let errors = [
            StoreError::Unavailable { message: leak() },
            StoreError::Conflict {
                attempts: 5,
                message: leak(),
            },
            StoreError::Corrupt(leak()),
            StoreError::Migration(leak()),
            StoreError::Query(leak()),
        ];
        for e in errors {
            let out = redact_store(e, Some("p@ss"));
            let shown = format!("{out} {out:?}");
            assert!(
                !shown.contains("p@ss") && !shown.contains("p%40ss"),
                "{shown}"
            );
        }
    }
}

#[cfg(test)]
mod restart_tests {
    use std::time::Duration;

    use diesel::result::{DatabaseErrorKind as Kind, Error as E};

    use super::*;
    use crate::domain::{AtsKind, CompanySlug};

    /// A database error as diesel-async builds it from a MySQL server error: a kind and
    /// the server's message, nothing else.
    fn db_error(kind: Kind, message: &str) -> E {
        E::DatabaseError(kind, Box::new(message.to_string()))
    }

    const DEADLOCK_TEXT: &str =
        "Deadlock found when trying to get lock; try restarting transaction";
    const LOCK_WAIT_TEXT: &str = "Lock wait timeout exceeded; try restarting transaction";

    #[test]
    fn lock_conflicts_are_told_by_kind_and_number_never_by_text() {
        use LockConflict::{Deadlock, LockWaitTimeout};
        // diesel-async 0.9: 1213 and 1205 arrive as `Unknown`; the number comes from the server.
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, DEADLOCK_TEXT), Some(1213)),
            Some(Deadlock)
        );
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, LOCK_WAIT_TEXT), Some(1205)),
            Some(LockWaitTimeout)
        );
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, "any text"), Some(1213)),
            Some(Deadlock)
        );
        // Diesel's own MySQL connection reports 1213 as a serialization failure.
        assert_eq!(
            lock_conflict(&db_error(Kind::SerializationFailure, "x"), None),
            Some(Deadlock)
        );
        // The text alone decides nothing.
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, DEADLOCK_TEXT), None),
            None
        );
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, LOCK_WAIT_TEXT), Some(1644)),
            None
        );
        // Other failures are not restarted.
        let duplicate = db_error(
            Kind::UniqueViolation,
            "Duplicate entry 'x' for key 'PRIMARY'",
        );
        assert_eq!(lock_conflict(&duplicate, Some(1062)), None);
        assert_eq!(
            lock_conflict(&db_error(Kind::Unknown, "database is locked"), None),
            None
        );
        assert_eq!(lock_conflict(&E::NotFound, Some(1213)), None);
        assert_eq!(
            lock_conflict(&E::BrokenTransactionManager, Some(1205)),
            None
        );
    }

    #[test]
    fn failures_map_to_store_error_kinds() {
        let key = SourceKey::new(AtsKind::Lever, CompanySlug::parse("acme").unwrap());
        let conflict = DbError::Diesel {
            error: db_error(Kind::Unknown, LOCK_WAIT_TEXT),
            server_code: Some(1205),
        };
        assert_eq!(
            conflict.into_store_error(5),
            StoreError::Conflict {
                attempts: 5,
                message: LOCK_WAIT_TEXT.into()
            }
        );
        assert_eq!(
            DbError::UnknownSource(key.clone()).into_store_error(1),
            StoreError::UnknownSource { key }
        );
        let query = DbError::from(db_error(Kind::Unknown, DEADLOCK_TEXT)).into_store_error(1);
        assert_eq!(query, StoreError::Query(DEADLOCK_TEXT.into()));
        assert!(matches!(
            DbError::from(E::BrokenTransactionManager).into_store_error(1),
            StoreError::Unavailable { .. }
        ));
        let bad = E::DeserializationError("not a date".into());
        assert!(matches!(
            DbError::from(bad).into_store_error(1),
            StoreError::Corrupt(_)
        ));
    }

    #[test]
    fn restart_delay_grows_with_the_attempt_within_its_jitter() {
        for attempt in 1..TX_ATTEMPTS {
            let low = Duration::from_millis(20 * u64::from(attempt));
            for _ in 0..200 {
                let d = restart_delay(attempt);
                assert!(
                    low <= d && d < low + Duration::from_millis(50),
                    "attempt {attempt}: {d:?}"
                );
            }
        }
    }
}
