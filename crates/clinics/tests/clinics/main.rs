//! Clinics and vets against a real Postgres, through the real HTTP stack.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod access;
mod fixtures;
mod hours;
mod invitations;
mod personal_data;
mod photos;
mod reviews;
mod search;
mod vets;
