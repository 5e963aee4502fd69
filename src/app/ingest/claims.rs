//! The sources a worker works on: claimed from the shared round in small leased batches.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use futures::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Shared;
use crate::adapters::local_host;
use crate::domain::SourceKey;
use crate::ports::{Claim, SourceRecord, StoreError};

/// Longest pause between two claim attempts while other workers hold the round's last
/// sources: a live holder usually finishes before its lease would expire.
const WAIT_STEP: Duration = Duration::from_secs(1);

/// Claims sources for this worker, a batch at a time, in rotation order.
///
/// A run works in the round it joined. One that joined a round left unfinished by an
/// earlier run (no other worker in it) goes on into the next round once that one is done,
/// up to the first source it already attempted: so one worker's run still attempts every
/// source once, in rotation order, as before leasing.
pub(super) struct Claims {
    shared: Arc<Shared>,
    round: u64,
    queue: VecDeque<SourceRecord>,
    /// Joined a leftover round: may go on into the next one.
    may_continue: bool,
    /// Went on into the next round: stop at the first source attempted in this run.
    continued: bool,
    attempted: HashSet<SourceKey>,
    /// Sources handed to the run so far.
    handed_over: usize,
    finished: bool,
    waiting_logged: bool,
}

/// Claims in a task of its own, handing sources over one at a time: a claim transaction
/// never waits for the run's loop (which may itself be waiting for the database's write
/// lock inside a write). Ends when nothing is left; a dropped stream stops the claiming
/// and gives back what was claimed and not handed over.
pub(super) fn spawn(mut claims: Claims) -> impl Stream<Item = (SourceRecord, u64)> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(item) = claims.next().await {
            if let Err(unsent) = tx.send(item).await {
                let (record, round) = unsent.0;
                claims.shared.release(&record.key, round, false).await;
                for record in std::mem::take(&mut claims.queue) {
                    claims
                        .shared
                        .release(&record.key, claims.round, false)
                        .await;
                }
                break;
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

impl Claims {
    pub(super) fn new(shared: Arc<Shared>, round: u64, may_continue: bool) -> Self {
        Claims {
            shared,
            round,
            queue: VecDeque::new(),
            may_continue,
            continued: false,
            attempted: HashSet::new(),
            handed_over: 0,
            finished: false,
            waiting_logged: false,
        }
    }

    /// The next source to fetch and the round it was claimed in; `None` once there is
    /// nothing left for this worker (or its write budget is spent, or the store failed).
    pub(super) async fn next(&mut self) -> Option<(SourceRecord, u64)> {
        loop {
            if let Some(record) = self.queue.pop_front() {
                self.attempted.insert(record.key.clone());
                self.handed_over += 1;
                return Some((record, self.round));
            }
            if self.finished || self.shared.writes_left.load(Ordering::SeqCst) == 0 {
                return None;
            }
            match self.claim_or_wait().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(err) => {
                    // Claiming stops; the run reports the error once its fetches are done.
                    tracing::error!(event = "claim_failed", error = %err);
                    *lock(&self.shared.claim_error) = Some(err);
                    return None;
                }
            }
        }
    }

    /// Claims a batch; with none claimable, waits while another worker holds some of the
    /// round's sources (its lease may expire). `false`: nothing is left for this worker.
    async fn claim_or_wait(&mut self) -> Result<bool, StoreError> {
        let policy = &self.shared.policy;
        let leases = &self.shared.deps.leases;
        let owner = policy.worker_id.as_str();
        let now = Utc::now();
        let claim = Claim {
            round: self.round,
            owner,
            now,
            until: lease_until(now, policy.lease),
            limit: policy.concurrency.max(1),
        };
        let mut claimed = leases.claim_sources(&claim).await?;
        if !claimed.is_empty() {
            if self.continued
                && let Some(seen) = claimed.iter().position(|r| self.attempted.contains(&r.key))
            {
                // Come full circle: the rest goes back to the round, undone.
                self.finished = true;
                for record in claimed.split_off(seen) {
                    self.shared.release(&record.key, self.round, false).await;
                }
            }
            tracing::debug!(
                event = "sources_claimed",
                round = self.round,
                n = claimed.len() as u64
            );
            self.queue.extend(claimed);
            return Ok(true);
        }
        let Some(expiry) = leases.leased_elsewhere(self.round, owner, now).await? else {
            return self.go_on_into_next_round().await;
        };
        if !self.waiting_logged {
            self.waiting_logged = true;
            tracing::info!(
                event = "waiting_for_leases",
                round = self.round,
                lease_until = %expiry.to_rfc3339(),
            );
        }
        let until_expiry = (expiry - now).to_std().unwrap_or(Duration::ZERO);
        tokio::time::sleep(until_expiry.min(WAIT_STEP) + Duration::from_millis(10)).await;
        Ok(true)
    }

    async fn go_on_into_next_round(&mut self) -> Result<bool, StoreError> {
        if !self.may_continue || self.continued {
            return Ok(false);
        }
        self.continued = true;
        // The round ends when this worker's last sources are written: wait for them.
        loop {
            let released = self.shared.released_notify.notified();
            if self.shared.released.load(Ordering::SeqCst) >= self.handed_over {
                break;
            }
            released.await;
        }
        let next = self
            .shared
            .deps
            .leases
            .join_round(self.shared.deps.clock.now())
            .await?;
        if next.number <= self.round {
            return Ok(false);
        }
        tracing::info!(
            event = "round_continued",
            round = next.number,
            sources_due = next.due
        );
        self.round = next.number;
        Ok(true)
    }
}

fn lease_until(now: chrono::DateTime<Utc>, lease: Duration) -> chrono::DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|span| now.checked_add_signed(span))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
}

/// Renews this worker's leases every third of the lease, so a long fetch keeps its sources
/// while a crashed worker's expire. Stops when the handle is aborted.
pub(super) fn keep_leases(shared: Arc<Shared>) -> JoinHandle<()> {
    let every = (shared.policy.lease / 3).max(Duration::from_millis(100));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let (owner, lease) = (shared.policy.worker_id.as_str(), shared.policy.lease);
            let until = lease_until(Utc::now(), lease);
            if let Err(err) = shared.deps.leases.renew_leases(owner, until).await {
                tracing::warn!(event = "lease_renewal_failed", error = %err);
            }
        }
    })
}

impl Shared {
    /// Ends this worker's lease on a source; `done` marks it done in the round. A failure is
    /// logged only: the lease expires by itself.
    pub(super) async fn release(&self, key: &SourceKey, round: u64, done: bool) {
        let owner = self.policy.worker_id.as_str();
        let round = done.then_some(round);
        if let Err(err) = self.deps.leases.release_source(key, round, owner).await {
            tracing::warn!(event = "lease_release_failed", source = %key, error = %err);
        }
    }
}

impl Shared {
    /// Ends whatever leases this worker still holds as it stops (a release that failed):
    /// other workers take those sources at once instead of waiting for the lease to expire.
    pub(super) async fn drop_leftover_leases(&self) {
        let owner = self.policy.worker_id.as_str();
        match self.deps.leases.drop_leases(owner).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                event = "leases_dropped",
                sources = n,
                reason = "not_released"
            ),
            Err(err) => tracing::warn!(event = "lease_drop_failed", error = %err),
        }
    }
}

/// A poisoned lock only means a task panicked; the slot is still usable.
pub(super) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Ends the leases of workers of this host that died (killed, crashed): a run started right
/// after a crash takes their sources at once instead of waiting `WORKER_LEASE_S`.
pub(super) async fn free_leases_of_dead_local_workers(shared: &Shared) -> Result<(), StoreError> {
    let leases = &shared.deps.leases;
    for owner in leases.lease_holders(Utc::now()).await? {
        if let Some(pid) = local_host::dead_local_worker(&owner) {
            let freed = leases.drop_leases(&owner).await?;
            tracing::info!(
                event = "leases_freed",
                owner = owner.as_str(),
                pid,
                sources = freed,
                reason = "worker_gone"
            );
        }
    }
    Ok(())
}
