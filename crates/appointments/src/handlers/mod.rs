//! Thin actix handlers: extract, call the service, map.

pub mod appointments;
pub mod clinic;
pub mod waitlist;
