//! The ATS adapters against local fake servers fed with the real fixtures.

mod ashby;
mod greenhouse;
mod http;
mod lever;
mod personio;
mod recruitee;
mod smartrecruiters;
mod successfactors;
mod workable;
mod workday;
