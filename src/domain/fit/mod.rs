//! Job–candidate fit, pure text side: the skills vocabulary and deterministic analysis of postings and CVs.

pub mod analysis;
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
pub use skills::{Skill, SkillHit, Vocabulary, VocabularyError};
