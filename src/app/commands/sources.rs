//! `jobs-bot sources list|add|check`.

use super::{AppError, load_sources};
use crate::app::cli::SourcesCommand;
use crate::app::config::Settings;
use crate::app::{output, sources_file, wiring};
use crate::ports::Repository;

pub(crate) async fn sources(settings: &Settings, cmd: SourcesCommand) -> Result<(), AppError> {
    match cmd {
        SourcesCommand::Check => {
            let specs = load_sources(settings)?;
            let (path, _) = settings.sources_path();
            println!("{}: {} sources, all valid", path.display(), specs.len());
            Ok(())
        }
        SourcesCommand::Add { source, name } => {
            let (path, _) = settings.sources_path();
            let spec = sources_file::append(&path, &source, name.as_deref())?;
            println!("added {} to {}", spec.key, path.display());
            Ok(())
        }
        SourcesCommand::List => {
            let db = wiring::open_database(settings).await?;
            let records = db.sources().await?;
            output::print_sources(&records).map_err(|e| AppError::Output(e.to_string()))
        }
    }
}
