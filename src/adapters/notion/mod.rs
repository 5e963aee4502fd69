//! The Notion sink: the data-source API (2025-09-03), a token bucket, and retries that
//! never repeat a create blindly.

mod client;
mod properties;

pub use client::{NotionClient, NotionConfig};
pub use properties::{encode, property_schema};
