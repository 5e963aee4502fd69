//! What the scorer knows of a candidate: the CV's analysis merged with their preferences.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::analysis::{CvAnalysis, Seniority, title_terms};
use super::skills::{Skill, Vocabulary};
use crate::domain::salary::PayPeriod;

/// How the candidate wants to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemotePreference {
    /// Remote only: an on-site or hybrid job outside the candidate's locations is excluded.
    Required,
    /// Remote first, on-site in the candidate's locations is fine.
    Preferred,
    #[default]
    Any,
    /// On-site is welcome.
    OnsiteOk,
}

impl RemotePreference {
    pub fn as_str(self) -> &'static str {
        match self {
            RemotePreference::Required => "required",
            RemotePreference::Preferred => "preferred",
            RemotePreference::Any => "any",
            RemotePreference::OnsiteOk => "onsite_ok",
        }
    }
}

/// The lowest pay the candidate considers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinSalary {
    pub amount: f64,
    /// ISO 4217, uppercase.
    pub currency: String,
    pub period: PayPeriod,
}

impl MinSalary {
    pub fn annual(&self) -> f64 {
        self.amount * self.period.per_year()
    }
}

/// Everything the scorer reads about one profile. Built once per profile and scoring run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProfileModel {
    /// Skills the CV shows.
    pub cv_skills: BTreeSet<Skill>,
    /// Skills the candidate insists on: a job without them scores lower and is flagged.
    pub must_have: BTreeSet<Skill>,
    /// Skills the candidate would like to use: they count as the candidate's own.
    pub nice_to_have: BTreeSet<Skill>,
    /// Target titles as lowercase word lists without seniority words (preferences, else
    /// the CV's titles), normalized as job titles are.
    pub target_titles: Vec<Vec<String>>,
    pub seniority: Option<Seniority>,
    pub years_experience: Option<u8>,
    /// Lowercase place names ("berlin", "remote (eu)").
    pub locations: Vec<String>,
    pub remote: RemotePreference,
    pub min_salary: Option<MinSalary>,
    /// Lowercase phrases; a job whose title or text contains one is excluded.
    pub exclude_keywords: Vec<String>,
    /// Lowercase company names or slugs.
    pub exclude_companies: Vec<String>,
}

/// A profile's preferences in plain terms, as its `profile.toml` states them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreferenceTerms<'a> {
    pub target_titles: &'a [String],
    pub seniority: Option<Seniority>,
    pub locations: &'a [String],
    pub remote: RemotePreference,
    pub min_salary: Option<MinSalary>,
    pub must_have: &'a [String],
    pub nice_to_have: &'a [String],
    pub exclude_keywords: &'a [String],
    pub exclude_companies: &'a [String],
}

/// A skill term from the preferences: the vocabulary's canonical skill when it knows the
/// term, else the term itself (lowercase), so an unknown must-have is still asked for.
fn skill_term(vocab: &Vocabulary, term: &str) -> Option<Skill> {
    let term = term.trim();
    if term.is_empty() {
        return None;
    }
    vocab
        .normalize(term)
        .or_else(|| vocab.find(term).into_iter().next().map(|hit| hit.skill))
}

impl ProfileModel {
    /// Merges the CV's analysis with the preferences; preferences win where both speak.
    /// Preference skills the vocabulary does not know are dropped and returned, so the
    /// caller can tell the user (`profiles analyze`).
    pub fn build(
        vocab: &Vocabulary,
        cv: &CvAnalysis,
        prefs: &PreferenceTerms<'_>,
    ) -> (ProfileModel, Vec<String>) {
        let mut unknown = Vec::new();
        let mut skills = |terms: &[String]| -> BTreeSet<Skill> {
            terms
                .iter()
                .filter_map(|t| {
                    let found = skill_term(vocab, t);
                    if found.is_none() && !t.trim().is_empty() {
                        unknown.push(t.trim().to_string());
                    }
                    found
                })
                .collect()
        };
        let must_have = skills(prefs.must_have);
        let nice_to_have = skills(prefs.nice_to_have);
        let titles: Vec<Vec<String>> = if prefs.target_titles.is_empty() {
            cv.titles.iter().map(|t| title_terms(t)).collect()
        } else {
            prefs.target_titles.iter().map(|t| title_terms(t)).collect()
        };
        let model = ProfileModel {
            cv_skills: cv.skills.iter().map(|e| e.skill.clone()).collect(),
            must_have,
            nice_to_have,
            target_titles: titles.into_iter().filter(|t| !t.is_empty()).collect(),
            seniority: prefs.seniority.or(cv.seniority),
            years_experience: cv.years_experience,
            locations: prefs
                .locations
                .iter()
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect(),
            remote: prefs.remote,
            min_salary: prefs.min_salary.clone(),
            exclude_keywords: prefs
                .exclude_keywords
                .iter()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty())
                .collect(),
            exclude_companies: prefs
                .exclude_companies
                .iter()
                .map(|c| c.trim().to_lowercase())
                .filter(|c| !c.is_empty())
                .collect(),
        };
        (model, unknown)
    }

    /// Every skill that counts as the candidate's.
    pub fn own_skills(&self) -> impl Iterator<Item = &Skill> {
        self.cv_skills
            .iter()
            .chain(&self.must_have)
            .chain(&self.nice_to_have)
    }
}
