//! Identity and access: who the platform's users are and what they may do.
//!
//! The `users` table itself belongs to `platform::users` (every request's
//! caller is resolved from it, below every crate); this crate decides who may
//! change a user and how, and serves it:
//! - [`service::sync`]: Clerk webhooks keep users in step with the identity
//!   provider (Svix signatures in [`platform::webhook_signature`]), each delivery once;
//! - [`service::me`]: a user's own profile and preferences;
//! - [`service::personal_data`]: everything held about a person, exported
//!   (by a job when large, downloaded through a signed link) or erased, across
//!   every crate's `platform::personal_data::Holder`;
//! - [`service::admin`]: platform admins list, search, change roles,
//!   deactivate and reactivate users; every change is audited;
//! - [`service::audit_log`]: reading the audit log;
//! - [`service::api_keys`]: clinic admins make, list, revoke and rotate their
//!   clinic's API keys (the table and the check on every request are
//!   `platform::auth::api_keys`'s).
//!
//! Services take `&mut AsyncPgConnection` and a `&Principal`, so other binaries
//! can call them directly; [`routes`] mounts the HTTP API over the crate's
//! [`Settings`] (`[accounts]`), and [`worker_options`] adds its daily purge.

pub mod api;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod preferences;
pub mod service;
mod settings;
pub mod webhook;

use actix_web::web;
use platform::Routes;
use platform::personal_data::Holders;
pub use platform::users::User;
pub use preferences::Preferences;
pub use settings::Settings;

/// What the crate's data exports and erasure walk: every crate's part of a
/// person's data, and where export files are kept.
#[derive(Debug, Clone)]
pub struct PersonalData {
    /// Every crate's holder, in erasure order.
    pub holders: Holders,
    /// Where built exports are stored.
    pub uploads: media::Uploads,
}

/// Adds this crate's jobs (building and expiring data exports, the purge of
/// processed webhook ids) to a worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &Settings,
    personal_data: &PersonalData,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::PurgeWebhookDeliveries>()
        .with_cron(&jobs::PurgeWebhookDeliveries::crontab(settings))?
        .define_job::<jobs::BuildDataExport>()
        .define_job::<jobs::ExpireDataExports>()
        .with_cron(jobs::ExpireDataExports::CRONTAB)?
        .add_extension(settings.clone())
        .add_extension(personal_data.holders.clone())
        .add_extension(personal_data.uploads.clone()))
}

/// Mounts the accounts endpoints (and the Clerk webhook, outside the API).
pub fn routes(routes: &mut Routes, settings: &Settings, personal_data: &PersonalData) {
    use handlers::{admin, api_keys, me, webhooks};
    routes
        .app_data(web::Data::new(settings.clone()))
        .app_data(web::Data::new(personal_data.holders.clone()))
        .app_data(web::Data::new(personal_data.uploads.clone()))
        .service(me::get_me)
        .service(me::update_me)
        .service(me::delete_me)
        .service(me::export_me)
        .service(me::get_export)
        .service(admin::list_users)
        .service(admin::get_user)
        .service(admin::change_role)
        .service(admin::deactivate)
        .service(admin::reactivate)
        .service(api_keys::list_api_keys)
        .service(api_keys::create_api_key)
        .service(api_keys::revoke_api_key)
        .service(api_keys::rotate_api_key)
        .service(admin::list_audit_log)
        .outside_api(webhooks::clerk_webhook);
}
