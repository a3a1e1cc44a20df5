//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary.

pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod documents;
pub mod invoices;
pub mod messages;
pub mod orders;
pub mod payments;
pub mod refunds;
pub mod reports;
pub mod search;
pub mod stock;
pub mod tax;
