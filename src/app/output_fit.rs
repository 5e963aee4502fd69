//! What the scoring commands print: jobs ranked for a profile, one fit explained, profiles.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::cli::OutputFormat;
use super::output::{clip, when, write_table};
use super::profiles::Discovery;
use super::score::ProfileAnalysis;
use crate::ports::{FitRecord, JobRecord, ScoringRow, StoredProfile};

/// One ranked job, as `jobs list --profile` prints it (JSON carries every field).
#[derive(Debug, Serialize)]
struct RankedView<'a> {
    job_uid: &'a str,
    title: &'a str,
    company_slug: &'a str,
    company: Option<&'a str>,
    location: Option<&'a str>,
    url: Option<&'a str>,
    closed: bool,
    fit_score: u8,
    fit_class: &'static str,
    flags: &'a [String],
    why: String,
}

fn ranked_view<'a>(fit: &'a FitRecord, job: &'a ScoringRow) -> RankedView<'a> {
    RankedView {
        job_uid: job.uid.as_str(),
        title: &job.title,
        company_slug: job.source.slug.as_str(),
        company: job.company.as_deref(),
        location: job.location.as_deref(),
        url: job.url.as_deref(),
        closed: job.closed,
        fit_score: fit.fit.score,
        fit_class: fit.fit.class.as_str(),
        flags: &fit.fit.flags,
        why: fit.fit.why(),
    }
}

/// Jobs ranked best first: a table, one JSON array, or CSV.
pub fn write_ranked(
    out: &mut impl Write,
    rows: &[(FitRecord, ScoringRow)],
    format: OutputFormat,
) -> io::Result<()> {
    let views: Vec<RankedView<'_>> = rows.iter().map(|(f, j)| ranked_view(f, j)).collect();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &views)?;
            writeln!(out)
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "job_uid",
                "fit_score",
                "fit_class",
                "title",
                "company_slug",
                "location",
                "url",
                "why",
            ])?;
            for v in &views {
                w.write_record([
                    v.job_uid,
                    &v.fit_score.to_string(),
                    v.fit_class,
                    v.title,
                    v.company_slug,
                    v.location.unwrap_or_default(),
                    v.url.unwrap_or_default(),
                    &v.why,
                ])?;
            }
            w.flush()
        }
        OutputFormat::Table => {
            let table: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.fit_score.to_string(),
                        v.fit_class.to_string(),
                        clip(v.title, 40),
                        clip(v.company.unwrap_or(v.company_slug), 20),
                        v.job_uid[..12].to_string(),
                        clip(&v.why, 70),
                    ]
                })
                .collect();
            write_table(
                out,
                &["FIT", "CLASS", "TITLE", "COMPANY", "UID", "WHY"],
                &table,
            )
        }
    }
}

pub fn print_ranked(rows: &[(FitRecord, ScoringRow)], format: OutputFormat) -> io::Result<()> {
    write_ranked(&mut io::stdout().lock(), rows, format)
}

/// Every part of one fit, with the job it is about.
pub fn print_explain(job: &JobRecord, fit: &FitRecord) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let f = &fit.fit;
    writeln!(
        out,
        "{} — {}",
        job.posting.title,
        job.posting
            .company
            .as_deref()
            .unwrap_or(job.source.slug.as_str())
    )?;
    writeln!(
        out,
        "job {}  profile {}  scored {}",
        job.uid,
        fit.profile,
        when(Some(fit.computed_at))
    )?;
    writeln!(out, "\nfit {} / 100: {}", f.score, f.class.as_str())?;
    writeln!(out, "why: {}\n", f.why())?;
    for part in &f.reasons.parts {
        writeln!(
            out,
            "  {:<10} {:>5.1} / {:<4} {}",
            part.name, part.points, part.max, part.note
        )?;
    }
    let list = |skills: &[crate::domain::fit::Skill]| {
        if skills.is_empty() {
            "-".to_string()
        } else {
            skills
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let r = &f.reasons;
    // With an LLM's skills in play, each skill says where it was found.
    let tagged = |skills: &[crate::domain::fit::Skill]| {
        if r.skill_origins.is_empty() || skills.is_empty() {
            return list(skills);
        }
        skills
            .iter()
            .map(|s| match r.skill_origins.get(s) {
                Some(origin) => format!("{s} ({})", origin.as_str()),
                None => s.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "\nmatched skills:      {}", tagged(&r.matched_skills))?;
    writeln!(out, "missing skills:      {}", tagged(&r.missing_skills))?;
    if let Some(model) = &r.llm_model {
        writeln!(
            out,
            "skill sources:       posting = the posting's text, llm = {model} only, both = both"
        )?;
    }
    writeln!(out, "missing must-haves:  {}", list(&r.missing_must_haves))?;
    writeln!(
        out,
        "title match:         {}",
        r.title_match.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "location:            {}", r.location_verdict)?;
    writeln!(out, "salary:              {}", r.salary_verdict)?;
    if let Some(because) = &r.excluded_because {
        writeln!(out, "excluded because:    {because}")?;
    }
    writeln!(
        out,
        "flags:               {}",
        if f.flags.is_empty() {
            "-".to_string()
        } else {
            f.flags.join(", ")
        }
    )?;
    Ok(())
}

/// Each profile found on disk with what is stored about it.
pub fn print_profiles(found: &Discovery, stored: &[StoredProfile]) -> io::Result<()> {
    let by_key: HashMap<&str, &StoredProfile> =
        stored.iter().map(|p| (p.key.as_str(), p)).collect();
    let mut out = io::stdout().lock();
    let mut rows = Vec::new();
    for dir in &found.profiles {
        let row = by_key.get(dir.key.as_str());
        let analysis: Option<ProfileAnalysis> = row
            .and_then(|r| r.profile_json.as_deref())
            .and_then(|j| serde_json::from_str(j).ok());
        let status = match (row, &analysis) {
            (Some(r), _) if r.last_error.is_some() => "error",
            (Some(_), Some(_)) => "analyzed",
            _ => "not analyzed",
        };
        let skills = analysis.as_ref().map_or_else(
            || "-".to_string(),
            |a| {
                let names: Vec<&str> =
                    a.cv.skills
                        .iter()
                        .take(12)
                        .map(|s| s.skill.as_str())
                        .collect();
                format!("{} ({})", names.join(", "), a.cv.skills.len())
            },
        );
        rows.push(vec![
            dir.key.as_str().to_string(),
            status.to_string(),
            dir.cv_path
                .as_ref()
                .map_or_else(|e| e.to_string(), |p| p.display().to_string()),
            when(row.and_then(|r| r.analyzed_at)),
            clip(&skills, 80),
            row.and_then(|r| r.last_error.clone())
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    write_table(
        &mut out,
        &[
            "PROFILE",
            "STATUS",
            "CV",
            "ANALYZED",
            "SKILLS",
            "LAST ERROR",
        ],
        &rows,
    )?;
    for problem in &found.problems {
        writeln!(out, "problem: {problem}")?;
    }
    Ok(())
}
