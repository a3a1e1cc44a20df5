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
