//! Pets and their health records: the medical heart of the platform.
//!
//! - [`access`]: who may see and change a pet (owners, co-owners, staff of a
//!   clinic caring for it, platform admins; everyone else gets 404), decided
//!   once, in the service layer, for every endpoint;
//! - [`service::pets`] and [`service::weights`]: profiles with alerts and
//!   allergies, soft delete, weight history in kilograms;
//! - [`service::household`]: co-owners, invitations, transfer of primary
//!   ownership; [`service::care`]: the clinics caring for a pet
//!   ([`service::care::ensure`] is how scheduling adds one);
//! - [`service::records`]: typed health records that lock 24 hours after
//!   creation (addenda afterwards), their history, the medical timeline and
//!   the vaccination summary; [`protocols`] suggests next due dates;
//! - [`service::reminders`] and [`jobs`]: reminders of care coming due, sent
//!   through `notifications` in stages scheduled in the record's transaction;
//! - [`service::patients`]: a clinic's patients for its staff;
//! - [`service::photos`] and record attachments: uploads (`media`) attached
//!   to a pet or a record, served under the pet's access rules;
//! - [`events`]: a transfer or a deletion, published for the crates above
//!   (scheduling) to follow;
//! - [`personal_data::PersonalData`]: a person's pets, records and pet
//!   invitations, exported and erased (their pets passed on or archived,
//!   clinical records kept).
//!
//! [`routes`] mounts the HTTP API over the crate's [`Settings`] (`[pets]`) and
//! the uploads photos and attachments come from; a worker runs the reminder
//! job once [`worker_options`] added it.

pub mod access;
pub mod api;
pub mod audience;
pub mod details;
pub mod events;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod personal_data;
pub mod protocols;
pub mod service;
mod settings;

use actix_web::web;
use platform::Routes;
pub use settings::Settings;

/// Adds this crate's job (care reminders) to a worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &crate::Settings,
) -> graphile_worker::WorkerOptions {
    options.define_job::<jobs::SendPetReminder>().add_extension(settings.clone())
}

/// Mounts the pets endpoints.
pub fn routes(routes: &mut Routes, settings: &Settings, uploads: &media::Uploads) {
    use handlers::{files, household, pets, records, reminders};
    routes
        .app_data(web::Data::new(settings.clone()))
        .app_data(web::Data::new(uploads.clone()))
        .service(pets::list_my_pets)
        .service(pets::create_pet)
        .service(pets::get_pet)
        .service(pets::update_pet)
        .service(pets::delete_pet)
        .service(pets::list_weights)
        .service(pets::add_weight)
        .service(pets::search_patients)
        .service(household::list_owners)
        .service(household::invite_co_owner)
        .service(household::remove_co_owner)
        .service(household::transfer_pet)
        .service(household::list_my_pet_invitations)
        .service(household::accept_pet_invitation)
        .service(household::list_care)
        .service(household::register_care)
        .service(household::unregister_care)
        .service(records::list_records)
        .service(records::create_record)
        .service(records::get_record)
        .service(records::update_record)
        .service(records::add_addendum)
        .service(records::record_history)
        .service(records::vaccination_summary)
        .service(reminders::list_reminders)
        .service(reminders::snooze_reminder)
        .service(reminders::dismiss_reminder)
        .service(files::set_photo)
        .service(files::remove_photo)
        .service(files::get_photo)
        .service(files::link_photo)
        .service(files::attach_to_record)
        .service(files::get_attachment)
        .service(files::link_attachment);
}
