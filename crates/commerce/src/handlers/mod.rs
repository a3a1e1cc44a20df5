//! Thin actix handlers: extract, call the service, map.

pub mod autoship;
pub mod cart;
pub mod catalog;
pub mod invoices;
pub mod orders;
pub mod payments;
pub mod plans;
pub mod reports;
pub mod stock;
