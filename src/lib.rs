//! jobs-bot: ingest public ATS job boards into a database, idempotently and within daily caps.
//!
//! Layers (see ARCHITECTURE.md): `domain` holds the pure rules, `ports` the traits that cross
//! to the outside, `adapters` their implementations, and `app` the wiring and use cases.

pub mod adapters;
pub mod app;
pub mod domain;
pub mod hooks;
pub mod ports;
