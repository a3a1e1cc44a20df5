//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary.

pub mod catalog;
pub mod clinics;
pub mod invitations;
pub mod photos;
pub mod reviews;
pub mod search;
pub mod staff;
pub mod vets;
