//! End to end: profiles from CVs score the same jobs differently, explainably, and only
//! what changed is scored again.

use serde_json::{Value, json};

use crate::helpers::e2e::{Backend, World, events};

const BACKEND_CV: &str = "# Dana Backend\n\nSenior Backend Engineer at Acme GmbH (2018 - present)\n\
Rust, PostgreSQL, Kubernetes, Kafka, gRPC and AWS in production.\n\nBackend Engineer at Beta (2014 - 2018)\nGo and PostgreSQL services.\n";
const FRONTEND_CV: &str = "Sam Frontend\n\nSenior Frontend Engineer, Gamma (2017 - present)\n\
React, TypeScript, JavaScript, CSS, Figma, Next.js.\n\nFrontend Developer, Delta (2013 - 2017)\nReact and Redux.\n";

fn job(id: u64, title: &str, description: &str) -> Value {
    json!({
        "id": id,
        "title": title,
        "updated_at": "2026-11-20T10:00:00-04:00",
        "first_published": "2026-11-20T10:00:00-04:00",
        "location": {"name": "Berlin, Germany"},
        "absolute_url": format!("https://job-boards.greenhouse.io/acme/jobs/{id}"),
        "company_name": "Acme",
        "metadata": null,
        "content": html_escape(description),
        "departments": [],
        "offices": []
    })
}

/// Greenhouse sends its HTML entity-escaped.
fn html_escape(text: &str) -> String {
    let html: String = text.lines().map(|l| format!("<p>{l}</p>")).collect();
    html.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn board() -> Value {
    json!({"jobs": [
        job(1, "Senior Backend Engineer", "We build payment infrastructure.\nRequirements:\n- Rust or Go in production\n- PostgreSQL and Kafka\n- Kubernetes on AWS"),
        job(2, "Senior Frontend Engineer", "Our web app.\nRequirements:\n- React and TypeScript\n- CSS and accessibility\nNice to have:\n- Next.js"),
        job(3, "Account Executive", "Sell our product to enterprises.\nRequirements:\n- 5 years of B2B sales\n- Salesforce"),
    ], "meta": {"total": 3}})
}

fn profile(world: &World, key: &str, file: &str, cv: &str, toml: &str) {
    let dir = world.dir.path().join("profiles").join(key);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), cv).unwrap();
    std::fs::write(dir.join("profile.toml"), toml).unwrap();
}

async fn ranked(world: &World, key: &str) -> Vec<Value> {
    let out = world
        .run(&["jobs", "list", "--profile", key, "--format", "json"])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON array")
}

fn score_done(stdout: &[u8]) -> Value {
    events(stdout)
        .into_iter()
        .find(|e| e["event"] == "score_done")
        .unwrap_or_else(|| panic!("no score_done in {}", String::from_utf8_lossy(stdout)))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_rank_the_same_jobs_differently_on_sqlite() {
    two_profiles_rank_the_same_jobs_differently_and_rescoring_is_incremental(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_rank_the_same_jobs_differently_on_mysql() {
    two_profiles_rank_the_same_jobs_differently_and_rescoring_is_incremental(Backend::Mysql).await;
}

async fn two_profiles_rank_the_same_jobs_differently_and_rescoring_is_incremental(
    backend: Backend,
) {
    let mut world = World::new(backend).await;
    world.set(
        "PROFILES_DIR",
        world.dir.path().join("profiles").to_str().unwrap(),
    );
    world.declare(&["acme"], &[]);
    world.serve_greenhouse("acme", board()).await;
    profile(
        &world,
        "dana",
        "cv.md",
        BACKEND_CV,
        "target_titles = [\"backend engineer\"]\nlocations = [\"Berlin\"]\n",
    );
    profile(
        &world,
        "sam",
        "cv.txt",
        FRONTEND_CV,
        "target_titles = [\"frontend engineer\"]\nlocations = [\"Berlin\"]\n",
    );

    // `run` ingests, then scores every profile.
    let out = world.run(&["run"]).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let done = score_done(&out.stdout);
    assert_eq!(
        (done["profiles"].as_u64(), done["scored"].as_u64()),
        (Some(2), Some(6)),
        "{done}"
    );

    let dana = ranked(&world, "dana").await;
    let sam = ranked(&world, "sam").await;
    for list in [&dana, &sam] {
        assert_eq!(list.len(), 3);
        for field in [
            "job_uid",
            "title",
            "company_slug",
            "fit_score",
            "fit_class",
            "why",
        ] {
            assert!(
                list[0].get(field).is_some(),
                "{field} missing in {}",
                list[0]
            );
        }
    }
    assert_eq!(dana[0]["title"], "Senior Backend Engineer", "{dana:#?}");
    assert_eq!(sam[0]["title"], "Senior Frontend Engineer", "{sam:#?}");
    assert!(
        dana[0]["fit_score"].as_u64()
            > sam
                .iter()
                .find(|j| j["title"] == "Senior Backend Engineer")
                .unwrap()["fit_score"]
                .as_u64()
    );
    let why = dana[0]["why"].as_str().unwrap();
    assert!(
        why.contains("skills") && why.contains("kubernetes"),
        "{why}"
    );
    assert!(["Good", "Maybe", "No"].contains(&dana[0]["fit_class"].as_str().unwrap()));

    // Explain shows the parts.
    let uid = dana[0]["job_uid"].as_str().unwrap();
    let out = world.run(&["explain", uid, "--profile", "dana"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for part in [
        "skills",
        "title",
        "seniority",
        "location",
        "salary",
        "matched skills:",
    ] {
        assert!(text.contains(part), "{part} missing in {text}");
    }

    // Nothing changed: nothing is scored again.
    let out = world.run(&["score"]).await;
    assert!(out.status.success());
    let again = score_done(&out.stdout);
    assert_eq!(
        (again["scored"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(6)),
        "{again}"
    );

    // A changed CV rescores that profile only; a filter narrows the listing.
    profile(
        &world,
        "sam",
        "cv.txt",
        &format!("{FRONTEND_CV}\nAlso Rust and PostgreSQL.\n"),
        "target_titles = [\"frontend engineer\"]\nlocations = [\"Berlin\"]\n",
    );
    let out = world.run(&["score"]).await;
    let changed = score_done(&out.stdout);
    assert_eq!(
        (changed["scored"].as_u64(), changed["unchanged"].as_u64()),
        (Some(3), Some(3)),
        "{changed}"
    );
    let out = world
        .run(&[
            "jobs",
            "list",
            "--profile",
            "dana",
            "--min-fit",
            "101",
            "--format",
            "json",
        ])
        .await;
    let none: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(none.is_empty());

    let out = world.run(&["profiles", "list"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dana") && text.contains("sam") && text.contains("analyzed"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_cv_is_recorded_and_the_other_profiles_go_on() {
    let mut world = World::new(Backend::Sqlite).await;
    world.set(
        "PROFILES_DIR",
        world.dir.path().join("profiles").to_str().unwrap(),
    );
    world.declare(&["acme"], &[]);
    world.serve_greenhouse("acme", board()).await;
    profile(&world, "dana", "cv.md", BACKEND_CV, "");
    profile(&world, "broken", "cv.docx", "this is not a zip file", "");
    let out = world.run(&["run"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let failed = events(&out.stdout)
        .into_iter()
        .find(|e| e["event"] == "profile_failed")
        .expect("profile_failed logged");
    assert_eq!(failed["profile"], "broken");
    assert_eq!(score_done(&out.stdout)["scored"].as_u64(), Some(3));
    let out = world.run(&["profiles", "list"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    let broken = text
        .lines()
        .find(|l| l.starts_with("broken"))
        .expect("broken listed");
    assert!(broken.contains("error"), "{text}");
    // PROFILE_ID selects one profile, as in the Python version.
    world.set("PROFILE_ID", "dana");
    let out = world.run(&["score", "--all"]).await;
    assert_eq!(score_done(&out.stdout)["profiles"].as_u64(), Some(1));
}
