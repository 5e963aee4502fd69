//! SmartRecruiters adapter against a local server serving the real fixture.

use crate::helpers::ats::{adapter, assert_reparse_round_trips, config, fixture, source};
use jobs_bot::domain::{AtsKind, WorkplaceType};
use jobs_bot::ports::{PageCursor, SourceError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json")
}

#[tokio::test]
async fn real_postings_field_by_field_with_the_declared_case() {
    let server = MockServer::start().await;
    // The company id is case-sensitive: the request must say Ubisoft2, not ubisoft2.
    Mock::given(method("GET"))
        .and(path("/v1/companies/Ubisoft2/postings"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "100"))
        .respond_with(json(fixture("smartrecruiters_postings.json")))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let sr = adapter(&cfg, AtsKind::SmartRecruiters);
    let src = source(AtsKind::SmartRecruiters, "Ubisoft2");
    assert_eq!(src.key.slug.as_str(), "ubisoft2");
    let page = sr.fetch_page(&src, None).await.expect("page");
    assert!(page.rejected.is_empty());
    assert_eq!(page.postings.len(), 2);
    // totalFound is 310: more pages follow.
    assert_eq!(page.next, Some(PageCursor::Offset(2)));

    let p = &page.postings[0].posting;
    assert_eq!(p.ats_job_id, "744000151912444");
    assert_eq!(
        p.title,
        "Spécialiste Fiabilité outils et infrastructures - TGQF"
    );
    assert_eq!(p.company.as_deref(), Some("Ubisoft"));
    assert_eq!(p.location.as_deref(), Some("Montreal, QC, Canada"));
    assert_eq!(p.department.as_deref(), Some("Ubisoft"));
    assert_eq!(p.employment_type.as_deref(), Some("Full-time"));
    assert_eq!(p.workplace_type, Some(WorkplaceType::OnSite));
    assert_eq!(
        p.url.as_deref(),
        Some("https://jobs.smartrecruiters.com/Ubisoft2/744000151912444")
    );
    assert_eq!(p.posted_at, "2026-09-25T18:18:52.891Z".parse().ok());
    assert_eq!(p.description, "");
    assert_eq!(p.salary_text, None);
    assert_eq!(
        page.postings[1].posting.employment_type.as_deref(),
        Some("Intern")
    );
    assert_reparse_round_trips(sr.as_ref(), &src, &page);
}

fn sr_page(offset: u64, ids: &[u32], total: u64) -> String {
    let items: Vec<String> = ids
        .iter()
        .map(|i| format!(r#"{{"id":"{i}","name":"Job {i}","location":{{"city":"Paris","country":"fr","remote":true}}}}"#))
        .collect();
    format!(
        r#"{{"offset":{offset},"limit":2,"totalFound":{total},"content":[{}]}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn pages_follow_offsets_until_total_found() {
    let server = MockServer::start().await;
    for (offset, ids) in [(0u64, vec![1, 2]), (2, vec![3, 4]), (4, vec![5])] {
        Mock::given(method("GET"))
            .and(path("/v1/companies/acme/postings"))
            .and(query_param("offset", offset.to_string().as_str()))
            .and(query_param("limit", "2"))
            .respond_with(json(sr_page(offset, &ids, 5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let cfg = config(&server.uri()).with_number("SMARTRECRUITERS_PAGE_SIZE", 2);
    let sr = adapter(&cfg, AtsKind::SmartRecruiters);
    let src = source(AtsKind::SmartRecruiters, "acme");
    let mut cursor = None;
    let mut ids = Vec::new();
    let mut calls = 0;
    loop {
        let page = sr.fetch_page(&src, cursor.as_ref()).await.expect("page");
        calls += 1;
        ids.extend(page.postings.iter().map(|p| p.posting.ats_job_id.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(calls, 3);
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn unknown_company_is_an_empty_board() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(
            r#"{"offset":0,"limit":100,"totalFound":0,"content":[]}"#.into(),
        ))
        .mount(&server)
        .await;
    let page = adapter(&config(&server.uri()), AtsKind::SmartRecruiters)
        .fetch_page(&source(AtsKind::SmartRecruiters, "Atlassian"), None)
        .await
        .expect("page");
    assert!(page.postings.is_empty());
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn not_found_maps() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let got = adapter(&config(&server.uri()), AtsKind::SmartRecruiters)
        .fetch_page(&source(AtsKind::SmartRecruiters, "x"), None)
        .await;
    assert_eq!(got, Err(SourceError::NotFound { status: 404 }));
}
