//! The one integration-test binary: every area is a module, so an edit relinks one binary.
//!
//! MySQL cases need `TEST_DATABASE_URL` (e.g. `mysql://root@127.0.0.1:3306/test`); without
//! it they fail and say so. Leave them out explicitly with `cargo test -- --skip mysql`.

mod adopt;
mod ats;
mod deploy;
mod e2e;
mod enrich;
mod fit_ranking;
mod helpers;
mod ingest_properties;
mod ingest_rules;
mod notion;
mod store;
