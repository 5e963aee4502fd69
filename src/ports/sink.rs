//! Where jobs that fit are published (Notion, in a later issue).

use async_trait::async_trait;

use crate::domain::JobUid;

/// One job as a sink shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkItem {
    pub job_uid: JobUid,
    /// The page this job already has in the sink, if it was synced before.
    pub existing_page_id: Option<String>,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub salary_text: Option<String>,
    pub fit_score: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkReceipt {
    pub page_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    #[error("sink rejected the item: {0}")]
    Rejected(String),
    #[error("sink unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Sink: Send + Sync {
    /// Creates the item's page, or updates `existing_page_id`.
    async fn upsert(&self, item: &SinkItem) -> Result<SinkReceipt, SinkError>;
}
