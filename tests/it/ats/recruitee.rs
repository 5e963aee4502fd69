//! Recruitee adapter against a local server serving the hand-written fixture.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::{AtsKind, WorkplaceType};
use jobs_bot::ports::SourceError;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn offers_field_by_field_from_the_slug_base() {
    let server = MockServer::start().await;
    // The test base is `{server}/{slug}`, so the slug substitution shows in the path.
    Mock::given(method("GET"))
        .and(path("/acme/api/offers/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("recruitee_offers.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let recruitee = adapter(&cfg, AtsKind::Recruitee);
    let src = source(AtsKind::Recruitee, "Acme");
    let page = recruitee.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None);
    assert!(page.rejected.is_empty());
    assert_eq!(page.postings.len(), 2);
    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "2036874");
    assert_eq!(p.title, "Backend Engineer (Rust)");
    assert_eq!(p.location.as_deref(), Some("Amsterdam, Netherlands"));
    assert_eq!(p.department.as_deref(), Some("Platform"));
    assert_eq!(p.employment_type.as_deref(), Some("fulltime_permanent"));
    assert_eq!(p.workplace_type, Some(WorkplaceType::Hybrid));
    assert_eq!(
        p.url.as_deref(),
        Some("https://acme.recruitee.com/o/backend-engineer-rust")
    );
    assert_eq!(
        p.apply_url.as_deref(),
        Some("https://acme.recruitee.com/o/backend-engineer-rust/c/new")
    );
    assert_eq!(p.posted_at, "2026-09-15T08:11:57Z".parse().ok());
    assert_eq!(p.salary_text.as_deref(), Some("EUR 60,000–75,000 per year"));
    assert_eq!(
        p.description,
        "Join our platform team — we're hiring.\n\n3+ years of Rust\nPostgres"
    );
    assert_plain(&p.description);

    let q = &page.postings[1].posting;
    assert_eq!(q.ats_job_id, "2036875");
    assert_eq!(q.location.as_deref(), Some("Germany"));
    assert_eq!(q.workplace_type, Some(WorkplaceType::Remote));
    assert_eq!(q.salary_text, None);
    assert_reparse_round_trips(recruitee.as_ref(), &src, &page);
}

#[test]
fn default_base_puts_the_slug_in_the_host() {
    let cfg = jobs_bot::adapters::ats::AtsConfig::default();
    assert_eq!(
        cfg.base_url(AtsKind::Recruitee, jobs_bot::ports::Region::Global)
            .replace("{slug}", "acme"),
        "https://acme.recruitee.com"
    );
}

#[tokio::test]
async fn unknown_company_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::Recruitee)
        .fetch_page(&source(AtsKind::Recruitee, "nope"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}
