//! CV analysis: skills with evidence, job titles, years of experience, seniority, spoken languages.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::analysis::line_flags;
use super::sections::{self, Cues, Line, label_lines, line_of};
use super::seniority::Seniority;
use super::skills::{Skill, Vocabulary};
use super::years::{date_ranges, stated_years};

/// A skill the CV mentions, how often, and up to two short quotes (≤ 80 chars) showing where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillEvidence {
    pub skill: Skill,
    pub mentions: u32,
    pub evidence: Vec<String>,
}

/// What a CV shows about its candidate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CvAnalysis {
    /// Most mentioned first, then by name.
    pub skills: Vec<SkillEvidence>,
    /// Job titles in document order (CVs list the latest first), lowercase, deduplicated, ≤ 10.
    pub titles: Vec<String>,
    /// The larger of the years stated ("10+ years of experience") and the span from the earliest
    /// start to the latest end of work date ranges: stated figures are often per-skill minimums.
    pub years_experience: Option<u8>,
    /// The highest level in the two latest titles; else implied by `years_experience`.
    pub seniority: Option<Seniority>,
    /// Spoken languages (lowercase canonical names) named in a languages section or next to a
    /// proficiency word ("German (C1)", "fluent in French"), in document order.
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Experience,
    Education,
    Skills,
    Languages,
    Other,
}

const LANGUAGE_SKILLS: &str = "language skills|spoken languages|languages spoken";
const SKILLS: &str =
    "skills|programming languages|technologies|tech stack|competencies|tools|expertise";
const LANGUAGES: &str = "languages|language";
const EDUCATION: &str = "education|academic|degrees|certifications|certificates|courses|\
    training|publications|studies";
const EXPERIENCE: &str = "experience|employment|work history|career|positions";
const OTHER: &str = "summary|profile|about me|projects|interests|hobbies|references|contact|\
    awards|volunteering";

/// "Language skills" before "skills", and "programming languages" before "languages".
static TABLES: LazyLock<[(Cues, Part); 6]> = LazyLock::new(|| {
    [
        (Cues::new(LANGUAGE_SKILLS), Part::Languages),
        (Cues::new(SKILLS), Part::Skills),
        (Cues::new(LANGUAGES), Part::Languages),
        (Cues::new(EDUCATION), Part::Education),
        (Cues::new(EXPERIENCE), Part::Experience),
        (Cues::new(OTHER), Part::Other),
    ]
});
/// Words next to a language name that show it is spoken ("German (C1)", "fluent in French").
static PROFICIENCY_CUES: LazyLock<Cues> = LazyLock::new(|| Cues::new(PROFICIENCY));
/// Lines with these words hold degrees, whose date ranges are not work experience.
static EDUCATION_CUES: LazyLock<Cues> = LazyLock::new(|| Cues::new(EDUCATION_WORDS));

const PROFICIENCY: &str = "native|mother tongue|fluent|fluently|fluency|bilingual|proficient|\
    proficiency|business|conversational|basic|intermediate|advanced|working knowledge|\
    professional working|elementary|limited|a1|a2|b1|b2|c1|c2|speak|spoken|speaking";
const EDUCATION_WORDS: &str = "university|college|school|bachelor|bachelor's|master|master's|\
    bsc|msc|ba|ma|phd|degree|diploma|b sc|m sc|mba|thesis";
const ROLE_NOUNS: &str = "engineer developer programmer scientist analyst architect manager \
    designer consultant administrator lead director devops sre intern specialist researcher cto \
    ceo vp founder cofounder owner tester qa technician trainee freelancer contractor officer \
    student head president";
const SENTENCE_WORDS: &str = "i my we our a an the with using to for was is are were led built \
    developed worked managed responsible years";
const SEPARATORS: [&str; 12] = [
    " at ", " @ ", " — ", " – ", " - ", " | ", ",", "(", ")", "·", " / ", "\t",
];

fn has_word(list: &str, word: &str) -> bool {
    list.split_ascii_whitespace().any(|w| w == word)
}

/// A title-like piece of a line: ≤ 6 capitalised words with a role noun and no sentence words.
fn title_in(segment: &str) -> Option<String> {
    let seg = segment.trim_matches(|c: char| !c.is_alphanumeric());
    let words: Vec<String> = seg.split_whitespace().map(str::to_lowercase).collect();
    let capitalised = seg.chars().next().is_some_and(char::is_uppercase);
    let role = words.iter().enumerate().any(|(i, w)| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .replace('-', "");
        has_word(ROLE_NOUNS, &w) && (w != "head" || words.get(i + 1).is_some_and(|n| n == "of"))
    });
    let sentence = words.iter().any(|w| has_word(SENTENCE_WORDS, w));
    ((1..=6).contains(&words.len()) && capitalised && role && !sentence).then(|| words.join(" "))
}

fn title_of(line: &Line<'_>) -> Option<String> {
    if line.bullet || line.content.chars().count() > 100 {
        return None;
    }
    let mut segments = vec![line.content];
    for sep in SEPARATORS {
        segments = segments.iter().flat_map(|s| s.split(sep)).collect();
    }
    segments.into_iter().find_map(title_in)
}

/// A quote of at most 80 characters from `content` around the mention at char `at`.
fn snippet(content: &str, at: usize) -> String {
    let chars: Vec<char> = content.chars().collect();
    if chars.len() <= 80 {
        return content.to_string();
    }
    let from = at.saturating_sub(30).min(chars.len() - 80);
    let window: String = chars[from..from + 80].iter().collect();
    // Drop words cut in half at either end.
    let start = if from > 0 {
        window.find(' ').map_or(0, |i| i + 1)
    } else {
        0
    };
    let end = if from + 80 < chars.len() {
        window.rfind(' ').unwrap_or(window.len())
    } else {
        window.len()
    };
    window
        .get(start..end.max(start))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Analyses a plain-text CV. `current_year` stands in for "present" in date ranges.
pub fn analyze_cv(vocab: &Vocabulary, text: &str, current_year: i32) -> CvAnalysis {
    let lines = sections::lines(text);
    let tokens = vocab.tokens(text);
    let hits = vocab.skills_in(&tokens);
    let flags = line_flags(vocab, &lines, &tokens, &hits);
    let labels = label_lines(
        &lines,
        &flags.skill,
        &*TABLES,
        4,
        (Part::Other, Part::Other),
    );

    // Per skill id: mentions, and the first mentions on distinct lines (up to two) to quote.
    let mut found: BTreeMap<u32, (u32, Vec<usize>)> = BTreeMap::new();
    for (n, hit) in hits.iter().enumerate() {
        let (mentions, quoted) = found.entry(hit.id).or_default();
        *mentions += 1;
        let line = line_of(&lines, hit.start);
        if quoted.len() < 2
            && quoted
                .iter()
                .all(|&m| line_of(&lines, hits[m].start) != line)
        {
            quoted.push(n);
        }
    }
    let quote = |m: usize| {
        let line = &lines[line_of(&lines, hits[m].start)];
        let at = text
            .get(line.content_start..hits[m].start)
            .map_or(0, |s| s.chars().count());
        snippet(line.content, at)
    };
    let mut skills: Vec<SkillEvidence> = (found.into_iter())
        .filter_map(|(id, (mentions, quoted))| {
            let evidence = quoted.into_iter().map(quote).collect();
            Some(SkillEvidence {
                skill: vocab.skill(id)?,
                mentions,
                evidence,
            })
        })
        .collect();
    skills.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then_with(|| a.skill.cmp(&b.skill))
    });

    let mut titles: Vec<String> = Vec::new();
    let mut stated = None;
    let (mut first, mut last) = (None::<i32>, None::<i32>);
    for (n, (line, part)) in lines.iter().zip(&labels).enumerate() {
        if matches!(part, Part::Education | Part::Skills | Part::Languages) {
            continue;
        }
        if let Some(title) = title_of(line)
            && titles.len() < 10
            && !titles.contains(&title)
        {
            titles.push(title);
        }
        if flags.years[n] {
            stated = stated.max(stated_years(line.content).into_iter().max());
        }
        let ranges = if flags.dates[n] {
            date_ranges(line.content, current_year)
        } else {
            Vec::new()
        };
        if ranges.is_empty() || EDUCATION_CUES.in_text(line.content) {
            continue;
        }
        for (start, end) in ranges {
            first = Some(first.map_or(start, |f| f.min(start)));
            last = Some(last.map_or(end, |l| l.max(end)));
        }
    }
    let span = first.zip(last).and_then(|(f, l)| u8::try_from(l - f).ok());
    let years_experience = stated.max(span);
    let seniority = (titles.iter().take(2))
        .filter_map(|t| Seniority::from_title(t))
        .max()
        .or(years_experience.map(Seniority::from_years));

    let mut languages: Vec<String> = Vec::new();
    for (name, start) in vocab.languages_in(&tokens) {
        let n = line_of(&lines, start);
        let listed =
            labels.get(n) == Some(&Part::Languages) || PROFICIENCY_CUES.in_text(lines[n].content);
        if listed && !languages.iter().any(|l| l == name) {
            languages.push(name.to_string());
        }
    }

    CvAnalysis {
        skills,
        titles,
        years_experience,
        seniority,
        languages,
    }
}
