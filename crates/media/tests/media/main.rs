//! Uploads, cleaning, derivatives and downloads against real Postgres and a
//! real object store (a local directory, and a local S3 fake), through the real HTTP stack.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod downloads;
mod fixtures;
mod personal_data;
mod s3;
mod uploads;
