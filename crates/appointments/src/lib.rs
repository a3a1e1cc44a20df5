//! Appointments: the scheduling engine clinics and owners depend on every day.
//!
//! - [`availability`]: free slots computed on demand from working hours, time
//!   off, opening hours and exceptions, service durations and buffers, rooms
//!   and existing bookings, on a grid anchored at the clinic's local midnight
//!   (09:00 stays 09:00 across daylight-saving changes);
//! - [`service::booking`]: booking for an owner's pet or by clinic staff, with
//!   the database making double booking impossible (exclusion constraints on
//!   vet and on room place), the owner's cap, `Idempotency-Key`;
//! - [`status`] and [`service::lifecycle`]: the statuses and the one
//!   transition table; [`service::reschedule`]: moving in place, with history;
//! - [`service::messages`] and [`service::reminders`]: notifications in the
//!   change's transaction, reminders before the start that move with it;
//! - [`service::calendar`], [`service::listing`], [`service::stats`]: the
//!   clinic's and the owner's views; [`service::series`]: recurring bookings;
//!   [`service::waitlist`]: freed slots offered in line;
//! - [`personal_data`]: a person's appointments, waitlist places and series,
//!   exported, and erased per the platform's policy (future appointments
//!   cancelled, past ones kept as clinical records).
//!
//! Everything about clinics (hours, vets' schedules, services, rooms) is read
//! through `clinics::scheduling`, everything about pets through `pets`: this
//! crate owns only its own tables (appointments, series, waitlist).
//!
//! [`routes`] mounts the HTTP API over the crate's [`Settings`]
//! (`[appointments]`); a worker runs its jobs once [`worker_options`] added them.

pub mod api;
pub mod availability;
pub mod events;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod service;
mod settings;
pub mod status;

use actix_web::web;
use platform::Routes;
pub use settings::Settings;

/// Adds this crate's jobs (reminders, offer deadlines, following pets'
/// transfers and deletions) to a worker.
pub fn worker_options(options: graphile_worker::WorkerOptions, settings: &Settings) -> graphile_worker::WorkerOptions {
    options
        .define_job::<jobs::RemindOfAppointment>()
        .define_job::<jobs::ExpireWaitlistOffer>()
        .define_job::<jobs::FollowPetTransfer>()
        .define_job::<jobs::CancelForRemovedPet>()
        .add_extension(settings.clone())
}

/// Mounts the scheduling endpoints over the crate's [`Settings`].
pub fn routes(routes: &mut Routes, settings: &Settings) {
    use handlers::{appointments, clinic, waitlist};
    routes
        .app_data(web::Data::new(settings.clone()))
        .service(appointments::get_availability)
        .service(appointments::book_appointment)
        .service(appointments::list_my_appointments)
        .service(appointments::get_appointment)
        .service(appointments::transition_appointment)
        .service(appointments::reschedule_appointment)
        .service(appointments::appointment_history)
        .service(appointments::create_series)
        .service(appointments::cancel_series)
        .service(clinic::clinic_calendar)
        .service(clinic::clinic_stats)
        .service(waitlist::join_waitlist)
        .service(waitlist::my_waitlist)
        .service(waitlist::leave_waitlist)
        .service(waitlist::accept_offer);
}
