//! What a database holds before anything is written to it: nothing, jobs-bot's schema
//! (current or behind), the Python version's tables (or an unfinished adoption of them), or
//! tables of another program.

use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use super::{Database, DbPool, MYSQL_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::ports::StoreError;

/// The state of a database's schema, read without changing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaState {
    /// No table at all: a new database.
    Empty,
    /// Every migration this build knows is applied.
    Current,
    /// jobs-bot's schema, with migrations still to apply.
    Behind { pending: Vec<String> },
    /// The Python version's tables (`sources` with `api_base`, `jobs` with `source_id`), or
    /// an adoption of them that has not finished: `jobs-bot migrate --adopt` converts it.
    PythonJobsBot { tables: Vec<String> },
    /// Tables, but not jobs-bot's (no migration history): another program's database.
    Foreign { tables: Vec<String> },
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

impl Database {
    /// Opens the database without creating, migrating or writing anything; `None` when an
    /// SQLite file does not exist.
    ///
    /// # Errors
    /// When the server cannot be reached or the file cannot be opened.
    pub async fn open_without_migrating(
        target: &super::DatabaseTarget,
    ) -> Result<Option<Database>, StoreError> {
        if let super::DatabaseTarget::Sqlite(path) = target
            && !path.exists()
        {
            return Ok(None);
        }
        Database::open(target).await.map(Some)
    }

    /// Reads which tables exist and which migrations are applied.
    ///
    /// # Errors
    /// When the catalogue cannot be read.
    pub async fn schema_state(&self) -> Result<SchemaState, StoreError> {
        let (tables, known): (Vec<Name>, Vec<String>) = match &self.pool {
            DbPool::Sqlite(pool, _) => {
                let mut conn = pool.get().await.map_err(|e| self.unavailable(e))?;
                let tables = diesel::sql_query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .load::<Name>(&mut *conn)
                .await
                .map_err(|e| self.query_error(e))?;
                (
                    tables,
                    versions(MigrationSource::<diesel::sqlite::Sqlite>::migrations(
                        &SQLITE_MIGRATIONS,
                    )),
                )
            }
            DbPool::Mysql(pool) => {
                let mut conn = pool.get().await.map_err(|e| self.unavailable(e))?;
                let tables = diesel::sql_query(
                    "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
                     WHERE table_schema = DATABASE() ORDER BY table_name",
                )
                .load::<Name>(&mut *conn)
                .await
                .map_err(|e| self.query_error(e))?;
                (
                    tables,
                    versions(MigrationSource::<diesel::mysql::Mysql>::migrations(
                        &MYSQL_MIGRATIONS,
                    )),
                )
            }
        };
        let tables: Vec<String> = tables.into_iter().map(|t| t.name).collect();
        if tables.is_empty() {
            return Ok(SchemaState::Empty);
        }
        if self.python_schema_present(&tables).await? {
            let python = tables
                .into_iter()
                .filter(|t| t != MIGRATIONS_TABLE)
                .collect();
            return Ok(SchemaState::PythonJobsBot { tables: python });
        }
        if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
            return Ok(SchemaState::Foreign { tables });
        }
        let applied = self.applied_versions().await?;
        let pending: Vec<String> = known.into_iter().filter(|v| !applied.contains(v)).collect();
        Ok(if pending.is_empty() {
            SchemaState::Current
        } else {
            SchemaState::Behind { pending }
        })
    }

    async fn applied_versions(&self) -> Result<Vec<String>, StoreError> {
        let sql = format!("SELECT CAST(version AS CHAR) AS name FROM {MIGRATIONS_TABLE}");
        let rows = match &self.pool {
            DbPool::Sqlite(pool, _) => {
                let mut conn = pool.get().await.map_err(|e| self.unavailable(e))?;
                diesel::sql_query(&sql).load::<Name>(&mut *conn).await
            }
            DbPool::Mysql(pool) => {
                let mut conn = pool.get().await.map_err(|e| self.unavailable(e))?;
                diesel::sql_query(&sql).load::<Name>(&mut *conn).await
            }
        };
        Ok(rows
            .map_err(|e| self.query_error(e))?
            .into_iter()
            .map(|r| r.name)
            .collect())
    }

    pub(super) fn query_error(&self, e: diesel::result::Error) -> StoreError {
        StoreError::Query(self.redact(e.to_string()))
    }
}

fn versions<DB: diesel::backend::Backend>(
    migrations: diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>>,
) -> Vec<String> {
    migrations
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}
