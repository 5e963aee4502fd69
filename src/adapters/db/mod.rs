//! Diesel storage: embedded SQLite by default, MySQL/MariaDB for servers; one schema, one
//! `Repository` + `CounterStore` implementation for both.
//!
//! Shape: an enum of connection pools, and macros that expand the same Diesel code once
//! per backend so each expansion is type-checked against its concrete connection. The
//! few statements whose SQL differs (batched upserts, the counter's locking read) live
//! behind the `Dialect` trait in `sqlite.rs` / `mysql.rs`.
//!
//! Tables (see the migrations): `sources`, `jobs`, `job_enrichment` (for enrichment, a
//! later issue) and `daily_counters`, one table for every daily counter keyed by
//! `(counter, day)`, where `counter` is the `CounterKey`'s display name
//! (`api_calls:lever`, `new_jobs`). Timestamps are UTC with microsecond precision.

mod counters;
mod dialect;
mod models;
mod mysql;
mod repo;
pub mod schema;
mod sqlite;
pub mod target;

use std::fmt;

use diesel::Connection;
use diesel_async::AsyncMysqlConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use target::{DatabaseTarget, MysqlParts, MysqlTarget, TargetError, default_sqlite_path};

use crate::ports::StoreError;
use mysql::MysqlConn;
use sqlite::SqliteConn;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

enum DbPool {
    Sqlite(Pool<SqliteConn>),
    Mysql(Pool<MysqlConn>),
}

/// The database behind the repository and the daily counters.
pub struct Database {
    pool: DbPool,
    target: DatabaseTarget,
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
    Diesel(diesel::result::Error),
    UnknownSource(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Diesel(e)
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        use diesel::result::Error as E;
        match e {
            DbError::UnknownSource(key) => StoreError::Query(format!("unknown source {key}")),
            DbError::Diesel(E::DeserializationError(e)) => StoreError::Corrupt(e.to_string()),
            DbError::Diesel(e @ E::BrokenTransactionManager) => {
                StoreError::Unavailable(e.to_string())
            }
            DbError::Diesel(e) => StoreError::Query(e.to_string()),
        }
    }
}

/// Runs `$body` (which evaluates to the success value and may use `?` on Diesel results)
/// with a pooled connection bound to `$c`, once per backend. Yields `Result<_, StoreError>`.
macro_rules! with_conn {
    ($db:expr, |$c:ident| $body:expr) => {
        match &$db.pool {
            $crate::adapters::db::DbPool::Sqlite(pool) => {
                let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                let $c: &mut $crate::adapters::db::sqlite::SqliteConn = &mut obj;
                async { Ok::<_, $crate::adapters::db::DbError>($body) }
                    .await
                    .map_err(StoreError::from)
            }
            $crate::adapters::db::DbPool::Mysql(pool) => {
                let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                let $c: &mut $crate::adapters::db::mysql::MysqlConn = &mut obj;
                async { Ok::<_, $crate::adapters::db::DbError>($body) }
                    .await
                    .map_err(StoreError::from)
            }
        }
    };
}

/// Like `with_conn!`, inside one write transaction: `BEGIN IMMEDIATE` on SQLite (taking
/// the write lock up front, so no read-to-write upgrade can fail with SQLITE_BUSY), a
/// plain transaction on MySQL. Everything is rolled back if `$body` fails or the process
/// dies, so a source's batch is written whole or not at all. A transaction the server
/// aborted to break a deadlock (or a lock wait that timed out) is run again from the
/// start, a few times, as MySQL asks ("try restarting transaction").
macro_rules! write_tx {
    ($db:expr, |$c:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = match &$db.pool {
                $crate::adapters::db::DbPool::Sqlite(pool) => {
                    let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                    let conn: &mut $crate::adapters::db::sqlite::SqliteConn = &mut obj;
                    conn.immediate_transaction(async |$c| {
                        Ok::<_, $crate::adapters::db::DbError>($body)
                    })
                    .await
                    .map_err(StoreError::from)
                }
                $crate::adapters::db::DbPool::Mysql(pool) => {
                    let mut obj = pool.get().await.map_err(|e| $db.unavailable(e))?;
                    let conn: &mut $crate::adapters::db::mysql::MysqlConn = &mut obj;
                    diesel_async::AsyncConnection::transaction(conn, async |$c| {
                        Ok::<_, $crate::adapters::db::DbError>($body)
                    })
                    .await
                    .map_err(StoreError::from)
                }
            };
            match result {
                Err(StoreError::Query(ref msg))
                    if attempt < $crate::adapters::db::TX_ATTEMPTS
                        && $crate::adapters::db::is_restartable(msg) =>
                {
                    tokio::time::sleep($crate::adapters::db::restart_delay(attempt)).await;
                }
                other => break other,
            }
        }
    }};
}

/// Attempts of one write transaction that the server keeps aborting for lock conflicts.
pub(crate) const TX_ATTEMPTS: u32 = 5;

/// MySQL/MariaDB abort one side of a deadlock (1213) or a long lock wait (1205) and ask
/// for the transaction to be restarted; diesel reports both as plain database errors.
pub(crate) fn is_restartable(message: &str) -> bool {
    message.contains("try restarting transaction")
}

/// A short, growing, jittered pause so that the two sides of a deadlock do not collide again.
pub(crate) fn restart_delay(attempt: u32) -> std::time::Duration {
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 50;
    std::time::Duration::from_millis(20 * u64::from(attempt) + jitter)
}

pub(crate) use {with_conn, write_tx};

impl Database {
    /// Opens the database (creating an SQLite file and its folder if missing) and applies
    /// pending migrations.
    pub async fn connect(target: &DatabaseTarget) -> Result<Database, StoreError> {
        let pool = match target {
            DatabaseTarget::Sqlite(path) => DbPool::Sqlite(sqlite::pool(path)?),
            DatabaseTarget::Mysql(m) => {
                DbPool::Mysql(mysql::pool(m).map_err(|e| redact_store(e, m.password()))?)
            }
        };
        let db = Database {
            pool,
            target: target.clone(),
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Where this database is, safe to log.
    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// Applies the migrations not yet applied; running it again does nothing. Runs the
    /// sync migration harness on a blocking thread, which works on any tokio runtime.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let outcome = match (&self.pool, &self.target) {
            (DbPool::Sqlite(pool), _) => {
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
        StoreError::Unavailable(self.redact(e.to_string()))
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
        StoreError::Unavailable(m) => StoreError::Unavailable(redact(m, password)),
        StoreError::Query(m) => StoreError::Query(redact(m, password)),
        StoreError::Corrupt(m) => StoreError::Corrupt(redact(m, password)),
        StoreError::Migration(m) => StoreError::Migration(redact(m, password)),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_plain_and_encoded_password() {
        let msg = "failed mysql://u:p%40ss@h/d and p@ss".to_string();
        let out = redact(msg, Some("p@ss"));
        assert!(!out.contains("p@ss") && !out.contains("p%40ss"), "{out}");
        assert_eq!(redact("x".into(), None), "x");
    }
}

#[cfg(test)]
mod restart_tests {
    use super::*;

    #[test]
    fn only_lock_conflicts_are_restarted() {
        assert!(is_restartable(
            "Deadlock found when trying to get lock; try restarting transaction"
        ));
        assert!(is_restartable(
            "Lock wait timeout exceeded; try restarting transaction"
        ));
        assert!(!is_restartable("Duplicate entry 'x' for key 'PRIMARY'"));
        assert!(restart_delay(1) < restart_delay(4) + std::time::Duration::from_millis(50));
    }
}
