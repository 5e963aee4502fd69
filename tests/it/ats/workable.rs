//! Workable adapter against a local server serving the hand-written fixture.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::{AtsKind, WorkplaceType};
use jobs_bot::ports::SourceError;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn jobs_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/widget/accounts/acme"))
        .and(query_param("details", "true"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("workable_account.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let workable = adapter(&cfg, AtsKind::Workable);
    let src = source(AtsKind::Workable, "acme");
    let page = workable.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None);
    assert_eq!(page.postings.len(), 2);
    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "A1B2C3D4E5");
    assert_eq!(p.title, "Senior Rust Engineer");
    assert_eq!(p.location.as_deref(), Some("Berlin, Berlin, Germany"));
    assert_eq!(p.department.as_deref(), Some("Engineering"));
    assert_eq!(p.employment_type.as_deref(), Some("Full-time"));
    assert_eq!(p.workplace_type, Some(WorkplaceType::Remote));
    assert_eq!(
        p.url.as_deref(),
        Some("https://apply.workable.com/j/A1B2C3D4E5")
    );
    assert_eq!(
        p.apply_url.as_deref(),
        Some("https://apply.workable.com/j/A1B2C3D4E5/apply")
    );
    assert_eq!(p.posted_at, "2026-09-01T00:00:00Z".parse().ok());
    assert_eq!(p.salary_text.as_deref(), Some("€80.000 - €95.000 per year"));
    assert!(
        p.description
            .starts_with("Build firmware tooling in Rust & C. Salary"),
        "{}",
        p.description
    );
    assert!(
        p.description.contains("Async Rust\nEmbedded"),
        "{}",
        p.description
    );
    assert_plain(&p.description);

    let q = &page.postings[1].posting;
    assert_eq!(
        (
            q.department.as_deref(),
            q.workplace_type,
            q.description.as_str()
        ),
        (None, None, "")
    );
    assert_reparse_round_trips(workable.as_ref(), &src, &page);
}

#[tokio::test]
async fn unknown_account_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::Workable)
        .fetch_page(&source(AtsKind::Workable, "nope"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}
