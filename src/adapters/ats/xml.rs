//! XML job feeds (SuccessFactors, Personio) read into a small element tree with quick-xml,
//! and each record turned into JSON so that it is stored and reparsed like any other item.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Map, Value};

use crate::ports::SourceError;

/// Deeper nesting than this is not a job feed (and would cost stack to walk).
const MAX_DEPTH: usize = 64;

/// An element: its local name (no namespace prefix), its own text and its child elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

fn malformed(message: impl Into<String>) -> SourceError {
    SourceError::Malformed {
        path: ".".into(),
        message: message.into(),
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// Parses a whole document and returns its root element. A body that is not well-formed
/// XML, or has no root element, is `Malformed`; so is an HTML page, named as such
/// (`not_a_feed` says what it probably means for this provider).
pub fn parse_document(bytes: &[u8], not_a_feed: &str) -> Result<Element, SourceError> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("feed is not UTF-8"))?;
    let head = text.trim_start().get(..200).unwrap_or(text.trim_start());
    let head = head.to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(malformed(format!(
            "an HTML page, not an XML feed: {not_a_feed}"
        )));
    }
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed("elements nested too deeply"));
                }
                if root.is_some() {
                    return Err(malformed("content after the root element"));
                }
                stack.push(Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                let element = Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(malformed("content after the root element")),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(malformed("closing tag without an opening one"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(malformed("text outside the root element"));
                }
            }
            Event::CData(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let Some(open) = stack.last_mut() else {
                    continue;
                };
                if let Some(c) = r.resolve_char_ref().map_err(|e| malformed(e.to_string()))? {
                    open.text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    open.text.push_str(s);
                } else {
                    // Undeclared entity (HTML's `&nbsp;` in a feed): kept as written, for
                    // the HTML-to-text step to decode.
                    open.text.push('&');
                    open.text.push_str(&r);
                    open.text.push(';');
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("feed ends inside an element"));
    }
    let root = root.ok_or_else(|| malformed("no XML element in the feed"))?;
    if root.name.eq_ignore_ascii_case("html") {
        return Err(malformed(format!(
            "an HTML page, not an XML feed: {not_a_feed}"
        )));
    }
    Ok(root)
}

impl Element {
    /// Every element named one of `names` below this one, in document order, not looking
    /// inside a match.
    pub fn find_all<'a>(&'a self, names: &[&str], out: &mut Vec<&'a Element>) {
        for child in &self.children {
            if names.contains(&child.name.as_str()) {
                out.push(child);
            } else {
                child.find_all(names, out);
            }
        }
    }

    /// The element as JSON: children by name (repeated names become arrays), leaves as
    /// their text.
    pub fn to_json(&self) -> Value {
        if self.children.is_empty() {
            return Value::String(self.text.clone());
        }
        let mut map = Map::new();
        for child in &self.children {
            let value = child.to_json();
            match map.get_mut(&child.name) {
                None => {
                    map.insert(child.name.clone(), value);
                }
                Some(Value::Array(items)) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
            }
        }
        Value::Object(map)
    }
}

/// A feed record as stored (the JSON of its element), with typed access to its fields.
pub struct Record(Map<String, Value>);

impl Record {
    /// Reads a stored record; `path` names it in errors.
    pub fn parse(raw_json: &str, path: &str) -> Result<Self, SourceError> {
        match serde_json::from_str(raw_json) {
            Ok(Value::Object(map)) => Ok(Record(map)),
            Ok(_) => Err(SourceError::Malformed {
                path: path.to_string(),
                message: "record has no fields".into(),
            }),
            Err(e) => Err(SourceError::Malformed {
                path: path.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// A field's trimmed text; `None` when absent, empty or not text.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// A required text field, else `Malformed` at `{path}.{name}`.
    pub fn required(&self, name: &str, path: &str) -> Result<String, SourceError> {
        self.text(name).ok_or_else(|| SourceError::Malformed {
            path: if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            },
            message: format!("missing or empty <{name}>"),
        })
    }

    /// A nested field: one element or several of the same name, as a list.
    pub fn nested(&self, name: &str) -> Vec<Record> {
        let one = |v: &Value| match v {
            Value::Object(map) => Some(Record(map.clone())),
            _ => None,
        };
        match self.0.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
            Some(v) => one(v).into_iter().collect(),
            None => Vec::new(),
        }
    }
}

/// The records named `names` in a feed, each as its stored JSON, for `convert_items`.
pub fn records(root: &Element, names: &[&str]) -> Vec<Box<serde_json::value::RawValue>> {
    let mut found = Vec::new();
    root.find_all(names, &mut found);
    found
        .into_iter()
        .filter_map(|e| serde_json::value::to_raw_value(&e.to_json()).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_json_with_entities_and_cdata_resolved() {
        let doc = br#"<?xml version="1.0"?><feed><job><id>1</id><d><![CDATA[<p>Hi</p>]]></d>
            <t>R&amp;D &#233;</t><tag>a</tag><tag>b</tag></job><job><id>2</id></job></feed>"#;
        let root = parse_document(doc, "x").unwrap();
        let mut jobs = Vec::new();
        root.find_all(&["job"], &mut jobs);
        assert_eq!(jobs.len(), 2);
        assert_eq!(
            jobs[0].to_json(),
            serde_json::json!({"id": "1", "d": "<p>Hi</p>", "t": "R&D é", "tag": ["a", "b"]})
        );
    }

    #[test]
    fn broken_documents_and_html_pages_are_malformed() {
        for bad in [
            &b"<feed><job>1</feed>"[..],
            b"<feed><job>",
            b"",
            b"not xml at all",
            b"<!DOCTYPE html><html><body>Error</body></html>",
            b"<html><body>Not found</body></html>",
        ] {
            assert!(
                matches!(parse_document(bad, "x"), Err(SourceError::Malformed { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse_document(deep.as_bytes(), "x").is_err());
        let html = parse_document(b"<html><body/></html>", "enable the feed").unwrap_err();
        assert!(html.to_string().contains("enable the feed"), "{html}");
    }
}
