//! What a language model says about a posting (summary, skills, seniority, salary, pros,
//! cons, whom to contact): its answer validated into a `JobInsight`, and how its skills join
//! the deterministic analysis for scoring.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::analysis::{JobAnalysis, Seniority};
use super::skills::{Skill, Vocabulary};
use crate::domain::salary::{PayPeriod, Salary, SalaryFigures, SalaryProvenance, currency_code};

/// The longest summary kept, in characters; a longer one is cut at a word boundary.
pub const SUMMARY_MAX_CHARS: usize = 600;
/// At most this many pros, cons or unknown skill terms are kept, each this long.
const LIST_MAX: usize = 10;
const ITEM_MAX_CHARS: usize = 200;
/// At most this many skill terms are read from one list.
const SKILLS_MAX: usize = 50;

/// A model's validated answer about one posting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInsight {
    pub summary: String,
    /// Skills normalized through the vocabulary; terms it does not know are in `unknown_skills`.
    pub required: BTreeSet<Skill>,
    pub nice_to_have: BTreeSet<Skill>,
    pub unknown_skills: Vec<String>,
    pub seniority: Option<Seniority>,
    /// The model's estimate (provenance `inferred`); used only when the posting states none.
    pub salary: Option<Salary>,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub outreach_target: Option<String>,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsightError {
    #[error("the answer is not JSON of the requested shape: {0}")]
    Shape(String),
    #[error("the answer's {field} is invalid: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

#[derive(Deserialize)]
struct RawAnswer {
    summary: String,
    skills: RawSkills,
    #[serde(default)]
    seniority: Option<String>,
    #[serde(default)]
    salary: Option<RawSalary>,
    #[serde(default)]
    pros: Vec<String>,
    #[serde(default)]
    cons: Vec<String>,
    #[serde(default)]
    outreach_target: Option<String>,
}

#[derive(Deserialize)]
struct RawSkills {
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    nice_to_have: Vec<String>,
}

#[derive(Deserialize)]
struct RawSalary {
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    period: Option<String>,
}

/// The JSON schema the answer must follow (OpenAI `response_format` `json_schema`, strict:
/// every property required, absent values as `null`).
pub fn answer_schema() -> serde_json::Value {
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    let nullable = |t: &str| serde_json::json!({"type": [t, "null"]});
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["summary", "skills", "seniority", "salary", "pros", "cons", "outreach_target"],
        "properties": {
            "summary": {"type": "string", "maxLength": SUMMARY_MAX_CHARS},
            "skills": {
                "type": "object",
                "additionalProperties": false,
                "required": ["required", "nice_to_have"],
                "properties": {"required": strings, "nice_to_have": strings}
            },
            "seniority": {
                "type": ["string", "null"],
                "enum": ["intern", "junior", "mid", "senior", "staff", "principal", null]
            },
            "salary": {
                "type": ["object", "null"],
                "additionalProperties": false,
                "required": ["min", "max", "currency", "period"],
                "properties": {
                    "min": nullable("number"),
                    "max": nullable("number"),
                    "currency": nullable("string"),
                    "period": {
                        "type": ["string", "null"],
                        "enum": ["hour", "day", "week", "month", "year", null]
                    }
                }
            },
            "pros": strings,
            "cons": strings,
            "outreach_target": nullable("string")
        }
    })
}

/// Reads a model's answer: JSON (a Markdown code fence around it is tolerated) following
/// [`answer_schema`]. Skills are normalized through `vocab`; text is trimmed and bounded.
///
/// # Errors
/// When the answer is not JSON of that shape, or a value is impossible (a negative salary,
/// a minimum above the maximum, an unknown pay period or currency).
pub fn parse_answer(content: &str, vocab: &Vocabulary) -> Result<JobInsight, InsightError> {
    let json = strip_fence(content);
    let raw: RawAnswer =
        serde_json::from_str(json).map_err(|e| InsightError::Shape(e.to_string()))?;
    let summary = clean(&raw.summary, SUMMARY_MAX_CHARS);
    if summary.is_empty() {
        return Err(InsightError::Field {
            field: "summary",
            message: "empty".into(),
        });
    }
    let mut unknown = Vec::new();
    let mut skills = |terms: &[String]| -> BTreeSet<Skill> {
        let mut out = BTreeSet::new();
        for term in terms.iter().take(SKILLS_MAX) {
            match vocab.normalize(term.trim()) {
                Some(skill) => {
                    out.insert(skill);
                }
                None => {
                    let t = clean(term, ITEM_MAX_CHARS).to_lowercase();
                    if !t.is_empty() && !unknown.contains(&t) && unknown.len() < LIST_MAX {
                        unknown.push(t);
                    }
                }
            }
        }
        out
    };
    let required = skills(&raw.skills.required);
    let nice: BTreeSet<Skill> = skills(&raw.skills.nice_to_have)
        .difference(&required)
        .cloned()
        .collect();
    let seniority = raw
        .seniority
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(Seniority::parse_loose);
    let salary = raw.salary.map(salary).transpose()?.flatten();
    let list = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .map(|i| clean(i, ITEM_MAX_CHARS))
            .filter(|i| !i.is_empty())
            .take(LIST_MAX)
            .collect()
    };
    Ok(JobInsight {
        summary,
        required,
        nice_to_have: nice,
        unknown_skills: unknown,
        seniority,
        salary,
        pros: list(&raw.pros),
        cons: list(&raw.cons),
        outreach_target: raw
            .outreach_target
            .map(|t| clean(&t, ITEM_MAX_CHARS))
            .filter(|t| !t.is_empty()),
    })
}

/// The salary the model inferred; all-null figures mean none.
fn salary(raw: RawSalary) -> Result<Option<Salary>, InsightError> {
    let bad = |message: String| InsightError::Field {
        field: "salary",
        message,
    };
    if raw.min.is_none() && raw.max.is_none() {
        return Ok(None);
    }
    for v in [raw.min, raw.max].into_iter().flatten() {
        if !v.is_finite() || v <= 0.0 {
            return Err(bad(format!("{v} is not a positive amount")));
        }
    }
    if let (Some(min), Some(max)) = (raw.min, raw.max)
        && min > max
    {
        return Err(bad(format!("minimum {min} is above maximum {max}")));
    }
    let currency = raw.currency.as_deref().unwrap_or_default();
    if currency_code(currency).is_none() {
        return Err(bad(format!("unknown currency {currency:?}")));
    }
    let period = match raw.period.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(PayPeriod::parse_loose(p).ok_or_else(|| bad(format!("period {p:?}")))?),
    };
    let figures = SalaryFigures {
        min: raw.min,
        max: raw.max,
        currency: raw.currency,
        period,
    };
    // Figures outside the sane band are no salary, as for a posting's own figures.
    Ok(
        Salary::from_figures(&figures, SalaryProvenance::Inferred).map(|mut s| {
            s.display.push_str(" (estimate)");
            s
        }),
    )
}

/// The JSON inside an optional Markdown code fence.
fn strip_fence(content: &str) -> &str {
    let t = content.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// Control characters dropped, whitespace collapsed, at most `max` characters (cut at a
/// word boundary when one is near).
fn clean(text: &str, max: usize) -> String {
    let collapsed = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) if at > max / 2 => cut[..at].to_string(),
        _ => cut,
    }
}

/// Where a skill of the merged analysis was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillOrigin {
    /// The deterministic analysis of the posting's text.
    Posting,
    /// The model only.
    Llm,
    Both,
}

impl SkillOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            SkillOrigin::Posting => "posting",
            SkillOrigin::Llm => "llm",
            SkillOrigin::Both => "both",
        }
    }
}

/// The deterministic analysis with the model's skills added (a skill either calls required
/// is required) and its seniority when the title names none, plus where each skill came from.
pub fn merge(
    det: &JobAnalysis,
    insight: &JobInsight,
) -> (JobAnalysis, BTreeMap<Skill, SkillOrigin>) {
    let required: BTreeSet<Skill> = det.required.union(&insight.required).cloned().collect();
    let nice: BTreeSet<Skill> = det
        .nice_to_have
        .union(&insight.nice_to_have)
        .filter(|s| !required.contains(*s))
        .cloned()
        .collect();
    let in_posting = |s: &Skill| {
        det.required.contains(s) || det.nice_to_have.contains(s) || det.title_skills.contains(s)
    };
    let in_llm = |s: &Skill| insight.required.contains(s) || insight.nice_to_have.contains(s);
    let origins = required
        .iter()
        .chain(&nice)
        .map(|s| {
            let origin = match (in_posting(s), in_llm(s)) {
                (true, true) => SkillOrigin::Both,
                (false, true) => SkillOrigin::Llm,
                _ => SkillOrigin::Posting,
            };
            (s.clone(), origin)
        })
        .collect();
    let merged = JobAnalysis {
        required,
        nice_to_have: nice,
        title_skills: det.title_skills.clone(),
        seniority: det.seniority.or(insight.seniority),
        years_required: det.years_required,
        title_terms: det.title_terms.clone(),
    };
    (merged, origins)
}

#[cfg(test)]
#[path = "insight_tests.rs"]
mod tests;
