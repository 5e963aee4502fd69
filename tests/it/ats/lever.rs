//! Lever adapter against a local server serving the real fixture.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use jobs_bot::domain::{AtsKind, WorkplaceType};
use jobs_bot::ports::{PageCursor, Region, SourceError};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json")
}

#[tokio::test]
async fn real_postings_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/spotify"))
        .and(query_param("mode", "json"))
        .and(query_param_is_missing("limit"))
        .respond_with(json(fixture("lever_postings.json")))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let lever = adapter(&cfg, AtsKind::Lever);
    let src = source(AtsKind::Lever, "spotify");
    let page = lever.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None);
    assert!(page.rejected.is_empty());
    assert_eq!(page.postings.len(), 3);

    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "2193db3f-77c5-43b8-b030-8f92c9882bf1");
    assert_eq!(p.title, "Android Engineer - Experience");
    assert_eq!(p.location.as_deref(), Some("London"));
    assert_eq!(p.department.as_deref(), Some("Engineering"));
    assert_eq!(p.team.as_deref(), Some("Experience"));
    assert_eq!(p.employment_type.as_deref(), Some("Permanent"));
    assert_eq!(p.workplace_type, Some(WorkplaceType::Hybrid));
    assert_eq!(
        p.url.as_deref(),
        Some("https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1")
    );
    assert_eq!(
        p.apply_url.as_deref(),
        Some("https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1/apply")
    );
    assert_eq!(
        p.posted_at,
        chrono::DateTime::from_timestamp_millis(1782214185805)
    );
    assert_eq!(p.salary_text, None);
    assert!(
        p.description
            .starts_with("We design Spotify’s consumer experience"),
        "{}",
        p.description
    );
    assert!(
        p.description
            .contains("What You'll Do\nDevelop and maintain mobile client components"),
        "{}",
        p.description
    );
    assert!(
        p.description
            .contains("This role is based in London or Stockholm.")
    );
    assert!(
        p.description
            .ends_with("what’s playing in your headphones."),
        "{}",
        p.description
    );

    let zoox = &page.postings[2].posting;
    assert_eq!(
        zoox.salary_text.as_deref(),
        Some("USD 144,000–193,000 per year")
    );
    assert_eq!(zoox.department, None);
    assert_eq!(zoox.posted_at, None);
    assert!(
        zoox.description.contains("Create test strategies"),
        "{}",
        zoox.description
    );

    for f in &page.postings {
        assert_plain(&f.posting.description);
        assert!(!f.posting.description.contains('\u{a0}'));
    }
    assert_reparse_round_trips(lever.as_ref(), &src, &page);
}

#[tokio::test]
async fn salary_from_range_intervals_description_and_text() {
    let body = r#"[
      {"id":"a","text":"Hourly","salaryRange":{"currency":"USD","interval":"per-hour-wage","min":22.5,"max":30}},
      {"id":"b","text":"Odd","salaryRange":{"currency":"EUR","interval":"bi-week-salary","min":1000,"max":1000}},
      {"id":"c","text":"Described","salaryDescriptionPlain":"Competitive, 80-90k DOE"},
      {"id":"d","text":"In text","additionalPlain":"The base pay is $60,000 - $97,000/year plus equity.","lists":[{"text":"X","content":["not","html"]}]}
    ]"#;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/acme"))
        .respond_with(json(body.into()))
        .mount(&server)
        .await;
    let page = adapter(&config(&server.uri()), AtsKind::Lever)
        .fetch_page(&source(AtsKind::Lever, "acme"), None)
        .await
        .expect("page");
    let salaries: Vec<Option<&str>> = page
        .postings
        .iter()
        .map(|p| p.posting.salary_text.as_deref())
        .collect();
    assert_eq!(
        salaries,
        [
            Some("USD 22.50–30 per hour"),
            Some("EUR 1,000 bi-week-salary"),
            Some("Competitive, 80-90k DOE"),
            Some("$60,000 - $97,000/year"),
        ]
    );
}

#[tokio::test]
async fn eu_region_uses_the_eu_host() {
    let global = MockServer::start().await;
    let eu = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/acme"))
        .respond_with(json("[]".into()))
        .expect(0)
        .mount(&global)
        .await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/acme"))
        .respond_with(json(r#"[{"id":"x","text":"EU job"}]"#.into()))
        .expect(1)
        .mount(&eu)
        .await;
    let cfg = config(&global.uri()).with_base_url(AtsKind::Lever, Region::Eu, eu.uri());
    let mut src = source(AtsKind::Lever, "acme");
    src.region = Region::Eu;
    let page = adapter(&cfg, AtsKind::Lever)
        .fetch_page(&src, None)
        .await
        .expect("page");
    assert_eq!(page.postings[0].posting.title, "EU job");
}

#[tokio::test]
async fn unknown_site_is_not_found_with_the_real_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            r#"{"ok":false,"error":"Document not found"}"#,
            "application/json; charset=utf-8",
        ))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::Lever)
        .fetch_page(&source(AtsKind::Lever, "nope"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}

#[tokio::test]
async fn paging_with_a_page_size_stops_on_a_short_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/acme"))
        .and(query_param("skip", "0"))
        .and(query_param("limit", "2"))
        .respond_with(json(
            r#"[{"id":"1","text":"A"},{"id":"2","text":"B"}]"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/acme"))
        .and(query_param("skip", "2"))
        .and(query_param("limit", "2"))
        .respond_with(json(r#"[{"id":"3","text":"C"}]"#.into()))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri()).with_number("LEVER_PAGE_SIZE", 2);
    let lever = adapter(&cfg, AtsKind::Lever);
    let src = source(AtsKind::Lever, "acme");
    let p1 = lever.fetch_page(&src, None).await.expect("p1");
    assert_eq!(p1.next, Some(PageCursor::Offset(2)));
    let p2 = lever.fetch_page(&src, p1.next.as_ref()).await.expect("p2");
    assert_eq!(p2.next, None);
    assert_eq!(p2.postings[0].posting.ats_job_id, "3");
}

#[test]
fn structured_salary_figures_from_the_stored_item() {
    use jobs_bot::domain::salary::{PayPeriod, SalaryFigures};
    let cfg = config("http://127.0.0.1:9");
    let lever = adapter(&cfg, AtsKind::Lever);
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("lever_postings.json")).unwrap();
    let with_range = items[2].to_string();
    assert_eq!(
        lever.salary_figures(&with_range),
        Some(SalaryFigures {
            min: Some(144_000.0),
            max: Some(193_000.0),
            currency: Some("USD".into()),
            period: Some(PayPeriod::Year),
        })
    );
    assert_eq!(lever.salary_figures(&items[0].to_string()), None);
    assert_eq!(lever.salary_figures("not json"), None);
    // A bi-weekly range is stated per week.
    let biweekly = with_range.replace("per-year-salary", "bi-week-salary");
    let figures = lever.salary_figures(&biweekly).unwrap();
    assert_eq!(
        (figures.min, figures.period),
        (Some(72_000.0), Some(PayPeriod::Week))
    );
}
