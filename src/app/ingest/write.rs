//! Writing one fetched source: plan against stored fingerprints, reserve new jobs, apply.

use std::sync::atomic::Ordering;

use super::Shared;
use super::fetch::Fetched;
use super::report::{Counts, JobLine, SourceReport, SourceStatus};
use crate::domain::upsert::PlannedJob;
use crate::domain::{FetchCompleteness, UpsertPlanner, WriteLimits, plan_closing};
use crate::ports::{CounterKey, LeaseRelease, SourceBatch, SourceError, SourceOutcome, StoreError};

impl Shared {
    /// Plans and writes one fetched source, claimed in round `claimed_in`; `true` with the
    /// report when the written batch also ended the source's lease. A storage error is
    /// reported with the source.
    pub(super) async fn apply(
        &self,
        mut fetched: Fetched,
        claimed_in: u64,
    ) -> Result<(SourceReport, bool), (SourceReport, StoreError)> {
        let key = fetched.record.key.clone();
        let mut report = SourceReport {
            key: key.clone(),
            status: SourceStatus::Ok,
            counts: Counts {
                api_calls: fetched.api_calls,
                detail_calls: fetched.detail_calls,
                fetched: (fetched.postings.len() + fetched.unchanged.len()) as u64,
                rejected: fetched.rejected.len() as u64,
                ..Counts::default()
            },
            error: None,
            inserted: Vec::new(),
            updated: Vec::new(),
            closed: Vec::new(),
        };
        if fetched.skipped {
            report.status = SourceStatus::Skipped;
            tracing::info!(event = "source_skipped", source = %key, reason = "MAX_FETCH_PER_RUN");
            return Ok((report, false));
        }
        if fetched.rate_limited {
            // Not fetched: last_fetched_at stays, so this source comes first next time; the
            // reason is recorded where users look for it (sources.last_error).
            report.status = SourceStatus::RateLimited;
            let error = format!(
                "rate_limited: no API call left today for {} (MAX_CALLS_PER_DAY={})",
                key.ats, self.policy.calls_per_day.0
            );
            tracing::info!(event = "source_rate_limited", source = %key, error = error.as_str());
            if let Err(err) = self.deps.repo.note_source_error(&key, &error).await {
                report.status = SourceStatus::Failed;
                report.error = Some(err.to_string());
                return Err((report, err));
            }
            report.error = Some(error);
            return Ok((report, false));
        }
        let lease = LeaseRelease {
            owner: self.policy.worker_id.clone(),
            done_in: Some(claimed_in),
        };
        match self.plan_and_write(&mut fetched, &mut report, lease).await {
            Ok(()) => {}
            Err(err) => {
                // Nothing of the plan was written.
                report.counts = Counts {
                    api_calls: report.counts.api_calls,
                    detail_calls: report.counts.detail_calls,
                    fetched: report.counts.fetched,
                    rejected: report.counts.rejected,
                    ..Counts::default()
                };
                report.status = SourceStatus::Failed;
                report.error = Some(err.to_string());
                tracing::error!(
                    event = "source_failed",
                    source = %key,
                    reason = "store",
                    error = %err,
                );
                return Err((report, err));
            }
        }
        let duration_ms = u64::try_from(fetched.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        for item in &fetched.rejected {
            tracing::warn!(
                event = "item_rejected",
                source = %key,
                path = item.path.as_str(),
                reason = item.reason.as_str(),
            );
        }
        let c = &report.counts;
        match &fetched.error {
            None => tracing::info!(
                event = "source_done",
                source = %key,
                complete = fetched.complete,
                fetched = c.fetched,
                inserted = c.inserted,
                updated = c.updated,
                unchanged = c.unchanged,
                closed = c.closed,
                reopened = c.reopened,
                blocked_new_jobs = c.blocked_new_jobs,
                deferred = c.deferred,
                rejected = c.rejected,
                api_calls = c.api_calls,
                list_calls = c.api_calls - c.detail_calls,
                detail_calls = c.detail_calls,
                duration_ms,
            ),
            Some(err) => {
                report.status = SourceStatus::Failed;
                report.error = Some(describe(err));
                tracing::warn!(
                    event = "source_failed",
                    source = %key,
                    reason = err.reason(),
                    http_status = err.http_status(),
                    error = %err,
                    fetched = c.fetched,
                    api_calls = c.api_calls,
                    list_calls = c.api_calls - c.detail_calls,
                    detail_calls = c.detail_calls,
                    duration_ms,
                );
            }
        }
        Ok((report, true))
    }

    async fn plan_and_write(
        &self,
        fetched: &mut Fetched,
        report: &mut SourceReport,
        lease: LeaseRelease,
    ) -> Result<(), StoreError> {
        if let Some(err) = fetched.store_error.take() {
            return Err(err);
        }
        let key = &fetched.record.key;
        let now = self.deps.clock.now();
        let stored = std::mem::take(&mut fetched.stored);
        // Taken, not cloned: the postings (raw JSON included) are only needed by the plan.
        let postings = std::mem::take(&mut fetched.postings);
        let planner = UpsertPlanner::classify(
            key,
            fetched.record.uid_slug.as_deref(),
            postings,
            &fetched.unchanged,
            &stored,
        );
        let run_left = self.writes_left.load(Ordering::SeqCst);
        let source_budget = self
            .policy
            .per_source_limit
            .map_or(run_left, |limit| limit.min(run_left));
        let wanted = planner.inserts_wanted(Some(source_budget));
        let granted = if wanted == 0 {
            0
        } else {
            let asked = u32::try_from(wanted).unwrap_or(u32::MAX);
            let granted = self
                .deps
                .counters
                .try_reserve(
                    CounterKey::NewJobs,
                    self.deps.clock.today(),
                    asked,
                    self.policy.new_jobs_per_day,
                )
                .await?;
            if granted < asked {
                tracing::info!(
                    event = "cap_reached",
                    cap = "MAX_NEW_JOBS_PER_DAY",
                    source = %key,
                    wanted = u64::from(asked),
                    granted = u64::from(granted),
                );
            }
            granted as usize
        };
        let seen = planner.seen().clone();
        let plan = planner.plan(WriteLimits {
            writes: Some(source_budget),
            new_jobs: granted,
        });
        self.writes_left.fetch_sub(plan.writes(), Ordering::SeqCst);
        if !plan.deferred.is_empty() {
            let cap = if Some(source_budget) == self.policy.per_source_limit {
                "INGEST_PER_SOURCE_LIMIT"
            } else {
                "MAX_FETCH_PER_RUN"
            };
            tracing::info!(event = "cap_reached", cap, source = %key, deferred = plan.deferred.len() as u64);
        }
        let completeness = FetchCompleteness::judge(
            fetched.complete,
            fetched.rejected.len(),
            fetched.error.is_some(),
        );
        let stored_open = stored
            .iter()
            .filter(|(_, fp)| !fp.closed)
            .map(|(uid, _)| uid);
        let closing = plan_closing(
            stored_open,
            &seen,
            completeness,
            fetched.record.empty_streak,
        );
        let c = &mut report.counts;
        c.inserted = plan.inserts.len() as u64;
        c.updated = plan.updates.len() as u64;
        c.unchanged = plan.unchanged.len() as u64;
        c.reopened = plan.reopened.len() as u64;
        c.blocked_new_jobs = plan.blocked.len() as u64;
        c.deferred = plan.deferred.len() as u64;
        c.closed = closing.close.len() as u64;
        if self.policy.collect_details {
            report.inserted = plan.inserts.iter().map(job_line).collect();
            report.updated = plan.updates.iter().map(job_line).collect();
            report.closed = closing.close.clone();
        }
        let batch = SourceBatch {
            source: key.clone(),
            now,
            inserts: plan.inserts,
            updates: plan.updates,
            unchanged: plan.unchanged,
            all_open_seen: closing.all_open_seen,
            reopened: plan.reopened,
            closed: closing.close,
            outcome: SourceOutcome {
                error: fetched.error.as_ref().map(describe),
                empty_streak: closing.empty_streak,
            },
            release: Some(lease),
        };
        let written = self.deps.repo.apply_batch(&batch).await;
        // New-job reservations not turned into rows are given back, so a later source or
        // run can use them; if the write failed, that is all of them, and the write budget too.
        let unused = if written.is_err() {
            self.writes_left
                .fetch_add(batch.inserts.len() + batch.updates.len(), Ordering::SeqCst);
            granted
        } else {
            granted.saturating_sub(batch.inserts.len())
        };
        if unused > 0 {
            let release = self.deps.counters.release(
                CounterKey::NewJobs,
                self.deps.clock.today(),
                u32::try_from(unused).unwrap_or(u32::MAX),
            );
            if let Err(err) = release.await {
                tracing::warn!(event = "counter_release_failed", source = %key, error = %err);
            }
        }
        written
    }
}

fn job_line(job: &PlannedJob) -> JobLine {
    JobLine {
        uid: job.uid.clone(),
        title: job.fetched.posting.title.clone(),
    }
}

/// The text stored in `sources.last_error`.
fn describe(err: &SourceError) -> String {
    format!("{}: {err}", err.reason())
}
