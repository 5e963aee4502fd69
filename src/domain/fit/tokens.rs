//! One-pass tokenizer shared by skill matching and text analysis: words and code symbols with byte spans.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher: token lookups dominate analysis time and the keys are short
/// strings or packed integers from a fixed vocabulary, so SipHash's DoS resistance buys nothing.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Id of a token text that no vocabulary term uses.
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// Characters that are tokens of their own when glued to words, because they carry meaning in
/// technology names: `C++`, `C#`, `.NET`, `Node.js`, `CI/CD`.
const SYMBOLS: [char; 4] = ['+', '#', '.', '/'];

/// Punctuation that separates items of an inline list ("Go, Python (Django) & SQL").
fn is_list_punct(c: char) -> bool {
    matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '|' | '&')
}

/// Maps every token text used by some term to a small integer, so matching compares integers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    /// Texts of up to 8 bytes (most words) packed into an integer: no string hashing or compare.
    short: FastMap<u64, u32>,
    long: FastMap<Box<str>, u32>,
}

fn pack(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    let mut word = [0u8; 8];
    word.get_mut(..b.len())?.copy_from_slice(b);
    Some(u64::from_le_bytes(word))
}

impl Interner {
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        let id = self.get(text);
        if id != UNKNOWN {
            return id;
        }
        let id = u32::try_from(self.short.len() + self.long.len()).unwrap_or(UNKNOWN - 1);
        match pack(text) {
            Some(key) => self.short.insert(key, id),
            None => self.long.insert(text.into(), id),
        };
        id
    }

    /// Lookup by `pack`ed text.
    pub(crate) fn get_packed(&self, key: u64) -> u32 {
        self.short.get(&key).copied().unwrap_or(UNKNOWN)
    }

    pub(crate) fn get(&self, text: &str) -> u32 {
        let id = match pack(text) {
            Some(key) => self.short.get(&key),
            None => self.long.get(text),
        };
        id.copied().unwrap_or(UNKNOWN)
    }
}

/// What separates a token from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// Nothing: `node` `.` `js`.
    Glued,
    /// Spaces or hyphens on one line: phrases such as "machine learning" or "scikit-learn" span these.
    Soft,
    /// List punctuation (and spaces) on one line: separates items, not phrases.
    List,
    /// Anything else: a new line, a colon, a dash, quotes, a skipped URL, the start of the text.
    Hard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Number,
    /// One of `+ # . /`.
    Symbol(char),
}

/// A token: byte span into the original text, interned lowercase text and layout facts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    pub id: u32,
    pub kind: Kind,
    pub gap: Gap,
    /// First token of its line (a new line lies between it and the previous token).
    pub line_start: bool,
    /// The original spelling has an uppercase letter ("Go", "R").
    pub upper: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// ASCII byte classes for the tokenizer's fast path.
const WORD: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;
const CLASS: [u8; 128] = {
    let mut class = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        class[b] = if c.is_ascii_uppercase() {
            WORD | UPPER
        } else if c.is_ascii_digit() {
            WORD | DIGIT
        } else if c.is_ascii_lowercase() || c == b'_' {
            WORD
        } else {
            0
        };
        b += 1;
    }
    class
};

/// URLs and e-mail addresses are skipped whole: `github.com/rust-lang` is not a skill mention.
/// Without a scheme, a path counts as a link only behind a common top-level domain, since
/// `Node.js/TypeScript` has the same shape.
fn is_link(chunk: &str) -> bool {
    const TLDS: [&str; 8] = ["com", "org", "io", "dev", "co", "me", "ai", "app"];
    if chunk.contains("://") || chunk.contains('@') || is_www(chunk.as_bytes()) {
        return true;
    }
    let Some((host, _)) = chunk.split_once('/') else {
        return false;
    };
    host.rsplit_once('.').is_some_and(|(name, tld)| {
        !name.is_empty() && TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld))
    })
}

fn is_www(bytes: &[u8]) -> bool {
    bytes
        .get(..4)
        .is_some_and(|b| b.eq_ignore_ascii_case(b"www."))
}

fn char_at(text: &str, i: usize) -> (char, usize) {
    let c = text[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// Splits `text` into tokens, looking every word up in `interner`.
///
/// Cost: one pass over the bytes (ASCII fast path) plus one hash lookup per word, no allocation
/// per token. A chunk between spaces is rescanned only if it has `:`, `@`, `/` or starts with
/// "www.", to skip it if it is a link.
pub(crate) fn tokenize(text: &str, interner: &Interner) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 4);
    let mut buf = String::new();
    // Layout seen since the previous token.
    let (mut newline, mut hard, mut list) = (true, true, false);
    // The current space-delimited chunk: start, first token, layout before it, link-checked.
    let (mut chunk, mut chunk_tokens, mut chunk_layout, mut checked) =
        (0, 0, (true, true, false), false);
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = if bytes[i] < 0x80 {
            (char::from(bytes[i]), 1)
        } else {
            char_at(text, i)
        };
        if c.is_whitespace() {
            newline |= c == '\n' || c == '\r';
            i += len;
            (chunk, chunk_tokens, chunk_layout, checked) =
                (i, tokens.len(), (newline, hard, list), false);
            continue;
        }
        if !checked && (matches!(c, ':' | '@' | '/') || (i == chunk && is_www(&bytes[i..]))) {
            checked = true;
            let end = text[chunk..]
                .find(char::is_whitespace)
                .map_or(text.len(), |e| chunk + e);
            if is_link(&text[chunk..end]) {
                tokens.truncate(chunk_tokens);
                (newline, list) = (chunk_layout.0, chunk_layout.2);
                hard = true;
                i = end;
                continue;
            }
        }
        let gap = match tokens.last() {
            _ if newline || hard => Gap::Hard,
            _ if list => Gap::List,
            Some(prev) if prev.end == i => Gap::Glued,
            _ => Gap::Soft,
        };
        let start = i;
        let (kind, id, upper) = if is_word_char(c) {
            // ASCII words of up to 8 bytes (most) are looked up by their packed lowercase bytes;
            // others are lowercased into `buf`.
            let (mut key, mut upper, mut digits, mut ascii) = (0u64, false, true, true);
            while let Some(&b) = bytes.get(i) {
                let class = CLASS.get(usize::from(b)).copied().unwrap_or(0);
                if class & WORD != 0 {
                    if i - start < 8 {
                        key |= u64::from(b | (class & UPPER) << 4) << (8 * (i - start));
                    }
                    upper |= class & UPPER != 0;
                    digits &= class & DIGIT != 0;
                    i += 1;
                    continue;
                }
                if b < 0x80 {
                    break;
                }
                let (d, l) = char_at(text, i);
                if !d.is_alphanumeric() {
                    break;
                }
                (upper, digits, ascii) = (upper || d.is_uppercase(), false, false);
                i += l;
            }
            let id = if ascii && i - start <= 8 {
                interner.get_packed(key)
            } else {
                buf.clear();
                if ascii {
                    buf.push_str(&text[start..i]);
                    buf.make_ascii_lowercase();
                } else {
                    buf.extend(text[start..i].chars().flat_map(char::to_lowercase));
                }
                interner.get(&buf)
            };
            let kind = if digits { Kind::Number } else { Kind::Word };
            (kind, id, upper)
        } else if SYMBOLS.contains(&c) {
            i += len;
            let mut tmp = [0u8; 4];
            (
                Kind::Symbol(c),
                interner.get(c.encode_utf8(&mut tmp)),
                false,
            )
        } else {
            if is_list_punct(c) {
                list = true;
            } else if c != '-' {
                hard = true;
            }
            i += len;
            continue;
        };
        tokens.push(Token {
            start,
            end: i,
            id,
            kind,
            gap,
            line_start: newline,
            upper,
        });
        (newline, hard, list) = (false, false, false);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, Gap)> {
        tokenize(text, &Interner::default())
            .iter()
            .map(|t| (&text[t.start..t.end], t.gap))
            .collect()
    }

    #[test]
    fn splits_words_symbols_and_classifies_gaps() {
        use Gap::*;
        assert_eq!(
            texts("Node.js, C++ & scikit-learn\nCI/CD: ok"),
            vec![
                ("Node", Hard),
                (".", Glued),
                ("js", Glued),
                ("C", List),
                ("+", Glued),
                ("+", Glued),
                ("scikit", List),
                ("learn", Soft),
                ("CI", Hard),
                ("/", Glued),
                ("CD", Glued),
                ("ok", Hard),
            ]
        );
    }

    #[test]
    fn skips_links_and_emails() {
        let got: Vec<_> = texts("see https://github.com/rust-lang and me@go.dev now")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(got, vec!["see", "and", "now"]);
    }

    #[test]
    fn marks_line_starts_uppercase_and_numbers() {
        let toks = tokenize("go\nGo 12", &Interner::default());
        assert!(toks[0].line_start && !toks[0].upper);
        assert!(toks[1].line_start && toks[1].upper);
        assert_eq!(toks[2].kind, Kind::Number);
        assert!(!toks[2].line_start);
    }
}
