//! The ATS adapters against local fake servers fed with the real fixtures.

mod ashby;
mod greenhouse;
mod http;
mod lever;
mod recruitee;
mod smartrecruiters;
mod workable;
