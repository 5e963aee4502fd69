//! Shared test helpers: fixtures, fake servers, per-test databases, the binary harness.
#![allow(dead_code)]

pub mod ats;
pub mod e2e;
pub mod fakes;
pub mod mysql;
pub mod notion;
pub mod snapshot;
pub mod store;
