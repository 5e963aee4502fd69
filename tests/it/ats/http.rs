//! Edge cases every provider shares through the common HTTP client, run against all of them.

use std::time::Duration;

use crate::helpers::ats::{adapter, assert_reparse_round_trips, config, raw_server, source};
use jobs_bot::adapters::ats::AtsConfig;
use jobs_bot::domain::AtsKind;
use jobs_bot::ports::{Page, Region, SourceError};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Case {
    kind: AtsKind,
    /// The board, `acme` unless the provider names boards otherwise.
    slug: &'static str,
    method: &'static str,
    /// What the adapter asks for.
    accept: &'static str,
    /// The payload is JSON with one item per posting, stored verbatim: the item-level
    /// tests apply (XML feeds and Workday's stored wrapper have their own in their files).
    json_items: bool,
    /// Request path for the board.
    path: &'static str,
    /// Path of the item list in the payload (`""` for a bare array).
    list: &'static str,
    wrap: fn(&[String]) -> String,
    item: fn(&str, &str) -> String,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::Greenhouse,
            path: "/v1/boards/acme/jobs",
            list: "jobs",
            wrap: |items| {
                format!(
                    r#"{{"jobs":[{}],"meta":{{"total":{}}}}}"#,
                    items.join(","),
                    items.len()
                )
            },
            item: |id, title| format!(r#"{{"id":{id},"title":"{title}"}}"#),
        },
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::Lever,
            path: "/v0/postings/acme",
            list: "",
            wrap: |items| format!("[{}]", items.join(",")),
            item: |id, title| format!(r#"{{"id":{id},"text":"{title}"}}"#),
        },
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::Ashby,
            path: "/posting-api/job-board/acme",
            list: "jobs",
            wrap: |items| format!(r#"{{"apiVersion":"1","jobs":[{}]}}"#, items.join(",")),
            item: |id, title| format!(r#"{{"id":{id},"title":"{title}"}}"#),
        },
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::SmartRecruiters,
            path: "/v1/companies/acme/postings",
            list: "content",
            wrap: |items| {
                format!(
                    r#"{{"offset":0,"limit":100,"totalFound":{},"content":[{}]}}"#,
                    items.len(),
                    items.join(",")
                )
            },
            item: |id, title| format!(r#"{{"id":{id},"name":"{title}"}}"#),
        },
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::Workable,
            path: "/api/v1/widget/accounts/acme",
            list: "jobs",
            wrap: |items| format!(r#"{{"name":"Acme","jobs":[{}]}}"#, items.join(",")),
            item: |id, title| format!(r#"{{"shortcode":{id},"title":"{title}"}}"#),
        },
        Case {
            slug: "acme",
            method: "GET",
            accept: JSON,
            json_items: true,
            kind: AtsKind::Recruitee,
            path: "/acme/api/offers/",
            list: "offers",
            wrap: |items| format!(r#"{{"offers":[{}]}}"#, items.join(",")),
            item: |id, title| format!(r#"{{"id":{id},"title":"{title}"}}"#),
        },
        Case {
            kind: AtsKind::Workday,
            slug: "acme.wd5.External",
            method: "POST",
            accept: JSON,
            json_items: false,
            path: "/wday/cxs/acme/External/jobs",
            list: "jobPostings",
            wrap: |items| {
                format!(
                    r#"{{"total":{},"jobPostings":[{}]}}"#,
                    items.len(),
                    items.join(",")
                )
            },
            item: |id, title| {
                format!(r#"{{"title":"{title}","externalPath":"/job/x/{id}","bulletFields":[]}}"#)
            },
        },
        Case {
            kind: AtsKind::SuccessFactors,
            slug: "acme.career5.successfactors.eu",
            method: "GET",
            accept: XML,
            json_items: false,
            path: "/career",
            list: "jobPosting",
            wrap: |items| format!("<jobPostings>{}</jobPostings>", items.concat()),
            item: |id, title| {
                format!(
                    "<jobPosting><jobReqId>{id}</jobReqId><jobTitle>{title}</jobTitle></jobPosting>"
                )
            },
        },
        Case {
            kind: AtsKind::Personio,
            slug: "acme",
            method: "GET",
            accept: XML,
            json_items: false,
            path: "/acme/xml",
            list: "position",
            wrap: |items| format!("<workzag-jobs>{}</workzag-jobs>", items.concat()),
            item: |id, title| format!("<position><id>{id}</id><name>{title}</name></position>"),
        },
    ]
}

const JSON: &str = "application/json";
const XML: &str = "application/xml";

/// The cases whose payloads are JSON items stored verbatim.
fn json_item_cases() -> Vec<Case> {
    cases().into_iter().filter(|c| c.json_items).collect()
}

#[test]
fn every_provider_has_a_case() {
    let kinds: Vec<AtsKind> = cases().iter().map(|c| c.kind).collect();
    for kind in AtsKind::ALL {
        assert!(kinds.contains(&kind), "add a Case for {kind} to cases()");
    }
}

async fn serve(case: &Case, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(case.method))
        .and(path(case.path))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn fetch_with(cfg: &AtsConfig, case: &Case) -> Result<Page, SourceError> {
    adapter(cfg, case.kind)
        .fetch_page(&source(case.kind, case.slug), None)
        .await
}

async fn fetch(case: &Case, response: ResponseTemplate) -> Result<Page, SourceError> {
    let server = serve(case, response).await;
    fetch_with(&config(&server.uri()), case).await
}

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json")
}

#[tokio::test]
async fn empty_board_is_an_empty_complete_page() {
    for case in cases() {
        let page = fetch(&case, json((case.wrap)(&[])))
            .await
            .expect("empty board");
        assert!(
            page.postings.is_empty() && page.rejected.is_empty(),
            "{}",
            case.kind
        );
        assert_eq!(page.next, None, "{}", case.kind);
    }
}

#[tokio::test]
async fn sends_user_agent_and_accept() {
    for case in cases() {
        let server = MockServer::start().await;
        Mock::given(method(case.method))
            .and(path(case.path))
            .and(header("accept", case.accept))
            .and(header(
                "user-agent",
                AtsConfig::default().user_agent.as_str(),
            ))
            .respond_with(json((case.wrap)(&[])))
            .expect(1)
            .mount(&server)
            .await;
        fetch_with(&config(&server.uri()), &case)
            .await
            .expect("headers matched");
        assert!(AtsConfig::default().user_agent.contains("jobs-bot/"));
    }
}

#[tokio::test]
async fn http_statuses_map_to_typed_errors() {
    for case in cases() {
        let k = case.kind;
        let gone = fetch(&case, ResponseTemplate::new(410)).await;
        assert_eq!(gone, Err(SourceError::NotFound { status: 410 }), "{k}");
        let limited = fetch(
            &case,
            ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        )
        .await;
        assert_eq!(
            limited,
            Err(SourceError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }),
            "{k}"
        );
        let limited_date = fetch(
            &case,
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        )
        .await;
        assert_eq!(
            limited_date,
            Err(SourceError::RateLimited {
                retry_after: Some(Duration::ZERO)
            }),
            "{k}"
        );
        let bare_limited = fetch(&case, ResponseTemplate::new(429)).await;
        assert_eq!(
            bare_limited,
            Err(SourceError::RateLimited { retry_after: None }),
            "{k}"
        );
        assert_eq!(
            fetch(&case, ResponseTemplate::new(500)).await,
            Err(SourceError::Server { status: 500 }),
            "{k}"
        );
        assert_eq!(
            fetch(&case, ResponseTemplate::new(503)).await,
            Err(SourceError::Server { status: 503 }),
            "{k}"
        );
        assert_eq!(
            fetch(&case, ResponseTemplate::new(403)).await,
            Err(SourceError::Status { status: 403 }),
            "{k}"
        );
    }
}

#[tokio::test]
async fn body_that_is_not_json_or_has_the_wrong_shape_is_malformed() {
    for case in cases() {
        let k = case.kind;
        let html = ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html");
        assert!(
            matches!(fetch(&case, html).await, Err(SourceError::Malformed { .. })),
            "{k}"
        );

        // The list where the envelope should be: the error names the list's path.
        if !case.json_items && case.kind != AtsKind::Workday {
            continue;
        }
        let wrong = if case.list.is_empty() {
            r#"{"jobs":[]}"#.to_string()
        } else {
            format!(
                r#"{{"{}":"nope","meta":{{"total":1}},"totalFound":1}}"#,
                case.list
            )
        };
        match fetch(&case, json(wrong)).await {
            Err(SourceError::Malformed { path, message }) => {
                let want = if case.list.is_empty() { "." } else { case.list };
                assert_eq!(path, want, "{k}: {message}");
            }
            other => panic!("{k}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn truncated_json_body_is_malformed() {
    for case in cases() {
        let full = (case.wrap)(&[(case.item)("1", "A"), (case.item)("2", "B")]);
        let cut = full[..full.len() / 2].to_string();
        assert!(
            matches!(
                fetch(&case, json(cut)).await,
                Err(SourceError::Malformed { .. })
            ),
            "{}",
            case.kind
        );
    }
}

#[tokio::test]
async fn connection_closed_before_content_length_is_a_network_error() {
    for case in cases() {
        let body = (case.wrap)(&[(case.item)("1", "A")]).into_bytes();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len() + 500
        );
        let base = raw_server(head, body);
        let got = fetch_with(&config(&base), &case).await;
        assert!(
            matches!(got, Err(SourceError::Network(_))),
            "{}: {got:?}",
            case.kind
        );
    }
}

#[tokio::test]
async fn one_bad_item_is_rejected_and_the_rest_kept() {
    for case in json_item_cases() {
        let k = case.kind;
        let items = [
            (case.item)("1", "First – naïve café ✓"),
            (case.item)(r#"{"nested":true}"#, "Bad id"),
            (case.item)(r#""third""#, "Third"),
        ];
        let server = serve(&case, json((case.wrap)(&items))).await;
        let cfg = config(&server.uri());
        let page = fetch_with(&cfg, &case).await.expect("page");
        let ids: Vec<&str> = page
            .postings
            .iter()
            .map(|p| p.posting.ats_job_id.as_str())
            .collect();
        assert_eq!(ids, ["1", "third"], "{k}");
        assert_eq!(
            page.postings[0].posting.title, "First – naïve café ✓",
            "{k}"
        );
        assert_eq!(page.rejected.len(), 1, "{k}");
        let want_prefix = format!("{}[1].", case.list);
        assert!(
            page.rejected[0].path.starts_with(&want_prefix),
            "{k}: {:?}",
            page.rejected[0]
        );
        assert!(!page.rejected[0].reason.is_empty());
        // raw_json is the item exactly as sent.
        assert_eq!(page.postings[0].raw_json, items[0], "{k}");
        assert_reparse_round_trips(adapter(&cfg, k).as_ref(), &source(k, "acme"), &page);
    }
}

#[tokio::test]
async fn nulls_and_unknown_fields_are_tolerated() {
    for case in json_item_cases() {
        let k = case.kind;
        let item = (case.item)("42", "Engineer");
        let nulls = r#","location":null,"department":null,"departments":null,"metadata":null,"categories":null,"company":null,"salary":null,"compensation":null,"city":null,"totally_new_field":{"x":[1,2]}}"#;
        let item = format!("{}{}", &item[..item.len() - 1], nulls);
        let page = fetch(&case, json((case.wrap)(&[item])))
            .await
            .expect("page");
        assert_eq!(page.rejected, vec![], "{k}");
        let posting = &page.postings[0].posting;
        assert_eq!(
            (posting.ats_job_id.as_str(), posting.title.as_str()),
            ("42", "Engineer"),
            "{k}"
        );
        assert_eq!(posting.location, None, "{k}");
        assert_eq!(posting.salary_text, None, "{k}");
    }
}

#[tokio::test]
async fn body_over_the_limit_is_too_large() {
    for case in cases() {
        let body = (case.wrap)(&[(case.item)("1", &"x".repeat(2_000))]);
        let server = serve(&case, json(body.clone())).await;
        let cfg = AtsConfig {
            max_body_bytes: 1_000,
            ..config(&server.uri())
        };
        assert_eq!(
            fetch_with(&cfg, &case).await,
            Err(SourceError::TooLarge { limit: 1_000 }),
            "{}",
            case.kind
        );

        // Without Content-Length the limit still holds, counted chunk by chunk.
        let mut chunked = Vec::new();
        for part in body.as_bytes().chunks(300) {
            chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            chunked.extend_from_slice(part);
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        let base = raw_server(head.to_string(), chunked);
        let cfg = AtsConfig {
            max_body_bytes: 1_000,
            ..config(&base)
        };
        assert_eq!(
            fetch_with(&cfg, &case).await,
            Err(SourceError::TooLarge { limit: 1_000 }),
            "{} chunked",
            case.kind
        );
    }
}

#[tokio::test]
async fn slow_response_times_out() {
    for case in cases() {
        let slow = json((case.wrap)(&[])).set_delay(Duration::from_millis(800));
        let server = serve(&case, slow).await;
        let cfg = AtsConfig {
            timeout: Duration::from_millis(300),
            ..config(&server.uri())
        };
        assert_eq!(
            fetch_with(&cfg, &case).await,
            Err(SourceError::Timeout),
            "{}",
            case.kind
        );
    }
}

#[tokio::test]
async fn refused_connection_is_a_short_network_error() {
    // Bound but never listening: connections are refused, and no other test can take
    // the port while `_held` lives.
    let _held = tokio::net::TcpSocket::new_v4().unwrap();
    _held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = _held.local_addr().unwrap().port();
    for case in cases() {
        match fetch_with(&config(&format!("http://127.0.0.1:{port}")), &case).await {
            Err(SourceError::Network(msg)) => assert!(!msg.contains("127.0.0.1"), "{msg}"),
            other => panic!("{}: {other:?}", case.kind),
        }
    }
}

#[tokio::test]
async fn a_source_for_another_provider_is_refused() {
    let cfg = config("http://127.0.0.1:9");
    let lever = adapter(&cfg, AtsKind::Lever);
    let got = lever
        .fetch_page(&source(AtsKind::Greenhouse, "acme"), None)
        .await;
    assert!(matches!(got, Err(SourceError::InvalidSource(_))), "{got:?}");
}

#[test]
fn build_sources_returns_every_provider_and_checks_base_urls() {
    let sources =
        jobs_bot::adapters::ats::build_sources(&AtsConfig::default()).expect("defaults build");
    for kind in AtsKind::ALL {
        assert_eq!(sources[&kind].kind(), kind);
    }
    assert_eq!(sources[&AtsKind::Greenhouse].max_pages(), 50);
    let bad = AtsConfig::default().with_base_url(AtsKind::Lever, Region::Global, "not a url");
    assert!(jobs_bot::adapters::ats::build_sources(&bad).is_err());
}
