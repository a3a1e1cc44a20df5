//! Clinics and vets against a real Postgres, through the real HTTP stack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed fixture must fail the test loudly"
)]

mod access;
mod fixtures;
mod hours;
mod invitations;
mod photos;
mod reviews;
mod search;
mod vets;
