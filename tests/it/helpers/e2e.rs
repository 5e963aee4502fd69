//! Shared harness for end-to-end tests: a fake ATS server, a database, and the built binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::mysql::{MysqlDb, mysql_admin_url};

pub const BIN: &str = env!("CARGO_BIN_EXE_jobs-bot");

/// "Now" for every run of the binary, unless a test sets `JOBS_BOT_TEST_NOW` itself.
pub const TEST_NOW: &str = "2026-11-30T12:00:00Z";

/// Which database an end-to-end test runs against.
pub enum Backend {
    Sqlite,
    Mysql,
}

/// A fresh MySQL database for one test; fails the test when `TEST_DATABASE_URL` is unset.
pub async fn mysql_database() -> MysqlDb {
    MysqlDb::create(&mysql_admin_url()).await
}

/// One test's world: a temp folder (HOME, working directory, sources file), a fake
/// ATS server and a database URL.
pub struct World {
    pub dir: TempDir,
    pub server: MockServer,
    pub database_url: String,
    pub mysql: Option<MysqlDb>,
    pub extra_env: Vec<(String, String)>,
}

impl World {
    pub async fn new(backend: Backend) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, mysql) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("jobs.db").display()),
                None,
            ),
            Backend::Mysql => {
                let db = mysql_database().await;
                (db.url.clone(), Some(db))
            }
        };
        World {
            dir,
            server: MockServer::start().await,
            database_url,
            mysql,
            extra_env: Vec::new(),
        }
    }

    pub fn sources_path(&self) -> PathBuf {
        self.dir.path().join("sources.toml")
    }

    /// Declares Greenhouse boards (by token) and Lever sites in the sources file.
    pub fn declare(&self, greenhouse: &[&str], lever: &[&str]) {
        let mut text = String::new();
        for t in greenhouse {
            text.push_str(&format!(
                "[[sources]]\nats = \"greenhouse\"\nslug = \"{t}\"\n\n"
            ));
        }
        for s in lever {
            text.push_str(&format!("[[sources]]\nats = \"lever\"\nslug = \"{s}\"\n\n"));
        }
        std::fs::write(self.sources_path(), text).expect("write sources file");
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.extra_env.push((key.to_string(), value.to_string()));
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("SOURCES_FILE", self.sources_path())
            .env("LOG_FORMAT", "json")
            .env("GREENHOUSE_BASE_URL", self.server.uri())
            .env("LEVER_BASE_URL", self.server.uri())
            .env("POLITENESS_DELAY_MS", "0")
            .env("RETRY_BASE_DELAY_MS", "10")
            .env("MAX_FETCH_PER_RUN", "1000")
            .env("MAX_CALLS_PER_DAY", "0")
            .env("MAX_NEW_JOBS_PER_DAY", "0")
            // Daily counters follow this frozen clock, not the wall clock (debug builds).
            .env("JOBS_BOT_TEST_NOW", TEST_NOW)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary to completion off the async runtime, so the fake server keeps serving.
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        tokio::task::spawn_blocking(move || cmd.output().expect("binary runs"))
            .await
            .expect("join")
    }

    /// Runs `ingest`, asserts exit 0 and returns the `ingest_done` line.
    pub async fn ingest(&self) -> Value {
        let out = self.run(&["ingest"]).await;
        assert!(
            out.status.success(),
            "ingest failed: {:?}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if std::env::var_os("E2E_DEBUG").is_some() {
            eprintln!("{}", String::from_utf8_lossy(&out.stdout));
        }
        done_line(&out.stdout)
    }

    /// Every stored job, as `jobs list --format json` prints it.
    pub async fn jobs(&self) -> Vec<Value> {
        let out = self
            .run(&["jobs", "list", "--format", "json", "--limit", "100000"])
            .await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("jobs list prints JSON")
    }

    pub async fn sources_table(&self) -> String {
        let out = self.run(&["sources", "list"]).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `count` processes of the binary at once and waits for all of them.
    pub async fn run_at_once(&self, count: usize, args: &[&str]) -> Vec<Output> {
        let children: Vec<_> = (0..count)
            .map(|_| {
                self.command(args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("binary starts")
            })
            .collect();
        // Each child's pipes are drained on a thread of its own: a child whose output is not
        // read blocks once the pipe is full, and may hold up the others (leases).
        let waits: Vec<_> = children
            .into_iter()
            .map(|c| {
                tokio::task::spawn_blocking(move || c.wait_with_output().expect("binary runs"))
            })
            .collect();
        let mut outputs = Vec::new();
        for wait in waits {
            outputs.push(wait.await.expect("join"));
        }
        outputs
    }

    /// Forgets every route served so far.
    pub async fn reset(&self) {
        self.server.reset().await;
    }

    /// Serves a Greenhouse board.
    pub async fn serve_greenhouse(&self, token: &str, body: Value) {
        Mock::given(method("GET"))
            .and(path(format!("/v1/boards/{token}/jobs")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&self.server)
            .await;
    }

    pub async fn serve(&self, route: &str, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path(route.to_string()))
            .respond_with(response)
            .mount(&self.server)
            .await;
    }
}

/// Every run exited 0; otherwise fails showing the run's output.
pub fn assert_all_succeeded(outputs: &[Output]) {
    for out in outputs {
        assert!(
            out.status.success(),
            "{:?}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The `ingest_done` event among JSON log lines.
pub fn done_line(stdout: &[u8]) -> Value {
    events(stdout)
        .into_iter()
        .find(|v| v["event"] == "ingest_done")
        .unwrap_or_else(|| panic!("no ingest_done in {}", String::from_utf8_lossy(stdout)))
}

pub fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// A Greenhouse list payload with the given (id, title) jobs, shaped like the real API.
pub fn greenhouse_board(token: &str, jobs: &[(u64, &str)]) -> Value {
    let items: Vec<Value> = jobs
        .iter()
        .map(|(id, title)| {
            json!({
                "id": id,
                "internal_job_id": id + 1,
                "title": title,
                "updated_at": "2026-07-14T18:35:00-04:00",
                "first_published": "2026-07-10T16:15:41-04:00",
                "requisition_id": null,
                "location": {"name": "Remote, US"},
                "absolute_url": format!("https://job-boards.greenhouse.io/{token}/jobs/{id}"),
                "company_name": token,
                "metadata": null,
                "content": "&lt;p&gt;Build things &amp;amp; ship them.&lt;/p&gt;",
                "departments": [{"id": 1, "name": "Engineering", "child_ids": [], "parent_id": null}],
                "offices": []
            })
        })
        .collect();
    json!({"jobs": items, "meta": {"total": jobs.len()}})
}

pub fn numbered(n: u64) -> Vec<(u64, String)> {
    (1..=n)
        .map(|i| (1000 + i, format!("Engineer {i}")))
        .collect()
}

pub fn as_refs(jobs: &[(u64, String)]) -> Vec<(u64, &str)> {
    jobs.iter().map(|(id, t)| (*id, t.as_str())).collect()
}
