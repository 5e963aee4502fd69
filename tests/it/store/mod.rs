//! Storage: one contract run against the in-memory adapters, SQLite and MySQL.

// `contract!` runs a case against every backend; fit_contract and llm_contract use it too.
#[macro_use]
mod contract;
mod fit_contract;
mod layout;
mod lease_contract;
mod llm_contract;
mod score_contract;
