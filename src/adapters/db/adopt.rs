//! Adopting the Python version's MySQL database in place: its tables read, jobs-bot's
//! tables built beside them under staging names, filled with `INSERT … SELECT`, counted,
//! then swapped in with one `RENAME TABLE` that keeps the old tables as `py_<name>`.
//!
//! MySQL commits every DDL statement, so nothing here drops a table of the user's: a
//! failure at any step leaves the Python tables as they were, and every step checks what
//! is already done before doing it, so a re-run resumes. The steps' SQL is in
//! `adopt_sql.rs`; which sources are adopted, and how, is decided by the caller.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use super::adopt_sql::{self as sql, STAGED_TABLES};
use super::models::db_time;
use super::mysql::MysqlConn;
use super::{Database, DbPool, MYSQL_MIGRATIONS};
use crate::domain::SourceKey;
use crate::domain::fit::FitReasons;
use crate::ports::{Region, StoreError};

/// The Python version's tables jobs-bot reads, in the order they are adopted.
pub const PYTHON_TABLES: [&str; 7] = [
    "sources",
    "jobs",
    "job_enrichment",
    "profiles",
    "job_profile",
    "api_daily_usage",
    "job_daily_new",
];

/// Where an adoption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoptionProgress {
    /// No Python tables and no adoption: nothing to adopt.
    Nothing,
    /// The Python tables are there; `switched` once jobs-bot's tables replaced them and
    /// only the closing steps (migrations, re-hashing, the sources file) are left.
    Pending { switched: bool },
    /// Adopted; the Python tables are kept as `py_<name>`.
    Finished,
}

/// A row of the Python version's `sources`, as it stored it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct PythonSource {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub ats_type: String,
    #[diesel(sql_type = Text)]
    pub company_slug: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub company_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub api_base: String,
    /// Python's `is_active`: 0 is disabled.
    #[diesel(sql_type = BigInt)]
    pub is_active: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last_ok_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub created_at: Option<NaiveDateTime>,
}

/// A Python source as jobs-bot will store it; it keeps its Python `id`, which is how its
/// jobs find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptedSource {
    pub python_id: i64,
    pub key: SourceKey,
    /// The slug spelling the Python version hashed into its uids, when it is not
    /// `key.slug`'s normalized form.
    pub uid_slug: Option<String>,
    pub name: Option<String>,
    pub region: Region,
    pub enabled: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// Rows per jobs-bot table: what the adoption copies (computed from the Python tables and
/// the adopted sources) or what a staging table holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCounts(pub Vec<(&'static str, u64)>);

impl TableCounts {
    pub fn get(&self, table: &str) -> u64 {
        self.0
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The migrations whose schema the staging tables are built from (every one the copy
/// writes into); the others are applied by the ordinary migration run once the tables are
/// swapped in. Kept in step with `staging_ddl`.
const BASELINE: [&str; 4] = [
    "2026-01-01-000000_init",
    "2026-12-01-000000_fit_store",
    "2026-12-03-000000_llm_enrichment",
    "2026-12-04-000000_adopt_python",
];

const MARKER_STAGED: &str = "staged";
const MARKER_DONE: &str = "done";

impl Database {
    async fn mysql_conn(&self) -> Result<Object<MysqlConn>, StoreError> {
        match &self.pool {
            DbPool::Mysql(pool) => pool.get().await.map_err(|e| self.unavailable(e)),
            DbPool::Sqlite(..) => Err(StoreError::Query(
                "the Python version's database is MySQL/MariaDB; this is SQLite".into(),
            )),
        }
    }

    async fn count(&self, conn: &mut MysqlConn, query: &str) -> Result<u64, StoreError> {
        let row = diesel::sql_query(query)
            .get_result::<Count>(conn)
            .await
            .map_err(|e| self.query_error(e))?;
        Ok(u64::try_from(row.n).unwrap_or(0))
    }

    async fn execute(&self, conn: &mut MysqlConn, statements: &str) -> Result<(), StoreError> {
        conn.batch_execute(statements)
            .await
            .map_err(|e| self.query_error(e))
    }

    async fn tables(&self, conn: &mut MysqlConn) -> Result<Vec<String>, StoreError> {
        let rows = diesel::sql_query(
            "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
             WHERE table_schema = DATABASE()",
        )
        .load::<Name>(conn)
        .await
        .map_err(|e| self.query_error(e))?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    async fn columns(&self, conn: &mut MysqlConn, table: &str) -> Result<Vec<String>, StoreError> {
        let rows = diesel::sql_query(
            "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ?",
        )
        .bind::<Text, _>(table)
        .load::<Name>(conn)
        .await
        .map_err(|e| self.query_error(e))?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    /// Whether `tables` (this database's) hold the Python version's schema or an adoption
    /// of it that has not finished. Always false on SQLite.
    pub(super) async fn python_schema_present(
        &self,
        tables: &[String],
    ) -> Result<bool, StoreError> {
        if matches!(self.pool, DbPool::Sqlite(..)) {
            return Ok(false);
        }
        Ok(matches!(
            self.adoption_progress_in(tables).await?,
            AdoptionProgress::Pending { .. }
        ))
    }

    /// Where an adoption of the Python version's tables stands (MySQL only).
    ///
    /// # Errors
    /// When the catalogue cannot be read, or on SQLite.
    pub async fn adoption_progress(&self) -> Result<AdoptionProgress, StoreError> {
        let mut conn = self.mysql_conn().await?;
        let tables = self.tables(&mut conn).await?;
        drop(conn);
        self.adoption_progress_in(&tables).await
    }

    async fn adoption_progress_in(
        &self,
        tables: &[String],
    ) -> Result<AdoptionProgress, StoreError> {
        let has = |t: &str| tables.iter().any(|x| x == t);
        let mut conn = self.mysql_conn().await?;
        if has(sql::MARKER_TABLE) {
            let done = self
                .count(&mut conn, &sql::marker_count(MARKER_DONE))
                .await?;
            if done > 0 {
                return Ok(AdoptionProgress::Finished);
            }
        }
        if has("sources") && has("jobs") {
            let sources = self.columns(&mut conn, "sources").await?;
            let jobs = self.columns(&mut conn, "jobs").await?;
            let python =
                sources.iter().any(|c| c == "api_base") && jobs.iter().any(|c| c == "source_id");
            if python {
                return Ok(AdoptionProgress::Pending { switched: false });
            }
        }
        if has("py_sources") && has(sql::MARKER_TABLE) {
            return Ok(AdoptionProgress::Pending { switched: true });
        }
        Ok(AdoptionProgress::Nothing)
    }

    /// The Python tables present and their row counts, for the plan.
    ///
    /// # Errors
    /// When a table cannot be counted.
    pub async fn python_table_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut conn = self.mysql_conn().await?;
        let tables = self.tables(&mut conn).await?;
        let mut out = Vec::new();
        for table in PYTHON_TABLES {
            if tables.iter().any(|t| t == table) {
                let n = self
                    .count(&mut conn, &format!("SELECT COUNT(*) AS n FROM `{table}`"))
                    .await?;
                out.push((table.to_string(), n));
            }
        }
        Ok(out)
    }

    /// Every row of the Python `sources`, oldest id first.
    ///
    /// # Errors
    /// When the table cannot be read.
    pub async fn python_sources(&self) -> Result<Vec<PythonSource>, StoreError> {
        let mut conn = self.mysql_conn().await?;
        diesel::sql_query(sql::PYTHON_SOURCES)
            .load::<PythonSource>(&mut *conn)
            .await
            .map_err(|e| self.query_error(e))
    }

    /// What the copy will write into each jobs-bot table, given the adopted sources.
    ///
    /// # Errors
    /// When the Python tables cannot be counted.
    pub async fn adoption_expected(
        &self,
        sources: &[AdoptedSource],
    ) -> Result<TableCounts, StoreError> {
        let mut conn = self.mysql_conn().await?;
        let present = PresentPython::read(self, &mut conn).await?;
        let ids = id_list(sources);
        let mut counts = vec![("sources", sources.len() as u64)];
        for (table, query) in sql::expected_counts(&present, &ids) {
            let n = match query {
                Some(q) => self.count(&mut conn, &q).await?,
                None => 0,
            };
            counts.push((table, n));
        }
        Ok(TableCounts(counts))
    }

    /// Builds jobs-bot's tables under staging names and copies the Python rows into them,
    /// skipping every table whose copy is already complete; then checks each table's
    /// count against `expected`. The Python tables are only read.
    ///
    /// # Errors
    /// When a statement fails or a count differs; the Python tables are untouched.
    pub async fn stage_adoption(
        &self,
        sources: &[AdoptedSource],
        expected: &TableCounts,
    ) -> Result<(), StoreError> {
        let mut conn = self.mysql_conn().await?;
        self.execute(&mut conn, sql::CREATE_MARKER).await?;
        let staged = self
            .count(&mut conn, &sql::marker_count(MARKER_STAGED))
            .await?;
        if staged == 0 {
            // A staging schema that was not finished: ours alone, rebuilt from scratch.
            self.execute(&mut conn, &sql::drop_staging()).await?;
            self.execute(&mut conn, &staging_ddl()).await?;
            self.execute(&mut conn, &sql::mark(MARKER_STAGED)).await?;
        }
        let present = PresentPython::read(self, &mut conn).await?;
        let reasons = serde_json::to_string(&FitReasons {
            location_verdict: "adopted from the Python version; not scored yet".into(),
            ..FitReasons::default()
        })
        .map_err(|e| StoreError::Query(e.to_string()))?;
        // Each copy is one INSERT … SELECT, so a staging table holds all its rows or none.
        // A table whose count is off (the Python tables changed in between) is emptied
        // with every table that depends on it, and copied again.
        let mut held = Vec::new();
        for table in STAGED_TABLES {
            let n = self
                .count(
                    &mut conn,
                    &format!("SELECT COUNT(*) AS n FROM `adopt_{table}`"),
                )
                .await?;
            held.push((table, n));
        }
        let first_off = held.iter().position(|(table, n)| *n != expected.get(table));
        if let Some(first) = first_off {
            for (table, _) in held[first..].iter().rev() {
                self.execute(&mut conn, &format!("DELETE FROM `adopt_{table}`"))
                    .await?;
            }
            for (table, _) in &held[first..] {
                self.copy_table(&mut conn, table, sources, &present, &reasons)
                    .await?;
            }
        }
        for table in STAGED_TABLES {
            let n = self
                .count(
                    &mut conn,
                    &format!("SELECT COUNT(*) AS n FROM `adopt_{table}`"),
                )
                .await?;
            let want = expected.get(table);
            if n != want {
                return Err(StoreError::Query(format!(
                    "adoption check failed: {table} holds {n} rows after the copy, expected \
                     {want}; the Python tables are untouched, run `jobs-bot migrate --adopt` \
                     again"
                )));
            }
        }
        Ok(())
    }

    async fn copy_table(
        &self,
        conn: &mut MysqlConn,
        table: &str,
        sources: &[AdoptedSource],
        present: &PresentPython,
        reasons: &str,
    ) -> Result<(), StoreError> {
        if table == "sources" {
            return self.copy_sources(conn, sources).await;
        }
        let Some(statement) = sql::copy(table, present, &id_list(sources)) else {
            return Ok(());
        };
        let mut query = diesel::sql_query(statement).into_boxed::<diesel::mysql::Mysql>();
        if table == "job_fit" {
            query = query.bind::<Text, _>(reasons.to_string());
        }
        query
            .execute(conn)
            .await
            .map(drop)
            .map_err(|e| self.query_error(e))
    }

    async fn copy_sources(
        &self,
        conn: &mut MysqlConn,
        sources: &[AdoptedSource],
    ) -> Result<(), StoreError> {
        // Multi-row INSERTs; a copy cut short is found by the count check and redone.
        let now = db_time(Utc::now());
        for chunk in sources.chunks(sql::SOURCES_PER_INSERT) {
            self.insert_sources(conn, chunk, now).await?;
        }
        Ok(())
    }

    async fn insert_sources(
        &self,
        conn: &mut MysqlConn,
        sources: &[AdoptedSource],
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let mut query = diesel::sql_query(sql::insert_sources(sources.len()))
            .into_boxed::<diesel::mysql::Mysql>();
        for s in sources {
            let created = s.created_at.map_or(now, db_time);
            query = query
                .bind::<BigInt, _>(s.python_id)
                .bind::<Text, _>(s.key.ats.as_str().to_string())
                .bind::<Text, _>(s.key.slug.as_str().to_string())
                .bind::<Text, _>(s.key.slug.declared().to_string())
                .bind::<Nullable<Text>, _>(s.name.clone())
                .bind::<Text, _>(s.region.as_str().to_string())
                .bind::<Bool, _>(s.enabled)
                .bind::<Nullable<Timestamp>, _>(s.last_success_at.map(db_time))
                .bind::<Nullable<Timestamp>, _>(s.last_success_at.map(db_time))
                .bind::<Nullable<Text>, _>(s.last_error.clone())
                .bind::<Timestamp, _>(created)
                .bind::<Nullable<Text>, _>(s.uid_slug.clone());
        }
        query
            .execute(conn)
            .await
            .map(drop)
            .map_err(|e| self.query_error(e))
    }

    /// Swaps jobs-bot's tables in: one `RENAME TABLE` (atomic) turns every Python table
    /// into `py_<name>` and every staging table into its final name; then the migration
    /// history records the baseline, and later migrations are applied.
    ///
    /// # Errors
    /// When the rename or the migrations fail; after a failed rename nothing changed.
    pub async fn switch_to_adopted(&self) -> Result<(), StoreError> {
        let mut conn = self.mysql_conn().await?;
        let tables = self.tables(&mut conn).await?;
        let python_left = PYTHON_TABLES
            .iter()
            .filter(|t| tables.iter().any(|x| x == *t))
            .copied()
            .collect::<Vec<_>>();
        let sources_cols = self.columns(&mut conn, "sources").await?;
        if sources_cols.iter().any(|c| c == "api_base") {
            self.execute(&mut conn, &sql::rename_all(&python_left))
                .await?;
        }
        let versions: Vec<String> =
            MigrationSource::<diesel::mysql::Mysql>::migrations(&MYSQL_MIGRATIONS)
                .map_err(|e| StoreError::Migration(e.to_string()))?
                .iter()
                .filter(|m| BASELINE.contains(&m.name().to_string().as_str()))
                .map(|m| m.name().version().to_string())
                .collect();
        self.execute(&mut conn, &sql::record_migrations(&versions))
            .await?;
        drop(conn);
        self.migrate().await
    }

    /// Sets every adopted job's `changed_at` back to the Python version's `last_checked`
    /// (re-hashing rewrote it), so the Notion sync sees what the Python version saw.
    ///
    /// # Errors
    /// When the statement fails.
    pub async fn restore_adopted_changed_at(&self) -> Result<(), StoreError> {
        let mut conn = self.mysql_conn().await?;
        let cols = self.columns(&mut conn, "py_jobs").await?;
        self.execute(&mut conn, &sql::restore_changed_at(&cols))
            .await
    }

    /// Records that the adoption is complete: commands use the database from now on.
    ///
    /// # Errors
    /// When the statement fails.
    pub async fn finish_adoption(&self) -> Result<(), StoreError> {
        let mut conn = self.mysql_conn().await?;
        self.execute(&mut conn, sql::CREATE_MARKER).await?;
        self.execute(&mut conn, &sql::mark(MARKER_DONE)).await
    }
}

/// The Python tables present and the optional columns they have.
#[derive(Debug, Clone, Default)]
pub(super) struct PresentPython {
    pub tables: Vec<String>,
    pub jobs: Vec<String>,
    pub job_enrichment: Vec<String>,
    pub profiles: Vec<String>,
    pub job_profile: Vec<String>,
}

impl PresentPython {
    async fn read(db: &Database, conn: &mut MysqlConn) -> Result<Self, StoreError> {
        let tables = db.tables(conn).await?;
        let mut present = PresentPython::default();
        for (table, slot) in [
            ("jobs", &mut present.jobs),
            ("job_enrichment", &mut present.job_enrichment),
            ("profiles", &mut present.profiles),
            ("job_profile", &mut present.job_profile),
        ] {
            if tables.iter().any(|t| t == table) {
                *slot = db.columns(conn, table).await?;
            }
        }
        present.tables = tables;
        Ok(present)
    }

    pub fn has(&self, table: &str) -> bool {
        self.tables.iter().any(|t| t == table)
    }
}

/// The adopted sources' Python ids as an SQL list (integers only, so nothing to escape).
fn id_list(sources: &[AdoptedSource]) -> String {
    if sources.is_empty() {
        return "NULL".into();
    }
    sources
        .iter()
        .map(|s| s.python_id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The baseline migrations' DDL with every table renamed to its staging name.
fn staging_ddl() -> String {
    [
        include_str!("../../../migrations/mysql/2026-01-01-000000_init/up.sql"),
        include_str!("../../../migrations/mysql/2026-12-01-000000_fit_store/up.sql"),
        include_str!("../../../migrations/mysql/2026-12-03-000000_llm_enrichment/up.sql"),
        include_str!("../../../migrations/mysql/2026-12-04-000000_adopt_python/up.sql"),
    ]
    .iter()
    .map(|ddl| sql::staged(ddl))
    .collect::<Vec<_>>()
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_ddl_names_only_staging_tables() {
        let ddl = staging_ddl();
        for table in STAGED_TABLES {
            for prefix in ["CREATE TABLE", "ALTER TABLE", "REFERENCES"] {
                assert!(
                    !ddl.contains(&format!("{prefix} {table} ")),
                    "{prefix} {table} left in the staging DDL"
                );
                assert!(!ddl.contains(&format!("{prefix} {table}\n")));
            }
            assert!(
                ddl.contains(&format!("CREATE TABLE adopt_{table} (")),
                "{table}"
            );
        }
        assert!(ddl.contains("REFERENCES adopt_jobs (job_uid)"));
        assert!(ddl.contains("REFERENCES adopt_sources (ats_type, company_slug)"));
    }

    #[test]
    fn baseline_names_are_embedded_migrations() {
        let names: Vec<String> =
            MigrationSource::<diesel::mysql::Mysql>::migrations(&MYSQL_MIGRATIONS)
                .unwrap()
                .iter()
                .map(|m| m.name().to_string())
                .collect();
        for b in BASELINE {
            assert!(names.iter().any(|n| n == b), "{b} not in {names:?}");
        }
    }
}
