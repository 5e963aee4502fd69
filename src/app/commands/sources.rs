//! `jobs-bot sources list|add|check|discover`.

use super::{AppError, load_sources};
use crate::adapters::ats::HttpClient;
use crate::app::cli::SourcesCommand;
use crate::app::config::Settings;
use crate::app::{output, sources_file, wiring};
use crate::domain::SourceKey;
use crate::domain::careers_url::supported_forms;
use crate::domain::discover::{Candidate, discover};
use crate::ports::{Region, Repository};

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
        SourcesCommand::Discover { url, add } => discover_page(settings, &url, add).await,
    }
}

/// Fetches the careers page once (the providers' client: same timeout and size limit),
/// prints each candidate, and with `add` appends the best one.
async fn discover_page(settings: &Settings, page: &str, add: bool) -> Result<(), AppError> {
    let with_scheme = if page.contains("://") {
        page.to_string()
    } else {
        format!("https://{page}")
    };
    let url = url::Url::parse(&with_scheme)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| AppError::Usage(format!("{page:?} is not an http(s) URL")))?;
    let http = HttpClient::new(&wiring::ats_config(settings))?;
    let body = http
        .get_page(url.clone())
        .await
        .map_err(|e| AppError::Discover(format!("cannot read {url}: {e}")))?;
    let candidates = discover(&String::from_utf8_lossy(&body));
    let Some(best) = candidates.first() else {
        return Err(AppError::Discover(format!(
            "no ATS found on {url}: no link, iframe or script on the page points at a \
             supported careers page ({})",
            supported_forms()
        )));
    };
    for candidate in &candidates {
        println!("{}", entry(candidate));
    }
    if add {
        let (path, _) = settings.sources_path();
        let spec = sources_file::append(&path, &best.evidence, None)?;
        println!("added {} to {}", spec.key, path.display());
    }
    Ok(())
}

/// A candidate as a commented, ready-to-paste `[[sources]]` entry.
fn entry(candidate: &Candidate) -> String {
    let source = &candidate.source;
    let key = SourceKey::new(source.ats, source.slug.clone());
    let region = if source.eu {
        Region::Eu
    } else {
        Region::Global
    };
    let times = match candidate.mentions {
        1 => String::new(),
        n => format!(" (and {} more references)", n - 1),
    };
    format!(
        "# {key}: found at {}{times}\n{}",
        candidate.evidence,
        sources_file::entry_text(&key, region, None)
    )
}
