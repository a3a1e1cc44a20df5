//! End-to-end tests through the real gateway: the App it mounts, and the
//! `gateway` binary itself (serve, SIGTERM, migrate, dev-token).

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a failed fixture must fail the test loudly")]

mod api_keys;
mod chat;
mod cli;
mod client;
mod error_tracking;
mod logs;
mod metrics;
mod openapi;
mod permissions;
mod personal_data;
mod process;
mod production;
mod shutdown;
mod traces;
mod webhooks;
mod worker;

/// The gateway's modules over a test's configuration.
fn modules(config: &platform::config::Source) -> gateway::Modules {
    gateway::Modules::load(config).expect("every crate's settings load")
}
