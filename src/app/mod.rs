//! Use cases and wiring: configuration, logging, the CLI and the ingest run.

pub(crate) mod adopt;
pub mod allocator;
pub mod cli;
mod commands;
pub mod config;
pub mod enrich;
pub mod ingest;
pub mod logging;
pub mod output;
pub mod output_fit;
mod parallel;
pub mod profiles;
pub mod progress;
pub mod reparse;
pub mod run;
pub mod score;
pub mod sources_file;
pub mod sync;
pub mod wiring;
