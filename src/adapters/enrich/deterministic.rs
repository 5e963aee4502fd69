//! The deterministic `Enricher`: skills by section, seniority, years and the normalized
//! salary, from the text alone (what scoring stores in `job_enrichment`); costs no tokens.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::AtsKind;
use crate::domain::fit::{JobAnalysis, JobInsight, Vocabulary, analyze_job};
use crate::domain::salary::{Salary, SalaryProvenance, parse_salary_text};
use crate::ports::{EnrichError, Enriched, Enricher, JobSource, JobText};

/// Cheap to clone: the vocabulary and the adapters are shared.
#[derive(Clone)]
pub struct DeterministicEnricher {
    vocab: Arc<Vocabulary>,
    /// The providers' adapters, for the pay their payloads state in structured fields.
    sources: HashMap<AtsKind, Arc<dyn JobSource>>,
}

impl DeterministicEnricher {
    pub fn new(vocab: Arc<Vocabulary>, sources: HashMap<AtsKind, Arc<dyn JobSource>>) -> Self {
        DeterministicEnricher { vocab, sources }
    }

    /// The analysis and the normalized salary of one job. Deterministic: same text, same result.
    pub fn analyse(&self, job: &JobText) -> (JobAnalysis, Option<Salary>) {
        (
            analyze_job(&self.vocab, &job.title, &job.description),
            self.salary(job),
        )
    }

    /// The provider's structured pay first, else the salary text, else the description.
    fn salary(&self, job: &JobText) -> Option<Salary> {
        let structured = self
            .sources
            .get(&job.source.ats)
            .and_then(|s| s.salary_figures(&job.raw_json))
            .and_then(|f| Salary::from_figures(&f, SalaryProvenance::Structured));
        structured
            .or_else(|| job.salary_text.as_deref().and_then(parse_salary_text))
            .or_else(|| parse_salary_text(&job.description))
    }
}

#[async_trait]
impl Enricher for DeterministicEnricher {
    fn model(&self) -> &str {
        "deterministic"
    }

    fn estimate_tokens(&self, _job: &JobText) -> u64 {
        0
    }

    async fn enrich(&self, job: &JobText) -> Result<Enriched, EnrichError> {
        let (analysis, salary) = self.analyse(job);
        Ok(Enriched {
            insight: JobInsight {
                summary: String::new(),
                required: analysis.required,
                nice_to_have: analysis.nice_to_have,
                unknown_skills: Vec::new(),
                seniority: analysis.seniority,
                salary,
                pros: Vec::new(),
                cons: Vec::new(),
                outreach_target: None,
            },
            usage: None,
        })
    }
}
