//! Pets and health records against a real Postgres, through the real HTTP stack.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod access;
mod files;
mod fixtures;
mod household;
mod personal_data;
mod profile;
mod records;
mod reminders;
