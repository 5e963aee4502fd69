//! Use cases and wiring: configuration, logging, the CLI and the ingest run.
