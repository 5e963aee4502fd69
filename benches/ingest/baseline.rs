//! The two baselines the ingest is compared with, measured in the same run: (a) download and
//! JSON-parse every board with no database; (b) bulk-load the same final rows the best way
//! each backend offers (one transaction of multi-row inserts).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};
use futures::StreamExt;
use jobs_bot::adapters::db::schema::jobs;
use jobs_bot::adapters::db::{Database, DatabaseTarget};
use jobs_bot::domain::AtsKind;
use jobs_bot::ports::{JobFilter, JobRecord, Repository};

use crate::backend::Backend;
use crate::payloads::Boards;

/// How baseline (a) sends its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// 4 requests in flight, whatever the provider.
    FourInFlight,
    /// One request at a time per provider, the providers side by side: the most the
    /// ingest itself may send ("never more than one request at a time per provider").
    OnePerProvider,
}

/// Downloads every board (each request its own task so parsing uses both cores) and parses
/// each body as JSON; returns the items seen.
pub async fn download_and_parse(base: &str, boards: usize, how: Download) -> (Duration, u64) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let items = match how {
        Download::FourInFlight => fetch_all(&client, base, (0..boards).collect(), 4).await,
        Download::OnePerProvider => {
            let (greenhouse, lever): (Vec<usize>, Vec<usize>) =
                (0..boards).partition(|&b| Boards::kind(b) == AtsKind::Greenhouse);
            let (g, l) = tokio::join!(
                fetch_all(&client, base, greenhouse, 1),
                fetch_all(&client, base, lever, 1)
            );
            g + l
        }
    };
    (started.elapsed(), items)
}

async fn fetch_all(
    client: &reqwest::Client,
    base: &str,
    boards: Vec<usize>,
    in_flight: usize,
) -> u64 {
    let mut tasks = futures::stream::iter(boards)
        .map(|b| {
            let url = match Boards::kind(b) {
                AtsKind::Greenhouse => {
                    format!("{base}/v1/boards/{}/jobs?content=true", Boards::slug(b))
                }
                _ => format!("{base}/v0/postings/{}?mode=json", Boards::slug(b)),
            };
            let client = client.clone();
            tokio::spawn(async move {
                let body = client
                    .get(url)
                    .send()
                    .await
                    .expect("fake ATS answers")
                    .bytes()
                    .await
                    .expect("body");
                let doc: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
                match &doc {
                    serde_json::Value::Array(items) => items.len() as u64,
                    other => other["jobs"].as_array().map_or(0, |a| a.len() as u64),
                }
            })
        })
        .buffer_unordered(in_flight);
    let mut items = 0;
    while let Some(n) = tasks.next().await {
        items += n.expect("download task");
    }
    items
}

/// A `jobs` row as a bulk loader would write it: every column the pipeline fills.
#[derive(Insertable)]
#[diesel(table_name = jobs, treat_none_as_default_value = false)]
struct Row {
    job_uid: String,
    ats_type: String,
    company_slug: String,
    ats_job_id: String,
    title: String,
    company: Option<String>,
    location: Option<String>,
    department: Option<String>,
    team: Option<String>,
    employment_type: Option<String>,
    workplace_type: Option<String>,
    url: Option<String>,
    apply_url: Option<String>,
    description: String,
    salary_text: Option<String>,
    posted_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
    first_seen_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
    content_hash: String,
    changed_at: NaiveDateTime,
    raw_json: String,
}

impl Row {
    fn from_record(r: JobRecord) -> Row {
        let p = r.posting;
        Row {
            job_uid: r.uid.as_str().to_string(),
            ats_type: r.source.ats.as_str().to_string(),
            company_slug: r.source.slug.as_str().to_string(),
            ats_job_id: p.ats_job_id,
            title: p.title,
            company: p.company,
            location: p.location,
            department: p.department,
            team: p.team,
            employment_type: p.employment_type,
            workplace_type: p.workplace_type.map(|w| w.as_str().to_string()),
            url: p.url,
            apply_url: p.apply_url,
            description: p.description,
            salary_text: p.salary_text,
            posted_at: p.posted_at.map(|t| t.naive_utc()),
            updated_at: p.updated_at.map(|t| t.naive_utc()),
            first_seen_at: r.first_seen_at.naive_utc(),
            last_seen_at: r.last_seen_at.naive_utc(),
            content_hash: r.content_hash.0,
            changed_at: r.changed_at.naive_utc(),
            raw_json: r.raw_json,
        }
    }

    fn bytes(&self) -> usize {
        256 + self.title.len() + self.description.len() + self.raw_json.len()
    }
}

/// Statements of at most 200 rows and 4 MiB, as MySQL's packet limit asks.
fn statements(rows: Vec<Row>) -> Vec<Vec<Row>> {
    let mut out: Vec<Vec<Row>> = Vec::new();
    let mut size = 0;
    for row in rows {
        let bytes = row.bytes();
        match out.last_mut() {
            Some(last) if last.len() < 200 && size + bytes <= 4 << 20 => {
                size += bytes;
                last.push(row);
            }
            _ => {
                size = bytes;
                out.push(vec![row]);
            }
        }
    }
    out
}

/// The rows of one board, read from the database the pipeline filled (not timed).
async fn board_rows(from: &Database, board: usize) -> Vec<Row> {
    let filter = JobFilter {
        source: Some(Boards::key(board)),
        ..JobFilter::default()
    };
    let records = from.jobs(&filter).await.expect("read back jobs");
    records.into_iter().map(Row::from_record).collect()
}

/// Loads every job of `from` into the empty database `to` in one transaction; only the
/// inserts and the commit are timed. Returns the time and the rows written.
pub async fn bulk_load(
    backend: &Backend,
    from: Arc<Database>,
    to: &DatabaseTarget,
    boards: usize,
) -> (Duration, u64) {
    match to {
        DatabaseTarget::Sqlite(path) => {
            let path = path.display().to_string();
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                use diesel::connection::SimpleConnection;
                let mut conn = SqliteConnection::establish(&path).expect("open sqlite");
                conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                    .expect("pragmas");
                let mut timed = Duration::ZERO;
                let mut rows = 0u64;
                let started = Instant::now();
                conn.batch_execute("BEGIN IMMEDIATE").expect("begin");
                timed += started.elapsed();
                for b in 0..boards {
                    let board = handle.block_on(board_rows(&from, b));
                    rows += board.len() as u64;
                    let started = Instant::now();
                    for chunk in statements(board) {
                        diesel::insert_into(jobs::table)
                            .values(&chunk)
                            .execute(&mut conn)
                            .expect("bulk insert");
                    }
                    timed += started.elapsed();
                }
                let started = Instant::now();
                conn.batch_execute("COMMIT").expect("commit");
                (timed + started.elapsed(), rows)
            })
            .await
            .expect("blocking task")
        }
        DatabaseTarget::Mysql(_) => {
            let mut conn = AsyncMysqlConnection::establish(&backend.url(to))
                .await
                .expect("connect");
            let mut timed = Duration::ZERO;
            let mut rows = 0u64;
            let started = Instant::now();
            conn.batch_execute("BEGIN").await.expect("begin");
            timed += started.elapsed();
            for b in 0..boards {
                let board = board_rows(&from, b).await;
                rows += board.len() as u64;
                let started = Instant::now();
                for chunk in statements(board) {
                    diesel_async::RunQueryDsl::execute(
                        diesel::insert_into(jobs::table).values(chunk),
                        &mut conn,
                    )
                    .await
                    .expect("bulk insert");
                }
                timed += started.elapsed();
            }
            let started = Instant::now();
            conn.batch_execute("COMMIT").await.expect("commit");
            (timed + started.elapsed(), rows)
        }
    }
}
