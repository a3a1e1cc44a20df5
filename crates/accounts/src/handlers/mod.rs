//! Thin actix handlers: extract, call the service, map the result.

pub mod admin;
pub mod api_keys;
pub mod me;
pub mod webhooks;
