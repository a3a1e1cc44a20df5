//! Who may see and change a pet: decided here, from the `Principal`, for
//! every service of the crate.
//!
//! - the primary owner and co-owners see and edit their pets;
//! - staff of a clinic with a care relationship to the pet (the owner
//!   registered it there, or it has an appointment there) see it; its
//!   veterinarians and clinic admins also write its records;
//! - platform admins see every pet;
//! - anyone else gets `NotFound`, exactly as for a pet that does not exist.
//!
//! A deleted (inactive) pet is gone for its owners and admins but stays
//! visible to the clinics caring for it, as their records must.

use diesel::prelude::*;
use diesel::sql_types::{Array, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, Principal, Role};

use crate::api::Relation;
use crate::models::Pet;
use db::schema::{pet_co_owners, pets};

/// The caller's standing towards one pet.
#[derive(Debug, Clone)]
pub struct Access {
    /// Their strongest relation.
    pub relation: Relation,
    /// Clinics the caller works at that care for the pet.
    pub care_clinics: Vec<ClinicId>,
    is_owner: bool,
    is_primary: bool,
    is_admin: bool,
}

impl Access {
    /// Owners (primary or co-) edit the profile, weights, households and care.
    pub fn is_owner(&self) -> bool {
        self.is_owner
    }

    /// Only the primary owner deletes the pet and manages its household.
    pub fn is_primary_owner(&self) -> bool {
        self.is_primary
    }

    /// Owners and platform admins may change the profile.
    pub fn may_edit_profile(&self) -> bool {
        self.is_owner || self.is_admin
    }

    /// Whether the caller may write records for `clinic` (`None`: as an owner).
    pub fn may_write_records(&self, principal: &Principal, clinic: Option<ClinicId>) -> bool {
        match clinic {
            None => self.is_owner,
            Some(clinic) => {
                self.care_clinics.contains(&clinic)
                    && principal.clinic_role(clinic).is_some_and(|role| Role::CLINICIANS.contains(&role))
            }
        }
    }

    /// Anyone who may write any record may add an addendum.
    pub fn may_add_addenda(&self, principal: &Principal) -> bool {
        self.is_owner || self.care_clinics.iter().any(|&clinic| self.may_write_records(principal, Some(clinic)))
    }

    /// Staff notes of a record written for `clinic` are for that clinic's staff and admins.
    pub fn sees_staff_notes_of(&self, clinic: Option<ClinicId>) -> bool {
        self.is_admin || clinic.is_some_and(|clinic| self.care_clinics.contains(&clinic))
    }

    /// Weights may be added by owners and any caring staff.
    pub fn may_add_weights(&self) -> bool {
        self.is_owner || !self.care_clinics.is_empty()
    }
}

/// Loads `pet` with the caller's access to it, or `NotFound`, in one
/// statement: the pet, whether the caller co-owns it and, for clinic staff,
/// which of their clinics care for it. A caller of no clinic (an owner)
/// reads a statement of a fixed shape: one carrying an empty list of
/// clinics cost an owner's `GET /pets/{id}` about 6% of its requests per
/// second.
///
/// It takes the connection shared, so that a caller can pipeline it with a
/// statement of its own (see `records::timeline`).
pub async fn resolve(
    mut connection: &AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<(Pet, Access)> {
    let not_found = || kernel::Error::NotFound { resource: "pet" };
    let co_owns = diesel::dsl::exists(
        pet_co_owners::table.filter(pet_co_owners::pet_id.eq(pet)).filter(pet_co_owners::user_id.eq(principal.user_id)),
    );
    let found = if principal.memberships.is_empty() {
        let found = pets::table.find(pet).select((Pet::as_select(), co_owns)).first::<(Pet, bool)>(&mut connection);
        found.await.optional()?.map(|(row, is_co_owner)| (row, is_co_owner, Vec::new()))
    } else {
        let mine: Vec<ClinicId> = principal.memberships.iter().map(|membership| membership.clinic_id).collect();
        let caring = db::Sql::<Array<Uuid>>::expression(
            "ARRAY(SELECT c.clinic_id FROM pet_care c WHERE c.pet_id = pets.id AND c.clinic_id = ANY($1))",
        )
        .bind::<Array<Uuid>, _>(mine);
        let select = (Pet::as_select(), co_owns, caring);
        pets::table.find(pet).select(select).first::<(Pet, bool, Vec<ClinicId>)>(&mut connection).await.optional()?
    };
    let (row, is_co_owner, care_clinics) = found.ok_or_else(not_found)?;
    let is_primary = row.primary_owner_id == principal.user_id;
    let is_owner = row.is_active && (is_primary || is_co_owner);
    let is_admin = principal.is(Role::PlatformAdmin);
    let relation = match () {
        _ if is_owner && is_primary => Relation::PrimaryOwner,
        _ if is_owner => Relation::CoOwner,
        _ if !care_clinics.is_empty() => Relation::ClinicStaff,
        _ if is_admin && row.is_active => Relation::PlatformAdmin,
        _ => return Err(not_found()),
    };
    let is_primary = is_owner && is_primary;
    Ok((row, Access { relation, care_clinics, is_owner, is_primary, is_admin }))
}

/// `Forbidden` unless `allowed`: the caller can see the pet (its existence is
/// no secret to them) but may not do `what` to it.
pub fn require(allowed: bool, what: &str) -> kernel::Result<()> {
    if allowed { Ok(()) } else { Err(kernel::Error::Forbidden(format!("not allowed to {what}"))) }
}
