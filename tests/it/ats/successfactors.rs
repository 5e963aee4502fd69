//! SuccessFactors adapter against a local server serving the hand-written XML feed.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::AtsKind;
use jobs_bot::ports::{Page, SourceError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SLUG: &str = "acmeP.career5.successfactors.eu";

async fn serve(body: &str, content_type: &str) -> Result<Page, SourceError> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/career"))
        // The company id goes out as declared: SuccessFactors ids are case-sensitive.
        .and(query_param("company", "acmeP"))
        .and(query_param("career_ns", "job_listing_summary"))
        .and(query_param("resultType", "XML"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), content_type),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    adapter(&cfg, AtsKind::SuccessFactors)
        .fetch_page(&source(AtsKind::SuccessFactors, SLUG), None)
        .await
}

#[tokio::test]
async fn feed_records_field_by_field() {
    let page = serve(&fixture("successfactors_feed.xml"), "application/xml")
        .await
        .expect("page");
    assert_eq!(page.next, None);
    assert_eq!(page.postings.len(), 2);
    // The record without a requisition id is rejected, the rest kept.
    assert_eq!(page.rejected.len(), 1);
    assert_eq!(page.rejected[0].path, "jobPosting[2].jobReqId");

    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "10234");
    assert_eq!(p.title, "Senior Rust Engineer (m/f/d)");
    assert_eq!(p.location.as_deref(), Some("Walldorf, DE, 69190"));
    assert_eq!(p.department.as_deref(), Some("Engineering"));
    assert_eq!(
        p.apply_url.as_deref(),
        Some("https://career5.successfactors.eu/career?company=acmeP&career_job_req_id=10234")
    );
    assert_eq!(p.description, "Build things & ship them.\nRust\nSQL");
    assert_eq!(p.posted_at, "2026-11-20T00:00:00Z".parse().ok());
    assert_plain(&p.description);

    let q = &page.postings[1].posting;
    assert_eq!(q.ats_job_id, "10240");
    assert_eq!(q.title, "Product Owner");
    assert_eq!(q.description, "Own the roadmap.");
    assert_eq!(q.posted_at, "2026-11-13T08:00:00Z".parse().ok());

    let cfg = config("http://127.0.0.1:9");
    let sf = adapter(&cfg, AtsKind::SuccessFactors);
    assert_reparse_round_trips(sf.as_ref(), &source(AtsKind::SuccessFactors, SLUG), &page);
}

#[tokio::test]
async fn empty_broken_and_html_feeds() {
    let empty = serve("<?xml version=\"1.0\"?><jobPostings/>", "text/xml")
        .await
        .expect("an empty feed is an empty board");
    assert!(empty.postings.is_empty() && empty.rejected.is_empty());

    let broken = serve(
        "<jobPostings><jobPosting><jobReqId>1</jobPosting>",
        "text/xml",
    )
    .await;
    assert!(
        matches!(broken, Err(SourceError::Malformed { .. })),
        "{broken:?}"
    );

    let html = serve(
        "<!DOCTYPE html><html><body>Sorry, this page is unavailable</body></html>",
        "text/html",
    )
    .await;
    match html {
        Err(SourceError::Malformed { message, .. }) => {
            assert!(message.contains("HTML page, not an XML feed"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
