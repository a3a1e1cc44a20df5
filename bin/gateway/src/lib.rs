//! The gateway: the one binary that serves the platform's HTTP API.
//!
//! It owns no behaviour of its own. [`mount_routes`] lists every crate's
//! `routes`, [`Application`] binds a listener (port 0 in tests) and serves
//! `platform::build_app` over one shared `AppState`; the subcommands in
//! [`commands`] run migrations and mint development tokens.
//!
//! Shutdown: on SIGTERM (or SIGINT) the server stops accepting connections,
//! lets in-flight requests finish within `server.shutdown_timeout_secs`, and
//! the process exits 0.

pub mod commands;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::{Server, ServerHandle};
use platform::{AppState, ServiceConfig, Settings};

/// Registers every route of the platform. A new domain crate adds its line here.
pub fn mount_routes(config: &mut ServiceConfig) {
    platform::health::routes(config);
    platform::auth::session::routes(config);
}

/// A bound, not yet running, HTTP server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `server.host:server.port` and prepares the server over `state`.
    pub fn build(state: AppState) -> std::io::Result<Self> {
        let server_settings = state.settings().server.clone();
        let listener = TcpListener::bind((server_settings.host.as_str(), server_settings.port))?;
        let port = listener.local_addr()?.port();
        let workers = match server_settings.workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            workers => workers,
        };
        let server = HttpServer::new(move || platform::build_app(state.clone(), mount_routes))
            .listen(listener)?
            .workers(workers)
            .client_request_timeout(Duration::from_millis(
                server_settings.client_request_timeout_ms,
            ))
            .client_disconnect_timeout(Duration::from_secs(1))
            .keep_alive(Duration::from_secs(server_settings.keep_alive_secs))
            .shutdown_timeout(server_settings.shutdown_timeout_secs)
            .run();
        Ok(Self { port, server })
    }

    /// The bound port (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by a signal or the handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Loads settings, installs logging and builds the shared state.
pub fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    platform::telemetry::init(&settings.log);
    Ok(AppState::build(settings)?)
}
