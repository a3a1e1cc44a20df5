//! Who may see and act on an appointment: the pet's owners, staff of its
//! clinic, and platform admins; anyone else gets 404. Owners book for their
//! pets; staff book for the clinic's patients (pets with a care relationship).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, ClinicId, PetId, Principal, Role};
use pets::models::Pet;

use crate::models::Appointment;
use db::schema::appointments;

/// In what capacity the caller acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// An owner or co-owner of the pet.
    Owner,
    /// Staff of the appointment's clinic, or a platform admin.
    Staff,
}

/// Whether the caller is staff of `clinic` (platform admins are).
pub fn is_staff(principal: &Principal, clinic: ClinicId) -> bool {
    principal.require_staff(clinic, Role::CLINIC_STAFF).is_ok()
}

/// Who books for a pet at a clinic, as [`booker`] found them.
#[derive(Debug)]
pub struct Booker {
    /// The pet.
    pub pet: Pet,
    /// In what capacity the caller books.
    pub actor: Actor,
    /// The clinic is known to care for the pet already (a patient of the
    /// staff booking for it); when false it may or may not.
    pub in_care: bool,
}

/// The pet, and how the caller may book for it at `clinic`: as its owner, or
/// as clinic staff for a patient of the clinic. A pet the caller cannot see
/// is 404; one they see but may not book at this clinic is 403.
pub async fn booker(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    clinic: ClinicId,
) -> kernel::Result<Booker> {
    let (pet, access) = pets::access::resolve(connection, principal, pet).await?;
    let in_care = access.care_clinics.contains(&clinic);
    let actor = if access.is_owner() {
        Actor::Owner
    } else if is_staff(principal, clinic) && (in_care || principal.is(Role::PlatformAdmin)) {
        Actor::Staff
    } else {
        return Err(kernel::Error::Forbidden("book for this pet at this clinic".to_owned()));
    };
    Ok(Booker { pet, actor, in_care })
}

/// The appointment and the caller's capacity, or 404; `lock` takes a row lock
/// for a change.
pub async fn resolve(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: AppointmentId,
    lock: bool,
) -> kernel::Result<(Appointment, Actor)> {
    let query = appointments::table.find(id).select(Appointment::as_select());
    let found = if lock { query.for_update().first(connection).await } else { query.first(connection).await };
    let appointment = found.optional()?.ok_or(kernel::Error::NotFound { resource: "appointment" })?;
    if is_staff(principal, appointment.clinic_id) {
        return Ok((appointment, Actor::Staff));
    }
    match pets::access::resolve(connection, principal, appointment.pet_id).await {
        Ok((_, access)) if access.is_owner() => Ok((appointment, Actor::Owner)),
        _ => Err(kernel::Error::NotFound { resource: "appointment" }),
    }
}
