//! SQLite: the connection pool (PRAGMAs on every connection) and the dialect statements,
//! run as sync Diesel because diesel-async cannot build multi-row SQLite inserts.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, SimpleAsyncConnection};

use super::dialect::Dialect;
use super::fit_models::{NewEnrichment, NewFit, ProfileRow};
use super::leases::claimable;
use super::models::{NewJob, NewSource};
use super::schema::{daily_counters, job_enrichment, job_fit, jobs, profiles, sources};
use crate::ports::StoreError;

pub(super) type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// busy_timeout first: switching to WAL needs the lock another process may hold.
/// synchronous=NORMAL is durable across application crashes in WAL mode.
const PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                       PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

const POOL_SIZE: usize = 4;

/// A pool over the file at `path`, creating its folder if missing.
pub(super) fn pool(path: &Path) -> Result<Pool<SqliteConn>, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable {
            message: format!("cannot create {}: {e}", dir.display()),
        })?;
    }
    let url = path.to_str().ok_or_else(|| StoreError::Unavailable {
        message: format!("{} is not UTF-8", path.display()),
    })?;
    let mut config = ManagerConfig::<SqliteConn>::default();
    config.custom_setup = Box::new(|url| {
        let url = url.to_owned();
        Box::pin(async move {
            let mut conn = SqliteConn::establish(&url).await?;
            conn.batch_execute(PRAGMAS)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
    let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .map_err(|e| StoreError::Unavailable {
            message: e.to_string(),
        })
}

impl Dialect for SqliteConn {
    fn insert_jobs(&mut self, rows: Vec<NewJob>) -> impl Future<Output = QueryResult<()>> + Send {
        self.spawn_blocking(move |c: &mut SqliteConnection| {
            diesel::insert_into(jobs::table)
                .values(&rows)
                .on_conflict(jobs::job_uid)
                .do_nothing()
                .execute(c)
                .map(drop)
        })
    }

    fn upsert_sources(
        &mut self,
        rows: Vec<NewSource>,
    ) -> impl Future<Output = QueryResult<()>> + Send {
        self.spawn_blocking(move |c: &mut SqliteConnection| {
            use sources::*;
            diesel::insert_into(table)
                .values(&rows)
                .on_conflict((ats_type, company_slug))
                .do_update()
                .set((
                    declared_slug.eq(excluded(declared_slug)),
                    name.eq(excluded(name)),
                    region.eq(excluded(region)),
                    enabled.eq(excluded(enabled)),
                ))
                .execute(c)
                .map(drop)
        })
    }

    async fn lock_claimable(
        &mut self,
        round: i64,
        now: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<i64>> {
        diesel_async::RunQueryDsl::load::<i64>(claimable!(round, now).limit(limit), self).await
    }

    fn counter_used_locked(
        &mut self,
        counter: &str,
        day: NaiveDate,
    ) -> impl Future<Output = QueryResult<i64>> + Send {
        let counter = counter.to_owned();
        async move {
            diesel_async::RunQueryDsl::first(
                daily_counters::table
                    .find((counter, day))
                    .select(daily_counters::used),
                self,
            )
            .await
        }
    }

    fn upsert_profile(&mut self, row: ProfileRow) -> impl Future<Output = QueryResult<()>> + Send {
        self.spawn_blocking(move |c: &mut SqliteConnection| {
            diesel::insert_into(profiles::table)
                .values(&row)
                .on_conflict(profiles::profile_key)
                .do_update()
                .set(&row)
                .execute(c)
                .map(drop)
        })
    }

    fn upsert_enrichments(
        &mut self,
        rows: Vec<NewEnrichment>,
    ) -> impl Future<Output = QueryResult<()>> + Send {
        self.spawn_blocking(move |c: &mut SqliteConnection| {
            use job_enrichment::*;
            diesel::insert_into(table)
                .values(&rows)
                .on_conflict(job_uid)
                .do_update()
                .set((
                    content_hash.eq(excluded(content_hash)),
                    analyzer_version.eq(excluded(analyzer_version)),
                    analysis_json.eq(excluded(analysis_json)),
                    salary.eq(excluded(salary)),
                    enriched_at.eq(excluded(enriched_at)),
                ))
                .execute(c)
                .map(drop)
        })
    }

    fn upsert_fits(&mut self, rows: Vec<NewFit>) -> impl Future<Output = QueryResult<()>> + Send {
        self.spawn_blocking(move |c: &mut SqliteConnection| {
            use job_fit::*;
            diesel::insert_into(table)
                .values(&rows)
                .on_conflict((job_uid, profile_key))
                .do_update()
                .set((
                    fit_score.eq(excluded(fit_score)),
                    fit_class.eq(excluded(fit_class)),
                    penalty_flags.eq(excluded(penalty_flags)),
                    reasons_json.eq(excluded(reasons_json)),
                    scorer_version.eq(excluded(scorer_version)),
                    input_hash.eq(excluded(input_hash)),
                    computed_at.eq(excluded(computed_at)),
                ))
                .execute(c)
                .map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::{BigInt, Text};
    use diesel_async::RunQueryDsl;

    use super::*;

    #[derive(QueryableByName)]
    struct Timeout {
        #[diesel(sql_type = BigInt)]
        timeout: i64,
    }

    #[derive(QueryableByName)]
    struct Journal {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }

    #[derive(QueryableByName)]
    struct ForeignKeys {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn every_pooled_connection_gets_the_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir.path().join("new").join("p.db")).unwrap();
        // Hold several at once so the pool must open distinct connections.
        let mut held = Vec::new();
        for _ in 0..POOL_SIZE {
            held.push(pool.get().await.unwrap());
        }
        for conn in &mut held {
            let c: &mut SqliteConn = conn;
            let t: Timeout = diesel::sql_query("PRAGMA busy_timeout")
                .get_result(c)
                .await
                .unwrap();
            let j: Journal = diesel::sql_query("PRAGMA journal_mode")
                .get_result(c)
                .await
                .unwrap();
            let f: ForeignKeys = diesel::sql_query("PRAGMA foreign_keys")
                .get_result(c)
                .await
                .unwrap();
            assert_eq!(
                (t.timeout, j.journal_mode.as_str(), f.foreign_keys),
                (10_000, "wal", 1)
            );
        }
    }
}
