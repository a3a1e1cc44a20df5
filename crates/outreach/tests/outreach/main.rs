//! Outreach against a real Postgres and Redis, through the real HTTP stack,
//! the real job worker and a real SMTP server.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod audience;
mod campaigns;
mod fixtures;
mod scale;
