//! `SourceLeases` on the database: rounds in `ingest_round`, leases on `sources` rows.
//!
//! Claims lock the candidate rows and skip rows other workers hold (`FOR UPDATE SKIP
//! LOCKED` on MySQL 8 / MariaDB 10.6+; SQLite's write transaction already excludes every
//! other writer). Servers without SKIP LOCKED (older MySQL, TiDB) claim with a conditional
//! `UPDATE … WHERE` the row is still unleased, and read back what they got.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dialect::Dialect;
use super::models::{SourceRow, db_time, utc};
use super::schema::{ingest_round, sources};
use super::{Database, DbPool, with_conn, write_tx};
use crate::domain::SourceKey;
use crate::ports::{Claim, Round, SourceLeases, SourceRecord, StoreError, claim_order};

/// How claims keep two workers from taking the same source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStrategy {
    /// Lock the candidates in a transaction (MySQL: `FOR UPDATE SKIP LOCKED`).
    LockedSelect,
    /// A conditional `UPDATE` of the candidates still unleased, then read back.
    ConditionalUpdate,
}

/// Sources of `$round` that are enabled, not done, and not leased or leased until before
/// `$now`; in rotation order (least recently fetched first). Expanded once per backend.
macro_rules! claimable {
    ($round:expr, $now:expr) => {
        $crate::adapters::db::schema::sources::table
            .filter($crate::adapters::db::schema::sources::enabled.eq(true))
            .filter($crate::adapters::db::schema::sources::done_round.lt($round))
            .filter(
                $crate::adapters::db::schema::sources::lease_until
                    .is_null()
                    .or($crate::adapters::db::schema::sources::lease_until.lt($now)),
            )
            .order((
                $crate::adapters::db::schema::sources::last_fetched_at
                    .is_null()
                    .desc(),
                $crate::adapters::db::schema::sources::last_fetched_at.asc(),
                $crate::adapters::db::schema::sources::ats_type.asc(),
                $crate::adapters::db::schema::sources::company_slug.asc(),
            ))
            .select($crate::adapters::db::schema::sources::id)
    };
}
pub(crate) use claimable;

// Releases, renewals and drops run as write transactions: MySQL may abort one of two
// statements locking the same rows (a deadlock with a claim), and `write_tx!` runs it again.

/// Claims retried when every candidate went to another worker between read and update.
const CLAIM_ATTEMPTS: u32 = 5;

pub(super) fn round_i64(round: u64) -> i64 {
    i64::try_from(round).unwrap_or(i64::MAX)
}

/// A claim as column values: round, now, lease expiry, row limit.
fn claim_columns(claim: &Claim<'_>) -> (i64, NaiveDateTime, NaiveDateTime, i64) {
    (
        round_i64(claim.round),
        db_time(claim.now),
        db_time(claim.until),
        i64::try_from(claim.limit).unwrap_or(i64::MAX),
    )
}

impl Database {
    /// The current round's number and start.
    async fn current_round(&self) -> Result<(i64, Option<NaiveDateTime>), StoreError> {
        with_conn!(self, |c| {
            ingest_round::table
                .find(1)
                .select((ingest_round::round, ingest_round::started_at))
                .first::<(i64, Option<NaiveDateTime>)>(c)
                .await?
        })
    }

    /// Enabled sources not done in `round`.
    async fn due_in(&self, round: i64) -> Result<u64, StoreError> {
        let n = with_conn!(self, |c| {
            sources::table
                .filter(sources::enabled.eq(true))
                .filter(sources::done_round.lt(round))
                .select(count_star())
                .first::<i64>(c)
                .await?
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The strategy claims use: detected from the server once, unless set first.
    async fn claim_strategy(&self) -> ClaimStrategy {
        if let Some(s) = self.claim_strategy.get() {
            return *s;
        }
        let detected = match &self.pool {
            DbPool::Sqlite(..) => ClaimStrategy::LockedSelect,
            DbPool::Mysql(_) => match self.server_version().await {
                Ok(v) if supports_skip_locked(&v) => ClaimStrategy::LockedSelect,
                Ok(_) => ClaimStrategy::ConditionalUpdate,
                // Unknown: the conditional update is correct everywhere.
                Err(_) => ClaimStrategy::ConditionalUpdate,
            },
        };
        *self.claim_strategy.get_or_init(|| detected)
    }

    /// Makes claims use `strategy` (tests run both on every backend). Has no effect once a
    /// claim has been made.
    pub fn use_claim_strategy(&self, strategy: ClaimStrategy) {
        let _ = self.claim_strategy.set(strategy);
    }

    async fn server_version(&self) -> Result<String, StoreError> {
        #[derive(QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let rows = with_conn!(self, |c| {
            diesel::sql_query("SELECT VERSION() AS v")
                .load::<Version>(c)
                .await?
        })?;
        Ok(rows.into_iter().next().map(|r| r.v).unwrap_or_default())
    }

    /// Claimed rows as records, with their open-job counts, in claim order.
    async fn claimed_records(&self, rows: Vec<SourceRow>) -> Result<Vec<SourceRecord>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut records = self.with_open_jobs(rows, true).await?;
        records.sort_by(|a, b| claim_order(a).cmp(&claim_order(b)));
        Ok(records)
    }

    /// Claims with locked selects. An empty claim while claimable rows remain means every
    /// one was locked by other workers' claims in flight (InnoDB locks each row a locking
    /// read examines, not only those it returns): they end within milliseconds, so try
    /// again rather than leave the round to the others.
    async fn claim_locked(&self, claim: &Claim<'_>) -> Result<Vec<SourceRow>, StoreError> {
        let (round, now, _, _) = claim_columns(claim);
        let mut pause = std::time::Duration::from_millis(10);
        for _ in 0..CLAIM_ATTEMPTS {
            let rows = self.claim_locked_once(claim).await?;
            if !rows.is_empty() {
                return Ok(rows);
            }
            let claimable = with_conn!(self, |c| {
                claimable!(round, now).limit(1).load::<i64>(c).await?
            })?;
            if claimable.is_empty() {
                break;
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        Ok(Vec::new())
    }

    async fn claim_locked_once(&self, claim: &Claim<'_>) -> Result<Vec<SourceRow>, StoreError> {
        let (round, now, until, limit) = claim_columns(claim);
        write_tx!(self, |c| {
            let ids = c.lock_claimable(round, now, limit).await?;
            if ids.is_empty() {
                Vec::new()
            } else {
                diesel::update(sources::table.filter(sources::id.eq_any(&ids)))
                    .set((
                        sources::lease_owner.eq(claim.owner),
                        sources::lease_until.eq(until),
                    ))
                    .execute(c)
                    .await?;
                sources::table
                    .filter(sources::id.eq_any(&ids))
                    .select(SourceRow::as_select())
                    .load::<SourceRow>(c)
                    .await?
            }
        })
    }

    async fn claim_conditional(&self, claim: &Claim<'_>) -> Result<Vec<SourceRow>, StoreError> {
        let (round, now, until, limit) = claim_columns(claim);
        for _ in 0..CLAIM_ATTEMPTS {
            let ids: Vec<i64> = with_conn!(self, |c| {
                claimable!(round, now).limit(limit).load::<i64>(c).await?
            })?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // Each row is taken only if still claimable when the update reaches it, so a
            // row another worker took between the read and here is left to it.
            let rows = with_conn!(self, |c| {
                diesel::update(
                    sources::table
                        .filter(sources::id.eq_any(&ids))
                        .filter(sources::done_round.lt(round))
                        .filter(
                            sources::lease_until
                                .is_null()
                                .or(sources::lease_until.lt(now)),
                        ),
                )
                .set((
                    sources::lease_owner.eq(claim.owner),
                    sources::lease_until.eq(until),
                ))
                .execute(c)
                .await?;
                sources::table
                    .filter(sources::id.eq_any(&ids))
                    .filter(sources::lease_owner.eq(claim.owner))
                    .filter(sources::done_round.lt(round))
                    .select(SourceRow::as_select())
                    .load::<SourceRow>(c)
                    .await?
            })?;
            if !rows.is_empty() {
                return Ok(rows);
            }
        }
        Ok(Vec::new())
    }
}

/// MariaDB 10.6+ and MySQL 8.0.1+ have `SKIP LOCKED`; TiDB reports a MySQL version
/// without it.
fn supports_skip_locked(version: &str) -> bool {
    let lower = version.to_ascii_lowercase();
    if lower.contains("tidb") {
        return false;
    }
    let mut parts = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if lower.contains("mariadb") {
        (major, minor) >= (10, 6)
    } else {
        major >= 8
    }
}

/// Ends `owner`'s lease on the source (`ats`, `slug`) inside the caller's transaction on
/// `c`, and marks it done in `round` (`Option<i64>`) even when another worker took the lease
/// over. Shared by `release_source` and `apply_batch` (which ends the lease with the batch).
macro_rules! release_lease {
    ($c:ident, $ats:expr, $slug:expr, $round:expr, $owner:expr) => {{
        let mine = sources::table
            .filter(sources::ats_type.eq($ats))
            .filter(sources::company_slug.eq($slug))
            .filter(sources::lease_owner.eq($owner));
        let released = match $round {
            // One statement: no moment where the source is unleased and not done.
            Some(round) => {
                diesel::update(mine)
                    .set((
                        sources::done_round.eq(round),
                        sources::lease_owner.eq(None::<String>),
                        sources::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute($c)
                    .await?
            }
            None => {
                diesel::update(mine)
                    .set((
                        sources::lease_owner.eq(None::<String>),
                        sources::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute($c)
                    .await?
            }
        };
        if let (0, Some(round)) = (released, $round) {
            // Another worker took the lease over (this one's expired): done all the
            // same; the lease is the other worker's to end.
            diesel::update(
                sources::table
                    .filter(sources::ats_type.eq($ats))
                    .filter(sources::company_slug.eq($slug))
                    .filter(sources::done_round.lt(round)),
            )
            .set(sources::done_round.eq(round))
            .execute($c)
            .await?;
        }
    }};
}
pub(super) use release_lease;

#[async_trait]
impl SourceLeases for Database {
    async fn join_round(&self, now: DateTime<Utc>) -> Result<Round, StoreError> {
        // Statements on their own (no transaction): each read sees what other workers
        // committed, and the conditional update lets only one of them start a round.
        let (current, started_at) = self.current_round().await?;
        let due = self.due_in(current).await?;
        if due > 0 {
            return Ok(Round {
                number: u64::try_from(current).unwrap_or(0),
                due,
                started: false,
                started_at: started_at.map(utc),
            });
        }
        let now = db_time(now);
        let started = with_conn!(self, |c| {
            diesel::update(
                ingest_round::table
                    .filter(ingest_round::id.eq(1))
                    .filter(ingest_round::round.eq(current)),
            )
            .set((
                ingest_round::round.eq(current + 1),
                ingest_round::started_at.eq(now),
            ))
            .execute(c)
            .await?
        })? == 1;
        let (number, started_at) = self.current_round().await?;
        Ok(Round {
            number: u64::try_from(number).unwrap_or(0),
            due: self.due_in(number).await?,
            started,
            started_at: started_at.map(utc),
        })
    }

    async fn claim_sources(&self, claim: &Claim<'_>) -> Result<Vec<SourceRecord>, StoreError> {
        if claim.limit == 0 {
            return Ok(Vec::new());
        }
        let rows = match self.claim_strategy().await {
            ClaimStrategy::LockedSelect => self.claim_locked(claim).await?,
            ClaimStrategy::ConditionalUpdate => self.claim_conditional(claim).await?,
        };
        self.claimed_records(rows).await
    }

    async fn leased_elsewhere(
        &self,
        round: u64,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (round, now) = (round_i64(round), db_time(now));
        let earliest = with_conn!(self, |c| {
            sources::table
                .filter(sources::enabled.eq(true))
                .filter(sources::done_round.lt(round))
                .filter(sources::lease_owner.ne(owner))
                .filter(sources::lease_until.ge(now))
                .select(min(sources::lease_until))
                .first::<Option<NaiveDateTime>>(c)
                .await?
        })?;
        Ok(earliest.map(utc))
    }

    async fn lease_holders(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let now = db_time(now);
        let holders = with_conn!(self, |c| {
            sources::table
                .filter(sources::lease_until.ge(now))
                .select(sources::lease_owner)
                .distinct()
                .order(sources::lease_owner.asc())
                .load::<Option<String>>(c)
                .await?
        })?;
        Ok(holders.into_iter().flatten().collect())
    }

    async fn drop_leases(&self, owner: &str) -> Result<u64, StoreError> {
        let n = write_tx!(self, |c| {
            diesel::update(sources::table.filter(sources::lease_owner.eq(owner)))
                .set((
                    sources::lease_owner.eq(None::<String>),
                    sources::lease_until.eq(None::<NaiveDateTime>),
                ))
                .execute(c)
                .await?
        })?;
        Ok(n as u64)
    }

    async fn renew_leases(&self, owner: &str, until: DateTime<Utc>) -> Result<u64, StoreError> {
        let until = db_time(until);
        let n = write_tx!(self, |c| {
            diesel::update(sources::table.filter(sources::lease_owner.eq(owner)))
                .set(sources::lease_until.eq(until))
                .execute(c)
                .await?
        })?;
        Ok(n as u64)
    }

    async fn release_source(
        &self,
        source: &SourceKey,
        done_in: Option<u64>,
        owner: &str,
    ) -> Result<(), StoreError> {
        let (ats, slug) = (source.ats.as_str(), source.slug.as_str());
        let round = done_in.map(round_i64);
        write_tx!(self, |c| release_lease!(c, ats, slug, round, owner))
    }
}

#[cfg(test)]
mod tests {
    use super::supports_skip_locked;

    #[test]
    fn skip_locked_is_used_where_the_server_has_it() {
        assert!(supports_skip_locked("10.11.6-MariaDB-0+deb12u1"));
        assert!(supports_skip_locked("10.6.0-MariaDB"));
        assert!(!supports_skip_locked("10.5.23-MariaDB"));
        assert!(supports_skip_locked("8.0.36"));
        assert!(supports_skip_locked("8.4.0-commercial"));
        assert!(!supports_skip_locked("5.7.44-log"));
        assert!(!supports_skip_locked("8.0.11-TiDB-v7.5.0"));
        assert!(!supports_skip_locked(""));
    }
}
