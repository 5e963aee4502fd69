//! The `jobs-bot` binary: parse the command line, load `.env`, validate, run, exit.

use std::process::ExitCode;

use clap::Parser;
use jobs_bot::app::cli::{Cli, LogFormatArg};
use jobs_bot::app::config::{LogFormat, Settings};
use jobs_bot::app::logging;
use serde_json::{Map, Value};

fn main() -> ExitCode {
    jobs_bot::app::allocator::limit_malloc_arenas();
    let cli = Cli::parse();
    // dotenvy sets process variables, which is only sound while single-threaded: before
    // the runtime starts. Variables already set win over the file.
    let loaded = match &cli.env_file {
        Some(path) => dotenvy::from_path(path).map_err(|e| format!("{}: {e}", path.display())),
        None => match dotenvy::dotenv() {
            Err(e) if e.not_found() => Ok(()),
            other => other.map(|_| ()).map_err(|e| format!(".env: {e}")),
        },
    };
    // Logging is not set up before the settings are valid: a configuration error is logged
    // here, as one `config_invalid` JSON line on stdout (variable names only, never values).
    let cli_format = cli.log_format.map(|f| match f {
        LogFormatArg::Json => LogFormat::Json,
        LogFormatArg::Text => LogFormat::Text,
    });
    if let Err(problem) = loaded {
        eprintln!("invalid configuration:\n  - cannot load env file {problem}");
        let mut extra = Map::new();
        let path = cli.env_file.as_deref().unwrap_or(".env".as_ref());
        extra.insert("env_file".into(), Value::from(path.display().to_string()));
        logging::config_invalid(cli_format, &[], extra);
        return ExitCode::from(2);
    }
    // SAFETY: still single-threaded, as for dotenvy above.
    unsafe { jobs_bot::adapters::db::cap_client_buffers() };
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("{err}");
            let variables: Vec<&str> = err.problems.iter().map(|p| p.variable).collect();
            logging::config_invalid(cli_format, &variables, Map::new());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(jobs_bot::app::run::run(cli, settings))
}
