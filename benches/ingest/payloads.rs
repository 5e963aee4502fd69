//! Deterministic boards for the fake ATS: Greenhouse- and Lever-shaped payloads of realistic
//! size (3–8 KB HTML descriptions, Greenhouse's entity-escaped, pay ranges on some), written
//! to files so the server holds no payload in memory.

use std::path::{Path, PathBuf};

use jobs_bot::domain::{AtsKind, CompanySlug, SourceKey};
use serde_json::{Value, json};

use crate::support::{Lcg, SKILLS, TITLES, WORDS};

/// How the boards look in one phase of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// What the cold and warm runs fetch.
    Base,
    /// 1 % of postings changed and 1 % gone.
    Incremental,
}

impl Version {
    pub fn dir_name(self) -> &'static str {
        match self {
            Version::Base => "base",
            Version::Incremental => "incremental",
        }
    }
}

/// The boards of one benchmark: `boards` boards of `postings` postings each, half of them
/// Greenhouse and half Lever.
#[derive(Debug, Clone)]
pub struct Boards {
    pub boards: usize,
    pub postings: usize,
    pub root: PathBuf,
}

/// What happens to a posting in the incremental phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Same,
    Changed,
    Gone,
}

fn mix(board: usize, posting: usize) -> u64 {
    let mut x = (board as u64) << 32 | posting as u64;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn fate(board: usize, posting: usize) -> Fate {
    match mix(board, posting) % 100 {
        0 => Fate::Changed,
        1 => Fate::Gone,
        _ => Fate::Same,
    }
}

impl Boards {
    pub fn kind(board: usize) -> AtsKind {
        if board.is_multiple_of(2) {
            AtsKind::Greenhouse
        } else {
            AtsKind::Lever
        }
    }

    pub fn slug(board: usize) -> String {
        match Self::kind(board) {
            AtsKind::Greenhouse => format!("gh{board:05}"),
            _ => format!("lv{board:05}"),
        }
    }

    /// The first `n` boards as declared sources.
    pub fn specs(n: usize) -> Vec<jobs_bot::ports::SourceSpec> {
        (0..n)
            .map(|b| jobs_bot::ports::SourceSpec {
                key: Self::key(b),
                name: None,
                region: jobs_bot::ports::Region::Global,
                enabled: true,
            })
            .collect()
    }

    pub fn key(board: usize) -> SourceKey {
        let slug = CompanySlug::parse(&Self::slug(board)).expect("generated slugs are valid");
        SourceKey::new(Self::kind(board), slug)
    }

    pub fn file(&self, version: Version, slug: &str) -> PathBuf {
        self.root
            .join(version.dir_name())
            .join(format!("{slug}.json"))
    }

    /// Postings served in `version`, and how many of them differ from the base version.
    pub fn count(&self, version: Version) -> (usize, usize, usize) {
        let (mut served, mut changed, mut gone) = (0, 0, 0);
        for b in 0..self.boards {
            for p in 0..self.postings {
                match (version, fate(b, p)) {
                    (Version::Incremental, Fate::Gone) => gone += 1,
                    (Version::Incremental, Fate::Changed) => {
                        changed += 1;
                        served += 1;
                    }
                    _ => served += 1,
                }
            }
        }
        (served, changed, gone)
    }

    /// Writes every board of both versions; returns the bytes of the base version.
    pub fn generate(&self) -> std::io::Result<u64> {
        let mut bytes = 0u64;
        for version in [Version::Base, Version::Incremental] {
            std::fs::create_dir_all(self.root.join(version.dir_name()))?;
            for b in 0..self.boards {
                let body = self.board_body(b, version);
                if version == Version::Base {
                    bytes += body.len() as u64;
                }
                std::fs::write(self.file(version, &Self::slug(b)), body)?;
            }
        }
        Ok(bytes)
    }

    fn board_body(&self, board: usize, version: Version) -> Vec<u8> {
        let items: Vec<Value> = (0..self.postings)
            .filter_map(|p| {
                let fate = match version {
                    Version::Base => Fate::Same,
                    Version::Incremental => fate(board, p),
                };
                (fate != Fate::Gone).then(|| item(board, p, fate == Fate::Changed))
            })
            .collect();
        let doc = match Self::kind(board) {
            AtsKind::Greenhouse => {
                json!({"jobs": items, "meta": {"total": items.len()}})
            }
            _ => Value::Array(items),
        };
        serde_json::to_vec(&doc).expect("generated JSON serializes")
    }
}

/// Paragraphs, a requirements list and some entities, 3–8 KB in all.
fn description_html(rng: &mut Lcg, changed: bool) -> String {
    let target = 3000 + rng.next(5000);
    let mut html = String::from("<h3>About the role</h3>");
    while html.len() < target {
        html.push_str("<p>");
        for _ in 0..24 {
            html.push_str(WORDS[rng.next(WORDS.len())]);
            html.push(' ');
        }
        html.push_str("&amp; more&nbsp;&#8212; join us.</p><ul>");
        for _ in 0..3 {
            html.push_str("<li>Experience with <strong>");
            html.push_str(SKILLS[rng.next(SKILLS.len())]);
            html.push_str("</strong> in production</li>");
        }
        html.push_str("</ul>");
    }
    if changed {
        html.push_str("<p>Update: the team doubled this quarter.</p>");
    }
    html
}

/// Greenhouse escapes its `content` HTML once more.
fn entity_escape(html: &str) -> String {
    html.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn item(board: usize, posting: usize, changed: bool) -> Value {
    let mut rng = Lcg(mix(board, posting));
    let title = format!(
        "{}{}",
        TITLES[rng.next(TITLES.len())],
        if changed { " (updated)" } else { "" }
    );
    let location = [
        "Berlin, Germany",
        "Remote (EU)",
        "London, UK",
        "New York, NY",
    ][rng.next(4)];
    let department = ["Engineering", "Data", "Sales", "Product"][rng.next(4)];
    let salary = rng.next(3) == 0;
    let (low, high) = (60_000 + 1000 * rng.next(60), 130_000 + 1000 * rng.next(60));
    let html = description_html(&mut rng, changed);
    let updated_ms = 1_790_000_000_000i64 + (posting as i64) * 1000 + i64::from(changed) * 7;
    match Boards::kind(board) {
        AtsKind::Greenhouse => {
            let pay = if salary {
                format!(
                    "<div class=\"content-pay-transparency\"><div class=\"pay-range\">\
                     <span>${low}</span><span class=\"divider\">&mdash;</span>\
                     <span>${high} USD</span></div></div>"
                )
            } else {
                String::new()
            };
            let id = board as u64 * 1_000_000 + posting as u64 + 4_000_000_000;
            let updated = chrono::DateTime::from_timestamp_millis(updated_ms)
                .unwrap_or_default()
                .to_rfc3339();
            json!({
                "id": id,
                "internal_job_id": id + 17,
                "title": title,
                "updated_at": updated,
                "requisition_id": format!("R-{posting:05}"),
                "location": {"name": location},
                "absolute_url": format!("https://boards.greenhouse.io/{}/jobs/{id}", Boards::slug(board)),
                "metadata": [{"id": 1, "name": "Location Type", "value": if location.starts_with("Remote") { "Remote" } else { "Onsite" }, "value_type": "single_select"}],
                "first_published": "2026-10-01T09:00:00-04:00",
                "company_name": format!("Company {board}"),
                "content": entity_escape(&format!("{html}{pay}")),
                "departments": [{"id": 7, "name": department, "child_ids": [], "parent_id": null}],
                "offices": [{"id": 3, "name": location, "location": location, "child_ids": [], "parent_id": null}]
            })
        }
        _ => {
            let id = format!(
                "{board:08x}-{:04x}-4{:03x}-8000-{posting:012x}",
                posting % 0xffff,
                board % 0xfff
            );
            let mut value = json!({
                "id": id,
                "text": title,
                "categories": {"location": location, "team": department, "department": department, "commitment": "Full-time", "allLocations": [location]},
                "workplaceType": if location.starts_with("Remote") { "remote" } else { "onsite" },
                "hostedUrl": format!("https://jobs.lever.co/{}/{id}", Boards::slug(board)),
                "applyUrl": format!("https://jobs.lever.co/{}/{id}/apply", Boards::slug(board)),
                "createdAt": 1_788_000_000_000i64 + posting as i64,
                "updatedAt": updated_ms,
                "description": html,
                "lists": [
                    {"text": "What you will do", "content": "<li>Own services end to end</li><li>Ship weekly</li>"},
                    {"text": "What we look for", "content": format!("<li>{}</li><li>{}</li>", SKILLS[rng.next(SKILLS.len())], SKILLS[rng.next(SKILLS.len())])}
                ],
                "additional": "<div>We offer <b>30 days</b> of holiday &amp; a learning budget.</div>",
                "additionalPlain": "We offer 30 days of holiday & a learning budget."
            });
            if salary {
                value["salaryRange"] = json!({"currency": "EUR", "interval": "per-year-salary", "min": low, "max": high});
            }
            value
        }
    }
}

/// The temporary folder holding the generated boards.
pub fn root_in(dir: &Path) -> PathBuf {
    dir.join("boards")
}
