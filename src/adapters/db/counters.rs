//! `CounterStore` on the database: reservations that never over-grant, across tasks,
//! connections and processes.

use async_trait::async_trait;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dialect::Dialect;
use super::schema::daily_counters;
use super::{Database, with_conn, write_tx};
use crate::domain::Cap;
use crate::ports::{CounterKey, CounterStore, StoreError};

#[async_trait]
impl CounterStore for Database {
    async fn try_reserve(
        &self,
        key: CounterKey,
        day: NaiveDate,
        n: u32,
        cap: Cap,
    ) -> Result<u32, StoreError> {
        let name = key.to_string();
        // Create the row in its own statement, outside the locking transaction: on MySQL
        // an INSERT IGNORE that finds the row takes a shared lock, and two reservers
        // upgrading shared locks to FOR UPDATE would deadlock.
        with_conn!(self, |c| {
            diesel::insert_or_ignore_into(daily_counters::table)
                .values((
                    daily_counters::counter.eq(&name),
                    daily_counters::day.eq(day),
                    daily_counters::used.eq(0_i64),
                ))
                .execute(c)
                .await?
        })?;
        let granted = write_tx!(self, |c| {
            let used = c.counter_used_locked(&name, day).await?;
            let granted = cap.grant(u64::try_from(used).unwrap_or(0), u64::from(n));
            if granted > 0 {
                let step = i64::try_from(granted).unwrap_or(i64::MAX);
                diesel::update(daily_counters::table.find((&name, day)))
                    .set(daily_counters::used.eq(daily_counters::used + step))
                    .execute(c)
                    .await?;
            }
            granted
        })?;
        // granted <= n, which is a u32.
        Ok(u32::try_from(granted).unwrap_or(n))
    }

    async fn release(&self, key: CounterKey, day: NaiveDate, n: u32) -> Result<(), StoreError> {
        let name = key.to_string();
        let step = i64::from(n);
        // One conditional statement: atomic on both backends, and never below zero.
        with_conn!(self, |c| {
            diesel::update(daily_counters::table.find((&name, day)))
                .set(
                    daily_counters::used.eq(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                        "CASE WHEN used > ",
                    )
                    .bind::<diesel::sql_types::BigInt, _>(step)
                    .sql(" THEN used - ")
                    .bind::<diesel::sql_types::BigInt, _>(step)
                    .sql(" ELSE 0 END")),
                )
                .execute(c)
                .await?
        })?;
        Ok(())
    }

    async fn used(&self, key: CounterKey, day: NaiveDate) -> Result<u64, StoreError> {
        let name = key.to_string();
        let used = with_conn!(self, |c| {
            daily_counters::table
                .find((&name, day))
                .select(daily_counters::used)
                .first::<i64>(c)
                .await
                .optional()?
        })?;
        Ok(used.map_or(0, |u| u64::try_from(u).unwrap_or(0)))
    }
}
