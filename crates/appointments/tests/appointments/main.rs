//! Scheduling against a real Postgres, through the real HTTP stack, with the
//! clinics and pets routes that scheduling builds on.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod availability;
mod booking;
mod deactivated;
mod fixtures;
mod idempotency;
mod lifecycle;
mod personal_data;
mod pet_events;
mod reminders;
mod series;
mod strangers;
mod waitlist;
