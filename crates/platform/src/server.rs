//! The HTTP server around [`build_app`](crate::build_app), shared by the gateway
//! binary and the test harness so both serve requests the same way.
//!
//! Limits from `[server]`: worker count, the time a client has to send its
//! request head (slow-header clients are cut off while others are served),
//! keep-alive, and the graceful shutdown window. On SIGTERM or SIGINT the server
//! stops accepting connections, lets in-flight requests finish within
//! `shutdown_timeout_secs`, and [`Application::run_until_stopped`] returns `Ok`.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::{Server, ServerHandle};

use crate::routes::Mount;
use crate::state::AppState;

/// A bound, not yet awaited, HTTP server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `server.host:server.port` (port 0 picks a free one) and prepares the server.
    pub fn build(state: AppState, mount: impl Mount) -> std::io::Result<Self> {
        let server_settings = state.settings().server.clone();
        let listener = TcpListener::bind((server_settings.host.as_str(), server_settings.port))?;
        let port = listener.local_addr()?.port();
        let workers = match server_settings.workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            workers => workers,
        };
        let document = crate::app::SharedDocument::default();
        let server = HttpServer::new(move || crate::build_app(state.clone(), mount.clone(), document.clone()))
            .listen(listener)?
            .workers(workers)
            .client_request_timeout(Duration::from_millis(server_settings.client_request_timeout_ms))
            .client_disconnect_timeout(Duration::from_secs(1))
            .keep_alive(Duration::from_secs(server_settings.keep_alive_secs))
            .shutdown_timeout(server_settings.shutdown_timeout_secs)
            .run();
        Ok(Self { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by a signal or the handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
