//! End-to-end tests through the real gateway: the App it mounts, and the
//! `gateway` binary itself (serve, SIGTERM, migrate, dev-token).

mod cli;
mod openapi;
mod process;
mod shutdown;
