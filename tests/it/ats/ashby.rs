//! Ashby adapter against a local server serving the real fixture.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::{AtsKind, WorkplaceType};
use jobs_bot::ports::SourceError;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn real_jobs_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/posting-api/job-board/linear"))
        .and(query_param("includeCompensation", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("ashby_jobs.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let ashby = adapter(&cfg, AtsKind::Ashby);
    let src = source(AtsKind::Ashby, "linear");
    let page = ashby.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None);
    assert!(page.rejected.is_empty());
    assert_eq!(page.postings.len(), 3);

    let p = &page.postings[1].posting;
    assert_eq!(p.ats_job_id, "4c577aae-1ad0-444b-9e15-2ad994333de4");
    assert_eq!(p.title, "Member of Technical Staff");
    assert_eq!(p.location.as_deref(), Some("San Francisco"));
    assert_eq!(p.department.as_deref(), Some("Engineering"));
    assert_eq!(p.team.as_deref(), Some("Engineering"));
    assert_eq!(p.employment_type.as_deref(), Some("FullTime"));
    assert_eq!(p.workplace_type, Some(WorkplaceType::OnSite));
    assert_eq!(
        p.url.as_deref(),
        Some("https://jobs.ashbyhq.com/openevidence/4c577aae-1ad0-444b-9e15-2ad994333de4")
    );
    assert_eq!(p.posted_at, "2026-01-22T21:44:44.930Z".parse().ok());
    assert_eq!(p.salary_text, None);
    assert_eq!(
        p.description,
        "OpenEvidence is the most widely used medical AI platform in the world.\n\nIn just over a year, our usage has grown to >65% of US clinicians."
    );

    let eu = &page.postings[2].posting;
    assert_eq!(eu.salary_text.as_deref(), Some("€110K - €185K"));
    assert_eq!(eu.workplace_type, Some(WorkplaceType::Remote));
    for f in &page.postings {
        assert_plain(&f.posting.description);
    }
    assert_reparse_round_trips(ashby.as_ref(), &src, &page);
}

#[tokio::test]
async fn unlisted_jobs_are_skipped_not_rejected_and_salary_falls_back_to_components() {
    let body = r#"{"apiVersion":"1","jobs":[
      {"id":"u1","title":"Hidden","isListed":false},
      {"id":"c1","title":"Comp","isListed":true,"isRemote":true,"workplaceType":null,
       "descriptionHtml":"<p>Ship &amp; learn</p>",
       "compensation":{"compensationTierSummary":null,"scrapeableCompensationSalarySummary":null,
         "summaryComponents":[{"compensationType":"EquityPercentage","interval":"NONE","minValue":0.1,"maxValue":0.2},
                              {"compensationType":"Salary","interval":"1 YEAR","currencyCode":"USD","minValue":150000,"maxValue":200000}]}}
    ]}"#;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let page = adapter(&config(&server.uri()), AtsKind::Ashby)
        .fetch_page(&source(AtsKind::Ashby, "acme"), None)
        .await
        .expect("page");
    assert!(page.rejected.is_empty());
    assert_eq!(page.postings.len(), 1);
    let p = &page.postings[0].posting;
    assert_eq!(
        p.salary_text.as_deref(),
        Some("USD 150,000–200,000 per year")
    );
    assert_eq!(p.workplace_type, Some(WorkplaceType::Remote));
    assert_eq!(p.description, "Ship & learn");
}

#[tokio::test]
async fn unknown_board_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::Ashby)
        .fetch_page(&source(AtsKind::Ashby, "nope"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}

#[test]
fn structured_salary_figures_from_the_salary_component() {
    use jobs_bot::domain::salary::{PayPeriod, SalaryFigures};
    let cfg = config("http://127.0.0.1:9");
    let ashby = adapter(&cfg, AtsKind::Ashby);
    let board: serde_json::Value = serde_json::from_str(&fixture("ashby_jobs.json")).unwrap();
    let jobs = board["jobs"].as_array().unwrap();
    // The Bonus component (no values) is skipped; the Salary one is taken.
    assert_eq!(
        ashby.salary_figures(&jobs[2].to_string()),
        Some(SalaryFigures {
            min: Some(110_000.0),
            max: Some(185_000.0),
            currency: Some("EUR".into()),
            period: Some(PayPeriod::Year),
        })
    );
    assert_eq!(ashby.salary_figures(&jobs[0].to_string()), None);
}
