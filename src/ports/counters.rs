//! Daily counters that enforce caps: API calls per provider, new jobs and LLM tokens.

use std::fmt;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::repository::StoreError;
use crate::domain::{AtsKind, Cap};

/// What a daily counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CounterKey {
    /// HTTP requests sent to one provider.
    ApiCalls(AtsKind),
    /// Jobs inserted (not updated).
    NewJobs,
    /// Tokens (prompt and completion) spent on LLM enrichment.
    LlmTokens,
}

impl fmt::Display for CounterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CounterKey::ApiCalls(kind) => write!(f, "api_calls:{kind}"),
            CounterKey::NewJobs => f.write_str("new_jobs"),
            CounterKey::LlmTokens => f.write_str("llm_tokens"),
        }
    }
}

#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Atomically reserves up to `n` units of `key` for `day` under `cap` and returns how
    /// many were granted (0..=n). Atomic across tasks, connections and processes: the sum
    /// of grants for a day never exceeds the cap, and a grant is never lost.
    async fn try_reserve(
        &self,
        key: CounterKey,
        day: NaiveDate,
        n: u32,
        cap: Cap,
    ) -> Result<u32, StoreError>;

    /// Gives back `n` units reserved earlier on `day` and not spent (a write that failed
    /// after its new jobs were reserved). Never takes the counter below zero.
    async fn release(&self, key: CounterKey, day: NaiveDate, n: u32) -> Result<(), StoreError>;

    /// Units used so far on `day`.
    async fn used(&self, key: CounterKey, day: NaiveDate) -> Result<u64, StoreError>;
}
