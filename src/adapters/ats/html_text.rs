//! HTML fragment to plain text, streamed from html5ever's tokenizer without building a DOM.
//!
//! Line breaks follow what html2text (the converter this replaced) produced, so stored
//! descriptions did not change shape: a blank line between paragraphs and headings, each list
//! item on its own line with no blank line around a list, `<br>` as a line break, table cells
//! side by side. Entities are decoded by the tokenizer; script and style bodies are dropped.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Renders `html` as text; whitespace still needs the caller's tidying.
pub fn render(html: &str) -> String {
    let sink = Sink(RefCell::new(Renderer::with_capacity(html.len())));
    tokenize(html, sink).0.into_inner().out
}

/// Decodes the character references of `text`, which must hold no markup (Greenhouse's
/// escaped HTML); `None` when it holds a tag or comment after all, for a decoder that keeps
/// them.
pub fn decode_references(text: &str) -> Option<String> {
    let sink = Decoder(RefCell::new(Some(String::with_capacity(text.len()))));
    tokenize(text, sink).0.into_inner()
}

/// Feeds all of `input` through the tokenizer into `sink`, and hands the sink back.
fn tokenize<S: TokenSink<Handle = ()>>(input: &str, sink: S) -> S {
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(input));
    // Neither sink asks to run a script, so the tokenizer always reads to the end.
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink
}

/// Collects character data; any markup turns the result into `None`.
struct Decoder(RefCell<Option<String>>);

impl TokenSink for Decoder {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut decoded = self.0.borrow_mut();
        match token {
            Token::CharacterTokens(text) => {
                if let Some(out) = decoded.as_mut() {
                    out.push_str(&text);
                }
            }
            Token::TagToken(_) | Token::CommentToken(_) | Token::DoctypeToken(_) => {
                *decoded = None;
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Separation owed before the next visible text, strongest wins.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Gap {
    None,
    Space,
    Line,
    Blank,
}

/// A block container: the document itself, or one list item (rendered as its own lines,
/// so blocks inside an item never open blank lines between items).
#[derive(Default)]
struct Scope {
    has_text: bool,
    after_block: bool,
}

struct Renderer {
    out: String,
    gap: Gap,
    scopes: Vec<Scope>,
    /// Inside `<script>`, `<style>`, `<title>` or `<noscript>`: nothing is shown.
    hidden: usize,
    /// Inside `<pre>`: whitespace is kept as written.
    preformatted: usize,
    /// Inside `<ul>` or `<ol>`: a `<li>` there is a list item, elsewhere a paragraph.
    lists: usize,
}

struct Sink(RefCell<Renderer>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut renderer = self.0.borrow_mut();
        match token {
            Token::CharacterTokens(text) => renderer.text(&text),
            Token::TagToken(tag) => return renderer.tag(&tag),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl Renderer {
    fn with_capacity(capacity: usize) -> Self {
        Renderer {
            out: String::with_capacity(capacity),
            gap: Gap::None,
            scopes: vec![Scope::default()],
            hidden: 0,
            preformatted: 0,
            lists: 0,
        }
    }

    fn scope(&mut self) -> &mut Scope {
        // The document scope is never popped, so there is always one.
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn owe(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    fn start_block(&mut self) {
        let scope = self.scope();
        scope.after_block = false;
        if scope.has_text {
            self.owe(Gap::Blank);
        }
    }

    fn end_block(&mut self) {
        self.scope().after_block = true;
    }

    fn text(&mut self, text: &str) {
        if self.hidden > 0 {
            return;
        }
        if self.preformatted > 0 {
            self.write(text);
            return;
        }
        for (index, word) in text.split(is_html_space).enumerate() {
            if index > 0 {
                self.owe(Gap::Space);
            }
            if !word.is_empty() {
                self.write(word);
            }
        }
    }

    fn write(&mut self, text: &str) {
        if self.scope().after_block {
            self.start_block();
        }
        if !self.out.is_empty() {
            match self.gap {
                Gap::None => {}
                Gap::Space if self.out.ends_with(['\n', ' ']) => {}
                Gap::Space => self.out.push(' '),
                Gap::Line if self.out.ends_with('\n') => {}
                Gap::Line => self.out.push('\n'),
                Gap::Blank if self.out.ends_with("\n\n") => {}
                Gap::Blank if self.out.ends_with('\n') => self.out.push('\n'),
                Gap::Blank => self.out.push_str("\n\n"),
            }
        }
        self.gap = Gap::None;
        self.out.push_str(text);
        self.scope().has_text = true;
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let start = tag.kind == TagKind::StartTag;
        let name: &str = &tag.name;
        match name {
            "script" | "style" | "title" | "noscript" => {
                if start && !tag.self_closing {
                    self.hidden += 1;
                    return match name {
                        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "noscript" => TokenSinkResult::RawData(RawKind::Rawtext),
                        _ => TokenSinkResult::RawData(RawKind::Rcdata),
                    };
                }
                if !start {
                    self.hidden = self.hidden.saturating_sub(1);
                }
            }
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "dl" | "table"
            | "hr" => {
                if start {
                    self.start_block();
                } else {
                    self.end_block();
                }
                if name == "hr" {
                    self.end_block();
                }
            }
            "pre" => {
                if start {
                    self.start_block();
                    self.preformatted += 1;
                } else {
                    self.preformatted = self.preformatted.saturating_sub(1);
                    self.end_block();
                }
            }
            "li" if self.lists == 0 => {
                if start {
                    self.start_block();
                } else {
                    self.end_block();
                }
            }
            "li" => {
                self.owe(Gap::Line);
                if start {
                    self.scopes.push(Scope::default());
                } else if self.scopes.len() > 1 {
                    let item = self.scopes.pop().unwrap_or_default();
                    self.scope().has_text |= item.has_text;
                }
            }
            "br" => {
                let gap = if self.gap >= Gap::Line || self.out.ends_with('\n') {
                    Gap::Blank
                } else {
                    Gap::Line
                };
                self.owe(gap);
            }
            "ul" | "ol" => {
                self.owe(Gap::Line);
                if start {
                    self.lists += 1;
                } else {
                    self.lists = self.lists.saturating_sub(1);
                }
            }
            "div" | "section" | "article" | "header" | "footer" | "main" | "aside" | "nav"
            | "figure" | "figcaption" | "address" | "tr" | "dt" | "dd" => self.owe(Gap::Line),
            "td" | "th" => self.owe(Gap::Space),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::render;

    const TAGS: &[&str] = &[
        "p",
        "h2",
        "ul",
        "ol",
        "li",
        "div",
        "strong",
        "em",
        "span",
        "br",
        "table",
        "tr",
        "td",
        "pre",
        "blockquote",
    ];

    proptest! {
        /// Whatever the markup around them, every word arrives, in order, and no tag text leaks.
        #[test]
        fn words_survive_any_markup(
            pieces in prop::collection::vec(
                ("[A-Za-z0-9,.]{1,8}", prop::sample::select(TAGS), any::<bool>()),
                1..40,
            )
        ) {
            let mut html = String::new();
            for (word, tag, close) in &pieces {
                html.push_str(&format!("<{tag}>{word} "));
                if *close {
                    html.push_str(&format!("</{tag}>"));
                }
            }
            let text = render(&html);
            let words: Vec<&str> = pieces.iter().map(|(w, _, _)| w.as_str()).collect();
            prop_assert_eq!(text.split_whitespace().collect::<Vec<_>>(), words);
        }
    }

    #[test]
    fn references_are_decoded_without_markup_and_refused_with_it() {
        assert_eq!(
            super::decode_references(
                "&lt;p&gt;R&amp;amp;D &#39;x&#39; &quot;y&quot; caf&eacute;&lt;/p&gt;"
            )
            .as_deref(),
            Some("<p>R&amp;D 'x' \"y\" café</p>")
        );
        assert_eq!(super::decode_references("a <b>raw</b> tag"), None);
        assert_eq!(
            super::decode_references("a < b & c").as_deref(),
            Some("a < b & c")
        );
    }

    #[test]
    fn paragraphs_and_headings_are_separated_by_a_blank_line() {
        assert_eq!(
            render("<h2>About</h2><p>We build.</p>\n<p>You ship.</p>"),
            "About\n\nWe build.\n\nYou ship."
        );
    }

    #[test]
    fn list_items_take_one_line_each_without_blank_lines_around_the_list() {
        assert_eq!(
            render("<p>Stack:</p><ul><li><p>Rust</p></li><li>SQL</li></ul>"),
            "Stack:\nRust\nSQL"
        );
        assert_eq!(
            render("<ul><li>Rust</li></ul><p>Benefits</p>"),
            "Rust\n\nBenefits"
        );
    }

    #[test]
    fn inline_markup_and_whitespace_runs_join_words_with_single_spaces() {
        assert_eq!(
            render("<p>Build  <strong>fast</strong>,\n  <em>safe</em>\tcode</p>"),
            "Build fast, safe code"
        );
        assert_eq!(render("<p>a<b>b</b>c</p>"), "abc");
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            render("<p>R&amp;D &lt;team&gt; &amp;amp; caf&eacute;&nbsp;x</p>"),
            "R&D <team> &amp; café\u{a0}x"
        );
    }

    #[test]
    fn breaks_divs_and_table_cells() {
        assert_eq!(render("one<br>two<br><br>three"), "one\ntwo\n\nthree");
        assert_eq!(render("<div>a</div><div>b</div>"), "a\nb");
        assert_eq!(
            render("<table><tr><td>Pay</td><td>$1</td></tr><tr><td>Bonus</td></tr></table>"),
            "Pay $1\nBonus"
        );
    }

    #[test]
    fn scripts_and_styles_are_dropped_and_pre_keeps_its_spacing() {
        assert_eq!(
            render("<style>p { x: '<p>' }</style><p>a</p><script>if (a < b) {}</script>"),
            "a"
        );
        assert_eq!(render("<p>x</p><pre>a  b\n  c</pre>"), "x\n\na  b\n  c");
    }
}
