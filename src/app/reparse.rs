//! The reparse use case: re-derive stored jobs from their raw JSON, with no API call.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::{AtsKind, SourceKey};
use crate::ports::{Clock, JobFilter, JobSource, Reparsed, Repository, SourceRef, StoreError};

/// What a reparse did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReparseReport {
    pub examined: u64,
    /// Rows whose content hash changed, and were rewritten.
    pub changed: u64,
    /// Rows whose raw JSON the current parser rejects; left as they are.
    pub failed: u64,
}

/// Re-derives every job of `only` (or of every source) and writes the rows whose
/// content hash changes, one source at a time.
pub async fn reparse(
    repo: &dyn Repository,
    adapters: &HashMap<AtsKind, Arc<dyn JobSource>>,
    clock: &dyn Clock,
    only: Option<&SourceKey>,
) -> Result<ReparseReport, StoreError> {
    let mut report = ReparseReport::default();
    for record in repo.sources().await? {
        if only.is_some_and(|k| k != &record.key) {
            continue;
        }
        let Some(adapter) = adapters.get(&record.key.ats) else {
            continue;
        };
        let source = SourceRef::new(record.key.clone(), record.region);
        let filter = JobFilter {
            source: Some(record.key.clone()),
            ..JobFilter::default()
        };
        let mut rows = Vec::new();
        for job in repo.jobs(&filter).await? {
            report.examined += 1;
            match adapter.reparse(&source, &job.raw_json) {
                Ok(mut posting) => {
                    // As at fetch time, so an unchanged job hashes the same.
                    posting.fill_company(record.name.as_deref(), &record.key.slug);
                    let hash = posting.content_hash();
                    if hash != job.content_hash {
                        rows.push(Reparsed {
                            uid: job.uid,
                            posting,
                            hash,
                        });
                    }
                }
                Err(err) => {
                    report.failed += 1;
                    tracing::warn!(event = "reparse_failed", job_uid = %job.uid, error = %err);
                }
            }
        }
        report.changed += rows.len() as u64;
        repo.apply_reparsed(&rows, clock.now()).await?;
    }
    tracing::info!(
        event = "reparse_done",
        examined = report.examined,
        changed = report.changed,
        failed = report.failed,
    );
    Ok(report)
}
