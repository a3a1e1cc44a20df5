//! What happens to an appointment that crates above this one react to,
//! published as [`::jobs::Event`]s in the same transaction as the change
//! (commerce drafts the visit's invoice, for example). This crate does not
//! know who reacts.

use kernel::{AppointmentId, ClinicId, PetId, ServiceId, UserId};
use serde::{Deserialize, Serialize};

/// The clinic marked the appointment completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentCompleted {
    /// The appointment.
    pub appointment_id: AppointmentId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// The pet seen.
    pub pet_id: PetId,
    /// The owner who booked it.
    pub owner_id: UserId,
    /// The service performed.
    pub service_id: ServiceId,
}

impl ::jobs::Event for AppointmentCompleted {
    const NAME: &'static str = "appointments_appointment_completed";
}

/// Tells the clinic's own systems (its webhooks) what happened to
/// `appointment`, inside the change's transaction: ids, status and times,
/// never the owner's contact details.
pub(crate) async fn tell_webhooks(
    connection: &diesel_async::AsyncPgConnection,
    event: notifications::webhooks::EventType,
    appointment: &crate::models::Appointment,
    now: chrono::DateTime<chrono::Utc>,
) -> kernel::Result<()> {
    let data = serde_json::json!({
        "appointment_id": appointment.id,
        "clinic_id": appointment.clinic_id,
        "pet_id": appointment.pet_id,
        "owner_id": appointment.owner_id,
        "vet_id": appointment.vet_id,
        "service_id": appointment.service_id,
        "status": appointment.status,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
    });
    notifications::webhooks::emit(connection, appointment.clinic_id, event, &data, now).await
}
