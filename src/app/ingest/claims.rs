//! The sources a worker works on: claimed from the shared round in small leased batches.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

use super::Shared;
use crate::domain::SourceKey;
use crate::ports::{Claim, SourceRecord, StoreError};

/// Longest pause between two claim attempts while other workers hold the round's last
/// sources: a live holder usually finishes before its lease would expire.
const WAIT_STEP: Duration = Duration::from_secs(1);

/// Claims sources of one round for this worker, a batch at a time, in rotation order.
pub(super) struct Claims {
    shared: Arc<Shared>,
    round: u64,
    queue: VecDeque<SourceRecord>,
    waiting_logged: bool,
}

impl Claims {
    pub(super) fn new(shared: Arc<Shared>, round: u64) -> Self {
        Claims {
            shared,
            round,
            queue: VecDeque::new(),
            waiting_logged: false,
        }
    }

    /// The next source to fetch; `None` once the round has nothing left for this worker
    /// (or its write budget is spent, or the store failed).
    pub(super) async fn next(&mut self) -> Option<SourceRecord> {
        loop {
            if let Some(record) = self.queue.pop_front() {
                return Some(record);
            }
            if self.shared.writes_left.load(Ordering::SeqCst) == 0 {
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
    /// round's sources (its lease may expire). `false`: the round is done for this worker.
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
        let claimed = leases.claim_sources(&claim).await?;
        if !claimed.is_empty() {
            tracing::debug!(
                event = "sources_claimed",
                round = self.round,
                n = claimed.len() as u64
            );
            self.queue.extend(claimed);
            return Ok(true);
        }
        let Some(expiry) = leases.leased_elsewhere(self.round, owner, now).await? else {
            return Ok(false);
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

/// A poisoned lock only means a task panicked; the slot is still usable.
pub(super) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
