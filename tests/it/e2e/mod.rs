//! The built binary end to end: a fake ATS server, a real database.

mod alert;
mod cli;
mod doctor;
mod exit_and_logs;
mod ingest;
mod providers;
mod score;
mod workers;
