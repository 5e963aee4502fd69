//! The traits the app uses to reach the outside world, and the data that crosses them.

pub mod clock;
pub mod counters;
pub mod enricher;
pub mod fit_store;
pub mod job_source;
pub mod leases;
pub mod repository;
pub mod sink;

pub use clock::Clock;
pub use counters::{CounterKey, CounterStore};
pub use enricher::{EnrichError, Enriched, Enricher, TokenUsage};
pub use fit_store::{
    FitFilter, FitRecord, FitStore, JobEnrichment, JobText, LlmEnrichment, ScoringRow, SinkLink,
    StoredProfile,
};
pub use job_source::{
    DEFAULT_MAX_PAGES, JobSource, KnownItems, Page, PageCursor, Region, RejectedItem, SourceError,
    SourceRef,
};
pub use leases::{Claim, LeaseRelease, Round, SourceLeases, claim_order};
pub use repository::{
    JobFilter, JobRecord, Reparsed, Repository, SourceBatch, SourceOutcome, SourceRecord,
    SourceSpec, StoreError,
};
pub use sink::{FoundPage, PageKey, Sink, SinkError, SinkSchema, SinkStats, UpdateOutcome};
