//! The gateway: the one binary that serves the platform's HTTP API.
//!
//! It owns no behaviour of its own. [`mount_routes`] lists every crate's
//! `routes`, and `platform::Application` serves them over one shared
//! `AppState`; the subcommands in [`commands`] run the job worker and
//! migrations and mint development tokens.
//!
//! Shutdown: on SIGTERM (or SIGINT) the server stops accepting connections,
//! lets in-flight requests finish within `server.shutdown_timeout_secs`, and
//! the process exits 0.

pub mod commands;

use platform::{AppState, Routes, Settings};

/// Registers every route of the platform. A new domain crate adds its line here.
pub fn mount_routes(routes: &mut Routes) {
    platform::health::routes(routes);
    platform::auth::session::routes(routes);
    accounts::routes(routes);
    jobs::routes(routes);
    notifications::routes(routes);
    clinics::routes(routes);
    pets::routes(routes);
    appointments::routes(routes);
    media::routes(routes);
}

/// Loads settings, installs logging and builds the shared state.
pub fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    platform::telemetry::init(&settings.log);
    Ok(AppState::build(settings)?)
}
