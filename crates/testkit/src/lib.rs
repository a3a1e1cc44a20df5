//! The test harness: real PostgreSQL, real Redis, the real App.
//!
//! - [`TestDb`]: a database per test, cloned from a template migrated once per
//!   migration set (shared across test processes under an advisory lock) and
//!   dropped when the test ends, so tests run in parallel with no serial markers.
//! - [`TestApp`]: the real App served in-process on a free port over a
//!   [`TestDb`], with the test configuration, its own JWKS server and a clock
//!   the test moves; [`Call`] is one request to it, checked in one line.
//! - [`fixtures`]: the scene builders every crate's tests share (a clinic
//!   with hours, staff, a vet with a schedule, a service, an owner with a
//!   pet), through the real API.
//! - [`TokenMinter`]: session tokens for any subject, signed by a key that the
//!   local JWKS server publishes, plus the knobs to forge bad ones.
//! - [`FaultProxy`]: a TCP proxy in front of Postgres or Redis that can refuse or
//!   black-hole traffic, to test outages without stopping the shared servers.
//! - [`SmtpServer`]: a real SMTP server (aiosmtpd) on loopback whose received
//!   messages the test reads back; [`SmtpServer::configure`] points
//!   notifications at it; [`MessagingApis`]: a local fake of Twilio and FCM,
//!   [`MessagingApis::configure`] points SMS and push at it.
//! - [`S3Server`]: a local S3 fake (moto) with one bucket, for the media store.
//! - [`OtlpReceiver`]: a local OpenTelemetry collector listing the spans exported;
//!   [`SentryServer`]: a local Sentry receiving error reports;
//!   [`ModelServer`]: a local OpenAI-compatible model API.
//! - [`worker_options`], [`run_due_jobs`], [`make_jobs_due`]: a job worker over
//!   the test's database that runs what is due.
//!
//! Services are never faked: only third-party SaaS (Clerk's JWKS, S3, Sentry,
//! a model API) is a local HTTP server.

mod app;
mod call;
mod database;
pub mod fixtures;
mod messaging;
mod model;
mod otlp;
mod proxy;
mod python;
mod s3;
mod sentry;
mod smtp;
mod tokens;
mod worker;

pub use app::{TestApp, TestUser, expect, test_config, test_section, test_settings};
pub use call::Call;
pub use database::TestDb;
pub use messaging::{FCM_PATH, MessagingApis, TWILIO_PATH};
pub use model::ModelServer;
pub use otlp::{OtlpReceiver, ReceivedSpan};
pub use proxy::{FaultProxy, ProxyMode};
pub use s3::S3Server;
pub use sentry::SentryServer;
pub use smtp::SmtpServer;
pub use tokens::TokenMinter;
pub use worker::{make_jobs_due, make_jobs_due_with_key, run_due_jobs, worker_options};
