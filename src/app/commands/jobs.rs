//! `jobs-bot jobs list|show`.

use super::{AppError, parse_source_filter};
use crate::app::cli::FitClassArg;
use crate::app::cli::JobsCommand;
use crate::app::config::Settings;
use crate::app::{output, wiring};
use crate::domain::JobUid;
use crate::domain::fit::FitClass;
use crate::ports::{FitFilter, FitStore, JobFilter, Repository};

pub(crate) async fn jobs(settings: &Settings, cmd: JobsCommand) -> Result<(), AppError> {
    match cmd {
        JobsCommand::List(args) if args.profile.is_some() => {
            let key = crate::app::profiles::ProfileKey::parse(
                args.profile.as_deref().unwrap_or_default(),
            )
            .map_err(|e| AppError::Usage(e.to_string()))?;
            let filter = FitFilter {
                min_score: args.min_fit,
                class: args.class.map(|c| match c {
                    FitClassArg::Good => FitClass::Good,
                    FitClassArg::Maybe => FitClass::Maybe,
                    FitClassArg::No => FitClass::No,
                }),
                open_only: args.open,
                limit: Some(args.limit),
            };
            let db = wiring::open_database(settings).await?;
            let ranked = db.ranked(key.as_str(), &filter).await?;
            if ranked.is_empty() {
                tracing::warn!(
                    event = "no_fits",
                    profile = key.as_str(),
                    hint = "run `jobs-bot score` first (or lower --min-fit)",
                );
            }
            crate::app::output_fit::print_ranked(&ranked, args.format)
                .map_err(|e| AppError::Output(e.to_string()))
        }
        JobsCommand::List(args) => {
            let since = args
                .since
                .as_deref()
                .map(|s| output::parse_age(s).map_err(AppError::Usage))
                .transpose()?;
            let filter = JobFilter {
                source: parse_source_filter(args.source.as_deref())?,
                open_only: args.open,
                seen_since: since.map(|age| wiring::clock().now() - age),
                limit: Some(args.limit),
            };
            let db = wiring::open_database(settings).await?;
            let jobs = db.jobs(&filter).await?;
            output::print_jobs(&jobs, args.format).map_err(|e| AppError::Output(e.to_string()))
        }
        JobsCommand::Show { job_uid } => {
            let uid = JobUid::parse(job_uid.trim()).map_err(|e| AppError::Usage(e.to_string()))?;
            let db = wiring::open_database(settings).await?;
            match db.job(&uid).await? {
                Some(job) => output::print_job(&job).map_err(|e| AppError::Output(e.to_string())),
                None => Err(AppError::Usage(format!("no job with uid {uid}"))),
            }
        }
    }
}
