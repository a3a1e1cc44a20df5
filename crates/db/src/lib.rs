//! The database layer shared by every domain crate.
//!
//! - [`pool`]: the diesel-async connection pool (deadpool) with explicit
//!   wait/create/recycle timeouts and a per-connection `statement_timeout`, and
//!   [`connect`], the one way a handler checks out a connection.
//! - [`migrations`]: the SQL migrations of `migrations/`, embedded in the binary
//!   and run by `gateway migrate` and by the test harness (never implicitly in
//!   production). The Diesel `schema.rs` joins with the first tables.
//!
//! Domain crates take `&mut AsyncPgConnection` in their services so that calls
//! from several crates can share one transaction.

pub mod migrations;
pub mod pool;

pub use diesel_async::AsyncPgConnection;
pub use pool::{Connection, Pool, PoolSettings, build_pool, connect};
