//! Fit scoring: one (profile, job) pair to a 0–100 score, a class and the reasons, from
//! weighted parts; hard rules exclude, soft penalties are named flags.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::analysis::{JobAnalysis, Seniority};
use super::insight::SkillOrigin;
use super::profile::{ProfileModel, RemotePreference};
use super::skills::Skill;
use crate::domain::WorkplaceType;
use crate::domain::salary::{Salary, usd_per_unit};

/// Bumped whenever a rule or weight below changes, so stored scores are recomputed.
pub const SCORER_VERSION: u32 = 2;

/// The maximum points of each part; they add up to 100.
pub const SKILLS_MAX: f64 = 45.0;
pub const TITLE_MAX: f64 = 20.0;
pub const SENIORITY_MAX: f64 = 10.0;
pub const LOCATION_MAX: f64 = 15.0;
pub const SALARY_MAX: f64 = 10.0;

/// A posting older than this is flagged `stale_posting`.
pub const STALE_AFTER_DAYS: i64 = 60;
/// Whether a posting is stale on `now`: posted (else first seen) more than
/// [`STALE_AFTER_DAYS`] ago. It changes with time, not content, so scoring also hashes it.
pub fn is_stale(
    posted_at: Option<DateTime<Utc>>,
    first_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    (now - posted_at.unwrap_or(first_seen_at)).num_days() > STALE_AFTER_DAYS
}

/// Pay below this share of the candidate's minimum is "clearly below": excluded.
const CLEARLY_BELOW: f64 = 0.8;

/// The Python version's classes, kept so Notion select options and queries keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FitClass {
    Good,
    Maybe,
    No,
}

impl FitClass {
    pub fn from_score(score: u8) -> FitClass {
        match score {
            75.. => FitClass::Good,
            60.. => FitClass::Maybe,
            _ => FitClass::No,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FitClass::Good => "Good",
            FitClass::Maybe => "Maybe",
            FitClass::No => "No",
        }
    }

    /// Reads `Good`, `maybe`, `NO`, …
    pub fn parse_loose(s: &str) -> Option<FitClass> {
        match s.trim().to_ascii_lowercase().as_str() {
            "good" => Some(FitClass::Good),
            "maybe" => Some(FitClass::Maybe),
            "no" => Some(FitClass::No),
            _ => None,
        }
    }
}

/// How rare each skill is among the stored jobs: rarer skills weigh more (inverse
/// document frequency), so matching `rust` says more than matching `git`.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillWeights {
    idf: HashMap<Skill, f64>,
    unseen: f64,
}

/// Every skill weighs the same (no stored jobs to learn rarity from).
impl Default for SkillWeights {
    fn default() -> Self {
        SkillWeights {
            idf: HashMap::new(),
            unseen: 1.0,
        }
    }
}

impl SkillWeights {
    /// From how many of `documents` jobs mention each skill.
    pub fn from_frequencies<'a>(
        documents: u64,
        frequencies: impl IntoIterator<Item = (&'a Skill, u64)>,
    ) -> SkillWeights {
        let n = documents as f64;
        let idf = |df: u64| ((n + 1.0) / (df as f64 + 1.0)).ln() + 1.0;
        SkillWeights {
            idf: frequencies
                .into_iter()
                .map(|(skill, df)| (skill.clone(), idf(df)))
                .collect(),
            unseen: idf(0),
        }
    }

    pub fn weight(&self, skill: &Skill) -> f64 {
        self.idf.get(skill).copied().unwrap_or(self.unseen)
    }
}

/// What the scorer reads of one job. `text_lower` is the title and description lowercased
/// once per job, shared by every profile.
#[derive(Debug, Clone)]
pub struct JobFacts<'a> {
    pub title: &'a str,
    pub company: Option<&'a str>,
    pub company_slug: &'a str,
    pub location: Option<&'a str>,
    pub workplace: Option<WorkplaceType>,
    pub text_lower: &'a str,
    pub closed: bool,
    pub posted_at: Option<DateTime<Utc>>,
    pub first_seen_at: DateTime<Utc>,
    pub analysis: &'a JobAnalysis,
    pub salary: Option<&'a Salary>,
}

/// One weighted part of the score, as shown by `explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitPart {
    pub name: String,
    pub points: f64,
    pub max: f64,
    pub note: String,
}

/// Why a job got its score.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FitReasons {
    pub parts: Vec<FitPart>,
    pub matched_skills: Vec<Skill>,
    /// Skills the job asks for that the profile does not show, most weighty first.
    pub missing_skills: Vec<Skill>,
    pub missing_must_haves: Vec<Skill>,
    pub title_match: Option<String>,
    pub location_verdict: String,
    pub salary_verdict: String,
    /// What the first hard rule that excluded the job found.
    pub excluded_because: Option<String>,
    /// Where each matched and missing skill came from, when an LLM's skills were used.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skill_origins: BTreeMap<Skill, SkillOrigin>,
    /// The model whose skills were used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_model: Option<String>,
}

/// The fit of one (profile, job) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub score: u8,
    pub class: FitClass,
    /// `excluded:<rule>` for hard rules; named soft penalties otherwise.
    pub flags: Vec<String>,
    pub reasons: FitReasons,
}

impl Fit {
    /// One line: the class, what matched, and what weighed against.
    pub fn why(&self) -> String {
        if let Some(rule) = self.flags.iter().find(|f| f.starts_with("excluded:")) {
            return match &self.reasons.excluded_because {
                Some(detail) => format!("{rule}: {detail}"),
                None => rule.clone(),
            };
        }
        let mut out = Vec::new();
        let r = &self.reasons;
        if !r.matched_skills.is_empty() {
            let names: Vec<&str> = r.matched_skills.iter().take(4).map(Skill::as_str).collect();
            out.push(format!("skills {}", names.join(", ")));
        }
        if let Some(title) = &r.title_match {
            out.push(format!("title ~ {title}"));
        }
        out.push(r.location_verdict.clone());
        out.push(r.salary_verdict.clone());
        if !r.missing_must_haves.is_empty() {
            let names: Vec<&str> = r.missing_must_haves.iter().map(Skill::as_str).collect();
            out.push(format!("lacks {}", names.join(", ")));
        }
        out.join("; ")
    }
}

/// `needle` in `haystack` (both lowercase) starting and ending at word boundaries.
pub fn contains_phrase(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !is_word(before) && !is_word(after)
    })
}

fn rank(s: Seniority) -> i32 {
    s as i32
}

struct Scored {
    points: f64,
    note: String,
}

fn skills_part(
    profile: &ProfileModel,
    job: &JobAnalysis,
    weights: &SkillWeights,
) -> (Scored, FitReasons, Vec<String>) {
    let own: BTreeSet<&Skill> = profile.own_skills().collect();
    let weight = |s: &Skill| {
        let must = if profile.must_have.contains(s) {
            3.0
        } else {
            1.0
        };
        weights.weight(s) * must
    };
    let required: BTreeSet<&Skill> = job.required.iter().chain(&job.title_skills).collect();
    let nice: Vec<&Skill> = job
        .nice_to_have
        .iter()
        .filter(|s| !required.contains(s))
        .collect();
    let mut total = 0.0;
    let mut matched_weight = 0.0;
    let mut matched: Vec<(&Skill, f64)> = Vec::new();
    let mut missing: Vec<(&Skill, f64)> = Vec::new();
    for (skill, share) in required
        .iter()
        .map(|s| (*s, 1.0))
        .chain(nice.iter().map(|s| (*s, 0.5)))
    {
        let w = weight(skill) * share;
        total += w;
        if own.contains(skill) {
            matched_weight += w;
            matched.push((skill, w));
        } else if share == 1.0 {
            missing.push((skill, w));
        }
    }
    let by_weight = |v: &mut Vec<(&Skill, f64)>| {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    };
    by_weight(&mut matched);
    by_weight(&mut missing);
    let mut flags = Vec::new();
    let missing_must: Vec<Skill> = profile
        .must_have
        .iter()
        .filter(|s| !required.contains(s) && !job.nice_to_have.contains(*s))
        .cloned()
        .collect();
    for s in &missing_must {
        flags.push(format!("missing_must_have:{s}"));
    }
    let (points, note) = if total == 0.0 {
        flags.push("no_skills_detected".into());
        (0.0, "no skills found in the posting".to_string())
    } else {
        let coverage = matched_weight / total;
        // A job asking for one skill the candidate has is weaker evidence than one asking
        // for five: damp coverage until three skills match. Increasing in every match.
        let evidence = 0.6 + 0.4 * (matched.len().min(3) as f64 / 3.0);
        let penalty = 0.6_f64.powi(i32::try_from(missing_must.len()).unwrap_or(i32::MAX));
        (
            SKILLS_MAX * coverage * evidence * penalty,
            format!(
                "{} of {} skills, {:.0}% of their weight",
                matched.len(),
                required.len() + nice.len(),
                coverage * 100.0
            ),
        )
    };
    let reasons = FitReasons {
        matched_skills: matched.into_iter().map(|(s, _)| s.clone()).collect(),
        missing_skills: missing
            .into_iter()
            .take(8)
            .map(|(s, _)| s.clone())
            .collect(),
        missing_must_haves: missing_must,
        ..FitReasons::default()
    };
    (Scored { points, note }, reasons, flags)
}

/// Role words every title shares: on their own they say nothing about the job.
const GENERIC_TITLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "manager",
    "specialist",
    "lead",
    "head",
    "consultant",
    "architect",
    "analyst",
    "officer",
    "associate",
    "expert",
];

/// The share of a target title's words the job title has. A target that has specific
/// words ("backend", "platform") matches only through them, so "iOS Engineer" shares
/// nothing with "platform engineer"; the generic role word then completes a match.
fn title_overlap(target: &[String], job_terms: &BTreeSet<&str>) -> f64 {
    let generic = |w: &str| GENERIC_TITLE_WORDS.contains(&w);
    let specific: Vec<&str> = target
        .iter()
        .map(String::as_str)
        .filter(|w| !generic(w))
        .collect();
    let has = |w: &&str| job_terms.contains(*w);
    if specific.is_empty() {
        let hit = target.iter().map(String::as_str).filter(|w| has(w)).count();
        return hit as f64 / target.len().max(1) as f64;
    }
    if !specific.iter().any(has) {
        return 0.0;
    }
    let hit = target.iter().map(String::as_str).filter(|w| has(w)).count();
    hit as f64 / target.len() as f64
}

fn title_part(profile: &ProfileModel, job: &JobAnalysis) -> (Scored, Option<String>) {
    if profile.target_titles.is_empty() {
        return (
            Scored {
                points: TITLE_MAX / 2.0,
                note: "no target titles".into(),
            },
            None,
        );
    }
    let job_terms: BTreeSet<&str> = job.title_terms.iter().map(String::as_str).collect();
    let best = profile
        .target_titles
        .iter()
        .map(|target| (title_overlap(target, &job_terms), target))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((ratio, target)) if ratio > 0.0 => (
            Scored {
                points: TITLE_MAX * ratio,
                note: format!("{:.0}% of \"{}\"", ratio * 100.0, target.join(" ")),
            },
            Some(target.join(" ")),
        ),
        _ => (
            Scored {
                points: 0.0,
                note: "no target title matches".into(),
            },
            None,
        ),
    }
}

fn seniority_part(profile: &ProfileModel, job: &JobAnalysis, flags: &mut Vec<String>) -> Scored {
    let mut scored = match (profile.seniority, job.seniority) {
        (Some(p), Some(j)) => match (rank(j) - rank(p)).abs() {
            0 => Scored {
                points: SENIORITY_MAX,
                note: format!("{} as wanted", j.as_str()),
            },
            1 => Scored {
                points: SENIORITY_MAX / 2.0,
                note: format!("{} vs {}", j.as_str(), p.as_str()),
            },
            _ => {
                flags.push("seniority_mismatch".into());
                Scored {
                    points: 0.0,
                    note: format!("{} vs {}", j.as_str(), p.as_str()),
                }
            }
        },
        _ => Scored {
            points: SENIORITY_MAX * 0.6,
            note: "level not stated".into(),
        },
    };
    if let (Some(asked), Some(has)) = (job.years_required, profile.years_experience)
        && asked > has.saturating_add(2)
    {
        flags.push("years_above_experience".into());
        scored.points = (scored.points - 3.0).max(0.0);
        scored.note.push_str(&format!("; asks {asked} years"));
    }
    scored
}

/// Location and remote fit; `Err` carries the hard rule when remote is required and the job
/// is on site elsewhere.
fn location_part(
    profile: &ProfileModel,
    job: &JobFacts<'_>,
    flags: &mut Vec<String>,
) -> Result<Scored, String> {
    let location = job.location.unwrap_or_default().to_lowercase();
    let remote = job.workplace == Some(WorkplaceType::Remote)
        || (job.workplace.is_none() && contains_phrase(&location, "remote"));
    let on_site = matches!(
        job.workplace,
        Some(WorkplaceType::OnSite | WorkplaceType::Hybrid)
    );
    let places: Vec<&str> = profile
        .locations
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with("remote"))
        .collect();
    let in_place = places.iter().any(|p| contains_phrase(&location, p));
    let known = remote || on_site || !location.is_empty();
    let (points, note) = match profile.remote {
        _ if remote => (LOCATION_MAX, "remote".to_string()),
        RemotePreference::Required if on_site && !in_place => {
            return Err(format!(
                "on site in {}",
                job.location.unwrap_or("an unknown place")
            ));
        }
        RemotePreference::Required if in_place => (8.0, format!("{location}, not remote")),
        RemotePreference::Required => (3.0, "may not be remote".into()),
        _ if in_place => {
            let pts = if profile.remote == RemotePreference::Preferred {
                11.0
            } else {
                LOCATION_MAX
            };
            (pts, location.clone())
        }
        _ if !known => (8.0, "location not stated".into()),
        _ if places.is_empty() => (10.0, location.clone()),
        _ if on_site => {
            // On site in a place the candidate did not name: it means moving, which
            // weighs more than a missing part of the location score.
            flags.push("location_mismatch".into());
            (-10.0, format!("{location}, on site outside your locations"))
        }
        _ => {
            flags.push("location_mismatch".into());
            (2.0, format!("{location}, outside your locations"))
        }
    };
    Ok(Scored { points, note })
}

fn annual_usd(amount: f64, currency: &str) -> Option<f64> {
    usd_per_unit(currency).map(|rate| amount * rate)
}

/// Salary fit; `Err` carries the hard rule when pay is clearly below the minimum.
fn salary_part(
    profile: &ProfileModel,
    salary: Option<&Salary>,
    flags: &mut Vec<String>,
) -> Result<Scored, String> {
    let Some(salary) = salary else {
        flags.push("missing_salary".into());
        return Ok(Scored {
            points: SALARY_MAX / 2.0,
            note: "salary not stated".into(),
        });
    };
    let Some(min) = &profile.min_salary else {
        return Ok(Scored {
            points: SALARY_MAX * 0.8,
            note: salary.display.clone(),
        });
    };
    let offered = annual_usd(salary.annual_max, &salary.currency);
    let wanted = annual_usd(min.annual(), &min.currency);
    let (Some(offered), Some(wanted)) = (offered, wanted) else {
        return Ok(Scored {
            points: SALARY_MAX / 2.0,
            note: format!("{} (currency not comparable)", salary.display),
        });
    };
    if offered >= wanted {
        Ok(Scored {
            points: SALARY_MAX,
            note: format!("{} meets your minimum", salary.display),
        })
    } else if offered >= wanted * CLEARLY_BELOW {
        flags.push("salary_below_minimum".into());
        Ok(Scored {
            points: SALARY_MAX * 0.4,
            note: format!("{} just below your minimum", salary.display),
        })
    } else {
        Err(format!("{} below your minimum", salary.display))
    }
}

/// Scores one job for one profile. Deterministic: the same inputs give the same fit.
pub fn score(
    profile: &ProfileModel,
    job: &JobFacts<'_>,
    weights: &SkillWeights,
    now: DateTime<Utc>,
) -> Fit {
    let mut flags = Vec::new();
    // (flag, what was found), in the order the rules are checked.
    let mut excluded: Vec<(&str, String)> = Vec::new();
    if job.closed {
        excluded.push(("excluded:closed", "the posting is closed".into()));
    }
    let company = job.company.unwrap_or_default().to_lowercase();
    if let Some(c) = profile
        .exclude_companies
        .iter()
        .find(|c| **c == company || *c == job.company_slug)
    {
        excluded.push(("excluded:company", c.clone()));
    }
    if let Some(k) = profile
        .exclude_keywords
        .iter()
        .find(|k| contains_phrase(job.text_lower, k))
    {
        excluded.push(("excluded:keyword", format!("\"{k}\"")));
    }
    let (skills, mut reasons, skill_flags) = skills_part(profile, job.analysis, weights);
    flags.extend(skill_flags);
    let (title, title_match) = title_part(profile, job.analysis);
    let seniority = seniority_part(profile, job.analysis, &mut flags);
    let location = location_part(profile, job, &mut flags).unwrap_or_else(|verdict| {
        excluded.push(("excluded:remote_required", verdict.clone()));
        Scored {
            points: 0.0,
            note: verdict,
        }
    });
    let salary = salary_part(profile, job.salary, &mut flags).unwrap_or_else(|verdict| {
        excluded.push(("excluded:salary_below_minimum", verdict.clone()));
        Scored {
            points: 0.0,
            note: verdict,
        }
    });
    let mut penalty = 0.0;
    if is_stale(job.posted_at, job.first_seen_at, now) {
        flags.push("stale_posting".into());
        penalty += 5.0;
    }
    reasons.title_match = title_match;
    reasons.location_verdict = location.note.clone();
    reasons.salary_verdict = salary.note.clone();
    let parts = [
        ("skills", skills, SKILLS_MAX),
        ("title", title, TITLE_MAX),
        ("seniority", seniority, SENIORITY_MAX),
        ("location", location, LOCATION_MAX),
        ("salary", salary, SALARY_MAX),
    ];
    let total: f64 = parts.iter().map(|(_, s, _)| s.points).sum::<f64>() - penalty;
    reasons.parts = parts
        .into_iter()
        .map(|(name, s, max)| FitPart {
            name: name.into(),
            points: (s.points * 10.0).round() / 10.0,
            max,
            note: s.note,
        })
        .collect();
    let score = if excluded.is_empty() {
        total.clamp(0.0, 100.0).round() as u8
    } else {
        0
    };
    reasons.excluded_because = excluded.first().map(|(_, detail)| detail.clone());
    let mut all_flags: Vec<String> = excluded.iter().map(|(f, _)| f.to_string()).collect();
    all_flags.extend(flags);
    Fit {
        score,
        class: FitClass::from_score(score),
        flags: all_flags,
        reasons,
    }
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
