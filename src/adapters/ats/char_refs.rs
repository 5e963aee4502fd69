//! The few character references escaped HTML is made of, decoded without a tokenizer.
//!
//! Greenhouse escapes its HTML once more: every tag arrives as `&lt;p&gt;`, every attribute
//! quote as `&quot;`. html5ever's tokenizer decodes that correctly but looks each reference
//! up in its table of names once per letter, which made this pass a large part of a cold
//! ingest. Text made only of the references below is decoded here in one scan; anything
//! else (another name, a reference without `;`, a raw `<`, a carriage return) is left to the
//! tokenizer, so the result is always the tokenizer's.

/// `text` with its references decoded, or `None` when it holds anything this decoder leaves
/// to the tokenizer.
pub fn decode_simple(text: &str) -> Option<String> {
    if text.contains(['<', '\r', '\0']) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';')?;
        out.push(reference(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The character a reference's body (between `&` and `;`) stands for, when it is one of
/// the common names or a plain numeric reference to an ordinary character.
fn reference(body: &str) -> Option<char> {
    match body {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        "nbsp" => return Some('\u{a0}'),
        _ => {}
    }
    let digits = body.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) if is_digits(hex, 6, |c| c.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()?
        }
        None if is_digits(digits, 7, |c| c.is_ascii_digit()) => digits.parse().ok()?,
        _ => return None,
    };
    // Controls, C1 (which the tokenizer maps to Windows-1252), surrogates and
    // noncharacters are the tokenizer's to handle.
    let ordinary = matches!(code, 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfdcf | 0xfdf0..=0xfffd)
        || (0x10000..=0x10ffff).contains(&code) && code & 0xfffe != 0xfffe;
    if ordinary { char::from_u32(code) } else { None }
}

/// 1 to `max` characters, all accepted by `digit`.
fn is_digits(s: &str, max: usize, digit: fn(char) -> bool) -> bool {
    (1..=max).contains(&s.len()) && s.chars().all(digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_greenhouse_escaping() {
        assert_eq!(
            decode_simple(
                "&lt;p class=&quot;x&quot;&gt;R&amp;amp;D&#39;s&nbsp;team &#x2014; 5&lt;/p&gt;"
            )
            .as_deref(),
            Some("<p class=\"x\">R&amp;D's\u{a0}team — 5</p>")
        );
        assert_eq!(decode_simple("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn leaves_everything_else_to_the_tokenizer() {
        for text in [
            "caf&eacute;",
            "a &amp b",
            "a & b",
            "&#128;",
            "&#0;",
            "&#xD800;",
            "&#99999999;",
            "&#x;",
            "a <b>raw</b>",
            "line\r\nbreak",
        ] {
            assert_eq!(decode_simple(text), None, "{text}");
        }
    }

    proptest! {
        /// Whatever it decodes, it decodes as html5ever does.
        #[test]
        fn agrees_with_the_tokenizer(
            pieces in prop::collection::vec(
                // Mostly whole references, so that most cases decode; some broken ones.
                prop::sample::select(vec![
                    "a", " ", "é", "\n", "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&nbsp;",
                    "&#39;", "&#x2014;", "&#X41;", "&#65;", "&#x1F600;", "&#x10FFFF;", "&#xFFFE;",
                    "&#x1FFFF;", "&#128;", "&#0;", "&#xD800;", "&#9;", "&eacute;", "&amp", "&#65",
                    "&", ";", "#", "x", "1", "<", ">", "\r",
                ]),
                0..40,
            )
        ) {
            let text: String = pieces.concat();
            if let Some(fast) = decode_simple(&text) {
                prop_assert_eq!(Some(fast), super::super::html_text::decode_references(&text));
            }
        }
    }
}
