//! Where jobs that fit are published (Notion): a data source of pages keyed by job uid (and
//! profile, when profiles share it), written with the property values of `domain::sync`.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::domain::sync::{Prop, PropKind, PropValue, PropertyNames};

/// The properties a data source has: name → type (as the sink names types).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SinkSchema {
    pub properties: HashMap<String, String>,
}

impl SinkSchema {
    /// Whether the data source has `prop`, under its configured name, with its type.
    pub fn has(&self, prop: Prop, names: &PropertyNames) -> bool {
        self.properties
            .get(names.name(prop))
            .is_some_and(|t| t == prop.spec().kind.as_str())
    }

    /// The type `prop`'s name has, when it is another than expected.
    pub fn wrong_type(&self, prop: Prop, names: &PropertyNames) -> Option<&str> {
        self.properties
            .get(names.name(prop))
            .filter(|t| t.as_str() != prop.spec().kind.as_str())
            .map(String::as_str)
    }
}

/// How a page is found: its job uid, and its profile when the data source is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey {
    pub job_uid: String,
    pub profile: Option<String>,
}

/// A page found by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPage {
    pub id: String,
    /// Archived or in the trash: the user dismissed it.
    pub dismissed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated,
    /// The page was archived or trashed by the user.
    Dismissed,
}

/// Requests sent and rate-limit answers received so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SinkStats {
    pub requests: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// The sink refused the request (bad token, not shared, invalid value); retrying the
    /// same request will not help.
    #[error("sink rejected the request: {0}")]
    Rejected(String),
    /// Unreachable, overloaded or rate-limited beyond the retries.
    #[error("sink unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Sink: Send + Sync {
    /// The data source's properties.
    async fn schema(&self, data_source: &str) -> Result<SinkSchema, SinkError>;

    /// Adds properties to the data source.
    async fn add_properties(
        &self,
        data_source: &str,
        props: &[(String, PropKind)],
    ) -> Result<(), SinkError>;

    /// The page with this key, dismissed ones included (the first, if several).
    async fn find(&self, data_source: &str, key: &PageKey) -> Result<Option<FoundPage>, SinkError>;

    /// Creates a page; its id. Not retried: the caller re-queries by key first.
    async fn create(
        &self,
        data_source: &str,
        props: &[(Prop, PropValue)],
    ) -> Result<String, SinkError>;

    async fn update(
        &self,
        page_id: &str,
        props: &[(Prop, PropValue)],
    ) -> Result<UpdateOutcome, SinkError>;

    fn stats(&self) -> SinkStats;
}
