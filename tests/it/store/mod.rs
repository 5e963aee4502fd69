//! Storage: one contract run against the in-memory adapters, SQLite and MySQL.

mod contract;
