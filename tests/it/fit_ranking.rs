//! The ranking is useful: on a hand-labelled set (`tests/data/fit`: one CV, 30 postings
//! each marked relevant or not by a human, with the reason), the top 10 hold at least 8
//! relevant jobs. In process, on the in-memory store.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use jobs_bot::adapters::memory::InMemoryRepository;
use jobs_bot::app::profiles;
use jobs_bot::app::score::{self, ScoreDeps};
use jobs_bot::domain::fit::FitClass;
use jobs_bot::domain::{AtsKind, JobUid, Posting, WorkplaceType};
use jobs_bot::ports::{FitFilter, FitRecord, FitStore, Repository, ScoringRow};
use serde::Deserialize;

use crate::helpers::fakes::FixedClock;
use crate::helpers::store::{key, ok_batch, planned, spec};

const PROFILE: &str = "profile";
const TOP: usize = 10;
const RELEVANT_IN_TOP: usize = 8;
/// Clearly irrelevant postings every relevant one must outscore.
const CLEARLY_IRRELEVANT: [&str; 2] = ["n03-obsly-sales-engineer", "n07-gymflow-ios"];
const CLEARANCE: &str = "n05-bastion-senior-backend-clearance";

/// One labelled posting of `postings.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    id: String,
    title: String,
    company: String,
    location: String,
    workplace: Option<String>,
    description: String,
    salary_text: Option<String>,
    relevant: bool,
    why: String,
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fit")
}

fn labelled() -> Vec<Labelled> {
    let path = data_dir().join("postings.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let postings: Vec<Labelled> = serde_json::from_str(&text).unwrap();
    assert_eq!(postings.len(), 30, "{}", path.display());
    postings
}

fn posting(l: &Labelled) -> Posting {
    let workplace_type = l.workplace.as_deref().map(|w| {
        WorkplaceType::parse_loose(w).unwrap_or_else(|| panic!("{}: workplace {w:?}", l.id))
    });
    Posting {
        ats_job_id: l.id.clone(),
        title: l.title.clone(),
        company: Some(l.company.clone()),
        location: Some(l.location.clone()),
        workplace_type,
        description: l.description.clone(),
        salary_text: l.salary_text.clone(),
        ..Posting::default()
    }
}

/// The ranked list, one line per job, for failure messages.
fn table(ranked: &[(FitRecord, ScoringRow)], labels: &HashMap<JobUid, &Labelled>) -> String {
    ranked
        .iter()
        .enumerate()
        .map(|(i, (fit, job))| {
            let l = labels[&job.uid];
            format!(
                "{:>2}. {:>3} {:<5} {:<48} relevant={:<5} [{}] {}\n      scorer: {}\n",
                i + 1,
                fit.fit.score,
                fit.fit.class.as_str(),
                job.title,
                l.relevant,
                l.id,
                l.why,
                fit.fit.why(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn top_ten_of_the_labelled_set_are_mostly_relevant() {
    let labelled = labelled();
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let repo = Arc::new(InMemoryRepository::new());
    let source = key(AtsKind::Greenhouse, "labelled");
    repo.sync_sources(&[spec(&source)]).await.unwrap();
    let mut batch = ok_batch(&source, now);
    let mut labels: HashMap<JobUid, &Labelled> = HashMap::new();
    for l in &labelled {
        let job = planned(&source, posting(l));
        labels.insert(job.uid.clone(), l);
        batch.inserts.push(job);
    }
    repo.apply_batch(&batch).await.unwrap();

    let discovery = profiles::discover(&data_dir(), None).unwrap();
    assert!(discovery.problems.is_empty(), "{:?}", discovery.problems);
    assert_eq!(discovery.profiles.len(), 1);
    let deps = ScoreDeps {
        fits: repo.clone(),
        sources: HashMap::new(),
        clock: Arc::new(FixedClock::new(now)),
    };
    let report = score::run(&deps, &discovery.profiles, false).await.unwrap();
    assert_eq!(report.scored, 30, "{report:?}");

    let all = repo.ranked(PROFILE, &FitFilter::default()).await.unwrap();
    assert_eq!(all.len(), 30);
    let listing = table(&all, &labels);
    let top = repo
        .ranked(
            PROFILE,
            &FitFilter {
                limit: Some(TOP as u64),
                ..FitFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(top.len(), TOP);
    let relevant = top
        .iter()
        .filter(|(_, job)| labels[&job.uid].relevant)
        .count();
    assert!(
        relevant >= RELEVANT_IN_TOP,
        "{relevant} of the top {TOP} are relevant, want at least {RELEVANT_IN_TOP}:\n{listing}"
    );

    let fit_of = |id: &str| {
        let (fit, _) = all
            .iter()
            .find(|(_, job)| labels[&job.uid].id == id)
            .unwrap_or_else(|| panic!("{id} is not ranked"));
        &fit.fit
    };
    let clearance = fit_of(CLEARANCE);
    assert_eq!(clearance.class, FitClass::No, "{listing}");
    assert!(
        clearance.flags.iter().any(|f| f == "excluded:keyword"),
        "{:?}",
        clearance.flags
    );

    let worst_relevant = all
        .iter()
        .filter(|(_, job)| labels[&job.uid].relevant)
        .map(|(fit, job)| (fit.fit.score, labels[&job.uid].id.as_str()))
        .min()
        .unwrap();
    for id in CLEARLY_IRRELEVANT {
        let irrelevant = fit_of(id).score;
        assert!(
            worst_relevant.0 > irrelevant,
            "relevant {} ({}) does not outscore {id} ({irrelevant}):\n{listing}",
            worst_relevant.1,
            worst_relevant.0,
        );
    }

    // Nothing changed: a second run computes no pair.
    let again = score::run(&deps, &discovery.profiles, false).await.unwrap();
    assert_eq!(again.scored, 0, "{again:?}");
    assert_eq!(again.unchanged, 30);

    println!("{listing}");
}
