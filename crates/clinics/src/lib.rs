//! Clinics and veterinarians: where care is offered, by whom, when, and how
//! owners find it.
//!
//! - [`service::clinics`]: profiles (contact, address, location, time zone,
//!   currency), weekly opening hours with dated exceptions, the live emergency
//!   status. Platform admins create clinics; clinic admins edit their own.
//! - [`service::staff`]: memberships (a user may work at several clinics, with
//!   a clinic role at each); they travel with the caller's `Principal`, and
//!   `principal.require_staff(clinic, roles)` is the guard every crate uses.
//! - [`service::invitations`]: an email without an account is invited; the
//!   invitee accepts once signed up.
//! - [`service::catalog`]: services (duration, buffers, price, species, online
//!   booking, who and which rooms perform them) and rooms or equipment.
//! - [`service::vets`]: vet profiles, weekly hours per clinic (in the clinic's
//!   local time, so DST is handled by the zone), time off without overlaps.
//! - [`service::search`]: clinics and vets near a point (GiST KNN over
//!   `earthdistance`), by service, species, text, "open now" and emergency
//!   readiness.
//! - [`service::photos`]: clinic and vet photos (uploads from `media`), public.
//! - [`service::reviews`]: one review per owner and clinic, answers, flags,
//!   moderation, and rating aggregates kept consistent in the same transaction;
//!   a review by an owner who visited ([`visits`], recorded when scheduling
//!   completes an appointment) is a verified one, others are held or refused.
//! - [`scheduling`] and [`schedule`]: what other crates read about a clinic to
//!   book it (its zone, opening hours, a service with its vets and rooms, each
//!   vet's available time). This crate owns every clinic table; other crates
//!   read through these functions, so a rule (like when a clinic is open)
//!   lives here once.
//! - [`personal_data::PersonalData`]: a person's reviews, visits, memberships,
//!   invitations and vet profile, exported and erased with the rest of their
//!   data (the vet row stays, without identity, for the records that cite it).
//!
//! - [`jobs`]: telling a clinic's admins that its webhook was disabled; a
//!   worker runs it once [`worker_options`] added it.
//!
//! [`routes`] mounts the HTTP API over the crate's [`Settings`] (`[clinics]`)
//! and the uploads clinic and vet photos come from.

pub mod api;
pub mod handlers;
pub mod jobs;
mod known_hours;
pub mod models;
pub mod personal_data;
pub mod schedule;
pub mod scheduling;
pub mod service;
mod settings;
pub mod visits;

use actix_web::web;
use platform::Routes;
pub use settings::Settings;

/// Adds this crate's jobs to a worker (it also needs `jobs::Resources`).
pub fn worker_options(options: graphile_worker::WorkerOptions) -> graphile_worker::WorkerOptions {
    options.define_job::<jobs::TellAdminsWebhookDisabled>()
}

/// Mounts the clinics and vets endpoints.
pub fn routes(routes: &mut Routes, settings: &Settings, uploads: &media::Uploads) {
    use handlers::{catalog, clinics, invitations, photos, reviews, staff, vets};
    routes
        .app_data(web::Data::new(settings.clone()))
        .app_data(web::Data::new(uploads.clone()))
        .service(clinics::search_clinics)
        .service(clinics::create_clinic)
        .service(clinics::get_clinic)
        .service(clinics::deactivate_clinic)
        .service(clinics::reactivate_clinic)
        .service(clinics::update_clinic)
        .service(clinics::get_hours)
        .service(clinics::put_hours)
        .service(clinics::put_emergency_status)
        .service(staff::list_staff)
        .service(staff::add_staff)
        .service(staff::remove_staff)
        .service(invitations::list_clinic_invitations)
        .service(invitations::revoke_invitation)
        .service(invitations::list_my_invitations)
        .service(invitations::accept_invitation)
        .service(catalog::list_services)
        .service(catalog::add_service)
        .service(catalog::update_service)
        .service(catalog::withdraw_service)
        .service(catalog::list_rooms)
        .service(catalog::add_room)
        .service(catalog::remove_room)
        .service(photos::set_clinic_photo)
        .service(photos::get_clinic_photo)
        .service(photos::set_vet_photo)
        .service(photos::get_vet_photo)
        .service(vets::search_vets)
        .service(vets::get_my_profile)
        .service(vets::put_my_profile)
        .service(vets::get_vet)
        .service(vets::get_working_hours)
        .service(vets::put_working_hours)
        .service(vets::list_time_off)
        .service(vets::add_time_off)
        .service(vets::remove_time_off)
        .service(reviews::list_reviews)
        .service(reviews::put_my_review)
        .service(reviews::respond_to_review)
        .service(reviews::flag_review)
        .service(reviews::moderate_review);
}
