//! Emergency: a pet in danger, connected within minutes to the nearest vet
//! who can act now, or its owner told where to go.
//!
//! - [`service::on_call`]: shifts a vet declares for a clinic (or the
//!   clinic's desk puts on its rota) and "available now" where the vet is;
//! - [`triage`]: the documented rule table giving a case its level;
//! - [`service::cases`]: a request opens a case (one under way per pet,
//!   `Idempotency-Key` honoured, a photo through `media`) and
//!   [`service::routing`] offers it, in the same transaction, to the nearest
//!   on-call vets, round after round, the radius widening in steps, and
//!   finally sends the owner the nearest emergency clinics open now;
//! - [`service::offers`]: the first accept wins (the case's row lock), opens
//!   a chat conversation with the owner and gives the vet's clinic care
//!   access to the pet; [`service::progress`]: on the way, at the clinic,
//!   resolved; the owner follows it by polling or live (`emergency.updated`
//!   on the chat socket);
//! - [`service::nearest`]: the nearest clinics with a free slot today;
//!   [`service::metrics`]: how emergencies were answered, per clinic or region.
//!
//! Who sees a case is decided once, in [`access`]: everyone else gets 404.
//! [`personal_data::PersonalData`]: a person's cases, times on call and
//! offers, exported and erased.
//! [`routes`] mounts the HTTP API; [`worker_options`] adds the round
//! deadlines to a worker (which also needs chat's settings, for the events).

pub mod access;
pub mod api;
pub mod gauges;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod service;
mod settings;
pub mod triage;

use actix_web::web;
use platform::Routes;
pub use settings::Settings;

/// Adds the round deadlines to a worker.
pub fn worker_options(options: graphile_worker::WorkerOptions, settings: &Settings) -> graphile_worker::WorkerOptions {
    options.define_job::<jobs::NextRound>().add_extension(settings.clone())
}

/// What the emergency endpoints need from the crates they build on.
#[derive(Debug, Clone, Copy)]
pub struct Needs<'a> {
    /// `[appointments]`, for free slots.
    pub scheduling: &'a appointments::Settings,
    /// The chat, for conversations and live events.
    pub chat: &'a chat::Chat,
    /// The upload store, for photos.
    pub uploads: &'a media::Uploads,
}

/// Mounts the emergency endpoints. Mount it before `clinics`: its
/// `/clinics/nearest-available` would otherwise be taken for a clinic id.
/// That path is a scope of its own, so another method on it is 405 rather
/// than a clinic route's answer.
pub fn routes(routes: &mut Routes, settings: &Settings, needs: Needs<'_>) {
    use handlers::{cases, on_call, reports};
    routes
        .app_data(web::Data::new(settings.clone()))
        .app_data(web::Data::new(needs.scheduling.clone()))
        .app_data(web::Data::new(needs.chat.clone()))
        .app_data(web::Data::new(needs.uploads.clone()))
        .service(utoipa_actix_web::scope("/clinics/nearest-available").service(reports::nearest_available))
        .service(reports::emergency_metrics)
        .service(on_call::declare_shift)
        .service(on_call::my_on_call)
        .service(on_call::set_available_now)
        .service(on_call::remove_my_on_call)
        .service(on_call::clinic_rota)
        .service(on_call::add_to_rota)
        .service(on_call::remove_from_rota)
        .service(cases::open_case)
        .service(cases::my_cases)
        .service(cases::get_case)
        .service(cases::accept_case)
        .service(cases::decline_case)
        .service(cases::cancel_case)
        .service(cases::report_progress)
        .service(cases::my_offers);
}
