//! Thin actix handlers: extract, call the service, map.

pub mod catalog;
pub mod clinics;
pub mod invitations;
pub mod photos;
pub mod reviews;
pub mod staff;
pub mod vets;
