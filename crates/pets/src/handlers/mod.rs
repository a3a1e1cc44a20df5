//! Thin actix handlers: extract, call the service, map.

pub mod files;
pub mod household;
pub mod pets;
pub mod records;
pub mod reminders;
