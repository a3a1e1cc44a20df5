//! Pet profiles: create, read, list, edit, delete (soft).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, PetId, Principal, UserId, Valid};
use platform::audit::{self, AuditEntry};

use crate::access::{self, Access};
use crate::api::{PetProfile, PetView, Relation};
use crate::events::PetRemoved;
use crate::models::{Pet, PetChanges};
use crate::service::latest_today;
use db::schema::{pet_co_owners, pets};

/// Registers a pet owned by the caller (any signed-in user).
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    profile: &Valid<PetProfile>,
) -> kernel::Result<PetView> {
    check_dates(profile)?;
    let id = PetId::new();
    let changes = PetChanges::new(profile)?;
    db::transaction(connection, async |connection| {
        diesel::insert_into(pets::table)
            .values((pets::id.eq(id), pets::primary_owner_id.eq(principal.user_id), changes))
            .execute(connection)
            .await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "pet.created", "pet", id)).await
    })
    .await?;
    get(connection, principal, id).await
}

/// One pet, for anyone who may see it.
pub async fn get(connection: &mut AsyncPgConnection, principal: &Principal, id: PetId) -> kernel::Result<PetView> {
    let (pet, access) = access::resolve(connection, principal, id).await?;
    Ok(view(pet, &access))
}

/// The caller's pets (primary and co-owned), newest first.
pub async fn list_mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    page: &PageRequest,
) -> kernel::Result<Page<PetView>> {
    let me = principal.user_id;
    // Each relation's page straight from its index, in order and no further
    // (a page of an owner of a hundred reads a page, not a hundred), merged
    // here: each row is read once, with no scan of all pets filtered by an
    // OR and no second lookup of the page's ids (a third of the database's
    // work on this list).
    let after = PetId(page.after.unwrap_or(uuid::Uuid::max()));
    let owned = pets::table
        .filter(pets::primary_owner_id.eq(me))
        .filter(pets::is_active)
        .filter(pets::id.lt(after))
        .select(Pet::as_select())
        .order(pets::id.desc())
        .limit(page.fetch_limit());
    let co_owned = pet_co_owners::table
        .inner_join(pets::table)
        .filter(pet_co_owners::user_id.eq(me))
        .filter(pets::is_active)
        .filter(pet_co_owners::pet_id.lt(after))
        .select(Pet::as_select())
        .order(pet_co_owners::pet_id.desc())
        .limit(page.fetch_limit());
    let mut rows = owned.union_all(co_owned).load::<Pet>(connection).await?;
    rows.sort_unstable_by_key(|pet| std::cmp::Reverse(pet.id));
    rows.dedup_by_key(|pet| pet.id);
    Ok(Page::from_rows(rows, page, |pet| pet.id.0).map(|pet| {
        let relation = if pet.primary_owner_id == me { Relation::PrimaryOwner } else { Relation::CoOwner };
        view_as(pet, relation)
    }))
}

/// Replaces the profile (owners, platform admins); audited with what changed.
pub async fn update(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: PetId,
    profile: &Valid<PetProfile>,
) -> kernel::Result<PetView> {
    let (pet, access) = access::resolve(connection, principal, id).await?;
    access::require(access.may_edit_profile(), "edit this pet")?;
    check_dates(profile)?;
    let before = serde_json::to_value(pet.profile()).map_err(kernel::Error::internal)?;
    let after = serde_json::to_value(profile).map_err(kernel::Error::internal)?;
    let changes = PetChanges::new(profile)?;
    db::transaction(connection, async |connection| {
        diesel::update(pets::table.find(id)).set(changes).execute(connection).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "pet.updated", "pet", id)
            .with_changes(changed_fields(&before, &after));
        audit::record(connection, entry).await
    })
    .await?;
    get(connection, principal, id).await
}

/// Deletes the pet for its owners (the primary owner, platform admins); the
/// row and its records stay for the clinics that wrote them.
pub async fn delete(connection: &mut AsyncPgConnection, principal: &Principal, id: PetId) -> kernel::Result<()> {
    let (pet, access) = access::resolve(connection, principal, id).await?;
    access::require(access.is_primary_owner() || access.relation == Relation::PlatformAdmin, "delete this pet")?;
    let pet_photo = pet.photo_id;
    db::transaction(connection, async |connection| {
        diesel::update(pets::table.find(id)).set(pets::is_active.eq(false)).execute(connection).await?;
        crate::service::reminders::stop_all_for_pet(connection, id).await?;
        ::jobs::publish(connection, &PetRemoved { pet_id: id, removed_by: principal.user_id }).await?;
        if let Some(photo) = pet_photo {
            media::service::release(connection, photo).await?;
        }
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "pet.deleted", "pet", id)).await
    })
    .await
}

/// The pet as the caller sees it.
pub fn view(pet: Pet, access: &Access) -> PetView {
    view_as(pet, access.relation)
}

/// The pet as someone with `relation` to it sees it.
pub fn view_as(pet: Pet, relation: Relation) -> PetView {
    PetView {
        id: pet.id,
        primary_owner_id: pet.primary_owner_id,
        profile: pet.profile(),
        current_weight_kg: pet.current_weight_kg,
        is_active: pet.is_active,
        photo_id: pet.photo_id,
        relation,
        created_at: pet.created_at,
        updated_at: pet.updated_at,
    }
}

/// How long ago a pet may have been born (the oldest horses and parrots).
const OLDEST_YEARS: u32 = 60;

fn check_dates(profile: &PetProfile) -> kernel::Result<()> {
    let today = latest_today();
    if profile.birth_date.is_some_and(|born| born > today) {
        return Err(kernel::Error::invalid_field("birth_date", "must not be in the future"));
    }
    let earliest = today.checked_sub_months(chrono::Months::new(12 * OLDEST_YEARS));
    if profile.birth_date.is_some_and(|born| earliest.is_some_and(|earliest| born < earliest)) {
        return Err(kernel::Error::invalid_field("birth_date", "must be within the last 60 years"));
    }
    if let Some(died) = profile.deceased_on {
        if died > today {
            return Err(kernel::Error::invalid_field("deceased_on", "must not be in the future"));
        }
        if profile.birth_date.is_some_and(|born| died < born) {
            return Err(kernel::Error::invalid_field("deceased_on", "must not be before the birth date"));
        }
    }
    Ok(())
}

/// `{"field": {"from", "to"}}` for the top-level fields that differ.
pub fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return platform::audit::change(before, after);
    };
    let changed = after
        .iter()
        .filter(|(field, value)| before.get(*field) != Some(*value))
        .map(|(field, value)| (field.clone(), platform::audit::change(before.get(field), value)))
        .collect();
    serde_json::Value::Object(changed)
}

/// A pet's name (for messages about it), whoever asks: the caller has its
/// own reason to know the pet (an appointment, a waitlist place).
pub async fn name_of(connection: &mut AsyncPgConnection, pet: PetId) -> kernel::Result<String> {
    Ok(pets::table.find(pet).select(pets::name).first(connection).await?)
}

/// A pet's primary owner, whoever asks (a plan ends when it changes).
pub async fn primary_owner_of(connection: &mut AsyncPgConnection, pet: PetId) -> kernel::Result<UserId> {
    Ok(pets::table.find(pet).select(pets::primary_owner_id).first(connection).await?)
}

/// A pet's name and species (for a case about it), whoever asks, like [`name_of`].
pub async fn name_and_species_of(
    connection: &mut AsyncPgConnection,
    pet: PetId,
) -> kernel::Result<(String, kernel::Species)> {
    Ok(pets::table.find(pet).select((pets::name, pets::species)).first(connection).await?)
}

/// The pets `user` co-owns (not those they own as primary owner).
pub async fn co_owned_by(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Vec<PetId>> {
    Ok(pet_co_owners::table
        .filter(pet_co_owners::user_id.eq(user))
        .select(pet_co_owners::pet_id)
        .load(connection)
        .await?)
}
