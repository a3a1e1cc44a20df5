//! Notifications: the one way every crate sends anything to a person.
//!
//! - [`notify()`]: records a notification for a user *inside the caller's
//!   transaction* and schedules one delivery job per channel the recipient's
//!   [`service::preferences`] allow (after their quiet hours unless urgent);
//!   [`notify_each()`] does the same for several recipients in one go, and
//!   [`notify_each_into()`] leaves the delivery jobs in the caller's batch;
//! - [`templates`]: the closed set of message templates (text, HTML, SMS);
//! - [`providers`]: email (SMTP), SMS (Twilio-compatible), push (FCM), each
//!   with a `log` default, built from [`Settings`] (`[notifications]`);
//! - [`jobs::Deliver`] sends one delivery and writes the delivery log;
//!   [`jobs::PurgeOldNotifications`] drops notifications past their retention;
//! - [`service`]: the inbox, devices, preferences and the admin delivery log
//!   behind [`routes`];
//! - [`webhooks`]: a clinic's outgoing webhooks, signed, retried and logged
//!   ([`webhooks::emit()`] inside the change's transaction);
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
pub mod webhooks;

pub use models::{Attachment, Category, Channel, DeliveryStatus, MAX_ATTACHMENT_BYTES, Notification, Sender};
pub use providers::Channels;
pub use service::notify::{email_address, notify, notify_each, notify_each_into};
pub use settings::{
    EmailSettings, HostAnswer, ProviderKind, PushSettings, Settings, SmsSettings, SmtpTls, WebhookSettings,
};
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
        .define_job::<webhooks::DeliverWebhook>()
        .add_extension(webhooks::WebhookClient::from_settings(&settings.webhooks)?)
        .define_job::<jobs::PurgeOldNotifications>()
        .with_cron(&jobs::PurgeOldNotifications::crontab(settings))?)
}

/// Mounts the notifications and webhook endpoints.
pub fn routes(routes: &mut Routes, settings: &Settings) {
    use handlers::*;
    use webhooks::handlers as hooks;
    routes
        .app_data(actix_web::web::Data::new(webhooks::Guard::from_settings(&settings.webhooks)))
        .service(list_inbox)
        .service(unread_count)
        .service(mark_all_read)
        .service(mark_read)
        .service(get_preferences)
        .service(put_preferences)
        .service(register_device)
        .service(remove_device)
        .service(list_deliveries)
        .service(hooks::list_webhooks)
        .service(hooks::create_webhook)
        .service(hooks::delete_webhook)
        .service(hooks::enable_webhook)
        .service(hooks::list_webhook_deliveries)
        .service(hooks::redeliver_webhook);
}
