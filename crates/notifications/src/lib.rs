//! Notifications: the one way every crate sends anything to a person.
//!
//! - [`notify()`]: records a notification for a user *inside the caller's
//!   transaction* and schedules one delivery job per channel the recipient's
//!   [`preferences`] allow (after their quiet hours unless urgent);
//! - [`templates`]: the closed set of message templates (text, HTML, SMS);
//! - [`providers`]: email (SMTP), SMS (Twilio-compatible), push (FCM), each
//!   with a `log` default; [`delivery::Deliver`] is the job that sends and
//!   writes the delivery log;
//! - [`inbox`], [`devices`], [`delivery_log`]: the HTTP-facing services;
//! - [`maintenance`]: the daily purge of notifications past their retention.
//!
//! A worker runs this crate's jobs once [`worker_options`] added them (it also
//! needs [`jobs::Resources`]).

pub mod api;
pub mod delivery;
pub mod delivery_log;
pub mod devices;
pub mod handlers;
pub mod inbox;
pub mod maintenance;
pub mod model;
pub mod notify;
pub mod preferences;
pub mod providers;
pub mod templates;

pub use model::{Category, Channel, DeliveryStatus, Notification, Sender};
pub use notify::notify;
pub use providers::Channels;
pub use templates::Template;

use platform::Routes;

/// Adds this crate's jobs to a worker: deliveries (with the providers built
/// from `settings`) and the daily purge.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &platform::config::NotificationSettings,
) -> Result<graphile_worker::WorkerOptions, String> {
    let channels = Channels::from_settings(settings)?;
    options
        .define_job::<delivery::Deliver>()
        .add_extension(channels)
        .define_job::<maintenance::PurgeOldNotifications>()
        .with_cron(&maintenance::PurgeOldNotifications::crontab(settings))
        .map_err(|error| error.to_string())
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
