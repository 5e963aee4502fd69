//! Storage of what scoring derives: profiles, per-job analyses (enrichment) and per-(job,
//! profile) fits with their Notion link.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::repository::StoreError;
use crate::domain::fit::{Fit, JobAnalysis, JobInsight};
use crate::domain::salary::Salary;
use crate::domain::{ContentHash, JobUid, SourceKey, WorkplaceType};

/// A profile as stored: where its CV is, what was analyzed, and the analysis itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub key: String,
    pub cv_path: String,
    /// `None` until a CV was read.
    pub cv_sha256: Option<String>,
    pub preferences_hash: String,
    pub analyzer_version: u32,
    /// The analysis (CV analysis and the scorer's profile model), as JSON.
    pub profile_json: Option<String>,
    pub analyzed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What the text of one job yields, computed once per content hash and shared by every
/// profile (`job_enrichment`).
#[derive(Debug, Clone, PartialEq)]
pub struct JobEnrichment {
    pub uid: JobUid,
    /// The content it was derived from: a different hash on the job means it is stale.
    pub content_hash: ContentHash,
    pub analyzer_version: u32,
    pub analysis: JobAnalysis,
    pub salary: Option<Salary>,
    pub enriched_at: DateTime<Utc>,
}

/// A language model's enrichment of one job (the `llm_*` columns of `job_enrichment`),
/// kept beside the deterministic analysis, never instead of it.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmEnrichment {
    pub uid: JobUid,
    /// The content it was asked about: a different hash on the job means it is stale.
    pub content_hash: ContentHash,
    pub model: String,
    /// `None` when no answer validated; `error` then says why.
    pub insight: Option<JobInsight>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub enriched_at: DateTime<Utc>,
    pub error: Option<String>,
}

/// A job's text, for analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct JobText {
    pub uid: JobUid,
    pub source: SourceKey,
    pub content_hash: ContentHash,
    pub title: String,
    pub description: String,
    pub salary_text: Option<String>,
    pub raw_json: String,
}

/// What scoring reads of one job besides its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringRow {
    pub uid: JobUid,
    pub source: SourceKey,
    pub content_hash: ContentHash,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub workplace: Option<WorkplaceType>,
    pub url: Option<String>,
    pub closed: bool,
    /// When the job was closed (`None` while open).
    pub closed_at: Option<DateTime<Utc>>,
    pub posted_at: Option<DateTime<Utc>>,
    pub first_seen_at: DateTime<Utc>,
    /// When the job's content last changed.
    pub changed_at: DateTime<Utc>,
    pub enrichment: Option<JobEnrichment>,
    /// The LLM's enrichment, as stored (whatever content it was derived from).
    pub llm: Option<LlmEnrichment>,
}

/// A page's link to a sink (Notion) for one (job, profile).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SinkLink {
    pub page_id: Option<String>,
    pub last_sync: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The user archived or trashed the page: never recreate it.
    pub dismissed: bool,
    /// The `Closed` value the last sync wrote (`None` before it was recorded).
    pub closed: Option<bool>,
}

/// The fit of one job for one profile, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRecord {
    pub uid: JobUid,
    pub profile: String,
    pub fit: Fit,
    pub scorer_version: u32,
    /// Hash of every input of the fit: a different one means the pair is stale.
    pub input_hash: String,
    pub computed_at: DateTime<Utc>,
    pub link: SinkLink,
}

/// Which fits to list for a profile: best first (score, then newest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FitFilter {
    pub min_score: Option<u8>,
    pub class: Option<crate::domain::fit::FitClass>,
    pub open_only: bool,
    pub limit: Option<u64>,
}

#[async_trait]
pub trait FitStore: Send + Sync {
    async fn profiles(&self) -> Result<Vec<StoredProfile>, StoreError>;

    async fn save_profile(&self, profile: &StoredProfile) -> Result<(), StoreError>;

    /// Up to `limit` jobs, in uid order after `after`, whose enrichment is missing or was
    /// derived from other content or by another analyzer version.
    async fn jobs_to_analyze(
        &self,
        after: Option<&JobUid>,
        limit: usize,
        analyzer_version: u32,
    ) -> Result<Vec<JobText>, StoreError>;

    /// Writes analyses; other enrichment columns (an LLM's) are kept.
    async fn save_enrichments(&self, rows: &[JobEnrichment]) -> Result<(), StoreError>;

    /// Up to `limit` open, analysed jobs whose LLM enrichment is missing or was made for
    /// other content (content hash) or by another model, best candidates first: highest
    /// stored fit for any profile, then newest first seen, then uid.
    async fn llm_candidates(&self, model: &str, limit: usize) -> Result<Vec<JobText>, StoreError>;

    /// Writes LLM enrichments (every `llm_*` column); the deterministic analysis is kept.
    async fn save_llm(&self, rows: &[LlmEnrichment]) -> Result<(), StoreError>;

    /// Records why a job's LLM enrichment failed this time, keeping what is stored (so a
    /// transient failure is tried again next run).
    async fn save_llm_error(&self, uid: &JobUid, error: &str) -> Result<(), StoreError>;

    /// Up to `limit` jobs with their enrichment, in uid order after `after`.
    async fn scoring_rows(
        &self,
        after: Option<&JobUid>,
        limit: usize,
    ) -> Result<Vec<ScoringRow>, StoreError>;

    /// Descriptions of these jobs (for rules that read the whole text).
    async fn descriptions(&self, uids: &[JobUid]) -> Result<HashMap<JobUid, String>, StoreError>;

    /// Every stored fit's input hash for `profile`.
    async fn fit_hashes(&self, profile: &str) -> Result<HashMap<JobUid, String>, StoreError>;

    /// Upserts fits; each row's sink link is left as stored.
    async fn save_fits(&self, rows: &[FitRecord]) -> Result<(), StoreError>;

    /// Fits of `profile` with their jobs, best first.
    async fn ranked(
        &self,
        profile: &str,
        filter: &FitFilter,
    ) -> Result<Vec<(FitRecord, ScoringRow)>, StoreError>;

    async fn fit(&self, uid: &JobUid, profile: &str) -> Result<Option<FitRecord>, StoreError>;

    /// Records a sink outcome for one (job, profile).
    async fn save_link(
        &self,
        uid: &JobUid,
        profile: &str,
        link: &SinkLink,
    ) -> Result<(), StoreError>;
}
