//! Notifications against real Postgres, a real SMTP server on loopback and
//! local fakes of the SMS (Twilio) and push (FCM) APIs.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod api;
mod delivery;
mod fixtures;
mod personal_data;
