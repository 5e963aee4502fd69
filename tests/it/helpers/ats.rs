//! Shared helpers for the ATS adapter tests: fixtures, configs, sources and raw TCP servers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use jobs_bot::adapters::ats::{AtsConfig, PROVIDERS, build_sources};
use jobs_bot::domain::{AtsKind, CompanySlug, SourceKey};
use jobs_bot::ports::{JobSource, Page, Region, SourceRef};

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every registered base URL pointed at `base`: EU hosts at `{base}/eu`, and a default
/// with `{slug}` in it (Recruitee's subdomain) keeps `{slug}` as a path segment.
pub fn config(base: &str) -> AtsConfig {
    let mut cfg = AtsConfig {
        timeout: Duration::from_secs(5),
        ..AtsConfig::default()
    };
    for info in PROVIDERS {
        for (region, setting) in info.base_urls() {
            let mut url = match region {
                Region::Global => base.to_string(),
                Region::Eu => format!("{base}/eu"),
            };
            if setting.default.contains("{slug}") {
                url.push_str("/{slug}");
            }
            cfg.base_urls.insert((info.kind, region), url);
        }
    }
    cfg
}

pub fn adapter(cfg: &AtsConfig, kind: AtsKind) -> Arc<dyn JobSource> {
    build_sources(cfg).expect("sources build")[&kind].clone()
}

pub fn source(kind: AtsKind, slug: &str) -> SourceRef {
    SourceRef::new(
        SourceKey::new(kind, CompanySlug::parse(slug).expect("slug")),
        Region::Global,
    )
}

/// Every posting re-derived from its stored raw JSON equals the fetched one, and the raw
/// JSON is the provider's item verbatim (it parses, and holds the id as sent).
pub fn assert_reparse_round_trips(adapter: &dyn JobSource, source: &SourceRef, page: &Page) {
    for fetched in &page.postings {
        let again = adapter.reparse(source, &fetched.raw_json).expect("reparse");
        assert_eq!(
            again, fetched.posting,
            "reparse differs for {}",
            fetched.posting.ats_job_id
        );
        let _: serde_json::Value =
            serde_json::from_str(&fetched.raw_json).expect("raw json parses");
    }
}

/// No markup or entities left in a description.
pub fn assert_plain(text: &str) {
    for bad in [
        "&lt;", "&gt;", "&amp;", "&nbsp;", "&#39;", "&quot;", "<p>", "<div", "</", "<li", "<br",
    ] {
        assert!(!text.contains(bad), "{bad:?} left in description: {text:?}");
    }
    assert!(!text.contains("\n\n\n"), "3+ newlines in {text:?}");
    assert!(
        text.lines().all(|l| l == l.trim_end()),
        "trailing spaces in {text:?}"
    );
}

/// A one-shot HTTP server that answers with exactly `head` + `body` bytes and closes, for
/// responses wiremock cannot produce (a Content-Length that lies, chunked bodies).
pub fn raw_server(head: String, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    });
    format!("http://{addr}")
}
