//! Thin actix handlers: extract, call the service, map.

pub mod cases;
pub mod on_call;
pub mod reports;
