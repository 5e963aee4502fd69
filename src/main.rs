//! The `jobs-bot` binary: parse the command line, load `.env`, validate, run, exit.

use std::process::ExitCode;

use clap::Parser;
use jobs_bot::app::cli::Cli;
use jobs_bot::app::config::Settings;

fn main() -> ExitCode {
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
    if let Err(problem) = loaded {
        eprintln!("invalid configuration:\n  - cannot load env file {problem}");
        return ExitCode::from(2);
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("{err}");
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
