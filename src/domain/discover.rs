//! Finding the ATS behind a careers page: its links, iframes and script sources that point
//! at a provider's careers host, turned into sources. Text that only mentions a provider
//! never counts; only `href`, `src` and `data-src` attribute values are read.

use super::careers_url::{ParsedSource, parse_careers_url};

/// A source a careers page points at, with the first URL that showed it and how often the
/// page points there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub source: ParsedSource,
    /// The matched URL, as the page has it (absolute, entities decoded).
    pub evidence: String,
    pub mentions: usize,
}

/// Attributes whose values are URLs the page loads or links to.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "data-src"];

/// Every source the page points at, the most referenced first (ties: first seen first).
pub fn discover(html: &str) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    for value in url_attributes(html) {
        let url = absolute(&value);
        let Some(url) = url else { continue };
        let Ok(source) = parse_careers_url(&url) else {
            continue;
        };
        match found.iter_mut().find(|c| {
            c.source.ats == source.ats && c.source.slug == source.slug && c.source.eu == source.eu
        }) {
            Some(existing) => existing.mentions += 1,
            None => found.push(Candidate {
                source,
                evidence: url,
                mentions: 1,
            }),
        }
    }
    // Stable: equal counts keep page order.
    found.sort_by_key(|c| std::cmp::Reverse(c.mentions));
    found
}

/// An absolute http(s) URL, or a protocol-relative one made https; relative links name
/// the page's own site, never a provider.
fn absolute(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("//") {
        return Some(format!("https://{rest}"));
    }
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| value.to_string())
}

/// The values of URL attributes of every tag, in page order, skipping comments and the
/// contents of `script`, `style` and `template` elements (their text is not markup).
fn url_attributes(html: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let tag_end = tag_end(rest);
        let tag = &rest[..tag_end];
        rest = rest.get(tag_end + 1..).unwrap_or("");
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        for (attr, value) in attributes(&tag[name.len()..]) {
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                values.push(html_escape::decode_html_entities(value).into_owned());
            }
        }
        if matches!(name.as_str(), "script" | "style" | "template") {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = lower.find(&close).map_or("", |at| &rest[at..]);
        }
    }
    values
}

/// Where a tag ends: the first `>` outside a quoted attribute value.
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    tag.len()
}

/// `name=value` pairs of a tag's attribute text; names lowercased, values unquoted.
fn attributes(mut text: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let name_len = text
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(text.len());
        if name_len == 0 {
            return out;
        }
        let name = text[..name_len].to_ascii_lowercase();
        text = text[name_len..].trim_start();
        let Some(after_eq) = text.strip_prefix('=') else {
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, rest) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after_eq[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after_eq
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        out.push((name, value));
        text = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AtsKind;

    fn found(html: &str) -> Vec<(AtsKind, String, bool)> {
        discover(html)
            .into_iter()
            .map(|c| {
                (
                    c.source.ats,
                    c.source.slug.declared().to_string(),
                    c.source.eu,
                )
            })
            .collect()
    }

    #[test]
    fn every_embed_style_is_found() {
        use AtsKind::*;
        let cases: &[(&str, AtsKind, &str, bool)] = &[
            (
                r#"<div id="grnhse_app"></div><script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>"#,
                Greenhouse,
                "acme",
                false,
            ),
            (
                r#"<iframe src="https://job-boards.greenhouse.io/embed/job_board?for=acme&amp;b=https%3A%2F%2Facme.com"></iframe>"#,
                Greenhouse,
                "acme",
                false,
            ),
            (
                r#"<a class=btn href=https://boards.greenhouse.io/acme>Open roles</a>"#,
                Greenhouse,
                "acme",
                false,
            ),
            (
                r#"<A HREF='//jobs.lever.co/acme/1b2c'>Apply</A>"#,
                Lever,
                "acme",
                false,
            ),
            (
                r#"<a href="https://jobs.eu.lever.co/acme">Jobs</a>"#,
                Lever,
                "acme",
                true,
            ),
            (
                r#"<script src="https://jobs.ashbyhq.com/acme/embed?version=2" defer></script>"#,
                Ashby,
                "acme",
                false,
            ),
            (
                r#"<a href="https://careers.smartrecruiters.com/AcmeCorp">Careers</a>"#,
                SmartRecruiters,
                "AcmeCorp",
                false,
            ),
            (
                r#"<a href="https://apply.workable.com/acme/">Jobs</a>"#,
                Workable,
                "acme",
                false,
            ),
            (
                r#"<iframe data-src="https://acme.recruitee.com/o/engineer"></iframe>"#,
                Recruitee,
                "acme",
                false,
            ),
            (
                r#"<a href="https://acme.wd5.myworkdayjobs.com/en-US/External_Careers">Search jobs</a>"#,
                Workday,
                "acme.wd5.External_Careers",
                false,
            ),
            (
                r#"<a href="https://career5.successfactors.eu/career?company=acmeP&amp;career_ns=job_listing_summary">Jobs</a>"#,
                SuccessFactors,
                "acmeP.career5.successfactors.eu",
                false,
            ),
            (
                r#"<iframe src="https://acme.jobs.personio.de/?language=en" width="100%"></iframe>"#,
                Personio,
                "acme",
                true,
            ),
        ];
        for (html, ats, slug, eu) in cases {
            assert_eq!(found(html), vec![(*ats, slug.to_string(), *eu)], "{html}");
        }
    }

    #[test]
    fn mentions_and_near_misses_are_not_sources() {
        let near_misses = [
            // A blog post linking to the provider's homepage and product pages.
            r#"<p>We moved to <a href="https://www.greenhouse.io/">Greenhouse</a>, see
               <a href="https://www.greenhouse.io/blog/acme">their post</a>.</p>"#,
            r#"<a href="https://boards.greenhouse.io/">boards</a>"#,
            r#"<a href="https://jobs.lever.co/">Lever</a>"#,
            r#"<a href="https://www.workday.com/en-us/products/talent-management.html">Workday</a>"#,
            r#"<a href="https://www.personio.de/">Personio</a>"#,
            r#"<a href="https://apply.workable.com/j/ABC123">One job</a>"#,
            // Text, comments, inline script and non-URL attributes.
            "<p>Our jobs are at boards.greenhouse.io/acme and https://jobs.lever.co/acme</p>",
            r#"<!-- <a href="https://boards.greenhouse.io/acme">old</a> -->"#,
            r#"<script>var u = "<a href='https://jobs.lever.co/acme'>";</script>"#,
            r#"<div title="https://jobs.lever.co/acme" data-url="https://jobs.ashbyhq.com/acme"></div>"#,
            // Relative links are the page's own site.
            r#"<a href="/jobs.lever.co/acme">x</a>"#,
            r#"<a href="https://evil.example/boards.greenhouse.io/acme">x</a>"#,
        ];
        for html in near_misses {
            assert_eq!(found(html), vec![], "{html}");
        }
    }

    #[test]
    fn the_most_referenced_source_comes_first() {
        let html = r#"<a href="https://jobs.lever.co/old">old</a>
            <a href="https://boards.greenhouse.io/acme/jobs/1">a</a>
            <a href="https://boards.greenhouse.io/acme/jobs/2">b</a>
            <script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>"#;
        let candidates = discover(html);
        assert_eq!(candidates.len(), 2);
        assert_eq!(candidates[0].source.ats, AtsKind::Greenhouse);
        assert_eq!(candidates[0].mentions, 3);
        assert_eq!(
            candidates[0].evidence,
            "https://boards.greenhouse.io/acme/jobs/1"
        );
        assert_eq!(candidates[1].source.slug.as_str(), "old");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<",
            "<a href=",
            "<a href=\"x",
            "<script src='",
            "<!--",
            "<<>>",
            "é<ü",
        ] {
            let _ = discover(html);
        }
    }
}
