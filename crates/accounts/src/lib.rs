//! Identity and access: who the platform's users are and what they may do.
//!
//! Owns the `users` table's lifecycle (the lookup of the caller on every request
//! lives in `platform::auth`, so every crate can authenticate without depending
//! on this one):
//! - [`service::sync`]: Clerk webhooks keep users in step with the identity
//!   provider (Svix signatures in [`webhook::signature`]);
//! - [`service::me`]: a user's own profile, preferences and data export;
//! - [`service::admin`]: platform admins list, search, change roles,
//!   deactivate and reactivate users; every change is audited;
//! - [`service::audit_log`]: reading the audit log.
//!
//! Services take `&mut AsyncPgConnection` and a `&Principal`, so other binaries
//! can call them directly; [`routes`] mounts the HTTP API.

pub mod api;
pub mod handlers;
pub mod models;
pub mod preferences;
pub mod service;
pub mod webhook;

pub use models::User;
pub use preferences::Preferences;

use platform::Routes;

/// Mounts the accounts endpoints.
pub fn routes(routes: &mut Routes) {
    use handlers::{admin, me, webhooks};
    routes
        .service(me::get_me)
        .service(me::update_me)
        .service(me::export_me)
        .service(admin::list_users)
        .service(admin::get_user)
        .service(admin::change_role)
        .service(admin::deactivate)
        .service(admin::reactivate)
        .service(admin::list_audit_log)
        .service(webhooks::clerk_webhook);
}
