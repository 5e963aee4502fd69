//! Implementations of the ports: ATS providers, databases, in-memory fakes and clocks.

pub mod ats;
pub mod clock;
pub mod cv;
pub mod db;
pub mod memory;
mod memory_fit;
