//! What commands print for people: tables, CSV and JSON of sources and jobs.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::cli::OutputFormat;
use crate::ports::{JobRecord, SourceRecord};

/// Parses an age such as `7d`, `12h`, `30m` or `2w`.
pub fn parse_age(input: &str) -> Result<chrono::Duration, String> {
    let s = input.trim();
    let bad = || format!("{input:?} is not an age like 7d, 12h, 30m or 2w");
    let unit = s.chars().last().ok_or_else(bad)?;
    let amount: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    if amount < 0 {
        return Err(bad());
    }
    let duration = match unit {
        'm' => chrono::Duration::try_minutes(amount),
        'h' => chrono::Duration::try_hours(amount),
        'd' => chrono::Duration::try_days(amount),
        'w' => chrono::Duration::try_weeks(amount),
        _ => None,
    };
    duration.ok_or_else(bad)
}

pub(crate) fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// Left-aligned columns, each as wide as its widest cell.
pub(crate) fn write_table(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
}

pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

pub fn print_sources(records: &[SourceRecord]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|s| {
            vec![
                s.key.ats.to_string(),
                s.key.slug.to_string(),
                if s.enabled { "yes" } else { "no" }.to_string(),
                when(s.last_success_at),
                s.open_jobs.to_string(),
                s.last_error
                    .as_deref()
                    .map_or_else(|| "-".into(), |e| clip(e, 60)),
            ]
        })
        .collect();
    let mut out = io::stdout().lock();
    write_table(
        &mut out,
        &[
            "PROVIDER",
            "SLUG",
            "ENABLED",
            "LAST SUCCESS",
            "OPEN JOBS",
            "LAST ERROR",
        ],
        &rows,
    )
}

#[derive(Serialize)]
struct JobView<'a> {
    job_uid: &'a str,
    ats_type: &'a str,
    company_slug: &'a str,
    #[serde(flatten)]
    posting: &'a crate::domain::Posting,
    content_hash: &'a str,
    first_seen_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    changed_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

fn view(job: &JobRecord) -> JobView<'_> {
    JobView {
        job_uid: job.uid.as_str(),
        ats_type: job.source.ats.as_str(),
        company_slug: job.source.slug.as_str(),
        posting: &job.posting,
        content_hash: job.content_hash.as_str(),
        first_seen_at: job.first_seen_at,
        last_seen_at: job.last_seen_at,
        changed_at: job.changed_at,
        closed_at: job.closed_at,
    }
}

const CSV_COLUMNS: [&str; 10] = [
    "job_uid",
    "source",
    "title",
    "company",
    "location",
    "workplace",
    "salary",
    "url",
    "first_seen_at",
    "closed_at",
];

fn csv_row(job: &JobRecord) -> [String; 10] {
    let p = &job.posting;
    [
        job.uid.to_string(),
        job.source.to_string(),
        p.title.clone(),
        p.company.clone().unwrap_or_default(),
        p.location.clone().unwrap_or_default(),
        p.workplace_type
            .map(|w| w.as_str().to_string())
            .unwrap_or_default(),
        p.salary_text.clone().unwrap_or_default(),
        p.url.clone().unwrap_or_default(),
        job.first_seen_at.to_rfc3339(),
        job.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    ]
}

pub fn write_jobs(
    out: &mut impl Write,
    jobs: &[JobRecord],
    format: OutputFormat,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            let views: Vec<JobView<'_>> = jobs.iter().map(view).collect();
            serde_json::to_writer_pretty(&mut *out, &views)?;
            writeln!(out)
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CSV_COLUMNS)?;
            for job in jobs {
                w.write_record(csv_row(job))?;
            }
            w.flush()
        }
        OutputFormat::Table => {
            let rows: Vec<Vec<String>> = jobs
                .iter()
                .map(|j| {
                    vec![
                        j.uid.as_str()[..12].to_string(),
                        j.source.to_string(),
                        clip(&j.posting.title, 50),
                        clip(j.posting.location.as_deref().unwrap_or("-"), 30),
                        when(Some(j.first_seen_at)),
                        if j.closed_at.is_some() {
                            "closed"
                        } else {
                            "open"
                        }
                        .to_string(),
                    ]
                })
                .collect();
            write_table(
                out,
                &["UID", "SOURCE", "TITLE", "LOCATION", "FIRST SEEN", "STATUS"],
                &rows,
            )
        }
    }
}

pub fn print_jobs(jobs: &[JobRecord], format: OutputFormat) -> io::Result<()> {
    write_jobs(&mut io::stdout().lock(), jobs, format)
}

pub fn print_job(job: &JobRecord) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let value = serde_json::to_value(view(job))?;
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            if k == "description" {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => "-".into(),
                other => other.to_string(),
            };
            writeln!(out, "{k:>16}: {text}")?;
        }
    }
    writeln!(out, "\n{}", job.posting.description)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("7d"), Ok(chrono::Duration::days(7)));
        assert_eq!(parse_age("12h"), Ok(chrono::Duration::hours(12)));
        assert_eq!(parse_age("2w"), Ok(chrono::Duration::weeks(2)));
        assert!(parse_age("7").is_err());
        assert!(parse_age("-1d").is_err());
        assert!(parse_age("d").is_err());
        assert!(parse_age("5y").is_err());
    }

    #[test]
    fn table_aligns_columns() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            &["A", "B"],
            &[
                vec!["long cell".into(), "x".into()],
                vec!["s".into(), "y".into()],
            ],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "A          B\nlong cell  x\ns          y\n");
    }
}
