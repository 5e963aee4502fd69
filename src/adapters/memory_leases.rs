//! `SourceLeases` held in memory, beside the in-memory repository's sources; the same
//! semantics as the database (`adapters::db::leases`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::memory::{InMemoryRepository, lock};
use crate::domain::SourceKey;
use crate::ports::{Claim, Round, SourceLeases, SourceRecord, StoreError, claim_order};

#[derive(Debug, Default)]
pub(super) struct LeaseState {
    round: u64,
    round_started_at: Option<DateTime<Utc>>,
    /// The round each source was last done in; absent is 0.
    done: HashMap<SourceKey, u64>,
    leases: HashMap<SourceKey, (String, DateTime<Utc>)>,
}

impl LeaseState {
    fn done_in(&self, key: &SourceKey, round: u64) -> bool {
        self.done.get(key).copied().unwrap_or(0) >= round
    }

    /// Marks `source` done in `done_in` and ends `owner`'s lease on it (another worker's
    /// lease is left alone).
    pub(super) fn release(&mut self, source: &SourceKey, done_in: Option<u64>, owner: &str) {
        if let Some(round) = done_in {
            let done = self.done.entry(source.clone()).or_insert(0);
            *done = (*done).max(round);
        }
        if self
            .leases
            .get(source)
            .is_some_and(|(holder, _)| holder == owner)
        {
            self.leases.remove(source);
        }
    }
}

#[async_trait]
impl SourceLeases for InMemoryRepository {
    async fn join_round(&self, now: DateTime<Utc>) -> Result<Round, StoreError> {
        let mut st = lock(&self.state);
        let due = |st: &super::memory::RepoState, round: u64| {
            st.sources
                .values()
                .filter(|s| s.enabled && !st.leases.done_in(&s.key, round))
                .count() as u64
        };
        let started = due(&st, st.leases.round) == 0;
        if started {
            st.leases.round += 1;
            st.leases.round_started_at = Some(now);
        }
        let number = st.leases.round;
        Ok(Round {
            number,
            due: due(&st, number),
            started,
            started_at: st.leases.round_started_at,
        })
    }

    async fn claim_sources(&self, claim: &Claim<'_>) -> Result<Vec<SourceRecord>, StoreError> {
        let mut st = lock(&self.state);
        let open = InMemoryRepository::open_jobs(&st.jobs)
            .into_iter()
            .map(|(k, n)| (k.clone(), n))
            .collect::<HashMap<_, _>>();
        let mut due: Vec<SourceRecord> = st
            .sources
            .values()
            .filter(|s| s.enabled && !st.leases.done_in(&s.key, claim.round))
            .filter(|s| {
                st.leases
                    .leases
                    .get(&s.key)
                    .is_none_or(|(_, until)| *until < claim.now)
            })
            .map(|s| SourceRecord {
                open_jobs: open.get(&s.key).copied().unwrap_or(0),
                ..s.clone()
            })
            .collect();
        due.sort_by(|a, b| claim_order(a).cmp(&claim_order(b)));
        due.truncate(claim.limit);
        for s in &due {
            st.leases
                .leases
                .insert(s.key.clone(), (claim.owner.to_string(), claim.until));
        }
        Ok(due)
    }

    async fn leased_elsewhere(
        &self,
        round: u64,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let st = lock(&self.state);
        Ok(st
            .sources
            .values()
            .filter(|s| s.enabled && !st.leases.done_in(&s.key, round))
            .filter_map(|s| st.leases.leases.get(&s.key))
            .filter(|(holder, until)| holder != owner && *until >= now)
            .map(|(_, until)| *until)
            .min())
    }

    async fn lease_holders(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let st = lock(&self.state);
        let mut holders: Vec<String> = st
            .leases
            .leases
            .values()
            .filter(|(_, until)| *until >= now)
            .map(|(owner, _)| owner.clone())
            .collect();
        holders.sort();
        holders.dedup();
        Ok(holders)
    }

    async fn drop_leases(&self, owner: &str) -> Result<u64, StoreError> {
        let mut st = lock(&self.state);
        let before = st.leases.leases.len();
        st.leases.leases.retain(|_, (holder, _)| holder != owner);
        Ok((before - st.leases.leases.len()) as u64)
    }

    async fn renew_leases(&self, owner: &str, until: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut st = lock(&self.state);
        let mut n = 0;
        for (holder, expiry) in st.leases.leases.values_mut() {
            if holder == owner {
                *expiry = until;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn release_source(
        &self,
        source: &SourceKey,
        done_in: Option<u64>,
        owner: &str,
    ) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        if st.sources.contains_key(source) {
            st.leases.release(source, done_in, owner);
        }
        Ok(())
    }
}
