//! Telling owners and vets about their appointments, through
//! `notifications::notify` inside the caller's transaction.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
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

/// Tells the pet's primary owner.
pub async fn tell_owner(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    change: Change,
) -> kernel::Result<()> {
    tell(connection, clinic, appointment, appointment.owner_id, change, false).await
}

/// Tells the vet (changes to their day).
pub async fn tell_vet(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    change: Change,
) -> kernel::Result<()> {
    tell(connection, clinic, appointment, appointment.vet_id, change, true).await
}

async fn tell(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    appointment: &Appointment,
    recipient: UserId,
    change: Change,
    to_vet: bool,
) -> kernel::Result<()> {
    let pet_name = pets::service::pets::name_of(connection, appointment.pet_id).await?;
    let recipient_name = first_name_of(connection, recipient).await?;
    let vet_name = clinics::scheduling::vet_display_name(connection, appointment.vet_id).await?;
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
        "recipient_name": recipient_name,
        "owner_name": recipient_name,
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
    notifications::notify(connection, recipient, &notification).await.map(drop)
}

/// How a message greets `user`: their first name, or "there".
pub async fn first_name_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<String> {
    Ok(platform::users::name(connection, user).await?.first_name.unwrap_or_else(|| "there".to_owned()))
}
