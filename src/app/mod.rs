//! Use cases and wiring: configuration, logging, the CLI and the ingest run.

pub mod cli;
pub mod config;
pub mod ingest;
pub mod logging;
