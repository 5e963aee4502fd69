//! Salary figures in free text: amounts with their currency and period, skipping money that is not pay.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    PayPeriod, SYMBOLS, Salary, SalaryProvenance, USD_PER_UNIT, currency_code, period_word,
};

/// Longer text is a whole description, where a lone figure with no cue word, period or range is
/// more often a budget or a price than pay; a `salary_text` field is shorter than this.
const SHORT_TEXT_CHARS: usize = 200;
/// How far before a figure a cue word, a trap word or a period adjective still speaks about it.
const BEFORE_CHARS: usize = 80;
/// How far after a figure its period, its cue (`base salary`) or its trap (`in equity`) is written.
const AFTER_CHARS: usize = 40;
/// A period phrase further after the figure than this belongs to something else.
const PERIOD_REACH: usize = 25;
/// Range ends further apart than this are two unrelated figures (`$120,000 and $10,000`).
const MAX_RANGE_RATIO: f64 = 10.0;
/// Longest run of digit groups read as one number; beyond this it is an id or garbage.
const MAX_GROUPS: usize = 12;

fn regex(pattern: &str) -> Regex {
    // The patterns are constants: a failure is a programming error that every test run hits.
    Regex::new(pattern).unwrap_or_else(|e| panic!("salary pattern {pattern:?}: {e}"))
}

/// Currency codes as an alternation, from the one table of currencies we accept.
fn codes() -> String {
    USD_PER_UNIT
        .iter()
        .map(|(code, _)| *code)
        .collect::<Vec<_>>()
        .join("|")
}

/// Currency symbols as an alternation, longest first so `US$` is not read as `$`; the ones that
/// start with a letter need a word boundary, or `BUS$` would be `US$`.
fn symbols() -> String {
    let mut syms: Vec<&str> = SYMBOLS.iter().map(|(sym, _)| *sym).collect();
    syms.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    syms.iter()
        .map(|s| {
            let escaped = regex::escape(s);
            if s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                format!(r"\b{escaped}")
            } else {
                escaped
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// A currency right before a number, possibly with `from`/`up to` between: `US$`, `CHF `,
/// `CAD $`, `USD from ` (the shape our adapters write for open-ended ranges).
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    let codes = codes();
    let symbols = symbols();
    let filler = r"(?:(?i:from|up to|between|starting at)\s+)?";
    regex(&format!(
        r"(?:\b(?P<code>{codes}) ?)?(?P<cur>{symbols}|\b(?:{codes})) {{0,2}}{filler}$"
    ))
});

/// Spellings that would cut a clause or a number short: Danish `pr. måned` is `per måned`,
/// German `45.000,- €` is `45.000 €`.
static ABBREVIATED_PER: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bpr\.\s+"));
static DASH_CENTS: LazyLock<Regex> = LazyLock::new(|| regex(r"(\d),[-–]"));

/// What may follow a number: a multiplier (`k`, `lakh`, `万`), a magnitude that is never pay
/// (`M`, `billion`), a percent sign, then a currency (`80k EUR`, `120.000 €`).
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    let multiplier = concat!(
        r"(?P<k> ?[kK])\b|(?P<lpa> ?(?i:lpa))\b|(?P<lakh> ?(?i:lakhs?|lacs?))\b",
        r"|(?P<crore> ?(?i:crores?|cr))\b|(?P<man>万)",
        r"|(?P<mag> ?(?i:mm|mn|mio|mrd|bn|millions?|billions?|trillions?)|(?i:m|b))\b",
    );
    let percent = r"(?P<pct> ?(?:%|(?i:percent)\b))";
    let currency = format!(r"(?P<cur>{}|(?:{})\b|(?i:euros?)\b)", symbols(), codes());
    regex(&format!(
        r"^(?:{multiplier})?{percent}?(?: {{0,2}}{currency})?"
    ))
});

/// What may stand between the two ends of a range; the first end may carry the period too, as
/// in `$45/hour - $55/hour`.
static RANGE_GAP: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^\s*(?:(?i:/\s*|per\s+|an?\s+)(?i:hour|hr|h|day|week|wk|month|mo|year|yr|annum)\s*)?",
        r"(?:-|–|—|‑|−|~|〜|～|(?i:(?:up )?to|and|&|bis|until))\s*$",
    ))
});

/// `and` only joins a range after `between`: "$120,000 and a $10,000 bonus" is two figures.
static BETWEEN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bbetween\s*$"));

/// Retirement plans whose names look like amounts: the k in `401(k)` is not thousands.
static RETIREMENT_PLAN: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:401|403|457)\s?(?:\([kb]\)|[kb]\b)"));

/// Where a sentence or line ends, so context does not leak across sentences.
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| regex(r"[.!?;](?:\s|$)|\n|•"));

/// Where the clause after a figure ends: its period is written before any of these.
static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| regex(r"[.!?](?:\s|$)|[;\n,+|•]"));

/// Where the words about a figure itself end: "+ equity", "plus bonus", "(and stock)" are extras
/// next to pay, not what the figure is.
static EXTRAS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[.!?](?:\s|$)|[;\n,+|•(&/]|(?i)\b(?:plus|with|and|or)\b"));

/// A period written after a figure: `/hr`, `per annum`, `an hour`, `monthly`, `p.a.`.
static PERIOD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)/\s*(?P<slash>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|mths?|m|years?|yrs?|y|annum|jahr|monat|stunde|std|tag|woche|måned|månad|mån|md|år)\b",
        r"|\b(?:per|an?|each|every|pro|pr)\s+(?P<word>hour|hr|day|week|wk|month|mo|mth|year|yr|annum|jahr|monat|stunde|tag|woche|måned|månad|år)\b",
        r"|\b(?P<adj>hourly|daily|weekly|monthly|yearly|annually|annual|p\.\s?a|pa|pcm|stündlich|täglich|wöchentlich|monatlich|jährlich)\b",
    ))
});

/// A period adjective before a figure: "Hourly rate: $45", "Annual salary: €60,000".
static PERIOD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?P<adj>hourly|daily|weekly|monthly|yearly|annual|annually|stundenlohn|monatsgehalt|jahresgehalt)\b",
    )
});

/// Words that say a nearby figure is pay.
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:salary|salaries|compensation|comp|pay|paid|pays|paying|base|range|ote|on[- ]target",
        r"|wages?|rates?|earn\w*|remuneration|package|tc|gehalt|jahresgehalt|vergütung|lohn|brutto|gross",
        r"|hourly|annual|annually|yearly|monthly|per\s+hour|per\s+annum)\b",
    ))
});

/// Words that say a figure right after them is not pay (funding, equity, a one-off bonus...).
/// Only the nearer of a cue and a trap counts: "salary of" after "equity and" is still pay.
static TRAP_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:raised?|raising|funding|funded|investors?|investment|revenues?|sales|valuation|valued",
        r"|arr|mrr|gmv|series\s+[a-h]|equity|stock|shares|options|rsus?|esop|sign[- ]?on|signing",
        r"|joining|relocation|bonus(?:es)?|one[- ]time|budget|allowance|reimburse\w*|credits?|grants?",
        r"|worth|customers|users|assets|aum|price|cost|fees?|insurance|tuition|donat\w*|prizes?",
        r"|sav(?:e|es|ed|ing|ings))\b",
    ))
});

/// Words that say the figure right before them is not pay: "$50,000 in equity", "$10k sign-on bonus".
static TRAP_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:equity|stock|shares?|options?|rsus?|esop|sign[- ]?on|signing|joining|relocation",
        r"|bonus(?:es)?|one[- ]time|revenues?|sales|funding|raised?|investment|valuation|arr|mrr|gmv",
        r"|series\s+[a-h]|seed|customers?|users?|clients?|downloads|budget|stipend|allowance",
        r"|reimburse\w*|credits?|grants?|prizes?|fees?|deposit)\b",
    ))
});

/// A currency as written next to an amount.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Currency {
    code: &'static str,
    /// A bare `$` or `¥`: any code written next to it says which dollar or yen it is.
    generic: bool,
}

impl Currency {
    fn from_written(written: &str) -> Option<Currency> {
        Some(Currency {
            code: currency_code(written)?,
            generic: written == "$" || written == "¥",
        })
    }

    /// The currency two mentions agree on; a code beats a bare `$`, two different codes conflict.
    fn agree(a: Option<Currency>, b: Option<Currency>) -> Result<Option<Currency>, ()> {
        match (a, b) {
            (Some(a), Some(b)) if a.code == b.code || b.generic => Ok(Some(a)),
            (Some(a), Some(b)) if a.generic => Ok(Some(b)),
            (Some(_), Some(_)) => Err(()),
            (a, b) => Ok(a.or(b)),
        }
    }
}

/// One number in the text with what is written around it.
#[derive(Debug, Clone)]
struct Amount {
    /// Byte span, currency and suffixes included.
    start: usize,
    end: usize,
    /// As written, before the multiplier.
    base: f64,
    /// `k` → 1,000, `lakh` → 100,000.
    multiplier: f64,
    currency: Option<Currency>,
    /// Millions, billions, percentages, `3rd`: never pay, and it spoils a range it is part of.
    junk: bool,
    /// `LPA` says per annum inside the suffix.
    period: Option<PayPeriod>,
}

impl Amount {
    fn value(&self) -> f64 {
        self.base * self.multiplier
    }
}

/// Byte span and value of a number starting at `at`.
struct Number {
    end: usize,
    value: f64,
}

/// Reads digits with `,` `.` `'` `’` or space thousands separators (also Indian `25,00,000`) and
/// an optional 1–2 digit decimal part. When the run as a whole is no valid number, the longest
/// valid start of it is taken: `120,000 2 weeks` → 120,000.
fn scan_number(text: &str, at: usize) -> Option<Number> {
    // (separator before the group, digits, end of the group)
    let mut groups: Vec<(Option<char>, &str, usize)> = Vec::new();
    let mut pos = at;
    let mut sep = None;
    while groups.len() < MAX_GROUPS {
        let digits_len = text[pos..].bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 {
            break;
        }
        let end = pos + digits_len;
        groups.push((sep, &text[pos..end], end));
        let mut rest = text[end..].chars();
        match (rest.next(), rest.next()) {
            (Some(c @ (',' | '.' | '\'' | '’' | ' ')), Some(d)) if d.is_ascii_digit() => {
                sep = Some(c);
                pos = end + c.len_utf8();
            }
            _ => break,
        }
    }
    (1..=groups.len()).rev().find_map(|n| {
        let value = number_value(&groups[..n])?;
        Some(Number {
            end: groups[n - 1].2,
            value,
        })
    })
}

/// The value of digit groups if they form one well-grouped number.
fn number_value(groups: &[(Option<char>, &str, usize)]) -> Option<f64> {
    let (int_groups, decimals) = match groups {
        [.., (Some(sep @ ('.' | ',')), last, _)] if groups.len() > 1 && last.len() <= 2 => {
            (&groups[..groups.len() - 1], Some((*sep, *last)))
        }
        _ => (groups, None),
    };
    let [first, rest @ ..] = int_groups else {
        return None;
    };
    if let Some(grouping) = rest.first().and_then(|g| g.0) {
        let same_sep = rest.iter().all(|g| g.0 == Some(grouping));
        let decimal_differs = decimals.is_none_or(|(d, _)| d != grouping);
        let western = first.1.len() <= 3 && rest.iter().all(|g| g.1.len() == 3);
        // Indian grouping: 25,00,000 and 1,20,50,000.
        let indian = grouping == ','
            && rest.len() >= 2
            && first.1.len() <= 2
            && rest[..rest.len() - 1].iter().all(|g| g.1.len() == 2)
            && rest.last().is_some_and(|g| g.1.len() == 3);
        if !(same_sep && decimal_differs && (western || indian)) {
            return None;
        }
    }
    let mut digits: String = int_groups.iter().map(|g| g.1).collect();
    if let Some((_, frac)) = decimals {
        digits.push('.');
        digits.push_str(frac);
    }
    digits.parse().ok()
}

/// The char-boundary byte offset `n` chars before `at` (or 0).
fn chars_back(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The char-boundary byte offset `n` chars after `at` (or the end).
fn chars_ahead(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Every number in the text, with its currency and suffixes. `floor` keeps a currency from
/// serving both as one amount's suffix and the next one's prefix.
fn amounts(text: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    let mut floor = 0;
    let mut i = 0;
    while i < text.len() {
        // ASCII digits are never inside a multi-byte char, so `i` is a char boundary here.
        if !text.as_bytes()[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let Some(number) = scan_number(text, i) else {
            i += 1;
            continue;
        };
        let head_from = chars_back(text, i, 24).max(floor);
        let prefix = PREFIX.captures(&text[head_from..i]);
        // Only Latin letters glue: CJK text writes numbers right after words (`年収600万円`).
        let glued = text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let tail_to = chars_ahead(text, number.end, 40);
        let Some(suffix) = SUFFIX.captures(&text[number.end..tail_to]) else {
            i = number.end;
            continue;
        };
        let end = number.end + suffix.get(0).map_or(0, |m| m.len());
        // A number glued to a word (`H1B`, `Q3`, `3rd`) is no amount unless that word is a code.
        let glued_after = text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        let written = |name| {
            prefix
                .as_ref()
                .and_then(|c| c.name(name))
                .and_then(|m| Currency::from_written(m.as_str()))
        };
        // `CAD $90,000`: the code says which dollar.
        let prefix_cur = match (written("code"), written("cur")) {
            (Some(code), Some(cur)) if cur.generic => Some(code),
            (_, cur) => cur,
        };
        if glued && prefix_cur.is_none() {
            i = end;
            continue;
        }
        let suffix_cur = suffix
            .name("cur")
            .and_then(|m| Currency::from_written(m.as_str()));
        let multiplier = if suffix.name("k").is_some() {
            1e3
        } else if suffix.name("lakh").is_some() || suffix.name("lpa").is_some() {
            1e5
        } else if suffix.name("crore").is_some() {
            1e7
        } else if suffix.name("man").is_some() {
            1e4
        } else {
            1.0
        };
        let start = match (&prefix, prefix_cur) {
            (Some(c), Some(_)) => head_from + c.get(0).map_or(0, |m| m.start()),
            _ => i,
        };
        let currency = match (prefix_cur, suffix_cur) {
            (Some(p), Some(s)) if p.generic => Some(s),
            (p, s) => p.or(s),
        };
        out.push(Amount {
            start,
            end,
            base: number.value,
            multiplier,
            currency,
            junk: suffix.name("mag").is_some() || suffix.name("pct").is_some() || glued_after,
            period: suffix.name("lpa").map(|_| PayPeriod::Year),
        });
        floor = end;
        i = end;
    }
    out
}

/// A salary-shaped mention: one figure or a range, with its currency settled.
struct Candidate {
    start: usize,
    end: usize,
    min: f64,
    max: f64,
    currency: &'static str,
    period: Option<PayPeriod>,
    is_range: bool,
}

enum Pair {
    Range(Candidate),
    /// Part of the range is not pay (`$1-2M`, `10-15%`): neither end counts.
    Spoiled,
    /// Not one range after all: each end stands alone.
    Apart,
}

fn single(a: &Amount) -> Option<Candidate> {
    if a.junk {
        return None;
    }
    Some(Candidate {
        start: a.start,
        end: a.end,
        min: a.value(),
        max: a.value(),
        currency: a.currency?.code,
        period: a.period,
        is_range: false,
    })
}

fn pair(text: &str, a: &Amount, b: &Amount) -> Pair {
    let Some(gap) = RANGE_GAP.captures(&text[a.end..b.start]) else {
        return Pair::Apart;
    };
    let word = gap.get(0).map_or("", |m| m.as_str()).trim().to_lowercase();
    if (word == "and" || word == "&")
        && !BETWEEN.is_match(&text[chars_back(text, a.start, 20)..a.start])
    {
        return Pair::Apart;
    }
    if a.junk || b.junk {
        return Pair::Spoiled;
    }
    let Ok(Some(currency)) = Currency::agree(a.currency, b.currency) else {
        return Pair::Apart;
    };
    // `$120-150k`: a multiplier written once covers both ends when the first is smaller.
    let (mut lo, mut hi) = (a.value(), b.value());
    if a.multiplier == 1.0 && b.multiplier > 1.0 && a.base <= b.base {
        lo *= b.multiplier;
    } else if b.multiplier == 1.0 && a.multiplier > 1.0 && b.base >= a.base {
        hi *= a.multiplier;
    }
    let (lo, hi) = if hi < lo { (hi, lo) } else { (lo, hi) };
    if lo <= 0.0 || hi / lo > MAX_RANGE_RATIO {
        return Pair::Apart;
    }
    Pair::Range(Candidate {
        start: a.start,
        end: b.end,
        min: lo,
        max: hi,
        currency: currency.code,
        period: a.period.or(b.period),
        is_range: true,
    })
}

/// Ranges and single figures with a currency, in text order.
fn candidates(text: &str) -> Vec<Candidate> {
    let amounts = amounts(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < amounts.len() {
        if let Some(next) = amounts.get(i + 1) {
            match pair(text, &amounts[i], next) {
                Pair::Range(c) => {
                    out.push(c);
                    i += 2;
                    continue;
                }
                Pair::Spoiled => {
                    i += 2;
                    continue;
                }
                Pair::Apart => {}
            }
        }
        out.extend(single(&amounts[i]));
        i += 1;
    }
    out
}

/// The text before `at` within its sentence, at most [`BEFORE_CHARS`] long. A figure that starts
/// its line gets the line before too: that is its heading ("Salary Range\n$120,000").
fn before(text: &str, at: usize) -> &str {
    let window = &text[chars_back(text, at, BEFORE_CHARS)..at];
    let ends: Vec<_> = SENTENCE_END.find_iter(window).map(|m| m.end()).collect();
    let from = match ends.as_slice() {
        [.., heading, last] if !window[*last..].chars().any(char::is_alphanumeric) => *heading,
        [.., last] if !window[*last..].chars().any(char::is_alphanumeric) => 0,
        [.., last] => *last,
        [] => 0,
    };
    &window[from..]
}

/// The text after `at` up to the first match of `end`, at most [`AFTER_CHARS`] long.
fn after<'t>(text: &'t str, at: usize, end: &Regex) -> &'t str {
    let window = &text[at..chars_ahead(text, at, AFTER_CHARS)];
    match end.find(window) {
        Some(m) => &window[..m.start()],
        None => window,
    }
}

fn last_match_end(re: &Regex, s: &str) -> Option<usize> {
    re.find_iter(s).last().map(|m| m.end())
}

/// The period written right after a figure, if nothing else (a number) comes first.
fn period_after(clause: &str) -> Option<PayPeriod> {
    let caps = PERIOD_AFTER.captures(clause)?;
    let whole = caps.get(0)?;
    let lead = &clause[..whole.start()];
    if lead.chars().count() > PERIOD_REACH || lead.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let unit = ["slash", "word", "adj"]
        .iter()
        .find_map(|name| caps.name(name))?
        .as_str()
        .to_lowercase()
        .replace(['.', ' '], "");
    period_word(&unit)
}

fn period_before(before: &str) -> Option<PayPeriod> {
    let word = PERIOD_BEFORE
        .find_iter(before)
        .last()?
        .as_str()
        .to_lowercase();
    match word.as_str() {
        "stundenlohn" => Some(PayPeriod::Hour),
        "monatsgehalt" => Some(PayPeriod::Month),
        "jahresgehalt" => Some(PayPeriod::Year),
        other => period_word(other),
    }
}

/// How strongly the text says a candidate is pay; lower is stronger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// A cue word (salary, pay, base, OTE...) is next to it.
    Cued,
    /// A range or a stated period: pay-shaped even without a cue.
    Shaped,
    /// A lone figure: only taken from short text.
    Bare,
}

/// Parses salary text (a `salary_text` field or a whole job description) → provenance Parsed.
///
/// Amounts need a currency, by symbol or code, on them or on the other end of their range.
/// With no period stated, an amount under 500 (rough US dollars) is hourly, anything else
/// yearly. In a long description the first figure next to a salary cue wins, then the first
/// range or figure with a period; a lone figure counts only in short text.
pub fn parse_salary_text(text: &str) -> Option<Salary> {
    // Every amount starts at an ASCII digit (see `amounts`): most descriptions end here.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // Non-breaking and thin spaces separate thousands as often as plain ones.
    let spaced = text.replace(['\u{a0}', '\u{202f}', '\u{2009}', '\u{2007}'], " ");
    let text = RETIREMENT_PLAN.replace_all(&spaced, " ");
    let text = ABBREVIATED_PER.replace_all(&text, "per ");
    let text = DASH_CENTS.replace_all(&text, "$1");
    let text = text.as_ref();
    let short = text.chars().count() <= SHORT_TEXT_CHARS;
    let mut best: Option<(Strength, Salary)> = None;
    for c in candidates(text) {
        let before = before(text, c.start);
        let extras = after(text, c.end, &EXTRAS);
        if TRAP_AFTER.is_match(extras) {
            continue;
        }
        let cue_at = last_match_end(&CUE, before);
        if let Some(trap_at) = last_match_end(&TRAP_BEFORE, before)
            && cue_at.is_none_or(|cue_at| trap_at > cue_at)
        {
            continue;
        }
        let period = c
            .period
            .or_else(|| period_after(after(text, c.end, &CLAUSE_END)))
            .or_else(|| period_before(before));
        let strength = if cue_at.is_some() || CUE.is_match(extras) {
            Strength::Cued
        } else if c.is_range || period.is_some() {
            Strength::Shaped
        } else if short {
            Strength::Bare
        } else {
            continue;
        };
        if best.as_ref().is_some_and(|(s, _)| *s <= strength) {
            continue;
        }
        let Some(salary) =
            Salary::build(c.min, c.max, c.currency, period, SalaryProvenance::Parsed)
        else {
            continue;
        };
        if strength == Strength::Cued {
            return Some(salary);
        }
        best = Some((strength, salary));
    }
    best.map(|(_, salary)| salary)
}
