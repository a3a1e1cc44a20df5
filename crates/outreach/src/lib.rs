//! Outreach: a clinic talking to its clients beyond transactional messages.
//!
//! - [`service::campaigns`]: a clinic admin writes a campaign (a subject and
//!   a plain-text message, sent through the notification templates as text
//!   and HTML email) for an [`api::Audience`] of the clinic's clients
//!   (species, last visit before a day, a vaccination due within some days,
//!   in a wellness plan or not), previews how many it reaches, schedules it,
//!   cancels it, and reads back its counts (sent, failed, pending,
//!   unsubscribed);
//! - [`audience`]: who an audience chooses, asked of the crates that own
//!   each part, and of them only those who opted in to marketing (it stays
//!   opt-in);
//! - [`service::sending`] and [`jobs`]: at its time a campaign's recipients
//!   are frozen and its batches enqueued, spaced to throttle it; each batch
//!   goes through `notifications` (consent checked again, quiet hours
//!   respected);
//! - [`unsubscribe`]: every notice carries a signed link that works without
//!   signing in: the email's one-click `List-Unsubscribe` and a page;
//! - [`personal_data::PersonalData`]: the campaigns a person was sent.
//!
//! [`routes`] mounts the HTTP API over [`Settings`] (`[outreach]`);
//! [`worker_options`] adds the jobs to a worker (which also needs
//! `notifications`' jobs to deliver what the batches send).

pub mod api;
pub mod audience;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod service;
mod settings;
pub mod unsubscribe;

use actix_web::web;
use platform::Routes;
pub use settings::{DEVELOPMENT_UNSUBSCRIBE_SECRET, Settings};

/// Adds the campaign jobs to a worker.
pub fn worker_options(options: graphile_worker::WorkerOptions, settings: &Settings) -> graphile_worker::WorkerOptions {
    options.define_job::<jobs::StartCampaign>().define_job::<jobs::SendCampaignBatch>().add_extension(settings.clone())
}

/// Mounts the campaign and unsubscribe endpoints.
pub fn routes(routes: &mut Routes, settings: &Settings) {
    use handlers::*;
    routes
        .app_data(web::Data::new(settings.clone()))
        .service(list_campaigns)
        .service(create_campaign)
        .service(get_campaign)
        .service(update_campaign)
        .service(preview_audience)
        .service(schedule_campaign)
        .service(cancel_campaign)
        .service(unsubscribe_page)
        .service(unsubscribe_by_link);
}
