//! Telling owners and vets about their appointments, through
//! `notifications::notify` inside the caller's transaction.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use jobs::Batch;
use kernel::UserId;
use notifications::{Category, Notification, Template};
use serde_json::json;

use crate::availability::Clinic;
use crate::models::{Appointment, spoken};

/// What happened, as the template's `change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// An owner asked for it.
    Requested,
    /// The clinic confirmed it (or booked it confirmed).
    Confirmed,
    /// It moved; the previous start.
    Rescheduled(DateTime<Utc>),
    /// It was called off.
    Cancelled,
    /// A reminder before it.
    Reminder,
}

/// Who hears of a change, and the change as put to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    /// The pet's primary owner.
    Owner(Change),
    /// The vet (changes to their day).
    Vet(Change),
}

/// Tells the pet's primary owner.
pub async fn tell_owner(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    change: Change,
) -> kernel::Result<()> {
    tell(connection, clinic, appointment, &[Told::Owner(change)]).await
}

/// Tells the vet (changes to their day).
pub async fn tell_vet(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    change: Change,
) -> kernel::Result<()> {
    tell(connection, clinic, appointment, &[Told::Vet(change)]).await
}

/// Tells each of `told` about the appointment, with one round of lookups
/// and one batch of notices however many they are.
pub async fn tell(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    told: &[Told],
) -> kernel::Result<()> {
    let pet_name = pets::service::pets::name_of(connection, appointment.pet_id).await?;
    let mut jobs = Batch::default();
    tell_naming(connection, clinic, appointment, &pet_name, told, &mut jobs).await?;
    jobs.enqueue(connection).await
}

/// [`tell`] when the caller has the pet's name at hand (a booking read the
/// pet), leaving the delivery jobs in `jobs` for the caller to enqueue with
/// its own.
pub async fn tell_naming(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    pet_name: &str,
    told: &[Told],
    jobs: &mut Batch,
) -> kernel::Result<()> {
    let vet_name = clinics::scheduling::vet_display_name(connection, appointment.vet_id).await?;
    let recipient = |told: &Told| match told {
        Told::Owner(_) => appointment.owner_id,
        Told::Vet(_) => appointment.vet_id,
    };
    let mut notices = Vec::with_capacity(told.len());
    for each in told {
        let (change, to_vet) = match *each {
            Told::Owner(change) => (change, false),
            Told::Vet(change) => (change, true),
        };
        let (template, name, previous, reason) = match change {
            Change::Confirmed => (Template::AppointmentConfirmed, "confirmed", None, None),
            Change::Requested if to_vet => (Template::AppointmentUpdate, "booked", None, None),
            Change::Requested => (Template::AppointmentUpdate, "requested", None, None),
            Change::Rescheduled(before) => {
                (Template::AppointmentUpdate, "rescheduled", Some(spoken(clinic.zone, before)), None)
            }
            Change::Cancelled => (Template::AppointmentUpdate, "cancelled", None, appointment.cancel_reason.clone()),
            Change::Reminder => (Template::AppointmentUpdate, "reminder", None, None),
        };
        let data = json!({
            "pet_name": pet_name,
            "clinic_name": clinic.name,
            "starts_at": spoken(clinic.zone, appointment.starts_at),
            "vet_name": vet_name,
            "change": name,
            "previous_starts_at": previous,
            "reason": reason,
            "appointment_id": appointment.id,
        });
        let notification = Notification {
            category: Category::Appointment,
            template,
            data,
            sender: clinic.sender(),
            attachments: Vec::new(),
        };
        notices.push((recipient(each), notification));
    }
    let notices: Vec<(UserId, &Notification)> = notices.iter().map(|(user, notice)| (*user, notice)).collect();
    notifications::notify_each_into(connection, &notices, jobs).await.map(drop)
}
