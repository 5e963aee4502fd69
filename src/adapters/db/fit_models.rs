//! Row structs of the fit tables (`profiles`, `job_enrichment`, `job_fit`) and the few
//! `jobs` columns that analysis and scoring read, with their conversion to and from the
//! `FitStore` port types. JSON columns are (de)serialized here and nowhere else.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::models::{db_time, source_key, utc, workplace};
use super::schema::{job_enrichment, job_fit, jobs, profiles};
use crate::domain::fit::{Fit, FitClass, FitReasons, JobAnalysis, JobInsight};
use crate::domain::salary::Salary;
use crate::domain::{ContentHash, JobUid};
use crate::ports::{
    FitRecord, JobEnrichment, JobText, LlmEnrichment, ScoringRow, SinkLink, StoreError,
    StoredProfile,
};

/// A `u32` of the port as an `INT` column; larger values are refused, not wrapped.
pub fn int(value: u32, what: &str) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::Query(format!("{what} {value} exceeds INT")))
}

fn uint(value: i32, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative {what}: {value}")))
}

fn uid(s: &str) -> Result<JobUid, StoreError> {
    JobUid::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Query(format!("cannot encode {what}: {e}")))
}

fn from_json<T: DeserializeOwned>(json: &str, what: &str, uid: &str) -> Result<T, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("{what} of job {uid} is not valid: {e}")))
}

/// A `profiles` row, every column: the insert, the upsert's changeset (the key aside) and
/// the read.
#[derive(Debug, Clone, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(
    table_name = profiles,
    primary_key(profile_key),
    treat_none_as_default_value = false,
    treat_none_as_null = true
)]
pub struct ProfileRow {
    pub profile_key: String,
    pub cv_path: String,
    pub cv_sha256: Option<String>,
    pub preferences_hash: String,
    pub analyzer_version: i32,
    pub profile_json: Option<String>,
    pub analyzed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub updated_at: NaiveDateTime,
}

impl ProfileRow {
    pub fn new(p: &StoredProfile, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let StoredProfile {
            key,
            cv_path,
            cv_sha256,
            preferences_hash,
            analyzer_version,
            profile_json,
            analyzed_at,
            last_error,
        } = p;
        Ok(ProfileRow {
            profile_key: key.clone(),
            cv_path: cv_path.clone(),
            cv_sha256: cv_sha256.clone(),
            preferences_hash: preferences_hash.clone(),
            analyzer_version: int(*analyzer_version, "analyzer_version")?,
            profile_json: profile_json.clone(),
            analyzed_at: analyzed_at.map(db_time),
            last_error: last_error.clone(),
            updated_at: db_time(now),
        })
    }

    pub fn into_profile(self) -> Result<StoredProfile, StoreError> {
        let ProfileRow {
            profile_key,
            cv_path,
            cv_sha256,
            preferences_hash,
            analyzer_version,
            profile_json,
            analyzed_at,
            last_error,
            updated_at: _,
        } = self;
        Ok(StoredProfile {
            key: profile_key,
            cv_path,
            cv_sha256,
            preferences_hash,
            analyzer_version: uint(analyzer_version, "analyzer_version")?,
            profile_json,
            analyzed_at: analyzed_at.map(utc),
            last_error,
        })
    }
}

/// The analysis columns of `job_enrichment` as `save_enrichments` writes them; the table's
/// other columns keep their defaults on insert and their values on update.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = job_enrichment, treat_none_as_default_value = false)]
pub struct NewEnrichment {
    pub job_uid: String,
    pub content_hash: String,
    pub analyzer_version: i32,
    pub analysis_json: String,
    pub salary: Option<String>,
    pub enriched_at: NaiveDateTime,
}

impl NewEnrichment {
    pub fn new(e: &JobEnrichment) -> Result<Self, StoreError> {
        let JobEnrichment {
            uid,
            content_hash,
            analyzer_version,
            analysis,
            salary,
            enriched_at,
        } = e;
        Ok(NewEnrichment {
            job_uid: uid.as_str().to_string(),
            content_hash: content_hash.as_str().to_string(),
            analyzer_version: int(*analyzer_version, "analyzer_version")?,
            analysis_json: to_json(analysis, "analysis")?,
            salary: salary.as_ref().map(|s| to_json(s, "salary")).transpose()?,
            enriched_at: db_time(*enriched_at),
        })
    }

    /// Roughly how many bytes the row sends (see `batches`).
    pub fn approx_bytes(&self) -> usize {
        128 + self.analysis_json.len() + self.salary.as_ref().map_or(0, String::len)
    }
}

/// The analysis columns of a left-joined `job_enrichment` row, all NULL when it is missing.
#[derive(Debug, Clone, Queryable)]
pub struct EnrichmentCols {
    pub content_hash: Option<String>,
    pub analyzer_version: Option<i32>,
    pub analysis_json: Option<String>,
    pub salary: Option<String>,
    pub enriched_at: Option<NaiveDateTime>,
}

/// The select list of `EnrichmentCols` on a left join. Expanded inside `with_conn!`.
macro_rules! enrichment_cols {
    () => {
        (
            job_enrichment::content_hash.nullable(),
            job_enrichment::analyzer_version.nullable(),
            job_enrichment::analysis_json.nullable(),
            job_enrichment::salary.nullable(),
            job_enrichment::enriched_at.nullable(),
        )
    };
}
pub(super) use enrichment_cols;

impl EnrichmentCols {
    /// The enrichment, if an analysis is stored (a row holding only other columns, such as
    /// an LLM's, is none); an analysis that cannot be read back is `Corrupt`.
    pub fn into_enrichment(self, job: &JobUid) -> Result<Option<JobEnrichment>, StoreError> {
        let EnrichmentCols {
            content_hash,
            analyzer_version,
            analysis_json,
            salary,
            enriched_at,
        } = self;
        let Some(json) = analysis_json else {
            return Ok(None);
        };
        let u = job.as_str();
        let missing =
            |col: &str| StoreError::Corrupt(format!("job {u} has an analysis but no {col}"));
        let analysis: JobAnalysis = from_json(&json, "analysis_json", u)?;
        let salary: Option<Salary> = salary
            .as_deref()
            .map(|s| from_json(s, "salary", u))
            .transpose()?;
        Ok(Some(JobEnrichment {
            uid: job.clone(),
            content_hash: ContentHash(content_hash.ok_or_else(|| missing("content_hash"))?),
            analyzer_version: uint(
                analyzer_version.ok_or_else(|| missing("analyzer_version"))?,
                "analyzer_version",
            )?,
            analysis,
            salary,
            enriched_at: utc(enriched_at.ok_or_else(|| missing("enriched_at"))?),
        }))
    }
}

/// The `llm_*` columns of `job_enrichment`, as `save_llm` writes them (an update of a
/// stored row, or with `NewLlmRow` a row of its own).
#[derive(Debug, Clone, Insertable, AsChangeset, Queryable)]
#[diesel(
    table_name = job_enrichment,
    treat_none_as_default_value = false,
    treat_none_as_null = true
)]
pub struct LlmCols {
    pub llm_model: Option<String>,
    pub llm_content_hash: Option<String>,
    pub llm_json: Option<String>,
    pub llm_prompt_tokens: Option<i64>,
    pub llm_completion_tokens: Option<i64>,
    pub llm_enriched_at: Option<NaiveDateTime>,
    pub llm_error: Option<String>,
}

/// A `job_enrichment` row holding only an LLM's enrichment (the job has no analysis yet).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = job_enrichment, treat_none_as_default_value = false)]
pub struct NewLlmRow {
    pub job_uid: String,
    pub enriched_at: NaiveDateTime,
    #[diesel(embed)]
    pub cols: LlmCols,
}

fn tokens(n: u64) -> Option<i64> {
    Some(i64::try_from(n).unwrap_or(i64::MAX))
}

impl LlmCols {
    pub fn new(e: &LlmEnrichment) -> Result<Self, StoreError> {
        let LlmEnrichment {
            uid: _,
            content_hash,
            model,
            insight,
            prompt_tokens,
            completion_tokens,
            enriched_at,
            error,
        } = e;
        Ok(LlmCols {
            llm_model: Some(model.clone()),
            llm_content_hash: Some(content_hash.as_str().to_string()),
            llm_json: insight
                .as_ref()
                .map(|i| to_json(i, "insight"))
                .transpose()?,
            llm_prompt_tokens: tokens(*prompt_tokens),
            llm_completion_tokens: tokens(*completion_tokens),
            llm_enriched_at: Some(db_time(*enriched_at)),
            llm_error: error.clone(),
        })
    }

    /// The stored enrichment, if a model's answer (or failure) is recorded; `Corrupt` when
    /// it cannot be read back.
    pub fn into_llm(self, job: &JobUid) -> Result<Option<LlmEnrichment>, StoreError> {
        let LlmCols {
            llm_model,
            llm_content_hash,
            llm_json,
            llm_prompt_tokens,
            llm_completion_tokens,
            llm_enriched_at,
            llm_error,
        } = self;
        let (Some(model), Some(hash)) = (llm_model, llm_content_hash) else {
            return Ok(None);
        };
        let u = job.as_str();
        let insight: Option<JobInsight> = llm_json
            .as_deref()
            .map(|j| from_json(j, "llm_json", u))
            .transpose()?;
        let count = |v: Option<i64>, what: &str| {
            u64::try_from(v.unwrap_or(0))
                .map_err(|_| StoreError::Corrupt(format!("negative {what} of job {u}")))
        };
        Ok(Some(LlmEnrichment {
            uid: job.clone(),
            content_hash: ContentHash(hash),
            model,
            insight,
            prompt_tokens: count(llm_prompt_tokens, "llm_prompt_tokens")?,
            completion_tokens: count(llm_completion_tokens, "llm_completion_tokens")?,
            enriched_at: utc(llm_enriched_at.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "job {u} has an LLM enrichment but no llm_enriched_at"
                ))
            })?),
            error: llm_error,
        }))
    }
}

/// The select list of `LlmCols` on a left join. Expanded inside `with_conn!`.
macro_rules! llm_cols {
    () => {
        (
            job_enrichment::llm_model.nullable(),
            job_enrichment::llm_content_hash.nullable(),
            job_enrichment::llm_json.nullable(),
            job_enrichment::llm_prompt_tokens.nullable(),
            job_enrichment::llm_completion_tokens.nullable(),
            job_enrichment::llm_enriched_at.nullable(),
            job_enrichment::llm_error.nullable(),
        )
    };
}
pub(super) use llm_cols;

/// What analysis reads of a job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobTextRow {
    pub job_uid: String,
    pub ats_type: String,
    pub company_slug: String,
    pub content_hash: String,
    pub title: String,
    pub description: String,
    pub salary_text: Option<String>,
    pub raw_json: String,
}

impl JobTextRow {
    pub fn into_text(self, declared_slug: Option<&str>) -> Result<JobText, StoreError> {
        Ok(JobText {
            uid: uid(&self.job_uid)?,
            source: source_key(&self.ats_type, &self.company_slug, declared_slug)?,
            content_hash: ContentHash(self.content_hash),
            title: self.title,
            description: self.description,
            salary_text: self.salary_text,
            raw_json: self.raw_json,
        })
    }
}

/// What scoring reads of a job besides its text: never the description nor raw_json, so
/// that paging through every job stays cheap.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct ScoringJobRow {
    pub job_uid: String,
    pub ats_type: String,
    pub company_slug: String,
    pub content_hash: String,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub workplace_type: Option<String>,
    pub url: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub posted_at: Option<NaiveDateTime>,
    pub first_seen_at: NaiveDateTime,
    pub changed_at: NaiveDateTime,
}

/// A job for scoring: its columns, its enrichment's (the analysis, the LLM's), and its
/// source's declared slug.
pub type ScoringTuple = (ScoringJobRow, EnrichmentCols, LlmCols, Option<String>);

/// The select list of `ScoringTuple`, on jobs left-joined to job_enrichment and sources.
macro_rules! scoring_cols {
    () => {
        (
            ScoringJobRow::as_select(),
            $crate::adapters::db::fit_models::enrichment_cols!(),
            $crate::adapters::db::fit_models::llm_cols!(),
            sources::declared_slug.nullable(),
        )
    };
}
pub(super) use scoring_cols;

pub fn scoring_row(
    (job, enrichment, llm, declared): ScoringTuple,
) -> Result<ScoringRow, StoreError> {
    let uid = uid(&job.job_uid)?;
    let enrichment = enrichment.into_enrichment(&uid)?;
    let llm = llm.into_llm(&uid)?;
    Ok(ScoringRow {
        source: source_key(&job.ats_type, &job.company_slug, declared.as_deref())?,
        content_hash: ContentHash(job.content_hash),
        title: job.title,
        company: job.company,
        location: job.location,
        workplace: job.workplace_type.as_deref().map(workplace).transpose()?,
        url: job.url,
        closed: job.closed_at.is_some(),
        closed_at: job.closed_at.map(utc),
        posted_at: job.posted_at.map(utc),
        first_seen_at: utc(job.first_seen_at),
        changed_at: utc(job.changed_at),
        enrichment,
        llm,
        uid,
    })
}

/// A fit as `save_fits` writes it: every column but the sink link, which a new row gets
/// as NULL/false from the table's defaults and an existing row keeps.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = job_fit, treat_none_as_default_value = false)]
pub struct NewFit {
    pub job_uid: String,
    pub profile_key: String,
    pub fit_score: i16,
    pub fit_class: String,
    pub penalty_flags: String,
    pub reasons_json: String,
    pub scorer_version: i32,
    pub input_hash: String,
    pub computed_at: NaiveDateTime,
}

impl NewFit {
    /// The record's `link` is not written: only `save_link` writes it.
    pub fn new(r: &FitRecord) -> Result<Self, StoreError> {
        let FitRecord {
            uid,
            profile,
            fit,
            scorer_version,
            input_hash,
            computed_at,
            link: _,
        } = r;
        let Fit {
            score,
            class,
            flags,
            reasons,
        } = fit;
        Ok(NewFit {
            job_uid: uid.as_str().to_string(),
            profile_key: profile.clone(),
            fit_score: i16::from(*score),
            fit_class: class.as_str().to_string(),
            penalty_flags: to_json(flags, "penalty flags")?,
            reasons_json: to_json(reasons, "reasons")?,
            scorer_version: int(*scorer_version, "scorer_version")?,
            input_hash: input_hash.clone(),
            computed_at: db_time(*computed_at),
        })
    }

    /// Roughly how many bytes the row sends (see `batches`).
    pub fn approx_bytes(&self) -> usize {
        192 + self.profile_key.len() + self.penalty_flags.len() + self.reasons_json.len()
    }
}

/// A stored fit, with its sink link.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_fit)]
pub struct FitRow {
    pub job_uid: String,
    pub profile_key: String,
    pub fit_score: i16,
    pub fit_class: String,
    pub penalty_flags: String,
    pub reasons_json: String,
    pub scorer_version: i32,
    pub input_hash: String,
    pub computed_at: NaiveDateTime,
    pub notion_page_id: Option<String>,
    pub notion_last_sync: Option<NaiveDateTime>,
    pub notion_last_error: Option<String>,
    pub notion_dismissed: bool,
    pub notion_closed: Option<bool>,
}

impl FitRow {
    pub fn into_record(self) -> Result<FitRecord, StoreError> {
        let FitRow {
            job_uid,
            profile_key,
            fit_score,
            fit_class,
            penalty_flags,
            reasons_json,
            scorer_version,
            input_hash,
            computed_at,
            notion_page_id,
            notion_last_sync,
            notion_last_error,
            notion_dismissed,
            notion_closed,
        } = self;
        let score = u8::try_from(fit_score)
            .ok()
            .filter(|s| *s <= 100)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("fit_score {fit_score} of job {job_uid}"))
            })?;
        let class = FitClass::parse_loose(&fit_class).ok_or_else(|| {
            StoreError::Corrupt(format!("fit_class {fit_class:?} of job {job_uid}"))
        })?;
        let flags: Vec<String> = from_json(&penalty_flags, "penalty_flags", &job_uid)?;
        let reasons: FitReasons = from_json(&reasons_json, "reasons_json", &job_uid)?;
        Ok(FitRecord {
            uid: uid(&job_uid)?,
            profile: profile_key,
            fit: Fit {
                score,
                class,
                flags,
                reasons,
            },
            scorer_version: uint(scorer_version, "scorer_version")?,
            input_hash,
            computed_at: utc(computed_at),
            link: SinkLink {
                page_id: notion_page_id,
                last_sync: notion_last_sync.map(utc),
                last_error: notion_last_error,
                dismissed: notion_dismissed,
                closed: notion_closed,
            },
        })
    }
}
