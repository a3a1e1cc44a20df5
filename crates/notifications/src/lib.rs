//! Notifications: the one way every crate sends anything to a person.
//!
//! - [`notify()`]: records a notification for a user *inside the caller's
//!   transaction* and schedules one delivery job per channel the recipient's
//!   [`service::preferences`] allow (after their quiet hours unless urgent);
//!   [`notify_each()`] does the same for several recipients in one go;
//! - [`templates`]: the closed set of message templates (text, HTML, SMS);
//! - [`providers`]: email (SMTP), SMS (Twilio-compatible), push (FCM), each
//!   with a `log` default, built from [`Settings`] (`[notifications]`);
//! - [`jobs::Deliver`] sends one delivery and writes the delivery log;
//!   [`jobs::PurgeOldNotifications`] drops notifications past their retention;
//! - [`service`]: the inbox, devices, preferences and the admin delivery log
//!   behind [`routes`];
//! - [`personal_data::PersonalData`]: a person's notifications, choices and
//!   devices, exported and erased with the rest of their data.
//!
//! A worker runs this crate's jobs once [`worker_options`] added them (it also
//! needs `jobs::Resources`).

pub mod api;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod providers;
pub mod service;
mod settings;
pub mod templates;

pub use models::{Attachment, Category, Channel, DeliveryStatus, MAX_ATTACHMENT_BYTES, Notification, Sender};
pub use providers::Channels;
pub use service::notify::{email_address, notify, notify_each};
pub use settings::{EmailSettings, ProviderKind, PushSettings, Settings, SmsSettings, SmtpTls};
pub use templates::Template;

use platform::Routes;

/// Adds this crate's jobs to a worker: deliveries (with the providers built
/// from `settings`) and the daily purge.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &Settings,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::Deliver>()
        .define_job::<jobs::EmailAddress>()
        .add_extension(Channels::from_settings(settings)?)
        .define_job::<jobs::PurgeOldNotifications>()
        .with_cron(&jobs::PurgeOldNotifications::crontab(settings))?)
}

/// Mounts the notifications endpoints.
pub fn routes(routes: &mut Routes) {
    use handlers::*;
    routes
        .service(list_inbox)
        .service(unread_count)
        .service(mark_all_read)
        .service(mark_read)
        .service(get_preferences)
        .service(put_preferences)
        .service(register_device)
        .service(remove_device)
        .service(list_deliveries);
}
