//! Sharing the enabled sources among ingest workers: rounds, and leases on sources.
//!
//! A round is one pass over every enabled source. A worker joins the current round while
//! some enabled source is not done in it, else starts the next one. It claims sources of the
//! round in small batches, each under a lease (owner, expiry) that it renews while it works,
//! and marks each source done when it has been fetched and written. A crashed worker's
//! lease expires and another worker claims its sources. One worker alone sees the same
//! behaviour as before leasing: every run is a new round over every enabled source.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::repository::{SourceRecord, StoreError};
use crate::domain::SourceKey;

/// A worker's lease on a source, ended in the transaction that writes the source's batch,
/// so a board costs one commit less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRelease {
    pub owner: String,
    /// The round the source is done in; `None` leaves it due (a skipped source).
    pub done_in: Option<u64>,
}

/// The round a worker joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub number: u64,
    /// Enabled sources not yet done in it when it was joined.
    pub due: u64,
    /// This call started the round (else it was under way: other workers are in it, or an
    /// earlier run left sources of it undone).
    pub started: bool,
    /// When the round was started (`None` for a round from before this was recorded).
    pub started_at: Option<DateTime<Utc>>,
}

/// One claim of sources for a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    pub round: u64,
    pub owner: &'a str,
    pub now: DateTime<Utc>,
    /// The lease's expiry.
    pub until: DateTime<Utc>,
    pub limit: usize,
}

/// The order claims hand sources out in: least recently fetched first (never fetched
/// first), ties by provider name then slug.
pub fn claim_order(r: &SourceRecord) -> (Option<DateTime<Utc>>, &str, &str) {
    (r.last_fetched_at, r.key.ats.as_str(), r.key.slug.as_str())
}

#[async_trait]
pub trait SourceLeases: Send + Sync {
    /// The round to work in: the current one while an enabled source is not done in it,
    /// otherwise the next one (started here at `now`, or by a worker that got there first).
    async fn join_round(&self, now: DateTime<Utc>) -> Result<Round, StoreError>;

    /// Leases up to `limit` enabled sources not done in the round and not leased (or whose
    /// lease expired before `now`) to `owner` until `until`: least recently fetched first
    /// (never fetched first), ties by provider name then slug. No source is granted to two
    /// workers.
    async fn claim_sources(&self, claim: &Claim<'_>) -> Result<Vec<SourceRecord>, StoreError>;

    /// The earliest expiry among the round's sources that are not done and are leased to
    /// another worker: when to try to claim again. `None` when there are none.
    async fn leased_elsewhere(
        &self,
        round: u64,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// The workers holding a lease that has not expired at `now`.
    async fn lease_holders(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError>;

    /// Ends every lease `owner` holds, done or not (a worker known to be dead); returns
    /// how many.
    async fn drop_leases(&self, owner: &str) -> Result<u64, StoreError>;

    /// Extends every lease `owner` holds to `until`; returns how many.
    async fn renew_leases(&self, owner: &str, until: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Ends `owner`'s lease on a source and, with `done_in`, marks it done in that round
    /// (without, the source stays due: another worker or the next run takes it). A source
    /// whose lease another worker took over meanwhile (this one's expired) is still marked
    /// done, and its lease stays the other worker's.
    async fn release_source(
        &self,
        source: &SourceKey,
        done_in: Option<u64>,
        owner: &str,
    ) -> Result<(), StoreError>;
}
