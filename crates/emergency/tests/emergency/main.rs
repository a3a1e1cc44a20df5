//! Emergency against a real Postgres and Redis, through the real HTTP stack,
//! the real job worker and local fakes of the SMS and push APIs.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod cases;
mod dispatch;
mod fixtures;
mod on_call;
mod personal_data;
mod reports;
mod triage;
