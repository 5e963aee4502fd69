//! The built binary end to end: a fake ATS server, a real database.

mod cli;
mod ingest;
