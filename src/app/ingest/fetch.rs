//! Fetching one source: its pages, each after reserving an API call, with bounded retries.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::time::Instant;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::Mutex;

use super::{IngestError, Shared};
use crate::domain::{AtsKind, FetchedPosting, JobUid, StoredFingerprint};
use crate::ports::{
    CounterKey, KnownItems, PageCursor, RejectedItem, SourceError, SourceRecord, SourceRef,
    StoreError,
};

/// What fetching one source produced, before anything is written.
pub(super) struct Fetched {
    pub(super) record: SourceRecord,
    pub(super) postings: Vec<FetchedPosting>,
    /// Stored uids of items whose raw JSON is stored unchanged: never parsed.
    pub(super) unchanged: Vec<JobUid>,
    /// The board's stored fingerprints, read once before the fetch: the lease makes this
    /// worker the board's only writer until it is done.
    pub(super) stored: HashMap<JobUid, StoredFingerprint>,
    /// Reading the board's stored items failed, so it was not fetched.
    pub(super) store_error: Option<StoreError>,
    pub(super) rejected: Vec<RejectedItem>,
    pub(super) complete: bool,
    pub(super) error: Option<SourceError>,
    /// No request could be reserved at all.
    pub(super) rate_limited: bool,
    pub(super) skipped: bool,
    /// Requests sent: list pages and, for providers that need them, detail requests.
    pub(super) api_calls: u64,
    /// Of `api_calls`, the detail requests.
    pub(super) detail_calls: u64,
    pub(super) started: Instant,
}

pub(super) enum PageStop {
    CapReached,
    /// The run's write budget was spent before this board's first request.
    BudgetSpent,
    Failed(SourceError),
    Store(StoreError),
}
impl Shared {
    pub(super) async fn fetch_source(
        self: Arc<Self>,
        record: SourceRecord,
    ) -> Result<Fetched, IngestError> {
        let mut fetched = Fetched {
            record,
            postings: Vec::new(),
            unchanged: Vec::new(),
            stored: HashMap::new(),
            store_error: None,
            rejected: Vec::new(),
            complete: false,
            error: None,
            rate_limited: false,
            skipped: false,
            api_calls: 0,
            detail_calls: 0,
            started: Instant::now(),
        };
        let key = fetched.record.key.clone();
        let Some(adapter) = self.deps.sources.get(&key.ats).cloned() else {
            fetched.error = Some(SourceError::InvalidSource(format!(
                "no adapter for provider {}",
                key.ats
            )));
            return Ok(fetched);
        };
        match self.deps.repo.fingerprints(&fetched.record.key).await {
            Ok(stored) => fetched.stored = stored,
            Err(err) => {
                fetched.store_error = Some(err);
                return Ok(fetched);
            }
        }
        let known = known_items(&fetched.record, &fetched.stored);
        let source = SourceRef {
            key,
            region: fetched.record.region,
            known: Arc::new(known),
        };
        let mut cursor: Option<PageCursor> = None;
        let mut pages = 0u32;
        loop {
            if pages >= adapter.max_pages() {
                tracing::warn!(
                    event = "page_limit_reached",
                    source = %source.key,
                    pages,
                );
                break;
            }
            let first_page = pages == 0;
            let request = || adapter.fetch_page(&source, cursor.as_ref());
            match self
                .reserved_call(&source, first_page, &mut fetched.api_calls, request)
                .await
            {
                Ok(page) => {
                    pages += 1;
                    let (name, slug) = (fetched.record.name.as_deref(), &source.key.slug);
                    for mut item in page.postings {
                        item.posting.fill_company(name, slug);
                        fetched.postings.push(item);
                    }
                    fetched.unchanged.extend(page.unchanged);
                    fetched.rejected.extend(page.rejected);
                    match page.next {
                        None => {
                            fetched.complete = true;
                            break;
                        }
                        Some(next) => cursor = Some(next),
                    }
                }
                Err(PageStop::CapReached) => {
                    tracing::info!(
                        event = "cap_reached",
                        cap = "MAX_CALLS_PER_DAY",
                        provider = source.key.ats.as_str(),
                        source = %source.key,
                    );
                    fetched.rate_limited = pages == 0;
                    break;
                }
                Err(PageStop::BudgetSpent) => {
                    fetched.skipped = true;
                    break;
                }
                Err(PageStop::Failed(err)) => {
                    fetched.error = Some(err);
                    break;
                }
                Err(PageStop::Store(err)) => return Err(err.into()),
            }
        }
        if adapter.lists_without_details() && !fetched.postings.is_empty() {
            self.complete_details(adapter.as_ref(), &source, &mut fetched)
                .await?;
        }
        Ok(fetched)
    }

    /// One request (a page, or a posting's details), with bounded retries; every attempt
    /// first reserves an API call. A board's first request is not sent once the run's write
    /// budget is spent: checked after the provider's turn comes, right before the request,
    /// so that boards queued behind a board that spent the budget start no request.
    ///
    /// The call is reserved before the provider's turn is taken: on SQLite a reservation can
    /// wait for the write lock behind another board's write, and the provider's turn must
    /// not be held meanwhile.
    pub(super) async fn reserved_call<T, F, Fut>(
        &self,
        source: &SourceRef,
        first_page: bool,
        api_calls: &mut u64,
        mut request: F,
    ) -> Result<T, PageStop>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SourceError>>,
    {
        let retry = self.policy.retry;
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(retry.base_delay)
            .with_max_delay(retry.max_delay.max(retry.base_delay))
            .with_max_times(retry.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build();
        let mut attempt = 0u32;
        let (counter, today) = (
            CounterKey::ApiCalls(source.key.ats),
            self.deps.clock.today(),
        );
        loop {
            attempt += 1;
            let budget_spent =
                || first_page && attempt == 1 && self.writes_left.load(Ordering::SeqCst) == 0;
            if budget_spent() {
                return Err(PageStop::BudgetSpent);
            }
            let granted = self
                .deps
                .counters
                .try_reserve(counter, today, 1, self.policy.calls_per_day)
                .await
                .map_err(PageStop::Store)?;
            if granted == 0 {
                return Err(PageStop::CapReached);
            }
            let mut last = self.provider_gate(source.key.ats).lock().await;
            if let Some(at) = *last {
                tokio::time::sleep_until(at + self.policy.politeness_gap).await;
            }
            if budget_spent() {
                // Spent while this board waited for its turn: the call is not made.
                self.deps
                    .counters
                    .release(counter, today, 1)
                    .await
                    .map_err(PageStop::Store)?;
                return Err(PageStop::BudgetSpent);
            }
            *api_calls += 1;
            let result = request().await;
            *last = Some(Instant::now());
            drop(last);
            let err = match result {
                Ok(page) => return Ok(page),
                Err(err) => err,
            };
            if !err.is_transient() {
                return Err(PageStop::Failed(err));
            }
            let Some(backoff_delay) = backoff.next() else {
                return Err(PageStop::Failed(err));
            };
            let delay = match err.retry_after() {
                // Honour the provider; if it asks for longer than we wait, stop for this run.
                Some(asked) if asked > retry.max_delay => return Err(PageStop::Failed(err)),
                Some(asked) => asked,
                None => backoff_delay,
            };
            tracing::warn!(
                event = "fetch_retry",
                source = %source.key,
                attempt,
                reason = err.reason(),
                http_status = err.http_status(),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn provider_gate(&self, kind: AtsKind) -> &Mutex<Option<Instant>> {
        // Every kind has a gate: the map is built from AtsKind::ALL.
        &self.provider_gates[&kind]
    }
}

/// The board's stored items by raw hash, so the adapter skips parsing unchanged ones.
fn known_items(record: &SourceRecord, stored: &HashMap<JobUid, StoredFingerprint>) -> KnownItems {
    let items = stored
        .iter()
        .filter_map(|(uid, fp)| fp.raw_hash.clone().map(|hash| (hash, uid.clone())));
    KnownItems::new(record.name.as_deref(), items)
}
