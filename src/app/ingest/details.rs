//! Completing listed postings with one detail request each, for providers whose pages
//! lack descriptions (Workday): only new or changed postings cost a request.

use std::collections::HashMap;

use super::fetch::{Fetched, PageStop};
use super::{IngestError, Shared};
use crate::domain::JobUid;
use crate::ports::{JobFilter, JobSource, RejectedItem, SourceRef};

impl Shared {
    /// Replaces each listed posting by its stored self when the adapter says its list
    /// fields are unchanged, else by its details, one reserved API call each. Once the
    /// daily cap is reached, the postings still without details are left for the next run
    /// and the fetch counts as incomplete (so it closes nothing).
    pub(super) async fn complete_details(
        &self,
        adapter: &dyn JobSource,
        source: &SourceRef,
        fetched: &mut Fetched,
    ) -> Result<(), IngestError> {
        let key = &source.key;
        let all = JobFilter {
            source: Some(key.clone()),
            ..JobFilter::default()
        };
        let stored: HashMap<JobUid, String> = self
            .deps
            .repo
            .jobs(&all)
            .await?
            .into_iter()
            .map(|job| (job.uid, job.raw_json))
            .collect();
        let listed = std::mem::take(&mut fetched.postings);
        let mut capped = false;
        let (name, slug) = (fetched.record.name.as_deref(), &key.slug);
        for item in listed {
            let uid = JobUid::new(key.ats, slug, &item.posting.ats_job_id);
            let reused = stored
                .get(&uid)
                .and_then(|raw| adapter.reuse_details(&item, raw));
            let full = match reused {
                Some(full) => full,
                None if capped => continue,
                None => {
                    let request = || adapter.fetch_detail(source, &item);
                    let mut calls = 0;
                    let result = self.reserved_call(source, false, &mut calls, request).await;
                    fetched.api_calls += calls;
                    fetched.detail_calls += calls;
                    match result {
                        Ok(full) => full,
                        Err(PageStop::CapReached | PageStop::BudgetSpent) => {
                            tracing::info!(
                                event = "cap_reached",
                                cap = "MAX_CALLS_PER_DAY",
                                provider = key.ats.as_str(),
                                source = %key,
                                phase = "details",
                            );
                            capped = true;
                            fetched.complete = false;
                            continue;
                        }
                        Err(PageStop::Failed(err)) => {
                            fetched.rejected.push(RejectedItem {
                                path: format!("details[{}]", item.posting.ats_job_id),
                                reason: err.to_string(),
                            });
                            continue;
                        }
                        Err(PageStop::Store(err)) => return Err(err.into()),
                    }
                }
            };
            let mut full = full;
            full.posting.fill_company(name, slug);
            fetched.postings.push(full);
        }
        Ok(())
    }
}
