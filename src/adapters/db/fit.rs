//! `FitStore` on the database: profiles, per-job analyses (`job_enrichment`) and
//! per-(job, profile) fits (`job_fit`). Written once for both backends; only the three
//! upserts go through `Dialect`. Reads are keyset-paged by job_uid and select only the
//! columns they return, so paging through 100k jobs never reads a description.

use std::collections::HashMap;
use std::hash::Hash;

use async_trait::async_trait;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::dialect::Dialect;
use super::fit_models::{
    FitRow, JobTextRow, LlmCols, NewEnrichment, NewFit, NewLlmRow, ProfileRow, ScoringJobRow,
    ScoringTuple, int, scoring_cols, scoring_row,
};
use super::models::db_time;
use super::schema::{job_enrichment, job_fit, jobs, profiles, sources};
use super::{Database, batches, with_conn, write_tx};
use crate::domain::JobUid;
use crate::ports::{
    FitFilter, FitRecord, FitStore, JobEnrichment, JobText, LlmEnrichment, ScoringRow, SinkLink,
    StoreError, StoredProfile,
};

/// Rows per multi-row upsert: at most 9 bound columns × 500 = 4,500 variables, far below
/// SQLite's limit (32,766).
const ROWS_PER_UPSERT: usize = 500;
/// Bytes per multi-row upsert, well below MySQL's max_allowed_packet (16 MiB by default).
const BYTES_PER_UPSERT: usize = 4 << 20;
/// Uids per `… WHERE job_uid IN (…)`.
const UIDS_PER_QUERY: usize = 500;

/// Keeps the last row of each key, in first-seen order: the later row of a repeated key
/// wins, as two separate calls would make it, and no statement touches a row twice.
fn last_per_key<T, K: Hash + Eq>(rows: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut at: HashMap<K, usize> = HashMap::new();
    let mut out: Vec<T> = Vec::with_capacity(rows.len());
    for row in rows {
        match at.get(&key(&row)) {
            Some(&i) => out[i] = row,
            None => {
                at.insert(key(&row), out.len());
                out.push(row);
            }
        }
    }
    out
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn job_uid(s: &str) -> Result<JobUid, StoreError> {
    JobUid::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `jobs`, left-joined to their analysis and to their source (for its declared slug).
/// Expanded inside `with_conn!` once per backend.
macro_rules! jobs_with_enrichment {
    () => {
        jobs::table
            .left_join(job_enrichment::table.on(job_enrichment::job_uid.eq(jobs::job_uid)))
            .left_join(
                sources::table.on(sources::ats_type
                    .eq(jobs::ats_type)
                    .and(sources::company_slug.eq(jobs::company_slug))),
            )
    };
}

#[async_trait]
impl FitStore for Database {
    async fn profiles(&self) -> Result<Vec<StoredProfile>, StoreError> {
        let rows = with_conn!(self, |c| {
            profiles::table
                .select(ProfileRow::as_select())
                .order(profiles::profile_key.asc())
                .load::<ProfileRow>(c)
                .await?
        })?;
        rows.into_iter().map(ProfileRow::into_profile).collect()
    }

    async fn save_profile(&self, profile: &StoredProfile) -> Result<(), StoreError> {
        let row = ProfileRow::new(profile, Utc::now())?;
        write_tx!(self, |c| c.upsert_profile(row.clone()).await?)
    }

    async fn jobs_to_analyze(
        &self,
        after: Option<&JobUid>,
        limit: usize,
        analyzer_version: u32,
    ) -> Result<Vec<JobText>, StoreError> {
        let version = int(analyzer_version, "analyzer_version")?;
        let after = after.map(JobUid::as_str);
        let n = self::limit(limit);
        let rows = with_conn!(self, |c| {
            // A missing enrichment row reads as NULL in every column.
            let stale = job_enrichment::analysis_json
                .is_null()
                .or(job_enrichment::content_hash.is_null())
                .or(job_enrichment::content_hash.ne(jobs::content_hash.nullable()))
                .or(job_enrichment::analyzer_version.is_null())
                .or(job_enrichment::analyzer_version.ne(version));
            let mut q = jobs_with_enrichment!()
                .filter(stale)
                .select((JobTextRow::as_select(), sources::declared_slug.nullable()))
                .order(jobs::job_uid.asc())
                .limit(n)
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(jobs::job_uid.gt(after));
            }
            q.load::<(JobTextRow, Option<String>)>(c).await?
        })?;
        rows.into_iter()
            .map(|(row, declared)| row.into_text(declared.as_deref()))
            .collect()
    }

    async fn save_enrichments(&self, rows: &[JobEnrichment]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let rows = rows
            .iter()
            .map(NewEnrichment::new)
            .collect::<Result<Vec<_>, _>>()?;
        let rows = last_per_key(rows, |r| r.job_uid.clone());
        let chunks = batches(
            rows,
            ROWS_PER_UPSERT,
            BYTES_PER_UPSERT,
            NewEnrichment::approx_bytes,
        );
        write_tx!(self, |c| {
            // Cloned per attempt: a restarted transaction writes the same rows again.
            for chunk in &chunks {
                c.upsert_enrichments(chunk.clone()).await?;
            }
        })
    }

    async fn llm_candidates(&self, model: &str, limit: usize) -> Result<Vec<JobText>, StoreError> {
        let n = self::limit(limit);
        let best = with_conn!(self, |c| {
            let stale = job_enrichment::llm_content_hash
                .is_null()
                .or(job_enrichment::llm_content_hash.ne(jobs::content_hash.nullable()))
                .or(job_enrichment::llm_model.is_null())
                .or(job_enrichment::llm_model.ne(model));
            let best_fit = diesel::dsl::max(job_fit::fit_score.nullable());
            // NULL (no fit yet) sorts lowest on both backends, so DESC puts it last.
            jobs::table
                .inner_join(job_enrichment::table.on(job_enrichment::job_uid.eq(jobs::job_uid)))
                .left_join(job_fit::table.on(job_fit::job_uid.eq(jobs::job_uid)))
                .filter(jobs::closed_at.is_null())
                .filter(job_enrichment::analysis_json.is_not_null())
                .filter(stale)
                .group_by((jobs::job_uid, jobs::first_seen_at))
                .select((jobs::job_uid, best_fit))
                .order((
                    best_fit.desc(),
                    jobs::first_seen_at.desc(),
                    jobs::job_uid.asc(),
                ))
                .limit(n)
                .load::<(String, Option<i16>)>(c)
                .await?
        })?;
        let uids: Vec<String> = best.into_iter().map(|(uid, _)| uid).collect();
        let rows = with_conn!(self, |c| {
            jobs_with_enrichment!()
                .filter(jobs::job_uid.eq_any(&uids))
                .select((JobTextRow::as_select(), sources::declared_slug.nullable()))
                .load::<(JobTextRow, Option<String>)>(c)
                .await?
        })?;
        let mut by_uid: HashMap<String, (JobTextRow, Option<String>)> = rows
            .into_iter()
            .map(|(row, declared)| (row.job_uid.clone(), (row, declared)))
            .collect();
        uids.iter()
            .filter_map(|u| by_uid.remove(u))
            .map(|(row, declared)| row.into_text(declared.as_deref()))
            .collect()
    }

    async fn save_llm(&self, rows: &[LlmEnrichment]) -> Result<(), StoreError> {
        let rows = rows
            .iter()
            .map(|r| {
                Ok(NewLlmRow {
                    job_uid: r.uid.as_str().to_string(),
                    enriched_at: db_time(r.enriched_at),
                    cols: LlmCols::new(r)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // A few rows per run (ENRICH_LIMIT): one update each, an insert where none matched.
        write_tx!(self, |c| {
            for row in &rows {
                let matched = diesel::update(job_enrichment::table.find(row.job_uid.as_str()))
                    .set(row.cols.clone())
                    .execute(c)
                    .await?;
                if matched == 0 {
                    diesel::insert_into(job_enrichment::table)
                        .values(row.clone())
                        .execute(c)
                        .await?;
                }
            }
        })
    }

    async fn save_llm_error(&self, uid: &JobUid, error: &str) -> Result<(), StoreError> {
        let uid = uid.as_str();
        with_conn!(self, |c| {
            diesel::update(job_enrichment::table.find(uid))
                .set(job_enrichment::llm_error.eq(error))
                .execute(c)
                .await?
        })?;
        Ok(())
    }

    async fn scoring_rows(
        &self,
        after: Option<&JobUid>,
        limit: usize,
    ) -> Result<Vec<ScoringRow>, StoreError> {
        let after = after.map(JobUid::as_str);
        let n = self::limit(limit);
        let rows = with_conn!(self, |c| {
            let mut q = jobs_with_enrichment!()
                .select(scoring_cols!())
                .order(jobs::job_uid.asc())
                .limit(n)
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(jobs::job_uid.gt(after));
            }
            q.load::<ScoringTuple>(c).await?
        })?;
        rows.into_iter().map(scoring_row).collect()
    }

    async fn descriptions(&self, uids: &[JobUid]) -> Result<HashMap<JobUid, String>, StoreError> {
        let chunks: Vec<Vec<&str>> = uids
            .chunks(UIDS_PER_QUERY)
            .map(|c| c.iter().map(JobUid::as_str).collect())
            .collect();
        let rows = with_conn!(self, |c| {
            let mut all = Vec::with_capacity(uids.len());
            for chunk in &chunks {
                let rows = jobs::table
                    .filter(jobs::job_uid.eq_any(chunk))
                    .select((jobs::job_uid, jobs::description))
                    .load::<(String, String)>(c)
                    .await?;
                all.extend(rows);
            }
            all
        })?;
        rows.into_iter()
            .map(|(uid, text)| Ok((job_uid(&uid)?, text)))
            .collect()
    }

    async fn fit_hashes(&self, profile: &str) -> Result<HashMap<JobUid, String>, StoreError> {
        let rows = with_conn!(self, |c| {
            job_fit::table
                .filter(job_fit::profile_key.eq(profile))
                .select((job_fit::job_uid, job_fit::input_hash))
                .load::<(String, String)>(c)
                .await?
        })?;
        rows.into_iter()
            .map(|(uid, hash)| Ok((job_uid(&uid)?, hash)))
            .collect()
    }

    async fn save_fits(&self, rows: &[FitRecord]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let rows = rows
            .iter()
            .map(NewFit::new)
            .collect::<Result<Vec<_>, _>>()?;
        let rows = last_per_key(rows, |r| (r.job_uid.clone(), r.profile_key.clone()));
        let chunks = batches(
            rows,
            ROWS_PER_UPSERT,
            BYTES_PER_UPSERT,
            NewFit::approx_bytes,
        );
        write_tx!(self, |c| {
            for chunk in &chunks {
                c.upsert_fits(chunk.clone()).await?;
            }
        })
    }

    async fn ranked(
        &self,
        profile: &str,
        filter: &FitFilter,
    ) -> Result<Vec<(FitRecord, ScoringRow)>, StoreError> {
        let min_score = filter.min_score.map(i16::from);
        let class = filter.class.map(|c| c.as_str());
        let n = filter.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        let rows = with_conn!(self, |c| {
            let mut q = job_fit::table
                .inner_join(jobs::table.on(jobs::job_uid.eq(job_fit::job_uid)))
                .left_join(job_enrichment::table.on(job_enrichment::job_uid.eq(jobs::job_uid)))
                .left_join(
                    sources::table.on(sources::ats_type
                        .eq(jobs::ats_type)
                        .and(sources::company_slug.eq(jobs::company_slug))),
                )
                .filter(job_fit::profile_key.eq(profile))
                .select((FitRow::as_select(), scoring_cols!()))
                .order((
                    job_fit::fit_score.desc(),
                    jobs::first_seen_at.desc(),
                    jobs::job_uid.asc(),
                ))
                .into_boxed();
            if let Some(min) = min_score {
                q = q.filter(job_fit::fit_score.ge(min));
            }
            if let Some(class) = class {
                q = q.filter(job_fit::fit_class.eq(class));
            }
            if filter.open_only {
                q = q.filter(jobs::closed_at.is_null());
            }
            if let Some(n) = n {
                q = q.limit(n);
            }
            q.load::<(FitRow, ScoringTuple)>(c).await?
        })?;
        rows.into_iter()
            .map(|(fit, job)| Ok((fit.into_record()?, scoring_row(job)?)))
            .collect()
    }

    async fn fit(&self, uid: &JobUid, profile: &str) -> Result<Option<FitRecord>, StoreError> {
        let uid = uid.as_str();
        let row = with_conn!(self, |c| {
            job_fit::table
                .find((uid, profile))
                .select(FitRow::as_select())
                .first::<FitRow>(c)
                .await
                .optional()?
        })?;
        row.map(FitRow::into_record).transpose()
    }

    /// An unknown (job, profile) pair is `StoreError::Query`: the caller links only fits it
    /// has read, so a missing one is a failed statement rather than a state to handle.
    async fn save_link(
        &self,
        uid: &JobUid,
        profile: &str,
        link: &SinkLink,
    ) -> Result<(), StoreError> {
        let uid = uid.as_str();
        let last_sync = link.last_sync.map(db_time);
        let matched = with_conn!(self, |c| {
            diesel::update(job_fit::table.find((uid, profile)))
                .set((
                    job_fit::notion_page_id.eq(link.page_id.as_deref()),
                    job_fit::notion_last_sync.eq(last_sync),
                    job_fit::notion_last_error.eq(link.last_error.as_deref()),
                    job_fit::notion_dismissed.eq(link.dismissed),
                    job_fit::notion_closed.eq(link.closed),
                ))
                .execute(c)
                .await?
        })?;
        if matched == 0 {
            return Err(StoreError::Query(format!(
                "no fit of job {uid} for profile {profile:?} to link"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::db::DatabaseTarget;
    use crate::domain::upsert::PlannedJob;
    use crate::domain::{AtsKind, CompanySlug, FetchedPosting, Posting, SourceKey};
    use crate::ports::{Region, Repository, SourceBatch, SourceOutcome, SourceSpec};

    /// An SQLite database holding one job; stored data is then broken by hand.
    async fn one_job(dir: &tempfile::TempDir) -> (Database, JobUid) {
        let target = DatabaseTarget::Sqlite(dir.path().join("fit.db"));
        let db = Database::connect(&target).await.unwrap();
        let key = SourceKey::new(AtsKind::Lever, CompanySlug::parse("acme").unwrap());
        let spec = SourceSpec {
            key: key.clone(),
            name: None,
            region: Region::Global,
            enabled: true,
        };
        db.sync_sources(&[spec]).await.unwrap();
        let posting = Posting {
            ats_job_id: "1".into(),
            title: "Engineer".into(),
            ..Posting::default()
        };
        let job = PlannedJob {
            uid: JobUid::new(key.ats, &key.slug, "1"),
            hash: posting.content_hash(),
            fetched: FetchedPosting::new(posting, "{}"),
        };
        let outcome = SourceOutcome {
            error: None,
            empty_streak: 0,
        };
        let mut batch = SourceBatch::outcome_only(key, Utc::now(), outcome);
        batch.inserts = vec![job.clone()];
        db.apply_batch(&batch).await.unwrap();
        (db, job.uid)
    }

    async fn exec(db: &Database, sql: &str) {
        let run = async { with_conn!(db, |c| diesel::sql_query(sql).execute(c).await?) };
        run.await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn unreadable_analysis_or_fit_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let (db, uid) = one_job(&dir).await;
        // An LLM's row without an analysis is no enrichment.
        exec(
            &db,
            &format!(
                "INSERT INTO job_enrichment (job_uid, enriched_at) \
                 VALUES ('{uid}', '2024-01-01 00:00:00.000000')"
            ),
        )
        .await;
        let rows = db.scoring_rows(None, 10).await.unwrap();
        assert_eq!(rows[0].enrichment, None);
        let analysis = serde_json::to_string(&crate::domain::fit::JobAnalysis::default()).unwrap();
        let valid = format!(
            "analysis_json = '{analysis}', content_hash = 'h', analyzer_version = 1, salary = NULL"
        );
        exec(&db, &format!("UPDATE job_enrichment SET {valid}")).await;
        let rows = db.scoring_rows(None, 10).await.unwrap();
        assert!(rows[0].enrichment.is_some());
        for broken in [
            "analysis_json = '{\"required\": 3}'",
            "analysis_json = '{}'",
            "content_hash = NULL",
            "analyzer_version = NULL",
            "analyzer_version = -1",
            "salary = '[]'",
        ] {
            exec(&db, &format!("UPDATE job_enrichment SET {valid}")).await;
            exec(&db, &format!("UPDATE job_enrichment SET {broken}")).await;
            let err = db.scoring_rows(None, 10).await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{broken}: {err:?}");
        }

        let reasons = serde_json::to_string(&crate::domain::fit::FitReasons::default()).unwrap();
        exec(
            &db,
            &format!(
                "INSERT INTO job_fit (job_uid, profile_key, fit_score, fit_class, \
                 penalty_flags, reasons_json, scorer_version, input_hash, computed_at) \
                 VALUES ('{uid}', 'p', 50, 'No', '[]', '{reasons}', 1, 'h', \
                 '2024-01-01 00:00:00.000000')"
            ),
        )
        .await;
        let valid = format!(
            "fit_class = 'No', fit_score = 50, penalty_flags = '[]', \
             reasons_json = '{reasons}', scorer_version = 1"
        );
        assert!(db.fit(&uid, "p").await.unwrap().is_some());
        for broken in [
            "fit_class = 'Great'",
            "fit_score = 101",
            "fit_score = -1",
            "penalty_flags = '\"flag\"'",
            "reasons_json = '{}'",
            "scorer_version = -2",
        ] {
            exec(&db, &format!("UPDATE job_fit SET {valid}")).await;
            exec(&db, &format!("UPDATE job_fit SET {broken}")).await;
            let err = db.fit(&uid, "p").await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{broken}: {err:?}");
            let err = db.ranked("p", &FitFilter::default()).await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt(_)), "{broken}: {err:?}");
        }
    }
}
