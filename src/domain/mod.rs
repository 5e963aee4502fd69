//! Pure business rules: identity, normalized postings, caps, upsert and closing decisions.

pub mod caps;
pub mod careers_url;
pub mod closing;
pub mod discover;
pub mod fit;
pub mod job;
pub mod providers;
pub mod salary;
pub mod source;
pub mod sync;
pub mod upsert;

pub use caps::Cap;
pub use closing::{ClosingDecision, FetchCompleteness, plan_closing};
pub use job::{ContentHash, FetchedPosting, JobUid, Posting, RawHash, WorkplaceType, hex};
pub use providers::{AtsKind, NoEuInstance, ProviderFacts};
pub use source::{CompanySlug, SlugError, SourceKey};
pub use upsert::{StoredFingerprint, UpsertPlan, UpsertPlanner, WriteLimits};
