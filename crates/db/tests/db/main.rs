//! The database layer against a real Postgres.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a failed fixture must fail the test loudly")]

mod migrations;
mod pool;
mod sql;
mod transaction;
