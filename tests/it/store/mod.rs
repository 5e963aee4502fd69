//! Storage: one contract run against the in-memory adapters, SQLite and MySQL.

// `contract!` runs a case against every backend; fit_contract uses it too.
#[macro_use]
mod contract;
mod fit_contract;
