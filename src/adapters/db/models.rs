//! Row structs and their conversion to and from the port types.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;

use super::schema::{jobs, sources};
use crate::domain::upsert::PlannedJob;
use crate::domain::{AtsKind, CompanySlug, ContentHash, JobUid, Posting, SourceKey, WorkplaceType};
use crate::ports::{JobRecord, Region, SourceRecord, SourceSpec, StoreError};

/// Both backends store microseconds; truncating on the way in makes what is read back
/// equal to what was written, whatever the backend.
pub fn db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The content columns of `jobs`: what a `Posting` says, and its hash. This is the one
/// mapping between `Posting` and its columns: embedded in the insert row (`NewJob`) and in
/// the read row (`JobRow`), and the changeset of every content rewrite (a changed job, a
/// re-parse). Both conversions name every field on both sides (struct literals and
/// destructurings without `..`), so a field missing from either does not compile.
///
/// `treat_none_as_default_value = false` makes Diesel emit real multi-row VALUES on SQLite
/// (with it on, batch inserts do not compile); `treat_none_as_null` makes an update write
/// NULL for `None`.
#[derive(Debug, Clone, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = jobs, treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct JobContent {
    pub ats_job_id: String,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub department: Option<String>,
    pub team: Option<String>,
    pub employment_type: Option<String>,
    pub workplace_type: Option<String>,
    pub url: Option<String>,
    pub apply_url: Option<String>,
    pub description: String,
    pub salary_text: Option<String>,
    pub posted_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
    pub content_hash: String,
}

impl JobContent {
    pub fn new(posting: &Posting, hash: &ContentHash) -> Self {
        let Posting {
            ats_job_id,
            title,
            company,
            location,
            department,
            team,
            employment_type,
            workplace_type,
            url,
            apply_url,
            description,
            salary_text,
            posted_at,
            updated_at,
        } = posting;
        JobContent {
            ats_job_id: ats_job_id.clone(),
            title: title.clone(),
            company: company.clone(),
            location: location.clone(),
            department: department.clone(),
            team: team.clone(),
            employment_type: employment_type.clone(),
            workplace_type: workplace_type.map(|w| w.as_str().to_string()),
            url: url.clone(),
            apply_url: apply_url.clone(),
            description: description.clone(),
            salary_text: salary_text.clone(),
            posted_at: posted_at.map(db_time),
            updated_at: updated_at.map(db_time),
            content_hash: hash.as_str().to_string(),
        }
    }

    pub fn into_posting(self) -> Result<(Posting, ContentHash), StoreError> {
        let JobContent {
            ats_job_id,
            title,
            company,
            location,
            department,
            team,
            employment_type,
            workplace_type,
            url,
            apply_url,
            description,
            salary_text,
            posted_at,
            updated_at,
            content_hash,
        } = self;
        let posting = Posting {
            ats_job_id,
            title,
            company,
            location,
            department,
            team,
            employment_type,
            workplace_type: workplace_type.as_deref().map(workplace).transpose()?,
            url,
            apply_url,
            description,
            salary_text,
            posted_at: posted_at.map(utc),
            updated_at: updated_at.map(utc),
        };
        Ok((posting, ContentHash(content_hash)))
    }
}

/// A new job row: its identity, its content, and first seen, seen and changed at `now`
/// (open: `closed_at` is left NULL).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = jobs, treat_none_as_default_value = false)]
pub struct NewJob {
    pub job_uid: String,
    pub ats_type: String,
    pub company_slug: String,
    #[diesel(embed)]
    pub content: JobContent,
    pub raw_json: String,
    pub raw_hash: Option<String>,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub changed_at: NaiveDateTime,
}

impl NewJob {
    pub fn new(source: &SourceKey, job: &PlannedJob, now: DateTime<Utc>) -> Self {
        let now = db_time(now);
        NewJob {
            job_uid: job.uid.as_str().to_string(),
            ats_type: source.ats.as_str().to_string(),
            company_slug: source.slug.as_str().to_string(),
            content: JobContent::new(&job.fetched.posting, &job.hash),
            raw_json: job.fetched.raw_json.clone(),
            raw_hash: Some(job.fetched.raw_hash.as_str().to_string()),
            first_seen_at: now,
            last_seen_at: now,
            changed_at: now,
        }
    }

    /// Roughly how many bytes the row sends, to keep statements under MySQL's packet limit.
    pub fn approx_bytes(&self) -> usize {
        256 + self.content.title.len() + self.content.description.len() + self.raw_json.len()
    }
}

/// A stored job, read back.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub job_uid: String,
    pub ats_type: String,
    pub company_slug: String,
    #[diesel(embed)]
    pub content: JobContent,
    pub raw_json: String,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub changed_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

pub fn workplace(s: &str) -> Result<WorkplaceType, StoreError> {
    WorkplaceType::parse_loose(s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown workplace_type {s:?}")))
}

/// The source key of a stored row; `declared` is the source's declared spelling, if known.
pub fn source_key(ats: &str, slug: &str, declared: Option<&str>) -> Result<SourceKey, StoreError> {
    let ats: AtsKind = ats
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("{e}")))?;
    let parsed = CompanySlug::parse(declared.unwrap_or(slug))
        .map_err(|e| StoreError::Corrupt(format!("stored slug {slug:?}: {e}")))?;
    if parsed.as_str() != slug {
        return Err(StoreError::Corrupt(format!(
            "declared slug {:?} does not match {slug:?}",
            parsed.declared()
        )));
    }
    Ok(SourceKey::new(ats, parsed))
}

impl JobRow {
    /// `source_seen` is the source's `jobs_seen_at`: while the job is open, it was seen then
    /// too (see `SourceBatch::all_open_seen`).
    pub fn into_record(
        self,
        declared_slug: Option<&str>,
        source_seen: Option<NaiveDateTime>,
    ) -> Result<JobRecord, StoreError> {
        let uid = JobUid::parse(&self.job_uid).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let source = source_key(&self.ats_type, &self.company_slug, declared_slug)?;
        let (posting, content_hash) = self.content.into_posting()?;
        Ok(JobRecord {
            uid,
            source,
            posting,
            content_hash,
            raw_json: self.raw_json,
            first_seen_at: utc(self.first_seen_at),
            last_seen_at: utc(match source_seen {
                Some(seen) if self.closed_at.is_none() => self.last_seen_at.max(seen),
                _ => self.last_seen_at,
            }),
            changed_at: utc(self.changed_at),
            closed_at: self.closed_at.map(utc),
        })
    }
}

/// A declared source as written by `sync_sources`; the other columns keep their defaults
/// on insert and their values on update.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sources, treat_none_as_default_value = false)]
pub struct NewSource {
    pub ats_type: String,
    pub company_slug: String,
    pub declared_slug: String,
    pub name: Option<String>,
    pub region: String,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
}

impl NewSource {
    pub fn new(spec: &SourceSpec, now: DateTime<Utc>) -> Self {
        NewSource {
            ats_type: spec.key.ats.as_str().to_string(),
            company_slug: spec.key.slug.as_str().to_string(),
            declared_slug: spec.key.slug.declared().to_string(),
            name: spec.name.clone(),
            region: spec.region.as_str().to_string(),
            enabled: spec.enabled,
            created_at: db_time(now),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sources)]
pub struct SourceRow {
    pub ats_type: String,
    pub company_slug: String,
    pub declared_slug: String,
    pub name: Option<String>,
    pub region: String,
    pub enabled: bool,
    pub last_fetched_at: Option<NaiveDateTime>,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub failure_count: i32,
    pub empty_streak: i32,
    pub uid_slug: Option<String>,
}

fn region(s: &str) -> Result<Region, StoreError> {
    [Region::Global, Region::Eu]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown region {s:?}")))
}

fn count(n: i32, what: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative {what}: {n}")))
}

impl SourceRow {
    pub fn into_record(self, open_jobs: u64) -> Result<SourceRecord, StoreError> {
        Ok(SourceRecord {
            key: source_key(
                &self.ats_type,
                &self.company_slug,
                Some(&self.declared_slug),
            )?,
            name: self.name,
            region: region(&self.region)?,
            enabled: self.enabled,
            last_fetched_at: self.last_fetched_at.map(utc),
            last_success_at: self.last_success_at.map(utc),
            last_error: self.last_error,
            failure_count: count(self.failure_count, "failure_count")?,
            empty_streak: count(self.empty_streak, "empty_streak")?,
            open_jobs,
            uid_slug: self.uid_slug,
        })
    }
}
