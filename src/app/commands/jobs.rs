//! `jobs-bot jobs list|show`.

use super::{AppError, parse_source_filter};
use crate::app::cli::JobsCommand;
use crate::app::config::Settings;
use crate::app::{output, wiring};
use crate::domain::JobUid;
use crate::ports::{JobFilter, Repository};

pub(crate) async fn jobs(settings: &Settings, cmd: JobsCommand) -> Result<(), AppError> {
    match cmd {
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
