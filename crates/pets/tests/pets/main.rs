//! Pets and health records against a real Postgres, through the real HTTP stack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed fixture must fail the test loudly"
)]

mod access;
mod files;
mod fixtures;
mod household;
mod profile;
mod records;
mod reminders;
