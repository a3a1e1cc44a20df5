//! Chat against a real Postgres and Redis, through the real HTTP stack and
//! real WebSockets.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a failed fixture must fail the test loudly")]

mod assistant;
mod conversations;
mod fixtures;
mod messages;
mod realtime;
mod triage;
