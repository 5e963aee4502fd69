//! End-to-end: a sources file mixing all nine providers, and `sources discover`.

use std::collections::BTreeMap;

use crate::helpers::e2e::{Backend, World, events, greenhouse_board};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, ResponseTemplate};

fn fixture(name: &str) -> String {
    crate::helpers::ats::fixture(name)
}

fn body(text: String, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text.into_bytes(), content_type)
}

const SOURCES: &str = r#"
[[sources]]
ats = "greenhouse"
slug = "acme"

[[sources]]
url = "https://jobs.lever.co/spotify"

[[sources]]
ats = "ashby"
slug = "linear"

[[sources]]
ats = "smartrecruiters"
slug = "Ubisoft2"

[[sources]]
ats = "workable"
slug = "acme"

[[sources]]
url = "https://acme.recruitee.com"

[[sources]]
url = "https://acme.wd5.myworkdayjobs.com/en-US/External"
name = "Acme SE"

[[sources]]
url = "https://career5.successfactors.eu/career?company=acmeP&career_ns=job_listing_summary&resultType=XML"
name = "Acme SF"

[[sources]]
url = "https://acme.jobs.personio.de"
"#;

/// A world whose fake server answers for every provider, and whose sources file lists
/// one board of each.
async fn nine_provider_world(backend: Backend) -> World {
    let mut world = World::new(backend).await;
    let uri = world.server.uri();
    for (var, value) in [
        ("ASHBY_BASE_URL", uri.clone()),
        ("SMARTRECRUITERS_BASE_URL", uri.clone()),
        ("WORKABLE_BASE_URL", uri.clone()),
        ("RECRUITEE_BASE_URL", format!("{uri}/recruitee/{{slug}}")),
        ("WORKDAY_BASE_URL", format!("{uri}/{{tenant}}-{{shard}}")),
        ("SUCCESSFACTORS_BASE_URL", uri.clone()),
        (
            "PERSONIO_EU_BASE_URL",
            format!("{uri}/personio-de/{{slug}}"),
        ),
    ] {
        world.set(var, &value);
    }
    std::fs::write(world.sources_path(), SOURCES).unwrap();
    world
}

async fn serve_everything(world: &World) {
    world.reset().await;
    world
        .serve_greenhouse(
            "acme",
            greenhouse_board("acme", &[(1, "Engineer"), (2, "Designer")]),
        )
        .await;
    let routes = [
        ("/v0/postings/spotify", "lever_postings.json"),
        ("/posting-api/job-board/linear", "ashby_jobs.json"),
        ("/api/v1/widget/accounts/acme", "workable_account.json"),
        ("/recruitee/acme/api/offers/", "recruitee_offers.json"),
    ];
    for (route, file) in routes {
        world
            .serve(route, body(fixture(file), "application/json"))
            .await;
    }
    // The fixture's board is larger than its one page; this one is exactly that page.
    let mut smartrecruiters: Value =
        serde_json::from_str(&fixture("smartrecruiters_postings.json")).unwrap();
    smartrecruiters["totalFound"] = json!(smartrecruiters["content"].as_array().map(Vec::len));
    world
        .serve(
            "/v1/companies/Ubisoft2/postings",
            body(smartrecruiters.to_string(), "application/json"),
        )
        .await;
    Mock::given(method("POST"))
        .and(path("/acme-wd5/wday/cxs/acme/External/jobs"))
        .respond_with(body(fixture("workday_jobs.json"), "application/json"))
        .mount(&world.server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/acme-wd5/wday/cxs/acme/External/job/.+"))
        .respond_with(body(fixture("workday_job.json"), "application/json"))
        .mount(&world.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/career"))
        .and(query_param("company", "acmeP"))
        .respond_with(body(fixture("successfactors_feed.xml"), "application/xml"))
        .mount(&world.server)
        .await;
    world
        .serve(
            "/personio-de/acme/xml",
            body(fixture("personio_feed.xml"), "text/xml"),
        )
        .await;
}

/// Runs `ingest` (exit 0) and returns its `source_done` events by source.
async fn ingest_events(world: &World) -> (Value, BTreeMap<String, Value>) {
    let out = world.run(&["ingest"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = events(&out.stdout);
    let done = all
        .iter()
        .find(|e| e["event"] == "ingest_done")
        .cloned()
        .unwrap_or_else(|| panic!("no ingest_done: {stdout}"));
    let sources = all
        .into_iter()
        .filter(|e| e["event"] == "source_done")
        .map(|e| (e["source"].as_str().unwrap_or_default().to_string(), e))
        .collect();
    (done, sources)
}

async fn nine_providers(backend: Backend) {
    let world = nine_provider_world(backend).await;
    serve_everything(&world).await;
    let (first, sources) = ingest_events(&world).await;
    assert_eq!(first["sources_ok"], 9, "{first}");
    assert_eq!(first["sources_failed"], 0, "{first}");
    assert_eq!(sources.len(), 9, "{sources:?}");
    let workday = &sources["workday:acme.wd5.external"];
    // One search page and one detail call per new posting.
    assert_eq!(
        (
            &workday["list_calls"],
            &workday["detail_calls"],
            &workday["inserted"]
        ),
        (&json!(1), &json!(3), &json!(3)),
        "{workday}"
    );
    assert_eq!(workday["api_calls"], 4);
    assert_eq!(sources["greenhouse:acme"]["detail_calls"], 0);
    // The SuccessFactors record without an id is rejected, the rest stored.
    let sf = &sources["successfactors:acmep.career5.successfactors.eu"];
    assert_eq!(
        (&sf["inserted"], &sf["rejected"]),
        (&json!(2), &json!(1)),
        "{sf}"
    );
    assert_eq!(sources["personio:acme"]["inserted"], 2);

    let jobs = world.jobs().await;
    let mut by_provider = BTreeMap::new();
    for job in &jobs {
        *by_provider
            .entry(job["ats_type"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(by_provider.len(), 9, "{by_provider:?}");
    let rust = jobs
        .iter()
        .find(|j| j["title"] == "Senior Software Engineer, Rust")
        .expect("the Workday job");
    assert_eq!(rust["company"], "Acme SE");
    assert!(
        rust["description"]
            .as_str()
            .unwrap_or_default()
            .contains("5+ years of Rust"),
        "{rust}"
    );

    // Nothing changed: Workday costs its list call only.
    let (second, sources) = ingest_events(&world).await;
    assert_eq!(
        (&second["inserted"], &second["updated"]),
        (&json!(0), &json!(0)),
        "{second}"
    );
    let workday = &sources["workday:acme.wd5.external"];
    assert_eq!(
        (
            &workday["list_calls"],
            &workday["detail_calls"],
            &workday["unchanged"]
        ),
        (&json!(1), &json!(0), &json!(3)),
        "{workday}"
    );
}

#[tokio::test]
async fn nine_providers_ingest_end_to_end_on_sqlite() {
    nine_providers(Backend::Sqlite).await;
}

#[tokio::test]
async fn nine_providers_ingest_end_to_end_on_mysql() {
    nine_providers(Backend::Mysql).await;
}

#[tokio::test]
async fn workday_detail_calls_stop_at_the_daily_cap_and_resume_the_next_day() {
    let mut world = nine_provider_world(Backend::Sqlite).await;
    std::fs::write(
        world.sources_path(),
        "[[sources]]\nurl = \"https://acme.wd5.myworkdayjobs.com/External\"\n",
    )
    .unwrap();
    world.set("MAX_CALLS_PER_DAY", "3");
    serve_everything(&world).await;
    let (_, sources) = ingest_events(&world).await;
    let workday = &sources["workday:acme.wd5.external"];
    // 1 list call + 2 detail calls; the third posting waits, and the fetch closes nothing.
    assert_eq!(
        (
            &workday["list_calls"],
            &workday["detail_calls"],
            &workday["inserted"]
        ),
        (&json!(1), &json!(2), &json!(2)),
        "{workday}"
    );
    assert_eq!(workday["complete"], false);

    world.set("JOBS_BOT_TEST_NOW", "2026-12-01T12:00:00Z");
    let (_, sources) = ingest_events(&world).await;
    let workday = &sources["workday:acme.wd5.external"];
    assert_eq!(
        (
            &workday["detail_calls"],
            &workday["inserted"],
            &workday["unchanged"]
        ),
        (&json!(1), &json!(1), &json!(2)),
        "{workday}"
    );
    assert_eq!(workday["complete"], true);
}

#[tokio::test]
async fn discover_turns_a_careers_page_into_a_working_source() {
    let world = nine_provider_world(Backend::Sqlite).await;
    std::fs::write(world.sources_path(), "# my boards\n").unwrap();
    let page = r#"<html><body><p>We use boards.greenhouse.io/other for nothing.</p>
        <a href="https://www.greenhouse.io/">Powered by Greenhouse</a>
        <div id="grnhse_app"></div>
        <script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>
        </body></html>"#;
    world
        .serve("/careers", body(page.to_string(), "text/html"))
        .await;
    world
        .serve(
            "/about",
            body("<html><a href='/jobs'>Jobs</a></html>".into(), "text/html"),
        )
        .await;
    world
        .serve_greenhouse("acme", greenhouse_board("acme", &[(7, "Engineer")]))
        .await;
    let uri = world.server.uri();

    let out = world
        .run(&["sources", "discover", &format!("{uri}/careers"), "--add"])
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "# greenhouse:acme: found at https://boards.greenhouse.io/embed/job_board/js?for=acme\n\
             [[sources]]\nats = \"greenhouse\"\nslug = \"acme\"\n"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("other"),
        "a text mention is not a source: {stdout}"
    );
    let file = std::fs::read_to_string(world.sources_path()).unwrap();
    assert!(
        file.starts_with("# my boards\n") && file.contains("slug = \"acme\""),
        "{file}"
    );
    let (done, _) = ingest_events(&world).await;
    assert_eq!(
        (&done["sources_ok"], &done["inserted"]),
        (&json!(1), &json!(1)),
        "{done}"
    );

    let none = world
        .run(&["sources", "discover", &format!("{uri}/about")])
        .await;
    assert_eq!(none.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert!(stderr.contains("no ATS found"), "{stderr}");
    let missing = world
        .run(&["sources", "discover", &format!("{uri}/gone")])
        .await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("404"));
}
