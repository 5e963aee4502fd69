//! `Repository` on the database: reads written once for both backends, and each source's
//! batch written in one transaction (multi-row inserts, bulk touches, an UPDATE per
//! changed job).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count, count_star};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dialect::Dialect;
use super::models::{JobContent, JobRow, NewJob, NewSource, SourceRow, db_time};
use super::schema::{jobs, sources};
use super::{Database, DbError, batches, with_conn, write_tx};
use crate::domain::upsert::PlannedJob;
use crate::domain::{ContentHash, JobUid, RawHash, SourceKey, StoredFingerprint};
use crate::ports::{
    JobFilter, JobRecord, Reparsed, Repository, SourceBatch, SourceRecord, SourceSpec, StoreError,
};

/// Rows per multi-row INSERT: far below SQLite's variable limit (32 766), even at the 32
/// columns the schema allows × 200.
const ROWS_PER_INSERT: usize = 200;
/// Bytes per multi-row INSERT, so that large descriptions stay well below MySQL's
/// max_allowed_packet (16 MiB by default).
const BYTES_PER_INSERT: usize = 4 << 20;
/// Uids per bulk `UPDATE … WHERE job_uid IN (…)`.
const UIDS_PER_UPDATE: usize = 500;

/// Splits rows into statements bounded by row count and size; a uid repeated in `rows`
/// keeps its first occurrence (one statement may not touch a row twice on SQLite).
fn chunk_rows(rows: Vec<NewJob>) -> Vec<Vec<NewJob>> {
    let mut seen = HashSet::new();
    let first: Vec<NewJob> = rows
        .into_iter()
        .filter(|row| seen.insert(row.job_uid.clone()))
        .collect();
    batches(
        first,
        ROWS_PER_INSERT,
        BYTES_PER_INSERT,
        NewJob::approx_bytes,
    )
}

fn uids(list: &[JobUid]) -> Vec<Vec<String>> {
    list.chunks(UIDS_PER_UPDATE)
        .map(|c| c.iter().map(|u| u.as_str().to_string()).collect())
        .collect()
}

type JobWithSlug = (JobRow, Option<String>, Option<NaiveDateTime>);

fn to_records(rows: Vec<JobWithSlug>) -> Result<Vec<JobRecord>, StoreError> {
    rows.into_iter()
        .map(|(row, declared, source_seen)| row.into_record(declared.as_deref(), source_seen))
        .collect()
}

/// Jobs joined to their source for its declared slug spelling and the time a complete
/// fetch last saw its open jobs, filtered and ordered as `JobFilter` says (newest first).
/// Expanded inside `with_conn!` once per backend.
macro_rules! job_query {
    () => {
        jobs::table
            .left_join(
                sources::table.on(sources::ats_type
                    .eq(jobs::ats_type)
                    .and(sources::company_slug.eq(jobs::company_slug))),
            )
            .select((
                JobRow::as_select(),
                sources::declared_slug.nullable(),
                sources::jobs_seen_at.nullable(),
            ))
            .into_boxed()
    };
}

#[async_trait]
impl Repository for Database {
    async fn sync_sources(&self, declared: &[SourceSpec]) -> Result<(), StoreError> {
        let now = Utc::now();
        // The last declaration of a key wins, as a later line of the sources file would.
        let mut by_key: HashMap<(String, String), NewSource> = HashMap::new();
        for spec in declared {
            let row = NewSource::new(spec, now);
            by_key.insert((row.ats_type.clone(), row.company_slug.clone()), row);
        }
        let rows: Vec<NewSource> = by_key.into_values().collect();
        write_tx!(self, |c| {
            diesel::update(sources::table)
                .set(sources::enabled.eq(false))
                .execute(c)
                .await?;
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                c.upsert_sources(chunk.to_vec()).await?;
            }
        })
    }

    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let rows = with_conn!(self, |c| {
            sources::table
                .select(SourceRow::as_select())
                .load::<SourceRow>(c)
                .await?
        })?;
        let mut records = self.with_open_jobs(rows, false).await?;
        // By the domain's key order: providers do not sort by name.
        records.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(records)
    }

    async fn enabled_sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let rows = with_conn!(self, |c| {
            sources::table
                .filter(sources::enabled.eq(true))
                .select(SourceRow::as_select())
                .order((
                    sources::last_fetched_at.is_null().desc(),
                    sources::last_fetched_at.asc(),
                    sources::ats_type.asc(),
                    sources::company_slug.asc(),
                ))
                .load::<SourceRow>(c)
                .await?
        })?;
        let mut records = self.with_open_jobs(rows, false).await?;
        // The database already orders by fetch time; ties between providers follow the
        // domain's key order (which is not alphabetical), as the port specifies.
        records.sort_by(|a, b| (a.last_fetched_at, &a.key).cmp(&(b.last_fetched_at, &b.key)));
        Ok(records)
    }

    async fn fingerprints(
        &self,
        source: &SourceKey,
    ) -> Result<HashMap<JobUid, StoredFingerprint>, StoreError> {
        let (ats, slug) = (source.ats.as_str(), source.slug.as_str());
        let rows = with_conn!(self, |c| {
            jobs::table
                .filter(jobs::ats_type.eq(ats))
                .filter(jobs::company_slug.eq(slug))
                .select((
                    jobs::job_uid,
                    jobs::content_hash,
                    jobs::closed_at.is_not_null(),
                    jobs::raw_hash,
                ))
                .load::<(String, String, bool, Option<String>)>(c)
                .await?
        })?;
        rows.into_iter()
            .map(|(uid, hash, closed, raw_hash)| {
                let uid = JobUid::parse(&uid).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let fp = StoredFingerprint {
                    hash: ContentHash(hash),
                    closed,
                    raw_hash: raw_hash.map(RawHash),
                };
                Ok((uid, fp))
            })
            .collect()
    }

    async fn apply_batch(&self, batch: &SourceBatch) -> Result<(), StoreError> {
        let now = db_time(batch.now);
        let (ats, slug) = (batch.source.ats.as_str(), batch.source.slug.as_str());
        let streak = i32::try_from(batch.outcome.empty_streak).unwrap_or(i32::MAX);
        let new_rows = |jobs: &[PlannedJob]| -> Vec<NewJob> {
            jobs.iter()
                .map(|j| NewJob::new(&batch.source, j, batch.now))
                .collect()
        };
        let inserts = chunk_rows(new_rows(&batch.inserts));
        let updates = new_rows(&batch.updates);
        let (unchanged, reopened, closed) = (
            uids(&batch.unchanged),
            uids(&batch.reopened),
            uids(&batch.closed),
        );
        let error = batch.outcome.error.as_deref();
        let all_open_seen = batch.all_open_seen;
        let release = batch
            .release
            .as_ref()
            .map(|r| (r.owner.as_str(), r.done_in.map(super::leases::round_i64)));
        write_tx!(self, |c| {
            // The outcome first: it also proves the source exists before any job is written.
            let source = sources::table
                .filter(sources::ats_type.eq(ats))
                .filter(sources::company_slug.eq(slug));
            // When its open jobs were last all seen, read before this batch moves it: a job
            // closed now keeps that time as its own.
            let seen_before: Option<NaiveDateTime> = if closed.is_empty() {
                None
            } else {
                source
                    .select(sources::jobs_seen_at)
                    .first::<Option<NaiveDateTime>>(c)
                    .await
                    .optional()?
                    .flatten()
            };
            let matched = match error {
                None => {
                    diesel::update(source)
                        .set((
                            sources::last_fetched_at.eq(now),
                            sources::last_success_at.eq(now),
                            sources::last_error.eq(None::<String>),
                            sources::failure_count.eq(0),
                            sources::empty_streak.eq(streak),
                        ))
                        .execute(c)
                        .await?
                }
                Some(err) => {
                    diesel::update(source)
                        .set((
                            sources::last_fetched_at.eq(now),
                            sources::last_error.eq(err),
                            sources::failure_count.eq(sources::failure_count + 1),
                            sources::empty_streak.eq(streak),
                        ))
                        .execute(c)
                        .await?
                }
            };
            if matched == 0 {
                return Err(DbError::UnknownSource(batch.source.clone()));
            }
            if all_open_seen {
                diesel::update(source)
                    .set(sources::jobs_seen_at.eq(now))
                    .execute(c)
                    .await?;
            }
            // Changed jobs, one UPDATE each: they are few (most jobs of a fetch are new or
            // unchanged), and this writes the content columns through `JobContent` alone.
            // A changed job that is not stored is inserted with the new ones.
            let mut missing = Vec::new();
            for row in &updates {
                let found = diesel::update(jobs::table.find(&row.job_uid))
                    .set((
                        &row.content,
                        jobs::raw_json.eq(&row.raw_json),
                        jobs::raw_hash.eq(&row.raw_hash),
                        jobs::last_seen_at.eq(now),
                        jobs::changed_at.eq(now),
                        jobs::closed_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(c)
                    .await?;
                if found == 0 {
                    missing.push(row.clone());
                }
            }
            // Cloned per attempt: a restarted transaction writes the same rows again.
            for chunk in inserts.iter().cloned().chain(chunk_rows(missing)) {
                c.insert_jobs(chunk).await?;
            }
            // A complete fetch records "seen" once, on the source (above).
            for chunk in unchanged.iter().filter(|_| !all_open_seen) {
                diesel::update(jobs::table.filter(jobs::job_uid.eq_any(chunk)))
                    .set(jobs::last_seen_at.eq(now))
                    .execute(c)
                    .await?;
            }
            for chunk in &reopened {
                diesel::update(jobs::table.filter(jobs::job_uid.eq_any(chunk)))
                    .set(jobs::closed_at.eq(None::<NaiveDateTime>))
                    .execute(c)
                    .await?;
            }
            for chunk in &closed {
                if let Some(seen) = seen_before {
                    diesel::update(
                        jobs::table
                            .filter(jobs::job_uid.eq_any(chunk))
                            .filter(jobs::closed_at.is_null())
                            .filter(jobs::last_seen_at.lt(seen)),
                    )
                    .set(jobs::last_seen_at.eq(seen))
                    .execute(c)
                    .await?;
                }
                diesel::update(
                    jobs::table
                        .filter(jobs::job_uid.eq_any(chunk))
                        .filter(jobs::closed_at.is_null()),
                )
                .set(jobs::closed_at.eq(now))
                .execute(c)
                .await?;
            }
            if let Some((owner, round)) = release {
                super::leases::release_lease!(c, ats, slug, round, owner);
            }
            // Test builds only: lets a test kill the process with the batch written but
            // not committed.
            crate::hooks::pause_inside_write().await;
        })
    }

    async fn apply_reparsed(
        &self,
        rows: &[Reparsed],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Every row carries different content, which portable Diesel cannot express as
        // one UPDATE; a reparse is a rare maintenance run, so one UPDATE per row inside a
        // single transaction is the plain and safe choice.
        let now = db_time(now);
        let changes: Vec<(String, JobContent)> = rows
            .iter()
            .map(|r| {
                (
                    r.uid.as_str().to_string(),
                    JobContent::new(&r.posting, &r.hash),
                )
            })
            .collect();
        write_tx!(self, |c| {
            for (uid, content) in &changes {
                diesel::update(jobs::table.find(uid))
                    .set((content, jobs::changed_at.eq(now)))
                    .execute(c)
                    .await?;
            }
        })
    }

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
        let source = filter
            .source
            .as_ref()
            .map(|k| (k.ats.as_str(), k.slug.as_str()));
        let since = filter.seen_since.map(db_time);
        let limit = filter.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        let rows = with_conn!(self, |c| {
            let mut q = job_query!();
            if let Some((ats, slug)) = source {
                q = q
                    .filter(jobs::ats_type.eq(ats))
                    .filter(jobs::company_slug.eq(slug));
            }
            if filter.open_only {
                q = q.filter(jobs::closed_at.is_null());
            }
            if let Some(since) = since {
                q = q.filter(
                    jobs::last_seen_at.ge(since).or(jobs::closed_at
                        .is_null()
                        .and(sources::jobs_seen_at.assume_not_null().ge(since))),
                );
            }
            if let Some(limit) = limit {
                q = q.limit(limit);
            }
            q.order((jobs::first_seen_at.desc(), jobs::job_uid.asc()))
                .load::<JobWithSlug>(c)
                .await?
        })?;
        to_records(rows)
    }

    async fn job(&self, uid: &JobUid) -> Result<Option<JobRecord>, StoreError> {
        let uid = uid.as_str();
        let row = with_conn!(self, |c| {
            job_query!()
                .filter(jobs::job_uid.eq(uid))
                .first::<JobWithSlug>(c)
                .await
                .optional()?
        })?;
        Ok(to_records(row.into_iter().collect())?.pop())
    }

    async fn note_source_error(&self, source: &SourceKey, error: &str) -> Result<(), StoreError> {
        let (ats, slug) = (source.ats.as_str(), source.slug.as_str());
        let matched = with_conn!(self, |c| {
            diesel::update(
                sources::table
                    .filter(sources::ats_type.eq(ats))
                    .filter(sources::company_slug.eq(slug)),
            )
            .set(sources::last_error.eq(error))
            .execute(c)
            .await?
        })?;
        if matched == 0 {
            return Err(StoreError::UnknownSource {
                key: source.clone(),
            });
        }
        Ok(())
    }
}

impl Database {
    /// Source records with their open-job counts, taken in one grouped query. `only_these`
    /// counts the jobs of the rows' own sources (a few claimed ones), not the whole table.
    pub(super) async fn with_open_jobs(
        &self,
        rows: Vec<SourceRow>,
        only_these: bool,
    ) -> Result<Vec<SourceRecord>, StoreError> {
        let only: Option<(Vec<String>, Vec<String>)> = only_these.then(|| {
            let kinds = rows.iter().map(|r| r.ats_type.clone()).collect();
            let slugs = rows.iter().map(|r| r.company_slug.clone()).collect();
            (kinds, slugs)
        });
        // Open = all − closed, with no WHERE on `closed_at`: the count then reads only the
        // `jobs_source` index. Filtering `closed_at IS NULL` made MariaDB pick the
        // `closed_at` index and read every open job's row, seconds per claim at 100k jobs.
        let counts = with_conn!(self, |c| {
            let mut open = jobs::table
                .group_by((jobs::ats_type, jobs::company_slug))
                .select((
                    jobs::ats_type,
                    jobs::company_slug,
                    count_star(),
                    count(jobs::closed_at),
                ))
                .into_boxed();
            if let Some((kinds, slugs)) = &only {
                // Both columns, so the lookup is a range on the index's leading columns.
                open = open
                    .filter(jobs::ats_type.eq_any(kinds))
                    .filter(jobs::company_slug.eq_any(slugs));
            }
            open.load::<(String, String, i64, i64)>(c).await?
        })?;
        let counts: HashMap<(String, String), i64> = counts
            .into_iter()
            .map(|(a, s, all, closed)| ((a, s), all - closed))
            .collect();
        rows.into_iter()
            .map(|row| {
                let key = (row.ats_type.clone(), row.company_slug.clone());
                let open = counts.get(&key).copied().unwrap_or(0);
                row.into_record(u64::try_from(open).unwrap_or(0))
            })
            .collect()
    }
}
