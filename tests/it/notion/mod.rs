//! Notion sync against a stateful fake Notion: idempotence, no duplicates, politeness,
//! profiles sharing a data source, and Notion failing without failing the run.

mod e2e;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::fakes::FixedClock;
use crate::helpers::notion::{FakeNotion, TOKEN, VERSION, full_schema, texts};
use crate::helpers::store::*;
use jobs_bot::adapters::notion::{NotionClient, NotionConfig};
use jobs_bot::app::sync::{Sync, SyncDeps, SyncPolicy, SyncReport, SyncTarget};
use jobs_bot::domain::fit::{Fit, FitClass, FitReasons};
use jobs_bot::domain::sync::{Prop, PropertyNames};
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::domain::{AtsKind, JobUid, SourceKey};
use jobs_bot::ports::{FitRecord, SinkLink};

const DS: &str = "ds-main";

struct H {
    fake: FakeNotion,
    store: Store,
    clock: Arc<FixedClock>,
    src: SourceKey,
    jobs: Vec<PlannedJob>,
    rps: u32,
    limit: usize,
    names: PropertyNames,
}

fn fit(score: u8) -> Fit {
    Fit {
        score,
        class: FitClass::from_score(score),
        flags: vec![],
        reasons: FitReasons {
            location_verdict: "remote ok".into(),
            salary_verdict: "unknown".into(),
            ..FitReasons::default()
        },
    }
}

fn record(uid: &JobUid, profile: &str, score: u8, at: DateTime<Utc>) -> FitRecord {
    FitRecord {
        uid: uid.clone(),
        profile: profile.into(),
        fit: fit(score),
        scorer_version: 1,
        input_hash: format!("h{score}"),
        computed_at: at,
        link: SinkLink::default(),
    }
}

fn target(profile: &str, shared: bool) -> SyncTarget {
    SyncTarget {
        profile: profile.into(),
        data_source: DS.into(),
        fit_min: 60,
        shared,
    }
}

impl H {
    /// `scores.len()` jobs of one Lever board, first seen at t(1), with these fits for
    /// profile "alice" computed at t(200); the clock stands at t(1000).
    async fn new(scores: &[u8]) -> H {
        let fake = FakeNotion::start().await;
        fake.add_data_source(DS, &full_schema());
        let store = Store::memory();
        let src = key(AtsKind::Lever, "acme");
        store.repo.sync_sources(&[spec(&src)]).await.unwrap();
        let jobs: Vec<PlannedJob> = (0..scores.len())
            .map(|i| {
                let mut p = posting(&format!("{i}"), &format!("Engineer, #{i}"));
                p.company = Some("Acme, Inc.".into());
                p.location = Some("Berlin, DE; Remote".into());
                planned(&src, p)
            })
            .collect();
        let mut batch = ok_batch(&src, t(1));
        batch.inserts = jobs.clone();
        store.repo.apply_batch(&batch).await.unwrap();
        let fits: Vec<FitRecord> = jobs
            .iter()
            .zip(scores)
            .map(|(j, s)| record(&j.uid, "alice", *s, t(200)))
            .collect();
        store.fits.save_fits(&fits).await.unwrap();
        H {
            fake,
            store,
            clock: Arc::new(FixedClock::new(t(1000))),
            src,
            jobs,
            rps: 50,
            limit: 50,
            names: PropertyNames::default(),
        }
    }

    fn client(&self) -> Arc<NotionClient> {
        Arc::new(
            NotionClient::new(NotionConfig {
                base_url: self.fake.uri(),
                token: TOKEN.into(),
                version: VERSION.into(),
                rps: self.rps,
                timeout: Duration::from_secs(5),
                max_attempts: 4,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
                names: self.names.clone(),
            })
            .unwrap(),
        )
    }

    async fn sync_targets(&self, targets: &[SyncTarget], dry_run: bool) -> SyncReport {
        let deps = SyncDeps {
            store: self.store.fits.clone(),
            sink: self.client(),
            clock: self.clock.clone(),
            names: self.names.clone(),
        };
        let policy = SyncPolicy {
            limit: self.limit,
            dry_run,
            max_consecutive_failures: 3,
        };
        Sync::new(deps, policy).run(targets).await.unwrap()
    }

    async fn sync(&self) -> SyncReport {
        self.sync_targets(&[target("alice", false)], false).await
    }

    async fn link(&self, i: usize, profile: &str) -> SinkLink {
        self.store
            .fits
            .fit(&self.jobs[i].uid, profile)
            .await
            .unwrap()
            .unwrap()
            .link
    }

    /// Job `i`'s content changes at `at`.
    async fn change(&self, i: usize, title: &str, at: DateTime<Utc>) {
        let mut p = posting(&format!("{i}"), title);
        p.company = Some("Acme, Inc.".into());
        let mut batch = ok_batch(&self.src, at);
        batch.updates = vec![planned(&self.src, p)];
        self.store.repo.apply_batch(&batch).await.unwrap();
    }

    async fn close(&self, i: usize, at: DateTime<Utc>) {
        let mut batch = ok_batch(&self.src, at);
        batch.closed = vec![self.jobs[i].uid.clone()];
        self.store.repo.apply_batch(&batch).await.unwrap();
    }

    /// Job `i` is listed again at `at`, unchanged.
    async fn reopen(&self, i: usize, at: DateTime<Utc>) {
        let mut batch = ok_batch(&self.src, at);
        batch.reopened = vec![self.jobs[i].uid.clone()];
        self.store.repo.apply_batch(&batch).await.unwrap();
    }

    fn page_of(&self, i: usize) -> crate::helpers::notion::FakePage {
        let uid = self.jobs[i].uid.as_str();
        let pages: Vec<_> = self
            .fake
            .pages()
            .into_iter()
            .filter(|p| p.text("Job UID").as_deref() == Some(uid))
            .collect();
        assert_eq!(pages.len(), 1, "exactly one page for job {i}");
        pages[0].clone()
    }
}

#[tokio::test]
async fn first_sync_creates_one_page_per_eligible_job_with_its_values() {
    let h = H::new(&[82, 65, 40]).await;
    let report = h.sync().await;
    assert_eq!((report.created, report.updated, report.failed), (2, 0, 0));
    assert_eq!(h.fake.pages().len(), 2, "the 40 stays out (FIT_MIN 60)");
    let p = h.page_of(0);
    let props = &p.properties;
    assert_eq!(p.text("Job Title").unwrap(), "Engineer, #0");
    assert_eq!(p.text("Profile").unwrap(), "alice");
    assert_eq!(p.text("Company").unwrap(), "Acme, Inc.");
    assert_eq!(props["Job URL"], json!({ "url": "https://jobs.example/0" }));
    assert_eq!(props["Fit score"], json!({ "number": 82.0 }));
    assert_eq!(props["Fit class"], json!({ "select": { "name": "Good" } }));
    assert_eq!(
        props["Status"],
        json!({ "status": { "name": "Shortlist" } })
    );
    assert_eq!(props["Source"], json!({ "select": { "name": "lever" } }));
    assert_eq!(
        props["Region"],
        json!({ "multi_select": [{ "name": "Berlin DE" }, { "name": "Remote" }] })
    );
    assert_eq!(
        props["First seen"],
        json!({ "date": { "start": "2024-05-01" } })
    );
    assert_eq!(
        props["Last checked"],
        json!({ "date": { "start": "2024-05-01" } })
    );
    assert_eq!(props["Closed"], json!({ "checkbox": false }));
    assert!(p.text("Why").unwrap().contains("remote ok"));
    assert!(!props.contains_key("Notes"), "never another property");
    assert_eq!(
        h.page_of(1).properties["Status"],
        json!({ "status": { "name": "New" } })
    );
    let link = h.link(0, "alice").await;
    assert_eq!(link.page_id.as_deref(), Some(p.id.as_str()));
    assert_eq!(link.last_sync, Some(t(1000)));
    assert_eq!(link.last_error, None);
}

#[tokio::test]
async fn second_sync_with_nothing_changed_sends_no_write() {
    let h = H::new(&[82, 65]).await;
    h.sync().await;
    h.fake.clear_log();
    h.clock.set(t(2000));
    let report = h.sync().await;
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 0, 2)
    );
    assert!(h.fake.writes().is_empty(), "{:?}", h.fake.writes());
    assert_eq!(h.fake.requests(), 1, "only the schema is read");
}

#[tokio::test]
async fn a_changed_job_updates_its_page_and_a_user_status_survives() {
    let h = H::new(&[82, 65]).await;
    h.sync().await;
    let id = h.page_of(0).id;
    h.fake
        .user_sets(&id, "Status", json!({ "status": { "name": "Applied" } }));
    h.change(0, "Staff Engineer", t(1500)).await;
    h.clock.set(t(2000));
    h.fake.clear_log();
    let report = h.sync().await;
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 1, 1)
    );
    let p = h.page_of(0);
    assert_eq!(p.id, id);
    assert_eq!(p.text("Job Title").unwrap(), "Staff Engineer");
    assert_eq!(
        p.properties["Status"],
        json!({ "status": { "name": "Applied" } })
    );
    assert_eq!(
        p.properties["Last checked"],
        json!({ "date": { "start": "2024-05-01" } })
    );
    assert_eq!(h.fake.writes().len(), 1);
    assert_eq!(h.fake.writes()[0].method, "PATCH");
}

#[tokio::test]
async fn a_closed_job_gets_closed_checked_and_a_closed_unsynced_one_is_not_created() {
    let h = H::new(&[82, 65]).await;
    h.close(1, t(500)).await;
    let report = h.sync().await;
    assert_eq!(report.created, 1);
    assert_eq!(
        h.fake.pages().len(),
        1,
        "closed and never synced: not created"
    );
    h.close(0, t(1500)).await;
    h.clock.set(t(2000));
    let report = h.sync().await;
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(
        h.page_of(0).properties["Closed"],
        json!({ "checkbox": true })
    );
}

#[tokio::test]
async fn a_job_that_reopens_after_its_page_was_closed_gets_closed_unticked() {
    let h = H::new(&[82]).await;
    h.sync().await;
    h.close(0, t(1500)).await;
    h.clock.set(t(2000));
    assert_eq!(h.sync().await.updated, 1);
    assert_eq!(
        h.page_of(0).properties["Closed"],
        json!({ "checkbox": true })
    );
    // Listed again; its content did not change, so only the open state differs.
    h.reopen(0, t(2500)).await;
    h.clock.set(t(3000));
    let report = h.sync().await;
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(
        h.page_of(0).properties["Closed"],
        json!({ "checkbox": false })
    );
    assert_eq!(h.link(0, "alice").await.closed, Some(false));
    h.clock.set(t(4000));
    let report = h.sync().await;
    assert_eq!(
        (report.updated, report.unchanged),
        (0, 1),
        "then it is left alone"
    );
}

#[tokio::test]
async fn renamed_properties_are_read_written_and_queried_under_their_names() {
    let mut h = H::new(&[82]).await;
    h.names = PropertyNames::renamed([
        (Prop::JobTitle, "Role".to_string()),
        (Prop::JobUid, "Key".to_string()),
        (Prop::FitScore, "Score".to_string()),
    ])
    .unwrap();
    let renamed: Vec<(&str, &str)> = full_schema()
        .into_iter()
        .map(|(name, kind)| match name {
            "Job Title" => ("Role", kind),
            "Job UID" => ("Key", kind),
            "Fit score" => ("Score", kind),
            other => (other, kind),
        })
        .collect();
    h.fake.add_data_source("ds-renamed", &renamed);
    let target = SyncTarget {
        data_source: "ds-renamed".into(),
        ..target("alice", false)
    };
    // A crashed run's page, found by the renamed key property.
    let uid = h.jobs[0].uid.as_str();
    let id = h.fake.insert_page(
        "ds-renamed",
        json!({ "Key": { "rich_text": [{ "text": { "content": uid } }] } }),
    );
    let report = h.sync_targets(std::slice::from_ref(&target), false).await;
    assert_eq!(
        (report.created, report.updated, report.profiles_failed),
        (0, 1, 0)
    );
    let pages = h.fake.pages();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].id, id);
    assert_eq!(pages[0].text("Role").as_deref(), Some("Engineer, #0"));
    assert_eq!(pages[0].properties["Score"], json!({ "number": 82.0 }));
    assert!(!pages[0].properties.contains_key("Job Title"));
    assert!(!pages[0].properties.contains_key("Fit score"));
    // The defaults are not what this data source has: the profile cannot sync there.
    h.names = PropertyNames::default();
    let report = h.sync_targets(&[target], false).await;
    assert_eq!(report.profiles_failed, 1);
}

#[tokio::test]
async fn a_crash_between_create_and_record_leaves_exactly_one_page() {
    let h = H::new(&[82]).await;
    // The page was created, then the process died before storing its id.
    let uid = h.jobs[0].uid.as_str();
    let id = h.fake.insert_page(
        DS,
        json!({
            "Job Title": { "title": [{ "text": { "content": "Engineer, #0" } }] },
            "Job UID": { "rich_text": [{ "text": { "content": uid } }] },
            "Status": { "status": { "name": "Shortlist" } },
        }),
    );
    let report = h.sync().await;
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(h.fake.pages().len(), 1);
    assert_eq!(h.page_of(0).id, id);
    assert_eq!(
        h.link(0, "alice").await.page_id.as_deref(),
        Some(id.as_str())
    );
}

#[tokio::test]
async fn an_archived_page_is_dismissed_and_never_recreated() {
    let h = H::new(&[82]).await;
    h.sync().await;
    let id = h.page_of(0).id;
    h.fake.archive(&id);
    h.change(0, "Senior Engineer", t(1500)).await;
    h.clock.set(t(2000));
    let report = h.sync().await;
    assert_eq!(report.dismissed, 1);
    assert!(h.link(0, "alice").await.dismissed);
    h.change(0, "Principal Engineer", t(2500)).await;
    h.clock.set(t(3000));
    h.fake.clear_log();
    let report = h.sync().await;
    assert_eq!(
        (report.created, report.updated, report.dismissed),
        (0, 0, 0)
    );
    assert!(h.fake.writes().is_empty());
    assert_eq!(h.fake.pages().len(), 1);

    // Without a stored id, a trashed page found by key is dismissed too.
    let h = H::new(&[82]).await;
    let uid = h.jobs[0].uid.as_str().to_string();
    let id = h.fake.insert_page(
        DS,
        json!({ "Job UID": { "rich_text": [{ "text": { "content": uid } }] } }),
    );
    h.fake.archive(&id);
    let report = h.sync().await;
    assert_eq!((report.created, report.dismissed), (0, 1));
    assert_eq!(h.fake.pages().len(), 1);
}

#[tokio::test]
async fn a_burst_of_thirty_stays_within_the_rate_and_lands_despite_429s() {
    let mut h = H::new(&[90; 30]).await;
    h.rps = 20;
    for n in [3, 17, 40, 41] {
        h.fake.fault_at(n, 429);
    }
    h.fake.fault_at(25, 409);
    h.fake.fault_at(50, 503);
    let report = h.sync().await;
    assert_eq!((report.created, report.failed), (30, 0), "{report:?}");
    assert_eq!(report.rate_limited, 4);
    assert_eq!(h.fake.pages().len(), 30);
    assert_eq!(texts(&h.fake.pages(), "Job UID").len(), 30);
    let log = h.fake.log();
    assert_eq!(report.requests as usize, log.len());
    // Over any window the count stays within rate × duration + burst (+1 for edges).
    for i in 0..log.len() {
        for j in i + 1..log.len() {
            let secs = log[j].at.duration_since(log[i].at).as_secs_f64();
            let allowed = f64::from(h.rps) * secs + f64::from(h.rps) + 1.0;
            assert!(
                (j - i + 1) as f64 <= allowed,
                "{} requests in {secs:.3}s",
                j - i + 1
            );
        }
    }
    // A 429 is followed by at least its Retry-After.
    for w in log.windows(2) {
        if w[0].status == 429 {
            assert!(w[1].at.duration_since(w[0].at) >= Duration::from_millis(990));
        }
    }
}

#[tokio::test]
async fn two_profiles_sharing_a_data_source_get_one_page_each() {
    let h = H::new(&[82, 70]).await;
    let bob: Vec<FitRecord> = h
        .jobs
        .iter()
        .map(|j| record(&j.uid, "bob", 75, t(200)))
        .collect();
    h.store.fits.save_fits(&bob).await.unwrap();
    let both = [target("alice", true), target("bob", true)];
    let report = h.sync_targets(&both, false).await;
    assert_eq!(report.created, 4);
    let pages = h.fake.pages();
    assert_eq!(pages.len(), 4);
    for profile in ["alice", "bob"] {
        let mine: Vec<_> = pages
            .iter()
            .filter(|p| p.text("Profile").as_deref() == Some(profile))
            .collect();
        assert_eq!(mine.len(), 2, "{profile}");
    }
    // Bob's fit changes: only bob's pages are written.
    let bob: Vec<FitRecord> = h
        .jobs
        .iter()
        .map(|j| record(&j.uid, "bob", 95, t(1500)))
        .collect();
    h.store.fits.save_fits(&bob).await.unwrap();
    h.clock.set(t(2000));
    let report = h.sync_targets(&both, false).await;
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 2, 2)
    );
    for p in h.fake.pages() {
        let want = if p.text("Profile").as_deref() == Some("bob") {
            95.0
        } else {
            0.0
        };
        if want > 0.0 {
            assert_eq!(p.properties["Fit score"], json!({ "number": want }));
        } else {
            assert_ne!(p.properties["Fit score"], json!({ "number": 95.0 }));
        }
    }
    // A shared data source without `Profile` cannot key pages: that profile's sync fails.
    h.fake.add_data_source(
        DS,
        &full_schema()
            .into_iter()
            .filter(|(n, _)| *n != "Profile")
            .collect::<Vec<_>>(),
    );
    let report = h.sync_targets(&both, false).await;
    assert_eq!(report.profiles_failed, 2);
}

#[tokio::test]
async fn dry_run_reads_the_schema_and_writes_nothing() {
    let h = H::new(&[82, 65]).await;
    let report = h.sync_targets(&[target("alice", false)], true).await;
    assert_eq!(report.planned.len(), 2);
    assert!(h.fake.writes().is_empty());
    assert!(h.fake.pages().is_empty());
    assert_eq!(h.link(0, "alice").await, SinkLink::default());
}

#[tokio::test]
async fn missing_required_property_fails_the_profile_and_missing_optional_is_skipped() {
    let h = H::new(&[82]).await;
    h.fake
        .add_data_source(DS, &[("Job Title", "title"), ("Job UID", "rich_text")]);
    let report = h.sync().await;
    assert_eq!((report.created, report.profiles_failed), (1, 0));
    let p = h.page_of(0);
    assert_eq!(
        p.properties.len(),
        2,
        "only the properties the data source has"
    );
    h.fake.add_data_source(DS, &[("Name", "title")]);
    h.change(0, "Other", t(1500)).await;
    h.clock.set(t(2000));
    let report = h.sync().await;
    assert_eq!(report.profiles_failed, 1);
}

#[tokio::test]
async fn notion_failing_keeps_the_error_per_item_and_the_next_run_retries() {
    let h = H::new(&[82, 70]).await;
    // The schema read passes, then Notion answers 500 to everything.
    for n in 1..40 {
        h.fake.fault_at(n, 500);
    }
    let report = h.sync().await;
    assert_eq!(report.created, 0);
    assert_eq!(report.failed, 2);
    let link = h.link(0, "alice").await;
    let err = link.last_error.expect("the error is kept");
    assert!(err.contains("500"), "{err}");
    assert!(!err.contains(TOKEN));
    assert_eq!(link.page_id, None);
    // Notion is back: both are created, no duplicate.
    h.fake.clear_faults();
    let report = h.sync().await;
    assert_eq!((report.created, report.failed), (2, 0));
    assert_eq!(h.fake.pages().len(), 2);
    assert_eq!(h.link(0, "alice").await.last_error, None);

    // 409 and 503 on an update are retried.
    h.change(0, "Changed", t(1500)).await;
    h.clock.set(t(2000));
    let n = h.fake.requests();
    h.fake.fault_at(n + 1, 409);
    h.fake.fault_at(n + 2, 503);
    let report = h.sync().await;
    assert_eq!((report.updated, report.failed), (1, 0));
}

#[tokio::test]
async fn a_wrong_token_is_rejected_and_never_shown() {
    let h = H::new(&[82]).await;
    let client = NotionClient::new(NotionConfig {
        base_url: h.fake.uri(),
        token: "ntn_wrong_secret".into(),
        version: VERSION.into(),
        rps: 50,
        timeout: Duration::from_secs(5),
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        names: PropertyNames::default(),
    })
    .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("ntn_wrong_secret"), "{debug}");
    use jobs_bot::ports::Sink;
    let err = client.schema(DS).await.unwrap_err().to_string();
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains("ntn_wrong_secret"));
}

#[tokio::test]
async fn at_most_sync_limit_pages_per_run_best_fit_first() {
    let mut h = H::new(&[61, 95, 70, 88, 30]).await;
    h.limit = 2;
    let report = h.sync().await;
    assert_eq!(report.created, 2);
    let scores: std::collections::HashSet<String> = h
        .fake
        .pages()
        .iter()
        .map(|p| p.properties["Fit score"]["number"].to_string())
        .collect();
    assert_eq!(
        scores,
        ["95.0", "88.0"].iter().map(|s| s.to_string()).collect()
    );
    h.clock.set(t(2000));
    let report = h.sync().await;
    assert_eq!((report.created, report.unchanged), (2, 2));
    let report = h.sync().await;
    assert_eq!(report.created, 0, "the 30 stays out");
    assert_eq!(h.fake.pages().len(), 4);
}
