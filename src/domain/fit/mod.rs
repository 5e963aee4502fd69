//! Job–candidate fit: the skills vocabulary, deterministic analysis of postings and CVs, and
//! the scoring of each (profile, job) pair.

pub mod analysis;
pub mod insight;
pub mod profile;
pub mod score;
pub mod skills;

mod cv;
mod matcher;
mod sections;
mod seniority;
mod tokens;
mod vocab_file;
mod years;

pub use analysis::{
    CvAnalysis, JobAnalysis, Seniority, SkillEvidence, analyze_cv, analyze_job, title_terms,
};
pub use insight::{InsightError, JobInsight, SkillOrigin};
pub use profile::{MinSalary, PreferenceTerms, ProfileModel, RemotePreference};
pub use score::{
    Fit, FitClass, FitPart, FitReasons, JobFacts, SCORER_VERSION, SkillWeights, score,
};
pub use skills::{Skill, SkillHit, Vocabulary, VocabularyError};
