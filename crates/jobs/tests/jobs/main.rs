//! The job queue against a real Postgres: transactional enqueue, exactly-once
//! effects across workers, crash recovery, retries into the dead state, cron,
//! and the admin endpoints (RELIABILITY 30).

#![expect(
    clippy::unwrap_used,
    clippy::manual_async_fn,
    reason = "a failed fixture must fail the test loudly; job handlers keep the trait's exact signature"
)]

mod admin;
mod fixtures;
mod queue;
