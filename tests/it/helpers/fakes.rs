//! Test doubles for the ports that only tests need: a scripted job source and a fixed clock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use jobs_bot::domain::{AtsKind, FetchedPosting, Posting, SourceKey};
use jobs_bot::ports::{Clock, JobSource, Page, PageCursor, SourceError, SourceRef};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *lock(&self.0) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.0);
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

#[derive(Debug, Default)]
struct Script {
    board: Vec<Posting>,
    queued: VecDeque<Result<Page, SourceError>>,
    requests: usize,
}

/// A job source for tests: serves a board per source (paged if a page size is set),
/// with scripted one-off responses (errors, odd pages) served first, and counts requests.
/// Raw JSON is the posting serialized, so `reparse` reads it back.
#[derive(Debug)]
pub struct ScriptedSource {
    kind: AtsKind,
    page_size: Option<usize>,
    latency: Duration,
    scripts: Mutex<HashMap<SourceKey, Script>>,
    log: Mutex<Vec<RequestSpan>>,
}

/// When one request started and ended (tokio time, so paused-clock tests see it too).
#[derive(Debug, Clone)]
pub struct RequestSpan {
    pub source: SourceKey,
    pub start: tokio::time::Instant,
    pub end: tokio::time::Instant,
}

impl ScriptedSource {
    pub fn new(kind: AtsKind) -> Self {
        ScriptedSource {
            kind,
            page_size: None,
            latency: Duration::zero(),
            scripts: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    pub fn with_page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// Every request takes this long to answer.
    pub fn with_latency(mut self, latency: std::time::Duration) -> Self {
        self.latency = Duration::from_std(latency).unwrap_or_else(|_| Duration::zero());
        self
    }

    /// Every request so far, in the order they started.
    pub fn spans(&self) -> Vec<RequestSpan> {
        let mut spans = lock(&self.log).clone();
        spans.sort_by_key(|s| s.start);
        spans
    }

    pub fn set_board(&self, key: &SourceKey, postings: Vec<Posting>) {
        lock(&self.scripts).entry(key.clone()).or_default().board = postings;
    }

    pub fn push_response(&self, key: &SourceKey, response: Result<Page, SourceError>) {
        lock(&self.scripts)
            .entry(key.clone())
            .or_default()
            .queued
            .push_back(response);
    }

    pub fn requests(&self, key: &SourceKey) -> usize {
        lock(&self.scripts).get(key).map_or(0, |s| s.requests)
    }

    pub fn total_requests(&self) -> usize {
        lock(&self.scripts).values().map(|s| s.requests).sum()
    }

    pub fn fetched(posting: &Posting) -> FetchedPosting {
        FetchedPosting::new(
            posting.clone(),
            serde_json::to_string(posting).unwrap_or_default(),
        )
    }
}

#[async_trait]
impl JobSource for ScriptedSource {
    fn kind(&self) -> AtsKind {
        self.kind
    }

    async fn fetch_page(
        &self,
        source: &SourceRef,
        cursor: Option<&PageCursor>,
    ) -> Result<Page, SourceError> {
        let start = tokio::time::Instant::now();
        if let Ok(latency) = self.latency.to_std() {
            tokio::time::sleep(latency).await;
        }
        lock(&self.log).push(RequestSpan {
            source: source.key.clone(),
            start,
            end: tokio::time::Instant::now(),
        });
        let mut scripts = lock(&self.scripts);
        let Some(script) = scripts.get_mut(&source.key) else {
            return Err(SourceError::NotFound { status: 404 });
        };
        script.requests += 1;
        if let Some(response) = script.queued.pop_front() {
            return response;
        }
        let start = match cursor {
            Some(PageCursor::Offset(o)) => usize::try_from(*o).unwrap_or(usize::MAX),
            _ => 0,
        };
        let size = self.page_size.unwrap_or(usize::MAX);
        let end = start.saturating_add(size).min(script.board.len());
        let postings = script
            .board
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(Self::fetched)
            .collect();
        let next = (end < script.board.len()).then_some(PageCursor::Offset(end as u64));
        Ok(Page {
            postings,
            unchanged: Vec::new(),
            rejected: Vec::new(),
            next,
        })
    }

    fn reparse(&self, _source: &SourceRef, raw_json: &str) -> Result<Posting, SourceError> {
        serde_json::from_str(raw_json).map_err(|e| SourceError::Malformed {
            path: ".".into(),
            message: e.to_string(),
        })
    }
}
