//! MySQL/MariaDB: the connection pool and the dialect statements. Diesel has no
//! `excluded()` for MySQL, so upserts name the incoming row as `VALUES(col)`, the one
//! spelling both MySQL and MariaDB accept.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{DuplicatedKeys, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};
use diesel_async::AsyncMysqlConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;

use super::dialect::Dialect;
use super::models::{NewJob, NewSource};
use super::schema::{daily_counters, jobs, sources};
use super::target::MysqlTarget;
use crate::ports::StoreError;

pub(super) type MysqlConn = AsyncMysqlConnection;

const POOL_SIZE: usize = 8;

/// A pool to the server; nothing connects until the first checkout.
pub(super) fn pool(target: &MysqlTarget) -> Result<Pool<MysqlConn>, StoreError> {
    let manager = AsyncDieselConnectionManager::<MysqlConn>::new(target.connection_url());
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .map_err(|e| StoreError::Unavailable(e.to_string()))
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

    async fn upsert_jobs(&mut self, rows: Vec<NewJob>) -> QueryResult<()> {
        use jobs::*;
        type OptText = Nullable<Text>;
        type OptTime = Nullable<Timestamp>;
        diesel::insert_into(table)
            .values(&rows)
            .on_conflict(DuplicatedKeys)
            .do_update()
            .set((
                ats_job_id.eq(new::<Text>("ats_job_id")),
                title.eq(new::<Text>("title")),
                company.eq(new::<OptText>("company")),
                location.eq(new::<OptText>("location")),
                department.eq(new::<OptText>("department")),
                team.eq(new::<OptText>("team")),
                employment_type.eq(new::<OptText>("employment_type")),
                workplace_type.eq(new::<OptText>("workplace_type")),
                url.eq(new::<OptText>("url")),
                apply_url.eq(new::<OptText>("apply_url")),
                description.eq(new::<Text>("description")),
                salary_text.eq(new::<OptText>("salary_text")),
                posted_at.eq(new::<OptTime>("posted_at")),
                updated_at.eq(new::<OptTime>("updated_at")),
                content_hash.eq(new::<Text>("content_hash")),
                raw_json.eq(new::<Text>("raw_json")),
                last_seen_at.eq(new::<Timestamp>("last_seen_at")),
                changed_at.eq(new::<Timestamp>("changed_at")),
                closed_at.eq(None::<NaiveDateTime>),
            ))
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
}
