//! Deterministic analysis of job postings and CVs: skills by section, seniority, years, titles.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use super::cv::{CvAnalysis, SkillEvidence, analyze_cv};
use super::sections::{
    self, Cues, Flags, Line, REMARK_WORDS, YEAR_WORDS, flags, label_lines, line_of, remark_ranges,
};
use super::seniority;
pub use super::seniority::Seniority;
use super::skills::{Found, Skill, Vocabulary};
use super::tokens::Token;
use super::years::stated_years;

/// What a posting asks for, read from its title and plain-text description.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JobAnalysis {
    /// Skills in the title, in requirement-like or unlabelled text, or in any section other than
    /// nice-to-have and benefits-like ones.
    pub required: BTreeSet<Skill>,
    /// Skills mentioned only in nice-to-have sections or remarks ("Kafka is a plus").
    pub nice_to_have: BTreeSet<Skill>,
    pub title_skills: BTreeSet<Skill>,
    /// From the title only.
    pub seniority: Option<Seniority>,
    /// The largest minimum stated outside nice-to-have text ("5+ years", "3-5 years" → 3).
    pub years_required: Option<u8>,
    /// Lowercase title words without seniority words, stopwords, numbers and gender markers.
    pub title_terms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Counts as required: requirements, responsibilities, unlabelled text.
    Core,
    Nice,
    /// Benefits, compensation, application process: skills there are not asked for.
    Ignored,
}

// Heading cues by section kind: phrases separated by `|`, matched as whole lowercase words.
const IGNORED: &str = "benefits|perks|what we offer|we offer|our offer|compensation|salary|\
    pay range|equal opportunity|eeo|how to apply|application process|interview process|\
    hiring process|why join|why work|what's in it for you";
const NICE: &str = "nice to have|nice to haves|nice if|bonus|preferred|pluses|would be great|\
    great if|would be nice|desirable|desired|ideally|even better|extra credit|good to have|\
    optional|advantageous|stand out|not required|we'd love|we would love|love to see";
const REQUIRED: &str = "requirements|requirement|required|qualifications|what you'll need|\
    what you need|what you will need|what we need|must have|must haves|you have|you bring|\
    what you bring|what we're looking for|what we are looking for|looking for|who you are|\
    about you|your profile|profile|skills|your experience|tech stack|our stack|stack|\
    technologies|tools|essential|minimum|basic qualifications";
const NEUTRAL: &str = "responsibilities|what you'll do|what you will do|about the role|the role|\
    role|your mission|about us|who we are|the team|team|description|overview|summary|location|\
    day to day|your impact|in this role|the job|the position";
/// Remarks inside a line that make its clause nice-to-have.
const REMARKS: &str = "nice to have|a plus|big plus|huge plus|bonus|preferred|ideally|\
    would be great|would be nice|desirable|an advantage|advantageous|not required|not a must|\
    optional";

static TABLES: LazyLock<[(Cues, Part); 4]> = LazyLock::new(|| {
    [
        (Cues::new(IGNORED), Part::Ignored),
        (Cues::new(NICE), Part::Nice),
        (Cues::new(REQUIRED), Part::Core),
        (Cues::new(NEUTRAL), Part::Core),
    ]
});
static REMARK_CUES: LazyLock<Cues> = LazyLock::new(|| Cues::new(REMARKS));

/// Line flags for a text, with the signal words' ids looked up in `vocab`.
pub(crate) fn line_flags(
    vocab: &Vocabulary,
    lines: &[Line<'_>],
    tokens: &[Token],
    found: &[Found],
) -> Flags {
    let years = YEAR_WORDS.map(|w| vocab.word_id(w));
    let remarks = REMARK_WORDS.map(|w| vocab.word_id(w));
    flags(
        lines,
        tokens,
        found.iter().map(|f| f.start),
        (&years, &remarks),
    )
}

/// Analyses a posting. Headings are short non-bullet lines (or "Label:" lines) with a cue
/// phrase; a section lasts until the next heading. Deterministic: same input, same output.
pub fn analyze_job(vocab: &Vocabulary, title: &str, description: &str) -> JobAnalysis {
    let title_ids: BTreeSet<u32> = vocab.found(title).iter().map(|f| f.id).collect();
    let lines = sections::lines(description);
    let tokens = vocab.tokens(description);
    let hits = vocab.skills_in(&tokens);
    let flags = line_flags(vocab, &lines, &tokens, &hits);
    let labels = label_lines(&lines, &flags.skill, &*TABLES, 8, (Part::Core, Part::Core));

    let mut required = title_ids.clone();
    let mut nice = BTreeSet::new();
    let mut remarks: Vec<Option<Vec<(usize, usize)>>> = vec![None; lines.len()];
    for hit in &hits {
        let n = line_of(&lines, hit.start);
        match labels.get(n) {
            Some(Part::Ignored) => continue,
            Some(Part::Nice) => {
                nice.insert(hit.id);
                continue;
            }
            _ if !flags.remark[n] => {
                required.insert(hit.id);
                continue;
            }
            _ => {}
        }
        let line = &lines[n];
        let ranges = remarks[n].get_or_insert_with(|| {
            let text = &description[line.start..line.end];
            remark_ranges(text, line.start, &REMARK_CUES, |a, b| {
                hits.iter().any(|h| h.start >= a && h.end <= b)
            })
        });
        if ranges.iter().any(|&(a, b)| hit.start >= a && hit.end <= b) {
            nice.insert(hit.id);
        } else {
            required.insert(hit.id);
        }
    }
    let skills = |ids: &mut dyn Iterator<Item = &u32>| -> BTreeSet<Skill> {
        ids.filter_map(|&id| vocab.skill(id)).collect()
    };

    let years_required = (lines.iter().zip(&labels).zip(&flags.years))
        .filter(|&((_, part), &years)| years && *part == Part::Core)
        .filter_map(|((line, _), _)| {
            let years = stated_years(line.content);
            let remark = !years.is_empty() && REMARK_CUES.in_text(line.content);
            years.into_iter().max().filter(|_| !remark)
        })
        .max();

    JobAnalysis {
        nice_to_have: skills(&mut nice.difference(&required)),
        required: skills(&mut required.iter()),
        title_skills: skills(&mut title_ids.iter()),
        seniority: Seniority::from_title(title),
        years_required,
        title_terms: title_terms(title),
    }
}

const TITLE_STOPWORDS: [&str; 18] = [
    "and", "or", "of", "the", "a", "an", "for", "in", "at", "with", "to", "mwd", "mfd", "fmd",
    "wmd", "all", "genders", "gn",
];

/// Lowercase title words for title matching: "Sr. Backend Engineer (Go/Kubernetes) – m/w/d"
/// → ["backend", "engineer", "go", "kubernetes"]. Symbols inside words stay ("c++", "node.js").
pub fn title_terms(title: &str) -> Vec<String> {
    let words: Vec<String> = title
        .split(|c: char| c.is_whitespace() || ",()[]{}|:;!?/-–—\"'’".contains(c))
        .map(|w| w.trim_start_matches(|c: char| !(c.is_alphanumeric() || c == '.')))
        .map(|w| w.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#')))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let (_, levels) = seniority::scan(&words);
    let mut out: Vec<String> = Vec::new();
    for (word, level) in words.into_iter().zip(levels) {
        let letter = word.chars().count() == 1 && word.chars().all(|c| c.is_ascii_alphabetic());
        let number = word.chars().all(|c| c.is_ascii_digit());
        if !(level
            || letter
            || number
            || TITLE_STOPWORDS.contains(&word.as_str())
            || out.contains(&word))
        {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
