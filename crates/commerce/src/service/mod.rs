//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary.

pub mod autoship;
pub mod benefits;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod documents;
pub mod enrollments;
pub mod invoices;
pub mod messages;
pub mod orders;
pub mod payments;
pub mod placing;
pub mod plans;
pub mod refills;
pub mod refunds;
pub mod renewals;
pub mod reports;
pub mod search;
pub mod stock;
pub mod tax;
