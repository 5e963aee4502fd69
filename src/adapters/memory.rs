//! In-memory adapters: repository, counters and sink, for `--dry-run` and tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{Cap, JobUid, RawHash, SourceKey, StoredFingerprint};
use crate::ports::{
    CounterKey, CounterStore, JobFilter, JobRecord, Reparsed, Repository, SourceBatch,
    SourceRecord, SourceSpec, StoreError,
};

/// A poisoned lock only means another test thread panicked; the data is still usable.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Default)]
pub(super) struct RepoState {
    pub(super) sources: BTreeMap<SourceKey, SourceRecord>,
    pub(super) jobs: BTreeMap<JobUid, JobRecord>,
    /// The raw hash each job was stored with (jobs seeded from a database have none).
    raw_hashes: HashMap<JobUid, RawHash>,
    /// `FitStore` (`memory_fit.rs`), next to the jobs it joins.
    pub(super) fit: crate::adapters::memory_fit::FitState,
    /// `SourceLeases` (`memory_leases.rs`).
    pub(super) leases: crate::adapters::memory_leases::LeaseState,
}

/// A thread-safe repository held in memory; also the in-memory `FitStore`.
#[derive(Debug, Default)]
pub struct InMemoryRepository {
    pub(super) state: Mutex<RepoState>,
}

impl InMemoryRepository {
    pub fn new() -> Self {
        Self::default()
    }

    /// A repository holding a copy of stored data (a dry run starts from what the
    /// configured database holds, and writes nothing back).
    pub fn seeded(sources: Vec<SourceRecord>, jobs: Vec<JobRecord>) -> Self {
        let state = RepoState {
            sources: sources.into_iter().map(|s| (s.key.clone(), s)).collect(),
            jobs: jobs.into_iter().map(|j| (j.uid.clone(), j)).collect(),
            raw_hashes: HashMap::new(),
            fit: Default::default(),
            leases: Default::default(),
        };
        InMemoryRepository {
            state: Mutex::new(state),
        }
    }

    /// Open jobs per source, in one pass over the jobs.
    pub(super) fn open_jobs(jobs: &BTreeMap<JobUid, JobRecord>) -> HashMap<&SourceKey, u64> {
        let mut open = HashMap::new();
        for job in jobs.values().filter(|j| j.closed_at.is_none()) {
            *open.entry(&job.source).or_insert(0) += 1;
        }
        open
    }
}

fn job_record(
    source: &SourceKey,
    job: &crate::domain::upsert::PlannedJob,
    now: DateTime<Utc>,
) -> JobRecord {
    JobRecord {
        uid: job.uid.clone(),
        source: source.clone(),
        posting: job.fetched.posting.clone(),
        content_hash: job.hash.clone(),
        raw_json: job.fetched.raw_json.clone(),
        first_seen_at: now,
        last_seen_at: now,
        changed_at: now,
        closed_at: None,
    }
}

#[async_trait]
impl Repository for InMemoryRepository {
    async fn sync_sources(&self, declared: &[SourceSpec]) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        for record in st.sources.values_mut() {
            record.enabled = false;
        }
        for spec in declared {
            let record = st
                .sources
                .entry(spec.key.clone())
                .or_insert_with(|| SourceRecord {
                    key: spec.key.clone(),
                    name: None,
                    region: spec.region,
                    enabled: true,
                    last_fetched_at: None,
                    last_success_at: None,
                    last_error: None,
                    failure_count: 0,
                    empty_streak: 0,
                    open_jobs: 0,
                    uid_slug: None,
                });
            record.name = spec.name.clone();
            record.region = spec.region;
            record.enabled = spec.enabled;
        }
        Ok(())
    }

    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let st = lock(&self.state);
        let open = Self::open_jobs(&st.jobs);
        Ok(st
            .sources
            .values()
            .map(|s| SourceRecord {
                open_jobs: open.get(&s.key).copied().unwrap_or(0),
                ..s.clone()
            })
            .collect())
    }

    async fn enabled_sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let mut all: Vec<SourceRecord> = self
            .sources()
            .await?
            .into_iter()
            .filter(|s| s.enabled)
            .collect();
        // None sorts before Some: never-fetched sources come first.
        all.sort_by(|a, b| (a.last_fetched_at, &a.key).cmp(&(b.last_fetched_at, &b.key)));
        Ok(all)
    }

    async fn fingerprints(
        &self,
        source: &SourceKey,
    ) -> Result<HashMap<JobUid, StoredFingerprint>, StoreError> {
        let st = lock(&self.state);
        Ok(st
            .jobs
            .values()
            .filter(|j| &j.source == source)
            .map(|j| {
                (
                    j.uid.clone(),
                    StoredFingerprint {
                        hash: j.content_hash.clone(),
                        closed: j.closed_at.is_some(),
                        raw_hash: st.raw_hashes.get(&j.uid).cloned(),
                    },
                )
            })
            .collect())
    }

    async fn apply_batch(&self, batch: &SourceBatch) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        let now = batch.now;
        let Some(source) = st.sources.get_mut(&batch.source) else {
            return Err(StoreError::UnknownSource {
                key: batch.source.clone(),
            });
        };
        source.last_fetched_at = Some(now);
        source.empty_streak = batch.outcome.empty_streak;
        match &batch.outcome.error {
            None => {
                source.last_success_at = Some(now);
                source.last_error = None;
                source.failure_count = 0;
            }
            Some(err) => {
                source.last_error = Some(err.clone());
                source.failure_count = source.failure_count.saturating_add(1);
            }
        }
        for job in &batch.inserts {
            if !st.jobs.contains_key(&job.uid) {
                st.jobs
                    .insert(job.uid.clone(), job_record(&batch.source, job, now));
                st.raw_hashes
                    .insert(job.uid.clone(), job.fetched.raw_hash.clone());
            }
        }
        for job in &batch.updates {
            let fresh = job_record(&batch.source, job, now);
            st.jobs
                .entry(job.uid.clone())
                .and_modify(|j| {
                    j.posting = fresh.posting.clone();
                    j.content_hash = fresh.content_hash.clone();
                    j.raw_json = fresh.raw_json.clone();
                    j.last_seen_at = now;
                    j.changed_at = now;
                    j.closed_at = None;
                })
                .or_insert(fresh);
            st.raw_hashes
                .insert(job.uid.clone(), job.fetched.raw_hash.clone());
        }
        for uid in &batch.unchanged {
            if let Some(j) = st.jobs.get_mut(uid) {
                j.last_seen_at = now;
            }
        }
        for uid in &batch.reopened {
            if let Some(j) = st.jobs.get_mut(uid) {
                j.closed_at = None;
            }
        }
        for uid in &batch.closed {
            if let Some(j) = st.jobs.get_mut(uid) {
                j.closed_at.get_or_insert(now);
            }
        }
        if let Some(lease) = &batch.release {
            st.leases
                .release(&batch.source, lease.done_in, &lease.owner);
        }
        Ok(())
    }

    async fn apply_reparsed(
        &self,
        rows: &[Reparsed],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        for row in rows {
            if let Some(j) = st.jobs.get_mut(&row.uid) {
                j.posting = row.posting.clone();
                j.content_hash = row.hash.clone();
                j.changed_at = now;
            }
        }
        Ok(())
    }

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
        let st = lock(&self.state);
        let mut out: Vec<JobRecord> = st
            .jobs
            .values()
            .filter(|j| filter.source.as_ref().is_none_or(|s| &j.source == s))
            .filter(|j| !filter.open_only || j.closed_at.is_none())
            .filter(|j| filter.seen_since.is_none_or(|t| j.last_seen_at >= t))
            .cloned()
            .collect();
        out.sort_by(|a, b| {
            b.first_seen_at
                .cmp(&a.first_seen_at)
                .then(a.uid.cmp(&b.uid))
        });
        if let Some(limit) = filter.limit {
            out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(out)
    }

    async fn job(&self, uid: &JobUid) -> Result<Option<JobRecord>, StoreError> {
        Ok(lock(&self.state).jobs.get(uid).cloned())
    }

    async fn note_source_error(&self, source: &SourceKey, error: &str) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        let Some(record) = st.sources.get_mut(source) else {
            return Err(StoreError::UnknownSource {
                key: source.clone(),
            });
        };
        record.last_error = Some(error.to_string());
        Ok(())
    }
}

/// Daily counters held in memory; a single lock makes every reservation atomic.
#[derive(Debug, Default)]
pub struct InMemoryCounters {
    used: Mutex<HashMap<(CounterKey, NaiveDate), u64>>,
}

impl InMemoryCounters {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a counter at `used` (a dry run copies today's usage from the database).
    pub fn preload(&self, key: CounterKey, day: NaiveDate, used: u64) {
        lock(&self.used).insert((key, day), used);
    }
}

#[async_trait]
impl CounterStore for InMemoryCounters {
    async fn try_reserve(
        &self,
        key: CounterKey,
        day: NaiveDate,
        n: u32,
        cap: Cap,
    ) -> Result<u32, StoreError> {
        let mut used = lock(&self.used);
        let slot = used.entry((key, day)).or_insert(0);
        let granted = cap.grant(*slot, u64::from(n));
        *slot += granted;
        // granted <= n, which is a u32.
        Ok(u32::try_from(granted).unwrap_or(n))
    }

    async fn release(&self, key: CounterKey, day: NaiveDate, n: u32) -> Result<(), StoreError> {
        if let Some(slot) = lock(&self.used).get_mut(&(key, day)) {
            *slot = slot.saturating_sub(u64::from(n));
        }
        Ok(())
    }

    async fn used(&self, key: CounterKey, day: NaiveDate) -> Result<u64, StoreError> {
        Ok(lock(&self.used).get(&(key, day)).copied().unwrap_or(0))
    }
}
