//! Notifications against real Postgres, a real SMTP server on loopback and
//! local fakes of the SMS (Twilio) and push (FCM) APIs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed fixture must fail the test loudly"
)]

mod api;
mod delivery;
mod fixtures;
