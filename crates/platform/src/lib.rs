//! The shared HTTP layer every domain crate and binary builds on.
//!
//! - [`config`]: typed settings (files + `VET__` environment overrides);
//! - [`state`]: `AppState`, the pools and caches handlers reach;
//! - [`error`]: `ApiError` and the one error envelope;
//! - [`extract`]: `ValidJson`/`ValidQuery` (input that passed its rules),
//!   `Db` (a pooled connection), and actix's rejections as that envelope;
//! - [`auth`]: session token verification and the `CurrentUser` extractor;
//! - [`request_id`], [`middleware`], [`telemetry`], [`rate_limit`]: request
//!   ids, logs, CORS, security headers, quotas, deadlines;
//! - [`metrics`]: Prometheus series and the separate `/metrics` listener;
//! - [`error_tracking`]: panics and 5xx answers reported to Sentry;
//! - [`audit`]: the append-only audit log any crate writes in its transaction;
//! - [`idempotency`]: `Idempotency-Key` for writes that must not repeat;
//! - [`pagination`]: the `?limit=&cursor=` query of every list;
//! - [`personal_data`]: each crate's part of a person's data, exported and
//!   erased together (the erasure policy);
//! - [`users`]: a user's email for invitations and their display name;
//! - [`validation`]: the `validator` rules request types share;
//! - [`health`], [`openapi`], [`app`], [`server`]: probes, the API document,
//!   the App that mounts every crate's `routes`, and the HTTP server around it.
//!
//! A domain crate exposes `pub fn routes(routes: &mut Routes, ...)` taking the
//! state it needs ([`Routes`] only accepts documented handlers, so mounting a
//! route also documents it; paths are written without the `/api/v1` prefix).
//! Its handlers take `CurrentUser`, `ValidJson<T>`, `Db`, and return
//! `Result<_, ApiError>`; its services take `kernel::Valid<T>`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod error_tracking;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod personal_data;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod server;
pub mod state;
mod static_document;
pub mod telemetry;
pub mod users;
pub mod validation;
pub mod webhook_signature;

pub use app::{SharedDocument, build_app};
pub use auth::{CurrentUser, MaybeUser};
pub use config::Settings;
pub use error::{ApiError, ErrorEnvelope};
pub use extract::{Db, Now, ValidJson, ValidQuery};
pub use idempotency::IdempotencyKey;
pub use kernel::Valid;
pub use pagination::PageQuery;
pub use routes::{Mount, Routes};
pub use server::Application;
pub use state::AppState;
