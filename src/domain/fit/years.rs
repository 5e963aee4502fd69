//! Years of experience: stated requirements ("5+ years of experience") and CV date ranges ("2015 – 2020").

/// Small numbers as postings spell them out ("five years"); position + 1 is the value.
const NUMBER_WORDS: [&str; 12] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];
const YEARS: &[&str] = &["years", "year", "yrs", "yr"];
const EXPERIENCE: &[&str] = &["experience", "experienced", "exp", "expertise"];
/// Words after "N years" that make it a duration of someone's work ("5 years of", "3 years building").
const WORK_NEXT: &[&str] = &[
    "of",
    "in",
    "as",
    "with",
    "working",
    "building",
    "developing",
    "professional",
    "hands",
    "industry",
    "commercial",
    "relevant",
    "production",
    "writing",
    "designing",
    "leading",
    "programming",
    "coding",
];
/// Words that make "N years" about something else: the company, a contract, a deadline.
const TRAPS: &[&str] = &[
    "ago",
    "old",
    "founded",
    "anniversary",
    "history",
    "established",
    "heritage",
    "combined",
    "collectively",
    "warranty",
];
/// Before the number only: "our company has 20 years of experience".
const TRAPS_BEFORE: &[&str] = &[
    "company", "founders", "founder", "business", "firm", "agency",
];
/// Right before the number: "in the next 2 years", "within 3 years".
const TIME_BEFORE: &[&str] = &[
    "in", "within", "after", "every", "first", "next", "past", "last", "per", "each",
];
const MINIMUM: &[&str] = &["least", "minimum", "min", "over"];

/// Words of a lowercase line as slices: letter/digit runs (with decimal points), `+`, `-` for
/// any dash, `|` for a sentence end.
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut prev = ' ';
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
        let decimal = c == '.' && prev.is_ascii_digit() && next_digit;
        prev = c;
        if c.is_alphanumeric() || decimal {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&line[s..i]);
        }
        match c {
            '+' => out.push("+"),
            '-' | '–' | '—' => out.push("-"),
            '.' | ';' | '!' | '?' => out.push("|"),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn number(word: &str) -> Option<u8> {
    let n = if word.starts_with(|c: char| c.is_ascii_digit()) {
        word.split('.').next()?.parse::<u8>().ok()?
    } else {
        let i = NUMBER_WORDS.iter().position(|w| *w == word)?;
        u8::try_from(i + 1).ok()?
    };
    (1..=40).contains(&n).then_some(n)
}

/// Minimum years of experience stated in a line: "5+ years", "at least 3 years of experience",
/// "3-5 years" (the lower bound). "Founded 10 years ago" and "in the next 2 years" are ignored:
/// a statement needs an experience word in its sentence, a "+", a range, "at least/minimum",
/// or a work word right after ("5 years of", "3 years building").
pub(crate) fn stated_years(line: &str) -> Vec<u8> {
    let lower = line.to_lowercase();
    let w = words(&lower);
    let is = |i: usize, list: &[&str]| w.get(i).is_some_and(|x| list.contains(x));
    let any = |words: &[&str], list: &[&str]| words.iter().any(|x| list.contains(x));
    let mut found = Vec::new();
    for i in 0..w.len() {
        let Some(n) = number(w[i]) else { continue };
        // The upper bound of a range ("3-5 years") is not a statement of its own.
        if i >= 2 && is(i - 1, &["-", "to"]) && number(w[i - 2]).is_some() {
            continue;
        }
        let mut j = i + 1;
        let mut strong = false;
        while is(j, &["+", "plus"]) {
            (j, strong) = (j + 1, true);
        }
        if is(j, &["-", "to"]) && w.get(j + 1).and_then(|m| number(m)).is_some_and(|m| m > n) {
            (j, strong) = (j + 2, true);
            while is(j, &["+"]) {
                j += 1;
            }
        }
        if !is(j, YEARS) {
            continue;
        }
        let from = w[..i].iter().rposition(|x| *x == "|").map_or(0, |p| p + 1);
        let to = w[j..]
            .iter()
            .position(|x| *x == "|")
            .map_or(w.len(), |p| j + p);
        let (sentence, before) = (&w[from..to], &w[from..i]);
        let trapped =
            any(sentence, TRAPS) || any(before, TRAPS_BEFORE) || (i > 0 && is(i - 1, TIME_BEFORE));
        let minimum = any(&before[before.len().saturating_sub(3)..], MINIMUM);
        if !trapped && (strong || minimum || any(sentence, EXPERIENCE) || is(j + 1, WORK_NEXT)) {
            found.push(n);
        }
    }
    found
}

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];
const PRESENT: &[&str] = &[
    "present",
    "current",
    "currently",
    "now",
    "today",
    "ongoing",
    "date",
];
const SEPARATORS: &[&str] = &["to", "until", "till", "through", "thru"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Year(i32),
    Present,
    /// A dash, or a range word; `glued` dashes sit between digits without spaces ("2019-03").
    Dash {
        glued: bool,
    },
    Since,
    /// Months and other parts of a date that a range may skip.
    Filler,
    Other,
}

fn items(line: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev = ' ';
    let chars: Vec<char> = line.chars().chain([' ']).collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() {
                let word = std::mem::take(&mut cur);
                out.push(match word.as_str() {
                    w if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) => {
                        w.parse().map_or(Item::Other, Item::Year)
                    }
                    w if w.len() <= 2 && w.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m)) => {
                        Item::Filler
                    }
                    w if MONTHS.contains(&w) => Item::Filler,
                    w if PRESENT.contains(&w) => Item::Present,
                    w if SEPARATORS.contains(&w) => Item::Dash { glued: false },
                    "since" => Item::Since,
                    _ => Item::Other,
                });
            }
            if matches!(c, '-' | '–' | '—' | '→') {
                let glued =
                    prev.is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
                out.push(Item::Dash { glued });
            }
        }
        prev = c;
    }
    out
}

/// Date ranges in a line as (start year, end year): "2015 – 2020", "03/2019 - present",
/// "Jan 2018 to Dec 2020", "2019-03 – 2021-11", "since 2020". "Present" is `current_year`;
/// ranges starting before 1950 or after `current_year` are ignored, ends are capped at it.
pub(crate) fn date_ranges(line: &str, current_year: i32) -> Vec<(i32, i32)> {
    let it = items(line);
    let mut out = Vec::new();
    let is_sep = |k: usize| match it.get(k) {
        Some(Item::Dash { glued: false }) => true,
        // "2015-2020" is a range; "2019-03" is a date.
        Some(Item::Dash { glued: true }) => {
            matches!(it.get(k.wrapping_sub(1)), Some(Item::Year(_)))
                && matches!(it.get(k + 1), Some(Item::Year(_)))
        }
        _ => false,
    };
    let skippable = |k: usize| {
        matches!(it.get(k), Some(Item::Filler))
            || (matches!(it.get(k), Some(Item::Dash { .. })) && !is_sep(k))
    };
    for (k, item) in it.iter().enumerate() {
        let Item::Year(start) = *item else { continue };
        let mut j = k + 1;
        let end = if k > 0 && it[k - 1] == Item::Since {
            Some(current_year)
        } else {
            while skippable(j) {
                j += 1;
            }
            if !is_sep(j) {
                continue;
            }
            j += 1;
            while skippable(j) {
                j += 1;
            }
            match it.get(j) {
                Some(Item::Year(y)) => Some(*y),
                Some(Item::Present) => Some(current_year),
                _ => None,
            }
        };
        if let Some(end) = end {
            let end = end.min(current_year);
            if (1950..=end).contains(&start) {
                out.push((start, end));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stated_years_and_skips_traps() {
        for (line, want) in [
            ("5+ years of experience with Go", vec![5]),
            (
                "At least 3 years of experience in backend development",
                vec![3],
            ),
            (
                "3-5 years of professional software engineering experience",
                vec![3],
            ),
            ("3–5 years building distributed systems", vec![3]),
            ("Minimum 4 years in a similar role", vec![4]),
            ("You have 7 years of hands-on experience", vec![7]),
            ("Experience: 2+ yrs", vec![2]),
            ("five years of experience with Python", vec![5]),
            ("2.5+ years of React", vec![2]),
            ("We were founded 10 years ago and have grown fast.", vec![]),
            ("Our company has 20 years of experience in retail.", vec![]),
            ("In the next 2 years you will lead the platform.", vec![]),
            ("A 2 years contract with option to extend", vec![]),
            (
                "Founded 12 years ago. 4+ years of experience required.",
                vec![4],
            ),
            ("Our 150-year-old bank", vec![]),
        ] {
            assert_eq!(stated_years(line), want, "{line:?}");
        }
    }

    #[test]
    fn reads_date_ranges() {
        for (line, want) in [
            ("2015 – 2020", vec![(2015, 2020)]),
            ("Acme GmbH, 03/2019 - present", vec![(2019, 2026)]),
            ("Jan 2018 to Dec 2020", vec![(2018, 2020)]),
            ("2019-03 – 2021-11", vec![(2019, 2021)]),
            ("2012-2014", vec![(2012, 2014)]),
            ("Since 2021", vec![(2021, 2026)]),
            ("(Mar 2010 — Current)", vec![(2010, 2026)]),
            ("Born in 1990, graduated 2012", vec![]),
            ("2024 – 2028 (expected)", vec![(2024, 2026)]),
            ("Revenue grew from 2000 to 1500 users", vec![]),
        ] {
            assert_eq!(date_ranges(line, 2026), want, "{line:?}");
        }
    }
}
