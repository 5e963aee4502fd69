//! Plain-text layout: lines, bullets, and section headings recognised by cue phrases.

use super::tokens::{FastMap, Kind, Token, UNKNOWN};

/// One line of a text, with its bullet marker removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// Byte offset of the line in the whole text.
    pub start: usize,
    pub end: usize,
    /// Byte offset of `content` in the whole text.
    pub content_start: usize,
    /// The line without bullet marker and surrounding whitespace.
    pub content: &'a str,
    pub bullet: bool,
}

const BULLETS: [char; 11] = ['-', '*', '•', '·', '–', '—', '▪', '►', '✓', '○', '◦'];

/// The line without bullet marker and surrounding whitespace, and where that starts in `raw`.
fn strip_bullet(raw: &str) -> (usize, &str, bool) {
    let s = raw.trim();
    let lead = raw.len() - raw.trim_start().len();
    let marker = s
        .strip_prefix(BULLETS)
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .or_else(|| {
            // Numbered items: "1. ", "2) ".
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
            let rest = s.get(digits..)?.strip_prefix(['.', ')'])?;
            ((1..=2).contains(&digits) && rest.starts_with(char::is_whitespace)).then_some(rest)
        });
    match marker {
        Some(rest) => {
            let content = rest.trim_start();
            (lead + s.len() - content.len(), content, true)
        }
        None => (lead, s, false),
    }
}

/// The lines of `text` with byte offsets; `\r\n` endings are handled.
pub(crate) fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split('\n') {
        let end = start + raw.len();
        let (offset, content, bullet) = strip_bullet(raw);
        out.push(Line {
            start,
            end,
            content_start: start + offset,
            content,
            bullet,
        });
        start = end + 1;
    }
    out
}

/// Words whose tokens flag a line for a closer look. Every vocabulary interns them, so their
/// token ids are known.
pub(crate) const YEAR_WORDS: [&str; 4] = ["year", "years", "yrs", "yr"];
/// A word of each nice-to-have remark ("a plus" → "plus"); a test checks that all are covered.
pub(crate) const REMARK_WORDS: [&str; 12] = [
    "nice",
    "plus",
    "bonus",
    "preferred",
    "ideally",
    "great",
    "desirable",
    "advantage",
    "advantageous",
    "required",
    "must",
    "optional",
];

/// Per line, what one pass over a text's tokens and skill mentions found, so the costlier
/// line readers (years, remarks, dates) only run where they can find something.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flags {
    pub skill: Vec<bool>,
    pub years: Vec<bool>,
    pub remark: Vec<bool>,
    /// A four-digit number, which a date range needs.
    pub dates: Vec<bool>,
}

/// `ids` are the token ids of `YEAR_WORDS` and `REMARK_WORDS`; `mentions` are skill spans.
pub(crate) fn flags(
    lines: &[Line<'_>],
    tokens: &[Token],
    mentions: impl Iterator<Item = usize>,
    (years, remarks): (&[u32], &[u32]),
) -> Flags {
    // Signal kind per token id (1 years, 2 remark): one load per token instead of list scans.
    const YEARS: u8 = 1;
    const REMARK: u8 = 2;
    let known = years.iter().chain(remarks).filter(|&&id| id != UNKNOWN);
    let mut signal = vec![0u8; known.max().map_or(0, |&id| id as usize + 1)];
    for (ids, kind) in [(years, YEARS), (remarks, REMARK)] {
        for &id in ids {
            if let Some(s) = signal.get_mut(id as usize) {
                *s |= kind;
            }
        }
    }
    let none = vec![false; lines.len()];
    let mut flags = Flags {
        skill: none.clone(),
        years: none.clone(),
        remark: none.clone(),
        dates: none,
    };
    let mut n = 0;
    for t in tokens {
        let kind = signal.get(t.id as usize).copied().unwrap_or(0);
        let dates = t.kind == Kind::Number && t.end - t.start == 4;
        if kind == 0 && !dates {
            continue;
        }
        // Tokens come in text order, so the line index only moves forward.
        while lines.get(n + 1).is_some_and(|l| l.start <= t.start) {
            n += 1;
        }
        let (Some(y), Some(r), Some(d)) = (
            flags.years.get_mut(n),
            flags.remark.get_mut(n),
            flags.dates.get_mut(n),
        ) else {
            continue;
        };
        *y |= kind & YEARS != 0;
        *r |= kind & REMARK != 0;
        *d |= dates;
    }
    for start in mentions {
        if let Some(flag) = flags.skill.get_mut(line_of(lines, start)) {
            *flag = true;
        }
    }
    flags
}

/// Index of the line containing byte `offset`.
pub(crate) fn line_of(lines: &[Line<'_>], offset: usize) -> usize {
    lines
        .partition_point(|l| l.start <= offset)
        .saturating_sub(1)
}

/// Lowercase words of `s` separated by spaces: letters, digits and apostrophes ("what's").
fn cue_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '\'' || c == '’' {
            out.push(if c == '’' {
                '\''
            } else {
                c.to_ascii_lowercase()
            });
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

/// Cue phrases ("nice to have", "what you'll need") indexed by first word, matched on whole
/// words: a few hash lookups per line however many cues there are.
#[derive(Debug, Default)]
pub(crate) struct Cues {
    by_first: FastMap<&'static str, Vec<Vec<&'static str>>>,
}

impl Cues {
    /// `phrases`: lowercase phrases separated by `|`, words by single spaces.
    pub(crate) fn new(phrases: &'static str) -> Cues {
        let mut by_first: FastMap<&'static str, Vec<Vec<&'static str>>> = FastMap::default();
        for phrase in phrases.split('|') {
            let words: Vec<&'static str> = phrase.split_whitespace().collect();
            if let Some(first) = words.first() {
                by_first.entry(*first).or_default().push(words);
            }
        }
        Cues { by_first }
    }

    /// Whether a cue starts among the first `lead + 1` of `words`.
    fn starts_within<'w>(
        &self,
        mut words: impl Iterator<Item = &'w str> + Clone,
        lead: usize,
    ) -> bool {
        for _ in 0..=lead {
            let rest = words.clone();
            let Some(first) = words.next() else {
                return false;
            };
            let matches = |cue: &Vec<&str>| {
                let mut rest = rest.clone();
                cue.iter().all(|c| rest.next() == Some(*c))
            };
            if self
                .by_first
                .get(first)
                .is_some_and(|cues| cues.iter().any(matches))
            {
                return true;
            }
        }
        false
    }

    /// Whether `text` contains a cue as whole words, ignoring case and punctuation.
    pub(crate) fn in_text(&self, text: &str) -> bool {
        self.starts_within(cue_text(text).split_whitespace(), usize::MAX)
    }
}

/// Words that may precede a heading's cue: "Key responsibilities", "Technical skills".
const QUALIFIERS: &str = "key basic minimum preferred our your the additional other main core \
    technical job desired required general professional work relevant selected personal soft hard \
    important";

/// What a line says about sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heading<S> {
    /// Not a heading.
    No,
    /// A heading matching a cue: starts section `S`.
    Cue(S),
    /// A "Label:" line without a known cue: ends the current section.
    Label,
}

/// Classifies a line as a heading: not a bullet, and either a short line opening with a cue, or a
/// "Label:" whose label is short (content may follow on the same line). A line without colon
/// that names a skill, or ends a sentence, is content ("Bonus if you know Rust."), not a heading.
/// The first matching cue table wins, so tables go from most to least specific.
pub(crate) fn heading<S: Copy>(
    line: &Line<'_>,
    tables: &[(Cues, S)],
    max_words: usize,
    names_skill: bool,
) -> Heading<S> {
    if line.bullet || line.content.is_empty() {
        return Heading::No;
    }
    let content = line
        .content
        .trim_matches(|c: char| matches!(c, '#' | '*' | '_' | '=') || c.is_whitespace());
    let (head, labelled) = match content.split_once(':') {
        Some((head, _)) => (head, true),
        None => (content, false),
    };
    let limit = if labelled { max_words + 4 } else { max_words };
    // Bounded: long paragraph lines are common and never headings.
    let count = head.split_whitespace().take(limit + 1).count();
    let sentence = !labelled && (names_skill || head.ends_with(['.', '!', '?']));
    if count == 0 || count > limit || sentence {
        return Heading::No;
    }
    let hay = cue_text(head);
    let words = hay.split_whitespace();
    // Without a colon, the cue must open the line, perhaps after a qualifier: "Key
    // responsibilities", "Work experience", but not "Annual bonus" or "Startup experience".
    let first = words.clone().next().unwrap_or_default();
    let qualified = !labelled && QUALIFIERS.split_ascii_whitespace().any(|q| q == first);
    let lead = if labelled { usize::MAX } else { 0 };
    let found = |cues: &Cues| {
        cues.starts_within(words.clone(), lead)
            || (qualified && cues.starts_within(words.clone().skip(1), 0))
    };
    match tables.iter().find(|(cues, _)| found(cues)) {
        Some(&(_, section)) => Heading::Cue(section),
        None if labelled && count <= 4 => Heading::Label,
        None => Heading::No,
    }
}

/// Labels every line with the section it belongs to: a heading's section lasts until the next
/// heading; `label` is used for "Label:" lines and `none` before the first heading.
/// `names_skill[i]` says whether line `i` mentions a skill.
pub(crate) fn label_lines<S: Copy>(
    lines: &[Line<'_>],
    names_skill: &[bool],
    tables: &[(Cues, S)],
    max_words: usize,
    (none, label): (S, S),
) -> Vec<S> {
    let mut current = none;
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let skill = names_skill.get(i).copied().unwrap_or(false);
            match heading(line, tables, max_words, skill) {
                Heading::Cue(s) => current = s,
                Heading::Label => current = label,
                Heading::No => {}
            }
            current
        })
        .collect()
}

/// Byte ranges of `text` (a line starting at `offset`) under a nice-to-have remark. Clauses split
/// at `;` and sentence ends; a remark in parentheses that names a skill itself
/// ("Go (Rust is a plus)") covers only the parentheses, otherwise it covers its clause
/// ("Kafka (a plus)").
pub(crate) fn remark_ranges(
    text: &str,
    offset: usize,
    cues: &Cues,
    has_hit: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut clause_start = 0;
    let bytes = text.as_bytes();
    for i in 0..=bytes.len() {
        let boundary = i == bytes.len()
            || bytes[i] == b';'
            || (matches!(bytes[i], b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace));
        if !boundary {
            continue;
        }
        let mut outside = String::new();
        let mut whole = false;
        let (mut rest, mut base) = (&text[clause_start..i], clause_start);
        while let Some(open) = rest.find('(') {
            let Some(close) = rest[open..].find(')').map(|c| open + c) else {
                break;
            };
            outside.push_str(&rest[..open]);
            let (a, b) = (offset + base + open, offset + base + close + 1);
            if cues.in_text(&rest[open..close]) {
                if has_hit(a, b) {
                    out.push((a, b));
                } else {
                    whole = true;
                }
            }
            base += close + 1;
            rest = &rest[close + 1..];
        }
        outside.push_str(rest);
        if whole || cues.in_text(&outside) {
            out.push((offset + clause_start, offset + i));
        }
        clause_start = (i + 1).min(bytes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bullets_and_keeps_offsets() {
        let text = "Intro\r\n  - Go\n• Rust\n2) Kafka\n-5 degrees";
        let got: Vec<_> = lines(text).iter().map(|l| (l.content, l.bullet)).collect();
        let want = [
            ("Intro", false),
            ("Go", true),
            ("Rust", true),
            ("Kafka", true),
            ("-5 degrees", false),
        ];
        assert_eq!(got, want);
        for l in lines(text) {
            assert_eq!(
                &text[l.content_start..l.content_start + l.content.len()],
                l.content
            );
        }
        assert_eq!(line_of(&lines(text), text.find("Rust").unwrap_or(0)), 2);
    }

    #[test]
    fn recognises_headings_by_cue_position_colon_and_content() {
        let tables = [
            (Cues::new("nice to have|bonus"), 1),
            (Cues::new("requirements"), 2),
        ];
        let head = |s: &str, skill: bool| heading(&lines(s)[0], &tables, 8, skill);
        assert_eq!(head("Nice-to-have", false), Heading::Cue(1));
        assert_eq!(head("## Requirements", false), Heading::Cue(2));
        assert_eq!(head("Bonus points if you have:", false), Heading::Cue(1));
        assert_eq!(head("Annual bonus", false), Heading::No);
        assert_eq!(head("Bonus if you know Rust", true), Heading::No);
        assert_eq!(head("- Requirements", false), Heading::No);
        assert_eq!(head("Location: Berlin", false), Heading::Label);
        assert_eq!(
            head("We are looking for people who like requirements.", false),
            Heading::No
        );
    }
}
