//! Commerce against a real Postgres and Redis, through the real HTTP stack
//! and the real job worker.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod access;
mod cart;
mod catalog;
mod checkout;
mod fixtures;
mod invoices;
mod orders;
mod personal_data;
mod plans;
mod reports;
mod stock;
mod stripe;
