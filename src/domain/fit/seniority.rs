//! Seniority levels and the loose title words that name them ("Sr.", "Lead", "Engineer III").

use serde::{Deserialize, Serialize};

/// A career level, ordered from least to most senior.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seniority {
    Intern,
    Junior,
    Mid,
    Senior,
    Staff,
    Principal,
}

/// Multi-word spellings, checked before single words so "entry level" is not read word by word.
const PHRASES: [(&str, &str, Seniority); 8] = [
    ("entry", "level", Seniority::Junior),
    ("new", "grad", Seniority::Junior),
    ("new", "graduate", Seniority::Junior),
    ("mid", "level", Seniority::Mid),
    ("working", "student", Seniority::Intern),
    ("co", "op", Seniority::Intern),
    ("tech", "lead", Seniority::Senior),
    ("team", "lead", Seniority::Senior),
];

fn word(w: &str) -> Option<Seniority> {
    Some(match w {
        "intern" | "internship" | "trainee" | "apprentice" | "apprenticeship" | "werkstudent" => {
            Seniority::Intern
        }
        "junior" | "jr" | "jnr" | "graduate" | "grad" | "entry" => Seniority::Junior,
        "mid" | "midlevel" | "intermediate" | "medior" | "ii" => Seniority::Mid,
        "senior" | "sr" | "snr" | "lead" | "iii" => Seniority::Senior,
        "staff" | "iv" => Seniority::Staff,
        "principal" | "distinguished" | "fellow" => Seniority::Principal,
        _ => return None,
    })
}

/// Lowercase words of a title, split on anything but letters and digits ("Sr." → "sr").
pub(crate) fn title_words(title: &str) -> Vec<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The highest level named in `words`, and which words name a level.
///
/// A lone "I" counts (as junior) only as the last word ("Software Engineer I"), since elsewhere
/// it is the pronoun.
pub(crate) fn scan(words: &[String]) -> (Option<Seniority>, Vec<bool>) {
    let mut found = None;
    let mut mask = vec![false; words.len()];
    let mut i = 0;
    while i < words.len() {
        let next = words.get(i + 1).map(String::as_str);
        let phrase = PHRASES
            .iter()
            .find(|(a, b, _)| words[i] == *a && next == Some(*b));
        let (level, width) = match phrase {
            Some(&(_, _, level)) => (Some(level), 2),
            None if words[i] == "i" && i + 1 == words.len() && i > 0 => {
                (Some(Seniority::Junior), 1)
            }
            None => (word(&words[i]), 1),
        };
        if level.is_some() {
            mask[i..i + width].iter_mut().for_each(|m| *m = true);
            found = found.max(level);
        }
        i += width;
    }
    (found, mask)
}

impl Seniority {
    /// Every level, least senior first.
    pub const ALL: [Seniority; 6] = [
        Seniority::Intern,
        Seniority::Junior,
        Seniority::Mid,
        Seniority::Senior,
        Seniority::Staff,
        Seniority::Principal,
    ];

    /// The lowercase name used in serialized data.
    pub fn as_str(self) -> &'static str {
        match self {
            Seniority::Intern => "intern",
            Seniority::Junior => "junior",
            Seniority::Mid => "mid",
            Seniority::Senior => "senior",
            Seniority::Staff => "staff",
            Seniority::Principal => "principal",
        }
    }

    /// One level word or phrase as people write it: "Sr.", "jr", "entry-level", "Lead", "III".
    /// `None` unless the whole input names a level.
    pub fn parse_loose(s: &str) -> Option<Seniority> {
        let words = title_words(s);
        let (level, mask) = scan(&words);
        let whole = !words.is_empty() && mask.iter().all(|&m| m);
        level.filter(|_| whole)
    }

    /// The highest level named anywhere in a job title: "Senior Staff Engineer" → staff.
    pub fn from_title(title: &str) -> Option<Seniority> {
        scan(&title_words(title)).0
    }

    /// A level implied by years of experience alone: 0–1 junior, 2–4 mid, 5+ senior.
    /// Never staff or principal: those name a scope of work that tenure does not show.
    pub fn from_years(years: u8) -> Seniority {
        match years {
            0..=1 => Seniority::Junior,
            2..=4 => Seniority::Mid,
            _ => Seniority::Senior,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Seniority::{self, *};

    #[test]
    fn parses_loose_level_words() {
        for (text, want) in [
            ("Sr.", Some(Senior)),
            ("senior", Some(Senior)),
            ("Lead", Some(Senior)),
            ("staff", Some(Staff)),
            ("Principal", Some(Principal)),
            ("jr", Some(Junior)),
            ("Entry-Level", Some(Junior)),
            ("graduate", Some(Junior)),
            ("III", Some(Senior)),
            ("mid-level", Some(Mid)),
            ("intern", Some(Intern)),
            ("I", None),
            ("senior engineer", None),
            ("", None),
        ] {
            assert_eq!(Seniority::parse_loose(text), want, "{text:?}");
        }
    }

    #[test]
    fn reads_seniority_from_titles() {
        for (title, want) in [
            ("Senior Backend Engineer", Some(Senior)),
            ("Sr. Software Engineer (Go/Kubernetes)", Some(Senior)),
            ("Staff Software Engineer, Platform", Some(Staff)),
            ("Senior Staff Engineer", Some(Staff)),
            ("Principal Data Scientist", Some(Principal)),
            ("Junior Frontend Developer", Some(Junior)),
            ("Jr. Data Analyst", Some(Junior)),
            ("Entry Level Software Engineer", Some(Junior)),
            ("New Grad Software Engineer 2026", Some(Junior)),
            ("Software Engineer II", Some(Mid)),
            ("Software Engineer III - Payments", Some(Senior)),
            ("Software Engineer I", Some(Junior)),
            ("Tech Lead, Data Platform", Some(Senior)),
            ("Mid-Level Product Designer", Some(Mid)),
            ("Software Engineering Intern (Summer 2026)", Some(Intern)),
            ("Working Student Data Engineering", Some(Intern)),
            ("Backend Engineer", None),
            ("Head of Engineering", None),
            ("Staffing Coordinator", None),
        ] {
            assert_eq!(Seniority::from_title(title), want, "{title:?}");
        }
    }

    #[test]
    fn years_map_to_levels_without_inventing_staff() {
        let got: Vec<_> = [0, 1, 2, 4, 5, 9, 10, 30]
            .map(Seniority::from_years)
            .to_vec();
        assert_eq!(
            got,
            vec![Junior, Junior, Mid, Mid, Senior, Senior, Senior, Senior]
        );
        assert_eq!(
            Seniority::ALL.map(Seniority::as_str).join(","),
            "intern,junior,mid,senior,staff,principal"
        );
    }
}
