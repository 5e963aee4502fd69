//! What the benchmarks share: a deterministic random stream, the words jobs are made of,
//! three profiles, a settable clock, peak-RSS readings and the JSON results file.
#![allow(dead_code)]

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use jobs_bot::ports::Clock;

/// A clock the benchmark moves by hand, so runs are reproducible.
pub struct BenchClock(Mutex<DateTime<Utc>>);

impl BenchClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        BenchClock(Mutex::new(t))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = t;
    }
}

impl Clock for BenchClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub const WORDS: &[&str] = &[
    "we",
    "build",
    "systems",
    "for",
    "customers",
    "across",
    "europe",
    "and",
    "our",
    "team",
    "ships",
    "reliable",
    "services",
    "with",
    "care",
    "you",
    "will",
    "own",
    "features",
    "end",
    "to",
    "work",
    "closely",
    "product",
    "design",
    "data",
    "platform",
    "growth",
    "quality",
];
pub const SKILLS: &[&str] = &[
    "Rust",
    "Go",
    "PostgreSQL",
    "Kubernetes",
    "AWS",
    "Kafka",
    "Terraform",
    "React",
    "TypeScript",
    "Python",
    "Java",
    "Docker",
    "gRPC",
    "Redis",
    "GCP",
    "Spark",
    "Swift",
];
pub const TITLES: &[&str] = &[
    "Senior Backend Engineer",
    "Platform Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Staff Software Engineer",
    "iOS Engineer",
    "Site Reliability Engineer",
    "Account Executive",
];

/// A deterministic pseudo-random stream (no dependency needed for a benchmark).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Three profiles (backend, frontend, data) with a CV and preferences each.
pub fn write_profiles(dir: &std::path::Path) {
    let cvs = [
        (
            "backend",
            "Senior Backend Engineer at Acme (2016 - present)\nRust, Go, PostgreSQL, Kafka, Kubernetes, AWS, gRPC.\n",
        ),
        (
            "frontend",
            "Senior Frontend Engineer at Beta (2015 - present)\nReact, TypeScript, CSS, Next.js.\n",
        ),
        (
            "data",
            "Data Engineer at Gamma (2018 - present)\nPython, Spark, Kafka, AWS, PostgreSQL.\n",
        ),
    ];
    for (key, cv) in cvs {
        let p = dir.join(key);
        std::fs::create_dir_all(&p).expect("profile dir");
        std::fs::write(p.join("cv.md"), cv).expect("cv");
        std::fs::write(
            p.join("profile.toml"),
            "locations = [\"Berlin\"]\nexclude_keywords = [\"security clearance\"]\n",
        )
        .expect("toml");
    }
}

/// The process's peak resident set since start or the last `reset_peak_rss`.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts a new peak-RSS window (Linux: writing 5 to `clear_refs` resets VmHWM); `false`
/// when the kernel refuses, and then peaks are since process start. Memory the allocator
/// kept from earlier phases is handed back first, so a phase's peak is its own.
pub fn reset_peak_rss() -> bool {
    // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Writes `json` to `target/<name>` under the crate (or CARGO_TARGET_DIR's parent crate).
pub fn write_results(name: &str, json: &serde_json::Value) {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(name);
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(&out, json.to_string()) {
        Ok(()) => println!("results written to {}", out.display()),
        Err(e) => eprintln!("cannot write {}: {e}", out.display()),
    }
}

/// Statements slower than this many milliseconds, from `BENCH_SLOW_QUERY_MS` (unset: none).
fn slow_query_threshold() -> Option<std::time::Duration> {
    static THRESHOLD: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    *THRESHOLD.get_or_init(|| {
        std::env::var("BENCH_SLOW_QUERY_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_millis)
    })
}

/// Times each statement on one connection and prints those over the threshold, so a slow
/// phase names its statement (profilers stop at the blocking pool).
struct SlowQueryLog {
    threshold: std::time::Duration,
    started: Option<std::time::Instant>,
}

impl diesel::connection::Instrumentation for SlowQueryLog {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent as Event;
        match event {
            Event::StartQuery { .. } => self.started = Some(std::time::Instant::now()),
            Event::FinishQuery { query, .. } => {
                let took = self.started.take().map(|t| t.elapsed()).unwrap_or_default();
                if took >= self.threshold {
                    let text = query.to_string();
                    let short: String = text.chars().take(300).collect();
                    eprintln!("slow query {:.1} ms: {short}", took.as_secs_f64() * 1e3);
                }
            }
            _ => {}
        }
    }
}

/// Installs the slow-statement log on every connection opened from now on, when
/// `BENCH_SLOW_QUERY_MS` is set.
pub fn log_slow_queries() {
    if slow_query_threshold().is_none() {
        return;
    }
    let made = diesel::connection::set_default_instrumentation(|| {
        slow_query_threshold().map(|threshold| {
            Box::new(SlowQueryLog {
                threshold,
                started: None,
            }) as Box<dyn diesel::connection::Instrumentation>
        })
    });
    if let Err(e) = made {
        eprintln!("slow-query log not installed: {e}");
    }
}
