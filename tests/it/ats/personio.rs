//! Personio adapter against a local server serving the hand-written XML feed.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::AtsKind;
use jobs_bot::ports::{Page, Region, SourceError, SourceRef};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(route: &str, src: &SourceRef, body: &str) -> Result<Page, SourceError> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .and(query_param("language", "en"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/xml"))
        .expect(1)
        .mount(&server)
        .await;
    adapter(&config(&server.uri()), AtsKind::Personio)
        .fetch_page(src, None)
        .await
}

#[tokio::test]
async fn positions_field_by_field() {
    let src = source(AtsKind::Personio, "acme");
    // The test base is `{server}/{slug}`, so the slug substitution shows in the path.
    let page = serve("/acme/xml", &src, &fixture("personio_feed.xml"))
        .await
        .expect("page");
    assert_eq!(page.next, None);
    assert!(page.rejected.is_empty(), "{:?}", page.rejected);
    assert_eq!(page.postings.len(), 2);
    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "1234567");
    assert_eq!(p.title, "Backend Engineer (Rust)");
    assert_eq!(p.company.as_deref(), Some("Acme GmbH"));
    assert_eq!(p.location.as_deref(), Some("Berlin"));
    assert_eq!(p.department.as_deref(), Some("Engineering"));
    assert_eq!(p.team.as_deref(), Some("Backend"));
    assert_eq!(p.employment_type.as_deref(), Some("permanent, full-time"));
    assert_eq!(
        p.url.as_deref(),
        Some("https://acme.jobs.personio.com/job/1234567")
    );
    assert_eq!(
        p.description,
        "Your mission\n\nBuild our platform & its APIs.\n\nYour profile\n\n3+ years of Rust\nPostgres"
    );
    assert_plain(&p.description);
    assert_eq!(p.posted_at, "2026-11-02T09:15:00Z".parse().ok());
    let q = &page.postings[1].posting;
    assert_eq!(q.company, None);
    assert_eq!(q.employment_type.as_deref(), Some("permanent, part-time"));
    assert_eq!(q.description, "About the job\n\nKeep the office running.");
    assert_eq!(q.posted_at, "2026-10-15T10:00:00Z".parse().ok());
    let personio = adapter(&config("http://127.0.0.1:9"), AtsKind::Personio);
    assert_reparse_round_trips(personio.as_ref(), &src, &page);
}

#[tokio::test]
async fn eu_boards_are_read_from_the_de_feed() {
    let mut src = source(AtsKind::Personio, "acme");
    src.region = Region::Eu;
    // The test config puts EU hosts under `{server}/eu`.
    let page = serve("/eu/acme/xml", &src, &fixture("personio_feed.xml"))
        .await
        .expect("page");
    assert_eq!(
        page.postings[0].posting.url.as_deref(),
        Some("https://acme.jobs.personio.de/job/1234567")
    );
}

#[tokio::test]
async fn a_feed_not_enabled_an_empty_feed_and_broken_xml() {
    let src = source(AtsKind::Personio, "acme");
    let disabled = serve(
        "/acme/xml",
        &src,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Acme</title></head><body>Jobs</body></html>",
    )
    .await;
    match disabled {
        Err(SourceError::Malformed { message, .. }) => {
            assert!(
                message.contains("not enabled its Personio XML feed"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    let empty = serve(
        "/acme/xml",
        &src,
        "<?xml version=\"1.0\"?>\n<workzag-jobs></workzag-jobs>",
    )
    .await
    .expect("empty feed");
    assert!(empty.postings.is_empty() && empty.rejected.is_empty());
    let broken = serve("/acme/xml", &src, "<workzag-jobs><position><id>1</id>").await;
    assert!(
        matches!(broken, Err(SourceError::Malformed { .. })),
        "{broken:?}"
    );
    let nameless = serve(
        "/acme/xml",
        &src,
        "<workzag-jobs><position><id>1</id></position><position><id>2</id><name>Ok</name></position></workzag-jobs>",
    )
    .await
    .expect("page");
    assert_eq!(nameless.postings.len(), 1);
    assert_eq!(nameless.rejected[0].path, "position[0].name");
}
