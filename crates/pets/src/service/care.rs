//! Care relationships: which clinics' staff may see a pet. Owners register a
//! pet with a clinic; scheduling adds one with [`ensure`] when it books.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, Principal};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::access;
use crate::api::{CareSource, CareView};
use db::schema::{clinics, pet_care};

/// The clinics caring for the pet (anyone who may see it).
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<Vec<CareView>> {
    access::resolve(connection, principal, pet).await?;
    let rows = pet_care::table
        .inner_join(clinics::table)
        .filter(pet_care::pet_id.eq(pet))
        .select((pet_care::clinic_id, clinics::name, pet_care::source, pet_care::created_at))
        .order(pet_care::created_at)
        .load::<(ClinicId, String, CareSource, chrono::DateTime<chrono::Utc>)>(connection)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(clinic_id, clinic_name, source, since)| CareView { clinic_id, clinic_name, source, since })
        .collect())
}

/// Registers the pet with an active clinic (owners); registering twice is a no-op.
pub async fn register(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    clinic: ClinicId,
) -> kernel::Result<Vec<CareView>> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_owner(), "register this pet with a clinic")?;
    let active = clinics::table
        .find(clinic)
        .select(clinics::is_active)
        .first::<bool>(connection)
        .await
        .optional()?
        .unwrap_or(false);
    if !active {
        return Err(kernel::Error::invalid_field("clinic_id", "is not an active clinic"));
    }
    db::transaction(connection, async |connection| {
        if ensure(connection, pet, clinic, CareSource::Registration).await? {
            let entry = AuditEntry::new(Some(principal.user_id), "pet.care_granted", "pet", pet)
                .with_changes(json!({ "clinic_id": clinic }));
            audit::record(connection, entry).await?;
        }
        Ok(())
    })
    .await?;
    list(connection, principal, pet).await
}

/// Ends a clinic's access (owners); its records stay in the pet's history.
pub async fn unregister(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    clinic: ClinicId,
) -> kernel::Result<()> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_owner(), "change which clinics see this pet")?;
    db::transaction(connection, async |connection| {
        let removed =
            diesel::delete(pet_care::table.filter(pet_care::pet_id.eq(pet)).filter(pet_care::clinic_id.eq(clinic)))
                .execute(connection)
                .await?;
        if removed == 0 {
            return Err(kernel::Error::NotFound { resource: "care relationship" });
        }
        let entry = AuditEntry::new(Some(principal.user_id), "pet.care_revoked", "pet", pet)
            .with_changes(json!({ "clinic_id": clinic }));
        audit::record(connection, entry).await
    })
    .await
}

/// Gives `clinic` a care relationship with `pet` unless it has one; true when
/// it is new. For other crates (a booking), inside their transaction; the
/// caller has checked that it may act for the pet.
pub async fn ensure(
    connection: &mut AsyncPgConnection,
    pet: PetId,
    clinic: ClinicId,
    source: CareSource,
) -> kernel::Result<bool> {
    let inserted = diesel::insert_into(pet_care::table)
        .values((pet_care::pet_id.eq(pet), pet_care::clinic_id.eq(clinic), pet_care::source.eq(source)))
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}
