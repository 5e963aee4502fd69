//! `jobs-bot score`, `profiles list|analyze` and `explain`: fit scoring per profile.

use std::sync::Arc;

use super::AppError;
use crate::adapters::db::Database;
use crate::app::cli::{ExplainArgs, ProfilesCommand, ScoreArgs};
use crate::app::config::Settings;
use crate::app::profiles::{self, Discovery};
use crate::app::score::{self, ScoreDeps, ScoreReport};
use crate::app::wiring;
use crate::domain::JobUid;
use crate::ports::{FitStore, Repository};

/// The profiles to work with: `only` (a flag), else `PROFILE_ID`, else all. Problems with
/// single profiles are logged and the others go on.
pub(crate) fn discover(settings: &Settings, only: Option<&str>) -> Result<Discovery, AppError> {
    let (dir, must_exist) = settings.profiles_path();
    if must_exist && !dir.is_dir() {
        return Err(AppError::Usage(format!(
            "PROFILES_DIR {} is not a folder",
            dir.display()
        )));
    }
    let only = only.or(settings.profile_id.as_deref());
    let found = profiles::discover(&dir, only)?;
    for problem in &found.problems {
        tracing::warn!(event = "profile_invalid", error = %problem);
    }
    if found.profiles.is_empty() && found.problems.is_empty() {
        tracing::warn!(
            event = "no_profiles",
            dir = %dir.display(),
            hint = "add a folder per profile with a cv.docx, cv.pdf, cv.md or cv.txt (see README)",
        );
    }
    Ok(found)
}

pub(crate) fn score_deps(settings: &Settings, db: Arc<Database>) -> Result<ScoreDeps, AppError> {
    Ok(ScoreDeps {
        fits: db,
        sources: wiring::job_sources(settings)?,
        clock: wiring::clock(),
    })
}

/// Scores with an open database; shared by `score` and `run`.
pub(crate) async fn score_with(
    settings: &Settings,
    db: Arc<Database>,
    only: Option<&str>,
    all: bool,
) -> Result<ScoreReport, AppError> {
    let found = discover(settings, only)?;
    let deps = score_deps(settings, db)?;
    Ok(score::run(&deps, &found.profiles, all).await?)
}

pub(crate) async fn score(settings: &Settings, args: &ScoreArgs) -> Result<(), AppError> {
    let db = Arc::new(wiring::open_database(settings).await?);
    score_with(settings, db, args.profile.as_deref(), args.all).await?;
    Ok(())
}

pub(crate) async fn profiles(settings: &Settings, cmd: ProfilesCommand) -> Result<(), AppError> {
    let db = Arc::new(wiring::open_database(settings).await?);
    if let ProfilesCommand::Analyze { profile } = &cmd {
        // Analysing is the first step of scoring; scoring the jobs too keeps them in step.
        score_with(settings, db.clone(), profile.as_deref(), false).await?;
    }
    let found = discover(settings, None)?;
    let stored = db.profiles().await?;
    crate::app::output_fit::print_profiles(&found, &stored)
        .map_err(|e| AppError::Output(e.to_string()))
}

pub(crate) async fn explain(settings: &Settings, args: &ExplainArgs) -> Result<(), AppError> {
    let uid = JobUid::parse(args.job_uid.trim()).map_err(|e| AppError::Usage(e.to_string()))?;
    let key =
        profiles::ProfileKey::parse(&args.profile).map_err(|e| AppError::Usage(e.to_string()))?;
    let db = wiring::open_database(settings).await?;
    let Some(job) = db.job(&uid).await? else {
        return Err(AppError::Usage(format!("no job with uid {uid}")));
    };
    let Some(fit) = db.fit(&uid, key.as_str()).await? else {
        return Err(AppError::Usage(format!(
            "job {uid} has no score for profile {key}; run `jobs-bot score --profile {key}`"
        )));
    };
    crate::app::output_fit::print_explain(&job, &fit).map_err(|e| AppError::Output(e.to_string()))
}
