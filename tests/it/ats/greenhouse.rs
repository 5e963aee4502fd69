//! Greenhouse adapter against a local server serving the real fixture.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::{AtsKind, JobUid, WorkplaceType};
use jobs_bot::ports::{KnownItems, PageCursor, SourceError, SourceRef};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BOARD: &str = "/v1/boards/anthropic/jobs";

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json")
}

#[tokio::test]
async fn real_board_is_read_in_one_request_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BOARD))
        .and(query_param("content", "true"))
        .and(query_param_is_missing("page"))
        .respond_with(json(fixture("greenhouse_jobs.json")))
        .expect(1) // meta.total is reached: a second call would be wasted
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let gh = adapter(&cfg, AtsKind::Greenhouse);
    let src = source(AtsKind::Greenhouse, "Anthropic");
    let page = gh.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None);
    assert!(page.rejected.is_empty(), "{:?}", page.rejected);
    assert_eq!(page.postings.len(), 3);

    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "5311686008");
    assert_eq!(p.title, "Country Lead, Data Center Security");
    assert_eq!(p.company.as_deref(), Some("Anthropic"));
    assert_eq!(p.location.as_deref(), Some("Sydney, Australia"));
    assert_eq!(p.department.as_deref(), Some("Security"));
    assert_eq!(
        p.url.as_deref(),
        Some("https://job-boards.greenhouse.io/anthropic/jobs/5311686008")
    );
    assert_eq!(p.workplace_type, Some(WorkplaceType::Remote));
    assert_eq!(p.posted_at, "2026-07-10T20:15:41Z".parse().ok());
    assert_eq!(p.updated_at, "2026-07-14T22:35:00Z".parse().ok());
    assert_eq!(p.salary_text, None);
    assert!(
        p.description.starts_with("About Anthropic\n"),
        "{}",
        p.description
    );
    assert!(
        p.description
            .contains("Anthropic's Data Center Security Engineering team")
    );
    assert!(
        p.description
            .contains("electronic security systems access control"),
        "{}",
        p.description
    );

    // "Remote-Friendly" in the location loses to the explicit Location Type field.
    let fellows = &page.postings[2].posting;
    assert_eq!(fellows.workplace_type, Some(WorkplaceType::OnSite));
    assert_eq!(
        fellows.department.as_deref(),
        Some("AI Research & Engineering")
    );
    assert!(
        fellows
            .description
            .contains("application & reference check"),
        "{}",
        fellows.description
    );

    for f in &page.postings {
        assert_plain(&f.posting.description);
    }
    // Verbatim: each raw item is a slice of the body exactly as served.
    let served = fixture("greenhouse_jobs.json");
    assert!(page.postings.iter().all(|f| served.contains(&f.raw_json)));
    assert_reparse_round_trips(gh.as_ref(), &src, &page);
}

#[tokio::test]
async fn pay_transparency_block_and_salary_sentences_are_found() {
    let pay = r#"&lt;p&gt;Role&lt;/p&gt;&lt;div class=&quot;content-pay-transparency&quot;&gt;&lt;div class=&quot;pay-input&quot;&gt;&lt;div class=&quot;title&quot;&gt;Annual Salary:&lt;/div&gt;&lt;div class=&quot;pay-range&quot;&gt;&lt;span&gt;$300,000&lt;/span&gt;&lt;span class=&quot;divider&quot;&gt;&amp;mdash;&lt;/span&gt;&lt;span&gt;$405,000 USD&lt;/span&gt;&lt;/div&gt;&lt;/div&gt;&lt;/div&gt;"#;
    let sentence = "&lt;p&gt;We pay £50k–£70k depending on experience.&lt;/p&gt;";
    let body = format!(
        r#"{{"jobs":[{{"id":1,"title":"A","content":"{pay}","location":{{"name":" Remote (United States) "}},"metadata":null}},
                    {{"id":2,"title":"B","content":"{sentence}","location":{{"name":"Hybrid - Berlin"}},"departments":[{{"name":"Customer Success "}}]}}],
            "meta":{{"total":2}}}}"#
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/acme/jobs"))
        .respond_with(json(body))
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let page = adapter(&cfg, AtsKind::Greenhouse)
        .fetch_page(&source(AtsKind::Greenhouse, "acme"), None)
        .await
        .expect("page");
    let a = &page.postings[0].posting;
    assert_eq!(a.salary_text.as_deref(), Some("$300,000—$405,000 USD"));
    assert_eq!(a.location.as_deref(), Some("Remote (United States)"));
    assert_eq!(a.workplace_type, Some(WorkplaceType::Remote));
    assert_plain(&a.description);
    let b = &page.postings[1].posting;
    assert_eq!(b.salary_text.as_deref(), Some("£50k–£70k"));
    assert_eq!(b.workplace_type, Some(WorkplaceType::Hybrid));
    assert_eq!(b.department.as_deref(), Some("Customer Success"));
}

#[tokio::test]
async fn unknown_board_is_not_found_with_the_real_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/nope/jobs"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            r#"{"status":404,"error":"Job not found"}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::Greenhouse)
        .fetch_page(&source(AtsKind::Greenhouse, "nope"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}

fn job(id: u32) -> String {
    format!(r#"{{"id":{id},"title":"Job {id}"}}"#)
}

fn board(ids: &[u32], total: u32) -> String {
    let jobs: Vec<String> = ids.iter().map(|i| job(*i)).collect();
    format!(
        r#"{{"jobs":[{}],"meta":{{"total":{total}}}}}"#,
        jobs.join(",")
    )
}

#[tokio::test]
async fn a_board_that_does_page_is_followed_until_nothing_new() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/acme/jobs"))
        .and(query_param_is_missing("page"))
        .respond_with(json(board(&[1, 2], 5)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/acme/jobs"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "2"))
        .respond_with(json(board(&[3, 4], 5)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/acme/jobs"))
        .and(query_param("page", "3"))
        .respond_with(json(board(&[5], 5)))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri())
        .with_number("GREENHOUSE_PER_PAGE", 2)
        .with_number("GREENHOUSE_MAX_PAGES", 7);
    let gh = adapter(&cfg, AtsKind::Greenhouse);
    assert_eq!(gh.max_pages(), 7);
    let src = source(AtsKind::Greenhouse, "acme");
    let p1 = gh.fetch_page(&src, None).await.expect("p1");
    assert_eq!(p1.next, Some(PageCursor::Offset(2)));
    let p2 = gh.fetch_page(&src, p1.next.as_ref()).await.expect("p2");
    assert_eq!(p2.next, Some(PageCursor::Offset(3)));
    let p3 = gh.fetch_page(&src, p2.next.as_ref()).await.expect("p3");
    assert_eq!(p3.next, None);
    assert_eq!(p3.postings.len(), 1);
}

#[tokio::test]
async fn a_board_that_ignores_paging_stops_after_one_repeat() {
    let server = MockServer::start().await;
    // Greenhouse ignores page/per_page: every answer is the same short list.
    Mock::given(method("GET"))
        .and(path("/v1/boards/acme/jobs"))
        .respond_with(json(board(&[1, 2, 3], 10)))
        .expect(2)
        .mount(&server)
        .await;
    let gh = adapter(&config(&server.uri()), AtsKind::Greenhouse);
    let src = source(AtsKind::Greenhouse, "acme");
    let p1 = gh.fetch_page(&src, None).await.expect("p1");
    assert_eq!(p1.postings.len(), 3);
    let p2 = gh.fetch_page(&src, p1.next.as_ref()).await.expect("p2");
    assert!(p2.postings.is_empty(), "repeats are not returned twice");
    assert_eq!(p2.next, None);
}

/// An item whose raw JSON hashes as stored is reported by id and never parsed; the others
/// are parsed as usual, carrying the hash they will be stored with.
#[tokio::test]
async fn known_unchanged_items_are_listed_by_id_without_parsing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BOARD))
        .respond_with(json(fixture("greenhouse_jobs.json")))
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let gh = adapter(&cfg, AtsKind::Greenhouse);
    let plain = source(AtsKind::Greenhouse, "Anthropic");
    let first = gh.fetch_page(&plain, None).await.expect("page");
    assert!(first.unchanged.is_empty());
    let stored = &first.postings[1];
    let stored_uid = JobUid::new(
        AtsKind::Greenhouse,
        &plain.key.slug,
        &stored.posting.ats_job_id,
    );
    let known = KnownItems::new(
        Some("Anthropic"),
        [(
            KnownItems::new(Some("Anthropic"), []).hash(&stored.raw_json),
            stored_uid.clone(),
        )],
    );
    let with_known = SourceRef {
        known: std::sync::Arc::new(known.clone()),
        ..plain.clone()
    };
    let again = gh.fetch_page(&with_known, None).await.expect("page");
    assert_eq!(again.unchanged, vec![stored_uid.clone()]);
    assert_eq!(again.postings.len(), first.postings.len() - 1);
    assert!(
        again
            .postings
            .iter()
            .all(|p| p.posting.ats_job_id != stored.posting.ats_job_id)
    );
    for p in &again.postings {
        assert_eq!(p.raw_hash, known.hash(&p.raw_json));
    }
    // Another source name salts the hash differently: nothing is known any more.
    let renamed = SourceRef {
        known: std::sync::Arc::new(KnownItems::new(
            Some("Renamed"),
            [(stored.raw_hash.clone(), stored_uid)],
        )),
        ..plain
    };
    let page = gh.fetch_page(&renamed, None).await.expect("page");
    assert!(page.unchanged.is_empty());
    assert_eq!(page.postings.len(), first.postings.len());
}
