//! Clinic and vet photos: public, like the profiles they illustrate. A
//! clinic's admins set its photo; a vet sets their own.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, MediaId, Principal, Role, UserId};
use media::{Media, Purpose};
use platform::audit::{self, AuditEntry};

use crate::service::clinics::exists;
use db::schema::{clinics, vets};

/// The owner type of clinic photos in `media`.
pub const CLINIC: &str = "clinic";
/// The owner type of vet photos in `media`.
pub const VET: &str = "vet";

/// Sets the clinic's photo (its admins, platform admins); the previous one is let go.
pub async fn set_clinic_photo(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    photo: MediaId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let previous = clinics::table.find(clinic).select(clinics::photo_id).first::<Option<MediaId>>(connection).await?;
    db::transaction(connection, async |connection| {
        media::service::claim(connection, principal, photo, Purpose::ClinicPhoto, (CLINIC, clinic.0)).await?;
        if let Some(previous) = previous {
            media::service::release(connection, previous).await?;
        }
        diesel::update(clinics::table.find(clinic)).set(clinics::photo_id.eq(photo)).execute(connection).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.photo_changed", "clinic", clinic);
        audit::record(connection, entry).await
    })
    .await
}

/// Sets the caller's own vet photo (they need a vet profile).
pub async fn set_vet_photo(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    photo: MediaId,
) -> kernel::Result<()> {
    let me = principal.user_id;
    let previous = vets::table
        .find(me)
        .select(vets::photo_id)
        .first::<Option<MediaId>>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "vet profile" })?;
    db::transaction(connection, async |connection| {
        media::service::claim(connection, principal, photo, Purpose::VetPhoto, (VET, me.0)).await?;
        if let Some(previous) = previous {
            media::service::release(connection, previous).await?;
        }
        diesel::update(vets::table.find(me)).set(vets::photo_id.eq(photo)).execute(connection).await?;
        Ok(())
    })
    .await
}

/// The clinic's photo (public).
pub async fn clinic_photo(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Media> {
    let photo = clinics::table
        .find(clinic)
        .filter(clinics::is_active)
        .select(clinics::photo_id)
        .first::<Option<MediaId>>(connection)
        .await
        .optional()?
        .flatten()
        .ok_or(kernel::Error::NotFound { resource: "photo" })?;
    media::service::attached_to(connection, photo, (CLINIC, clinic.0)).await
}

/// The vet's photo (public).
pub async fn vet_photo(connection: &mut AsyncPgConnection, vet: UserId) -> kernel::Result<Media> {
    let photo = vets::table
        .find(vet)
        .select(vets::photo_id)
        .first::<Option<MediaId>>(connection)
        .await
        .optional()?
        .flatten()
        .ok_or(kernel::Error::NotFound { resource: "photo" })?;
    media::service::attached_to(connection, photo, (VET, vet.0)).await
}
