//! Workday adapter against a local server: paged search by POST, detail per posting.

use crate::helpers::ats::{
    adapter, assert_plain, assert_reparse_round_trips, config, fixture, source,
};
use chrono::{Days, NaiveDate};
use jobs_bot::domain::{AtsKind, FetchedPosting};
use jobs_bot::ports::{JobSource, PageCursor, SourceError, SourceRef};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEARCH: &str = "/wday/cxs/acme/External_Careers/jobs";

fn board() -> SourceRef {
    source(AtsKind::Workday, "acme.wd5.External_Careers")
}

fn json_body(body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into().into_bytes(), "application/json")
}

fn listed_on(posting: &FetchedPosting) -> NaiveDate {
    let raw: Value = serde_json::from_str(&posting.raw_json).unwrap();
    raw["listedOn"].as_str().unwrap().parse().unwrap()
}

fn days_before(day: NaiveDate, n: u64) -> Option<chrono::DateTime<chrono::Utc>> {
    day.checked_sub_days(Days::new(n))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[tokio::test]
async fn search_then_details_field_by_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SEARCH))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(
            json!({"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": ""}),
        ))
        .respond_with(json_body(fixture("workday_jobs.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/wday/cxs/acme/External_Careers/job/Berlin-Germany/Senior-Software-Engineer--Rust_R-10234",
        ))
        .respond_with(json_body(fixture("workday_job.json")))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let workday = adapter(&cfg, AtsKind::Workday);
    assert!(workday.lists_without_details());
    let src = board();
    let page = workday.fetch_page(&src, None).await.expect("page");
    assert_eq!(page.next, None, "3 of total 3: one page");
    assert!(page.rejected.is_empty());
    let ids: Vec<&str> = page
        .postings
        .iter()
        .map(|p| p.posting.ats_job_id.as_str())
        .collect();
    // Requisition id from the bullet fields, else the path's last segment.
    assert_eq!(
        ids,
        ["R-10234", "JR-2040", "Working-Student-Marketing_WS-7"]
    );
    let day = listed_on(&page.postings[0]);
    let posted: Vec<_> = page.postings.iter().map(|p| p.posting.posted_at).collect();
    assert_eq!(
        posted,
        [
            days_before(day, 3),
            days_before(day, 30),
            days_before(day, 0)
        ]
    );
    let listed = &page.postings[0];
    assert_eq!(listed.posting.description, "");
    assert_eq!(listed.posting.location.as_deref(), Some("Berlin, Germany"));
    let raw: Value = serde_json::from_str(&listed.raw_json).unwrap();
    assert_eq!(raw["postedAtApproximate"], true);
    assert_reparse_round_trips(workday.as_ref(), &src, &page);

    let full = workday.fetch_detail(&src, listed).await.expect("detail");
    let p = &full.posting;
    assert_eq!(p.ats_job_id, "R-10234");
    assert_eq!(p.title, "Senior Software Engineer, Rust");
    assert_eq!(p.employment_type.as_deref(), Some("Full time"));
    assert_eq!(p.location.as_deref(), Some("Berlin, Germany"));
    assert_eq!(
        p.url.as_deref(),
        Some(
            "https://acme.wd5.myworkdayjobs.com/External_Careers/job/Berlin-Germany/Senior-Software-Engineer--Rust_R-10234"
        )
    );
    assert_eq!(
        p.description,
        "About the role\n\nBuild our data platform & its APIs.\n5+ years of Rust\nPostgreSQL"
    );
    assert_plain(&p.description);
    assert_eq!(p.posted_at, listed.posting.posted_at);
    assert_eq!(workday.reparse(&src, &full.raw_json).unwrap(), full.posting);

    // Stored with details and listed the same again (postedOn moved on a day): reused.
    let mut next_day: Value = serde_json::from_str(&listed.raw_json).unwrap();
    next_day["list"]["postedOn"] = json!("Posted 4 Days Ago");
    let relisted = FetchedPosting::new(listed.posting.clone(), next_day.to_string());
    let reused = workday
        .reuse_details(&relisted, &full.raw_json)
        .expect("unchanged listing reuses the stored details");
    assert_eq!(
        (&reused.posting, &reused.raw_json),
        (&full.posting, &full.raw_json)
    );
    // A changed title, or a stored posting that never got its details: fetch again.
    next_day["list"]["title"] = json!("Staff Software Engineer, Rust");
    let retitled = FetchedPosting::new(listed.posting.clone(), next_day.to_string());
    assert_eq!(workday.reuse_details(&retitled, &full.raw_json), None);
    assert_eq!(workday.reuse_details(listed, &listed.raw_json), None);
}

fn page_of(start: usize, count: usize, total: Option<u64>) -> String {
    let items: Vec<Value> = (start..start + count)
        .map(|i| {
            json!({
                "title": format!("Job {i}"),
                "externalPath": format!("/job/Berlin/Job-{i}_R{i}"),
                "locationsText": "Berlin",
                "postedOn": "Posted Yesterday",
                "bulletFields": [format!("R{i}")],
            })
        })
        .collect();
    let mut body = json!({ "jobPostings": items });
    if let Some(total) = total {
        body["total"] = json!(total);
    }
    body.to_string()
}

async fn serve_page(server: &MockServer, offset: u64, body: String) {
    Mock::given(method("POST"))
        .and(path(SEARCH))
        .and(body_partial_json(json!({ "offset": offset, "limit": 20 })))
        .respond_with(json_body(body))
        .expect(1)
        .mount(server)
        .await;
}

async fn fetch_all(workday: &dyn JobSource) -> (usize, u32) {
    let src = board();
    let mut cursor: Option<PageCursor> = None;
    let (mut postings, mut calls) = (0, 0);
    loop {
        let page = workday
            .fetch_page(&src, cursor.as_ref())
            .await
            .expect("page");
        calls += 1;
        postings += page.postings.len();
        match page.next {
            None => return (postings, calls),
            Some(next) => cursor = Some(next),
        }
    }
}

#[tokio::test]
async fn pages_until_the_first_pages_total_when_later_pages_omit_it() {
    let server = MockServer::start().await;
    // Total 40 on page 1 only (0 or absent after): two calls, no third empty page.
    serve_page(&server, 0, page_of(0, 20, Some(40))).await;
    serve_page(&server, 20, page_of(20, 20, Some(0))).await;
    let cfg = config(&server.uri());
    let (postings, calls) = fetch_all(adapter(&cfg, AtsKind::Workday).as_ref()).await;
    assert_eq!((postings, calls), (40, 2));
}

#[tokio::test]
async fn pages_until_a_short_page_without_any_total() {
    let server = MockServer::start().await;
    serve_page(&server, 0, page_of(0, 20, None)).await;
    serve_page(&server, 20, page_of(20, 20, None)).await;
    serve_page(&server, 40, page_of(40, 5, None)).await;
    let cfg = config(&server.uri());
    let (postings, calls) = fetch_all(adapter(&cfg, AtsKind::Workday).as_ref()).await;
    assert_eq!((postings, calls), (45, 3));
}

#[tokio::test]
async fn bad_items_bad_boards_and_hostile_paths_are_refused() {
    let server = MockServer::start().await;
    let body = json!({"total": 2, "jobPostings": [
        {"title": "Fine", "externalPath": "/job/x/Fine_R1", "bulletFields": ["R1"]},
        {"title": 7, "externalPath": "/job/x/Bad_R2"},
    ]});
    Mock::given(method("POST"))
        .and(path(SEARCH))
        .respond_with(json_body(body.to_string()))
        .mount(&server)
        .await;
    let cfg = config(&server.uri());
    let workday = adapter(&cfg, AtsKind::Workday);
    let page = workday.fetch_page(&board(), None).await.expect("page");
    assert_eq!(page.postings.len(), 1);
    assert_eq!(page.rejected.len(), 1);
    assert!(
        page.rejected[0].path.starts_with("jobPostings[1]"),
        "{:?}",
        page.rejected
    );

    let not_a_site = source(AtsKind::Workday, "acme");
    assert!(matches!(
        workday.fetch_page(&not_a_site, None).await,
        Err(SourceError::InvalidSource(_))
    ));
    let mut hostile: Value = serde_json::from_str(&page.postings[0].raw_json).unwrap();
    hostile["list"]["externalPath"] = json!("/../../admin");
    let hostile = FetchedPosting::new(page.postings[0].posting.clone(), hostile.to_string());
    assert!(matches!(
        workday.fetch_detail(&board(), &hostile).await,
        Err(SourceError::Malformed { .. })
    ));
}
