//! Dispatch of CLI commands: logging set up, the command run, errors mapped to exit codes.

use std::process::ExitCode;

use super::cli::{Cli, Command, LogFormatArg};
use super::commands;
use super::config::{LogFormat, Settings};
use super::logging;

pub use super::commands::AppError;

pub async fn run(cli: Cli, settings: Settings) -> ExitCode {
    let run_id = logging::new_run_id();
    let configured = match cli.log_format {
        Some(LogFormatArg::Json) => Some(LogFormat::Json),
        Some(LogFormatArg::Text) => Some(LogFormat::Text),
        None => settings.log_format,
    };
    let is_run = matches!(
        cli.command,
        Command::Ingest(_)
            | Command::Reparse(_)
            | Command::Migrate(_)
            | Command::Score(_)
            | Command::Enrich(_)
            | Command::Run(_)
            | Command::Sync(_)
    );
    // `alert` runs under systemd too: its events belong on stdout, in the journal.
    let is_run = is_run || matches!(cli.command, Command::Alert(_));
    let log_format = logging::effective_format(configured);
    logging::init(log_format, &settings.log_level, &run_id, !is_run);
    if !settings.ignored_settings.is_empty() {
        // Names only: OPENAI_API_KEY's value is a secret.
        tracing::warn!(
            event = "setting_ignored",
            variables = %settings.ignored_settings.join(", "),
            reason = "read by the Python version for a feature jobs-bot does not have",
        );
    }
    let result = match cli.command {
        Command::Ingest(args) => commands::ingest(&settings, &args, log_format).await,
        Command::CheckConfig => commands::check_config(&settings),
        Command::Migrate(args) => commands::migrate(&settings, &args).await,
        Command::Sources(cmd) => commands::sources(&settings, cmd).await,
        Command::Jobs(cmd) => commands::jobs(&settings, cmd).await,
        Command::Reparse(args) => commands::reparse(&settings, args.source.as_deref()).await,
        Command::Alert(args) => commands::alert(&settings, &args).await,
        Command::Doctor => commands::doctor(&settings, cli.env_file.as_deref()).await,
        Command::Score(args) => commands::score(&settings, &args).await,
        Command::Profiles(cmd) => commands::profiles(&settings, cmd).await,
        Command::Explain(args) => commands::explain(&settings, &args).await,
        Command::Enrich(args) => commands::enrich(&settings, &args).await,
        Command::Run(args) => commands::run(&settings, &args, log_format).await,
        Command::Sync(args) => {
            commands::sync(&settings, args.profile.as_deref(), args.dry_run).await
        }
        Command::Notion(cmd) => commands::notion(&settings, cmd).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(event = "run_failed", reason = err.reason(), error = %err);
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
