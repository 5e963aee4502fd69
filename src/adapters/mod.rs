//! Implementations of the ports: ATS providers, databases, in-memory fakes, clocks, the
//! enrichers (deterministic and LLM), the alert webhook, and this host's identity.

pub mod ats;
pub mod clock;
pub mod cv;
pub mod db;
pub mod enrich;
pub mod local_host;
pub mod memory;
mod memory_fit;
mod memory_leases;
pub mod notion;
pub mod webhook;
