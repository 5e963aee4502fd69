//! `FitStore` held in memory, in the same state as the in-memory repository's jobs so that
//! scoring rows join them. Same semantics as the database: analyses and fits need a stored
//! job (the database's foreign keys), and a batch with an unknown job writes nothing.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use async_trait::async_trait;

use super::memory::{InMemoryRepository, lock};
use crate::domain::JobUid;
use crate::ports::{
    FitFilter, FitRecord, FitStore, JobEnrichment, JobRecord, JobText, LlmEnrichment, ScoringRow,
    SinkLink, StoreError, StoredProfile,
};

#[derive(Debug, Default)]
pub(super) struct FitState {
    profiles: BTreeMap<String, StoredProfile>,
    enrichment: BTreeMap<JobUid, JobEnrichment>,
    llm: BTreeMap<JobUid, LlmEnrichment>,
    /// By (profile, job), so that one profile's fits are a range.
    fits: BTreeMap<(String, JobUid), FitRecord>,
}

/// Jobs after `after` in uid order.
fn jobs_after<'a>(
    jobs: &'a BTreeMap<JobUid, JobRecord>,
    after: Option<&JobUid>,
) -> impl Iterator<Item = &'a JobRecord> {
    let from = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.clone()));
    jobs.range((from, Bound::Unbounded)).map(|(_, j)| j)
}

fn job_text(j: &JobRecord) -> JobText {
    JobText {
        uid: j.uid.clone(),
        source: j.source.clone(),
        content_hash: j.content_hash.clone(),
        title: j.posting.title.clone(),
        description: j.posting.description.clone(),
        salary_text: j.posting.salary_text.clone(),
        raw_json: j.raw_json.clone(),
    }
}

fn scoring_row(job: &JobRecord, fit: &FitState) -> ScoringRow {
    let enrichment = fit.enrichment.get(&job.uid);
    let p = &job.posting;
    ScoringRow {
        uid: job.uid.clone(),
        source: job.source.clone(),
        content_hash: job.content_hash.clone(),
        title: p.title.clone(),
        company: p.company.clone(),
        location: p.location.clone(),
        workplace: p.workplace_type,
        url: p.url.clone(),
        closed: job.closed_at.is_some(),
        closed_at: job.closed_at,
        posted_at: p.posted_at,
        first_seen_at: job.first_seen_at,
        changed_at: job.changed_at,
        enrichment: enrichment.cloned(),
        llm: fit.llm.get(&job.uid).cloned(),
    }
}

/// The database refuses a row for a job it does not hold (foreign key); so does this.
fn check_jobs<'a>(
    jobs: &BTreeMap<JobUid, JobRecord>,
    mut uids: impl Iterator<Item = &'a JobUid>,
    what: &str,
) -> Result<(), StoreError> {
    match uids.find(|u| !jobs.contains_key(u)) {
        Some(uid) => Err(StoreError::Query(format!("{what} for unknown job {uid}"))),
        None => Ok(()),
    }
}

#[async_trait]
impl FitStore for InMemoryRepository {
    async fn profiles(&self) -> Result<Vec<StoredProfile>, StoreError> {
        Ok(lock(&self.state).fit.profiles.values().cloned().collect())
    }

    async fn save_profile(&self, profile: &StoredProfile) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        st.fit.profiles.insert(profile.key.clone(), profile.clone());
        Ok(())
    }

    async fn jobs_to_analyze(
        &self,
        after: Option<&JobUid>,
        limit: usize,
        analyzer_version: u32,
    ) -> Result<Vec<JobText>, StoreError> {
        let st = lock(&self.state);
        Ok(jobs_after(&st.jobs, after)
            .filter(|j| {
                st.fit.enrichment.get(&j.uid).is_none_or(|e| {
                    e.content_hash != j.content_hash || e.analyzer_version != analyzer_version
                })
            })
            .take(limit)
            .map(job_text)
            .collect())
    }

    async fn save_enrichments(&self, rows: &[JobEnrichment]) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        check_jobs(&st.jobs, rows.iter().map(|r| &r.uid), "analysis")?;
        for row in rows {
            st.fit.enrichment.insert(row.uid.clone(), row.clone());
        }
        Ok(())
    }

    async fn llm_candidates(&self, model: &str, limit: usize) -> Result<Vec<JobText>, StoreError> {
        let st = lock(&self.state);
        let mut best: HashMap<&JobUid, u8> = HashMap::new();
        for f in st.fit.fits.values() {
            let b = best.entry(&f.uid).or_insert(0);
            *b = (*b).max(f.fit.score);
        }
        let mut out: Vec<&JobRecord> = st
            .jobs
            .values()
            .filter(|j| j.closed_at.is_none() && st.fit.enrichment.contains_key(&j.uid))
            .filter(|j| {
                st.fit
                    .llm
                    .get(&j.uid)
                    .is_none_or(|l| l.content_hash != j.content_hash || l.model != model)
            })
            .collect();
        // Best fit first (a job without any fit last), then newest, then uid.
        out.sort_by(|a, b| {
            let fit = |j: &JobRecord| best.get(&j.uid).map(|s| i16::from(*s)).unwrap_or(-1);
            fit(b)
                .cmp(&fit(a))
                .then(b.first_seen_at.cmp(&a.first_seen_at))
                .then(a.uid.cmp(&b.uid))
        });
        Ok(out.into_iter().take(limit).map(job_text).collect())
    }

    async fn save_llm(&self, rows: &[LlmEnrichment]) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        check_jobs(&st.jobs, rows.iter().map(|r| &r.uid), "LLM enrichment")?;
        for row in rows {
            st.fit.llm.insert(row.uid.clone(), row.clone());
        }
        Ok(())
    }

    async fn save_llm_error(&self, uid: &JobUid, error: &str) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        if let Some(l) = st.fit.llm.get_mut(uid) {
            l.error = Some(error.to_string());
        }
        Ok(())
    }

    async fn scoring_rows(
        &self,
        after: Option<&JobUid>,
        limit: usize,
    ) -> Result<Vec<ScoringRow>, StoreError> {
        let st = lock(&self.state);
        Ok(jobs_after(&st.jobs, after)
            .take(limit)
            .map(|j| scoring_row(j, &st.fit))
            .collect())
    }

    async fn descriptions(&self, uids: &[JobUid]) -> Result<HashMap<JobUid, String>, StoreError> {
        let st = lock(&self.state);
        Ok(uids
            .iter()
            .filter_map(|u| st.jobs.get(u))
            .map(|j| (j.uid.clone(), j.posting.description.clone()))
            .collect())
    }

    async fn fit_hashes(&self, profile: &str) -> Result<HashMap<JobUid, String>, StoreError> {
        let st = lock(&self.state);
        Ok(st
            .fit
            .fits
            .values()
            .filter(|f| f.profile == profile)
            .map(|f| (f.uid.clone(), f.input_hash.clone()))
            .collect())
    }

    async fn save_fits(&self, rows: &[FitRecord]) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        check_jobs(&st.jobs, rows.iter().map(|r| &r.uid), "fit")?;
        for row in rows {
            let key = (row.profile.clone(), row.uid.clone());
            // The link is save_link's: kept on an update, empty on an insert.
            let link = st
                .fit
                .fits
                .get(&key)
                .map(|f| f.link.clone())
                .unwrap_or_default();
            st.fit.fits.insert(
                key,
                FitRecord {
                    link,
                    ..row.clone()
                },
            );
        }
        Ok(())
    }

    async fn ranked(
        &self,
        profile: &str,
        filter: &FitFilter,
    ) -> Result<Vec<(FitRecord, ScoringRow)>, StoreError> {
        let st = lock(&self.state);
        let mut out: Vec<(FitRecord, ScoringRow)> = st
            .fit
            .fits
            .values()
            .filter(|f| f.profile == profile)
            .filter(|f| filter.min_score.is_none_or(|m| f.fit.score >= m))
            .filter(|f| filter.class.is_none_or(|c| f.fit.class == c))
            .filter_map(|f| st.jobs.get(&f.uid).map(|j| (f, j)))
            .filter(|(_, j)| !filter.open_only || j.closed_at.is_none())
            .map(|(f, j)| (f.clone(), scoring_row(j, &st.fit)))
            .collect();
        out.sort_by(|(a, ja), (b, jb)| {
            b.fit
                .score
                .cmp(&a.fit.score)
                .then(jb.first_seen_at.cmp(&ja.first_seen_at))
                .then(a.uid.cmp(&b.uid))
        });
        if let Some(limit) = filter.limit {
            out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(out)
    }

    async fn fit(&self, uid: &JobUid, profile: &str) -> Result<Option<FitRecord>, StoreError> {
        let st = lock(&self.state);
        Ok(st
            .fit
            .fits
            .get(&(profile.to_string(), uid.clone()))
            .cloned())
    }

    async fn save_link(
        &self,
        uid: &JobUid,
        profile: &str,
        link: &SinkLink,
    ) -> Result<(), StoreError> {
        let mut st = lock(&self.state);
        match st.fit.fits.get_mut(&(profile.to_string(), uid.clone())) {
            Some(f) => {
                f.link = link.clone();
                Ok(())
            }
            None => Err(StoreError::Query(format!(
                "no fit of job {uid} for profile {profile:?} to link"
            ))),
        }
    }
}
