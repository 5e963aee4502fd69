//! Payload text to plain text: HTML and entities removed, whitespace tidied, salary spotted.

use std::sync::LazyLock;

use regex::Regex;

/// Converts an HTML fragment to plain text: no markup, entities decoded, tidy whitespace.
pub fn html_to_text(html: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    tidy(&super::html_text::render(html))
}

/// Greenhouse `content`: HTML that was entity-escaped once more, decoded once.
pub fn unescape_html(escaped: &str) -> String {
    // The common references in one scan; then html5ever's decoder (a table lookup); then
    // html_escape's (a linear search, a tenth of a cold ingest), for input with raw markup.
    super::char_refs::decode_simple(escaped)
        .or_else(|| super::html_text::decode_references(escaped))
        .unwrap_or_else(|| html_escape::decode_html_entities(escaped).into_owned())
}

/// Plain text from a provider, tidied the same way as converted HTML.
pub fn plain(text: &str) -> String {
    tidy(text)
}

/// Non-breaking spaces become spaces, runs of spaces inside a line shrink to one, trailing
/// spaces go, runs of blank lines shrink to one.
pub fn tidy(text: &str) -> String {
    // One pass, no copies: `lines` also ends a line at "\r\n", and `trim_end` treats both
    // non-breaking spaces as the whitespace they are.
    let space = |c: char| {
        if matches!(c, '\u{a0}' | '\u{202f}') {
            ' '
        } else {
            c
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        let body = line.trim_start();
        out.extend(line[..line.len() - body.len()].chars().map(space));
        let mut prev_space = false;
        for c in body.chars().map(space) {
            if c == ' ' && prev_space {
                continue;
            }
            prev_space = c == ' ';
            out.push(c);
        }
    }
    out
}

/// Joins non-empty text blocks with a blank line between them.
pub fn join_blocks<'a>(blocks: impl IntoIterator<Item = &'a str>) -> String {
    blocks
        .into_iter()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A salary range or rate in running text, e.g. `$60,000 - $97,000/year`, `£50k–£70k`,
/// `€80.000 - €95.000`, `USD 120,000 to 150,000 per year`. A lone amount only counts with a
/// period after it, so "$5 billion in funding" is not taken for pay.
static SALARY: LazyLock<Regex> = LazyLock::new(|| {
    // ASCII word boundaries: a Unicode `\b` forces the slow NFA on any non-ASCII text
    // (130× slower on a typical description), and every word bounded here is ASCII.
    let cur =
        r"(?:[$£€¥₹]|(?-u:\b)(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|PLN|INR|JPY|SGD|NZD)(?-u:\b))";
    let num = r"\d{1,3}(?:[,.\u{a0} ]\d{3})*(?:[.,]\d{1,2})?\s?[kK]?";
    let amount = format!(r"(?:{cur}\s?{num}(?:\s?{cur})?|{num}\s?{cur})");
    let period = r"(?:\s?(?:/|per|a|an)\s?(?:year|yr|annum|hour|hr|month|mo|week|day)(?-u:\b)|\s(?:annually|yearly|hourly|p\.a\.))";
    let pattern = format!(
        r"(?i){amount}\s?(?:-|–|—|to)\s?(?:{amount}|{num})(?:{period})?|{amount}(?:{period})"
    );
    // The pattern is a constant; a failure here is a programming error caught by the tests.
    Regex::new(&pattern).unwrap_or_else(|e| panic!("salary pattern: {e}"))
});

/// The first salary mention in plain text, as written.
pub fn find_salary(text: &str) -> Option<String> {
    SALARY
        .find(text)
        .map(|m| m.as_str().trim().to_string())
        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
}

/// `1234567.0` → `1,234,567`; keeps up to two decimals when the amount has them.
pub fn format_amount(value: f64) -> String {
    let negative = value < 0.0;
    let cents = (value.abs() * 100.0).round() as u128;
    let (whole, frac) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac:02}")
    }
}

/// `USD 120,000–150,000 per year` from the parts providers give; `None` without any amount.
pub fn format_range(
    currency: Option<&str>,
    min: Option<f64>,
    max: Option<f64>,
    period: Option<&str>,
) -> Option<String> {
    let amounts = match (min, max) {
        (Some(a), Some(b)) if a == b => format_amount(a),
        (Some(a), Some(b)) => format!("{}–{}", format_amount(a), format_amount(b)),
        (Some(a), None) => format!("from {}", format_amount(a)),
        (None, Some(b)) => format!("up to {}", format_amount(b)),
        (None, None) => return None,
    };
    let mut out = String::new();
    if let Some(c) = currency.map(str::trim).filter(|c| !c.is_empty()) {
        out.push_str(c);
        out.push(' ');
    }
    out.push_str(&amounts);
    if let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) {
        out.push(' ');
        out.push_str(p);
    }
    Some(out)
}

/// Inner HTML of every `<div>` whose class list holds `class`, nested divs included.
pub fn div_blocks<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(rel) = lower[from..].find("<div") {
        let start = from + rel;
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        from = tag_end + 1;
        if !has_class(&lower[start..tag_end], class) {
            continue;
        }
        let mut depth = 1usize;
        let mut pos = from;
        while depth > 0 {
            let next_open = lower[pos..].find("<div").map(|i| pos + i);
            let Some(close) = lower[pos..].find("</div").map(|i| pos + i) else {
                // Unclosed block: take the rest rather than nothing.
                pos = lower.len();
                break;
            };
            match next_open {
                Some(open) if open < close => {
                    depth += 1;
                    pos = open + 4;
                }
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        pos = close;
                    } else {
                        pos = close + 5;
                    }
                }
            }
        }
        blocks.push(&html[from..pos]);
        from = pos;
    }
    blocks
}

fn has_class(tag: &str, class: &str) -> bool {
    let Some(at) = tag.find("class=") else {
        return false;
    };
    let rest = &tag[at + 6..];
    let value = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
        _ => rest.split_whitespace().next().unwrap_or(""),
    };
    value.split_whitespace().any(|c| c == class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_escaped_greenhouse_html_becomes_clean_text() {
        let raw = "&lt;h2&gt;&lt;strong&gt;About&lt;/strong&gt;&lt;/h2&gt;\n&lt;p&gt;Anthropic&#39;s team &amp;amp; friends&amp;nbsp; here&lt;/p&gt;&lt;ul&gt;&lt;li&gt;One&lt;/li&gt;&lt;/ul&gt;";
        let text = html_to_text(&unescape_html(raw));
        for bad in ["&lt;", "&amp;", "&nbsp;", "&#39;", "<", ">", "\u{a0}"] {
            assert!(!text.contains(bad), "{bad:?} left in {text:?}");
        }
        assert!(text.contains("Anthropic's team & friends here"), "{text}");
        assert!(!text.contains('#') && !text.contains('*'), "{text}");
        assert!(text.contains("About"));
        assert!(text.contains("One"));
    }

    #[test]
    fn unescaping_keeps_raw_markup_when_a_provider_sends_some() {
        assert_eq!(unescape_html("&lt;p&gt;a&amp;amp;b"), "<p>a&amp;b");
        assert_eq!(unescape_html("<p>a &amp; b</p>"), "<p>a & b</p>");
    }

    #[test]
    fn tidy_collapses_blank_lines_and_trailing_spaces() {
        assert_eq!(tidy("a  \n\n\n\n b\u{a0}\n"), "a\n\n b");
        assert_eq!(tidy("  x  \u{a0}y"), "  x y");
        assert_eq!(tidy("\u{a0}\u{a0}x\r\n\r\n\u{202f}y  z\r\n"), "  x\n\n y z");
    }

    #[test]
    fn salary_sentences() {
        let cases = [
            (
                "Pay: $60,000 - $97,000/year plus",
                Some("$60,000 - $97,000/year"),
            ),
            ("between £50k–£70k depending", Some("£50k–£70k")),
            ("Gehalt €80.000 - €95.000 brutto", Some("€80.000 - €95.000")),
            (
                "USD 120,000 to 150,000 per year",
                Some("USD 120,000 to 150,000 per year"),
            ),
            ("$45/hour to start", Some("$45/hour")),
            ("We raised $5 billion in 2024", None),
            ("no pay here 2024-2025", None),
        ];
        for (text, want) in cases {
            assert_eq!(find_salary(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn ranges_are_formatted() {
        assert_eq!(
            format_range(
                Some("USD"),
                Some(120000.0),
                Some(150000.0),
                Some("per year")
            )
            .as_deref(),
            Some("USD 120,000–150,000 per year")
        );
        assert_eq!(format_range(None, None, None, None), None);
        assert_eq!(format_amount(22.5), "22.50");
    }

    #[test]
    fn div_blocks_find_nested_pay_ranges() {
        let html = r#"<p>x</p><div class="content-pay-transparency"><div class="pay-input"><div class="title">Annual</div><div class="pay-range"><span>$1</span><span>$2 USD</span></div></div></div><div>after</div>"#;
        let ranges = div_blocks(html, "pay-range");
        assert_eq!(ranges, vec!["<span>$1</span><span>$2 USD</span>"]);
        let block = div_blocks(html, "content-pay-transparency");
        assert_eq!(block.len(), 1);
        assert!(block[0].ends_with("</div></div>"));
        assert!(!block[0].contains("after"));
    }
}
