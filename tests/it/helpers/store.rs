//! Fixtures for the storage contract: stores per backend, per-test MySQL databases, data
//! builders and the cross-process counter worker.

use std::sync::Arc;

pub use crate::helpers::mysql::{MysqlDb, mysql_admin_url};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jobs_bot::adapters::db::{Database, DatabaseTarget};
use jobs_bot::adapters::memory::{InMemoryCounters, InMemoryRepository};
use jobs_bot::domain::upsert::PlannedJob;
use jobs_bot::domain::{
    AtsKind, Cap, CompanySlug, FetchedPosting, JobUid, Posting, SourceKey, WorkplaceType,
};
use jobs_bot::ports::{
    CounterKey, CounterStore, FitStore, Region, Repository, SourceBatch, SourceLeases,
    SourceOutcome, SourceSpec,
};

/// A store under test; dropping it removes what it created.
pub struct Store {
    pub repo: Arc<dyn Repository>,
    pub counters: Arc<dyn CounterStore>,
    /// The same storage as `repo`, seen as the fit store.
    pub fits: Arc<dyn FitStore>,
    /// The same storage as `repo`, seen as the shared round of sources.
    pub leases: Arc<dyn SourceLeases>,
    /// The database itself, for backend-specific knobs (`None` in memory).
    pub db: Option<Arc<Database>>,
    /// For child processes: the database URL, password included (tests only).
    pub target: Option<String>,
    _guard: Guard,
}

#[allow(dead_code)]
enum Guard {
    None,
    Dir(tempfile::TempDir),
    Mysql(MysqlDb),
}

impl Store {
    pub fn memory() -> Store {
        let repo = Arc::new(InMemoryRepository::new());
        Store {
            repo: repo.clone(),
            counters: Arc::new(InMemoryCounters::new()),
            fits: repo.clone(),
            leases: repo,
            db: None,
            target: None,
            _guard: Guard::None,
        }
    }

    /// A fresh file in a folder that does not exist yet (connect must create it).
    pub async fn sqlite() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("deeper").join("jobs.db");
        let url = format!("sqlite://{}", path.display());
        let db = connect(&url).await;
        assert!(path.exists(), "the SQLite file and its folder are created");
        Store::database(db, url, Guard::Dir(dir))
    }

    /// A fresh database on the server named by `TEST_DATABASE_URL`, or `None` (with a
    /// notice) when it is unset outside CI.
    pub async fn mysql() -> Store {
        let admin = mysql_admin_url();
        let created = MysqlDb::create(&admin).await;
        let db = connect(&created.url).await;
        let url = created.url.clone();
        Store::database(db, url, Guard::Mysql(created))
    }

    fn database(db: Database, url: String, guard: Guard) -> Store {
        let db = Arc::new(db);
        Store {
            repo: db.clone(),
            counters: db.clone(),
            fits: db.clone(),
            leases: db.clone(),
            db: Some(db),
            target: Some(url),
            _guard: guard,
        }
    }
}

pub async fn connect(url: &str) -> Database {
    let target = DatabaseTarget::resolve(Some(url), None, "unused.db".into()).unwrap();
    Database::connect(&target).await.unwrap()
}

pub fn key(ats: AtsKind, slug: &str) -> SourceKey {
    SourceKey::new(ats, CompanySlug::parse(slug).unwrap())
}

pub fn spec(key: &SourceKey) -> SourceSpec {
    SourceSpec {
        key: key.clone(),
        name: Some(format!("{} board", key.slug)),
        region: Region::Global,
        enabled: true,
    }
}

/// A fixed instant plus `secs` seconds, with microseconds so precision is exercised.
pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
        + chrono::Duration::seconds(secs)
        + chrono::Duration::microseconds(123_456)
}

pub fn posting(id: &str, title: &str) -> Posting {
    Posting {
        ats_job_id: id.into(),
        title: title.into(),
        description: format!("About {title}"),
        url: Some(format!("https://jobs.example/{id}")),
        ..Posting::default()
    }
}

/// Every field set: non-ASCII and 4-byte characters, and a 200 KB description.
pub fn full_posting(id: &str) -> Posting {
    Posting {
        ats_job_id: id.into(),
        title: "Ingénieur·e logiciel 🦀 — 東京 / Zürich".into(),
        company: Some("Ünïcode Corp 😀".into()),
        location: Some("Montréal, QC 🇨🇦".into()),
        department: Some("R&D <engineering>".into()),
        team: Some("Platform 'core' \"infra\"".into()),
        employment_type: Some("Full-time".into()),
        workplace_type: Some(WorkplaceType::Remote),
        url: Some("https://jobs.example/ü?x=1&y=😀".into()),
        apply_url: Some("https://jobs.example/apply/1".into()),
        description: "Rust 🦀 ünïcode ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n".repeat(200 * 1024 / 40),
        salary_text: Some("€70k–€90k 💶".into()),
        posted_at: Some(
            Utc.with_ymd_and_hms(2023, 12, 31, 23, 59, 58).unwrap()
                + chrono::Duration::microseconds(654_321),
        ),
        updated_at: Some(Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 1).unwrap()),
    }
}

pub fn fetched(posting: Posting) -> FetchedPosting {
    let raw_json = serde_json::to_string(&posting).unwrap();
    FetchedPosting::new(posting, raw_json)
}

pub fn planned(source: &SourceKey, posting: Posting) -> PlannedJob {
    PlannedJob {
        uid: JobUid::new(source.ats, &source.slug, &posting.ats_job_id),
        hash: posting.content_hash(),
        fetched: fetched(posting),
    }
}

pub fn ok_batch(source: &SourceKey, now: DateTime<Utc>) -> SourceBatch {
    SourceBatch::outcome_only(
        source.clone(),
        now,
        SourceOutcome {
            error: None,
            empty_streak: 0,
        },
    )
}

pub const CONCURRENCY_CAP: u32 = 50;
pub const CONCURRENCY_KEY: CounterKey = CounterKey::ApiCalls(AtsKind::Ashby);

pub fn concurrency_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 20).unwrap()
}

/// Reserves 1–3 units at a time until refused; returns the units granted.
async fn reserve_until_refused(counters: &dyn CounterStore, day: NaiveDate, n: u32) -> u64 {
    let mut total = 0;
    loop {
        let granted = counters
            .try_reserve(CONCURRENCY_KEY, day, n, Cap(CONCURRENCY_CAP))
            .await
            .unwrap();
        assert!(granted <= n);
        if granted == 0 {
            return total;
        }
        total += u64::from(granted);
    }
}

/// `tasks` tokio tasks released at the same moment, reserving against one counter on
/// `day`; the sum of their grants.
pub async fn reserve_concurrently(
    counters: Arc<dyn CounterStore>,
    tasks: u32,
    day: NaiveDate,
) -> u64 {
    let start = Arc::new(tokio::sync::Barrier::new(tasks as usize));
    let handles: Vec<_> = (0..tasks)
        .map(|i| {
            let (counters, start) = (counters.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                reserve_until_refused(counters.as_ref(), day, 1 + i % 3).await
            })
        })
        .collect();
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    total
}
