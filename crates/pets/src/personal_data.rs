//! This crate's part of a person's data ([`platform::personal_data`]): the
//! pets they own or co-own, each with its profile, weights, health records
//! (with addenda), reminders, the clinics caring for it and its co-owners, and
//! the pet invitations they sent or received.
//!
//! Erasure follows the policy: each active pet they own passes to its
//! longest-standing co-owner, or is archived (inactive, reminders stopped,
//! photo deleted) when it has none; their co-ownerships and pet invitations
//! are removed; the clinical data (records, addenda, attachments, weights)
//! stays with the pet. No [`crate::events`] are published: every crate's
//! holder erases its own part (scheduling cancels the person's appointments).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, MediaId, PetId, PetInvitationId, UserId, WeightId};
use platform::audit::{self, AuditEntry};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::api::{PetInvitationView, PetView, RecordView, Relation, ReminderView, WeightView};
use crate::models::{Pet, RecordRow, Reminder};
use crate::service;
use db::schema::{health_records, pet_care, pet_co_owners, pet_invitations, pet_reminders, pet_weights, pets};

/// The `"pets"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

/// What [`PersonalData`] exports.
#[derive(Debug, Serialize)]
struct Export {
    /// The pets they own or co-own (archived ones too).
    pets: Vec<ExportedPet>,
    /// Invitations they sent (expired ones too).
    invitations_sent: Vec<PetInvitationView>,
    /// Invitations to them, by user id or by their email (expired ones too).
    invitations_received: Vec<PetInvitationView>,
}

/// A pet the person owns or co-owns, with what is kept about it (records as
/// owners see them: without staff notes).
#[derive(Debug, Serialize)]
struct ExportedPet {
    pet: PetView,
    weights: Vec<WeightView>,
    records: Vec<RecordView>,
    reminders: Vec<ReminderView>,
    clinic_ids: Vec<ClinicId>,
    co_owner_ids: Vec<UserId>,
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "pets"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let pets = pets_of(connection, user).await?;
        let records = health_records::table
            .filter(health_records::pet_id.eq_any(&pets))
            .count()
            .get_result::<i64>(connection)
            .await?;
        Ok(i64::try_from(pets.len()).unwrap_or(i64::MAX).saturating_add(records))
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let ids = pets_of(connection, user).await?;
        let rows: Vec<Pet> =
            pets::table.filter(pets::id.eq_any(&ids)).order(pets::id).select(Pet::as_select()).load(connection).await?;
        let weights: Vec<(PetId, WeightId, Decimal, DateTime<Utc>)> = pet_weights::table
            .filter(pet_weights::pet_id.eq_any(&ids))
            .order((pet_weights::measured_at.desc(), pet_weights::id.desc()))
            .select((pet_weights::pet_id, pet_weights::id, pet_weights::weight_kg, pet_weights::measured_at))
            .load(connection)
            .await?;
        let records: Vec<RecordRow> = health_records::table
            .filter(health_records::pet_id.eq_any(&ids))
            .order((health_records::record_date.desc(), health_records::id.desc()))
            .select(RecordRow::as_select())
            .load(connection)
            .await?;
        let records = service::records::views(connection, |_| false, records).await?;
        let reminders: Vec<Reminder> = pet_reminders::table
            .filter(pet_reminders::pet_id.eq_any(&ids))
            .order((pet_reminders::due_on, pet_reminders::id))
            .select(Reminder::as_select())
            .load(connection)
            .await?;
        let care: Vec<(PetId, ClinicId)> = pet_care::table
            .filter(pet_care::pet_id.eq_any(&ids))
            .order(pet_care::created_at)
            .select((pet_care::pet_id, pet_care::clinic_id))
            .load(connection)
            .await?;
        let co_owners: Vec<(PetId, UserId)> = pet_co_owners::table
            .filter(pet_co_owners::pet_id.eq_any(&ids))
            .order(pet_co_owners::created_at)
            .select((pet_co_owners::pet_id, pet_co_owners::user_id))
            .load(connection)
            .await?;
        let pets = rows
            .into_iter()
            .map(|pet| {
                let id = pet.id;
                let weights: Vec<WeightView> = weights
                    .iter()
                    .filter(|(of, ..)| *of == id)
                    .map(|&(_, id, weight_kg, measured_at)| WeightView { id, weight_kg, measured_at })
                    .collect();
                let relation = if pet.primary_owner_id == user { Relation::PrimaryOwner } else { Relation::CoOwner };
                ExportedPet {
                    pet: service::pets::view_as(pet, relation),
                    weights,
                    records: records.iter().filter(|record| record.pet_id == id).cloned().collect(),
                    reminders: reminders
                        .iter()
                        .filter(|reminder| reminder.pet_id == id)
                        .cloned()
                        .map(ReminderView::from)
                        .collect(),
                    clinic_ids: care.iter().filter(|(of, _)| *of == id).map(|&(_, clinic)| clinic).collect(),
                    co_owner_ids: co_owners.iter().filter(|(of, _)| *of == id).map(|&(_, owner)| owner).collect(),
                }
            })
            .collect();
        let email = platform::users::email_of(connection, user).await?;
        let invitations: Vec<(Option<UserId>, PetInvitationView)> = pet_invitations::table
            .inner_join(pets::table)
            .filter(
                pet_invitations::invited_by
                    .eq(user)
                    .or(pet_invitations::user_id.eq(user))
                    .or(pet_invitations::email.eq(&email)),
            )
            .order((pet_invitations::created_at, pet_invitations::id))
            .select((
                pet_invitations::invited_by,
                (pet_invitations::id, pet_invitations::pet_id, pets::name, pet_invitations::expires_at),
            ))
            .load::<(Option<UserId>, (PetInvitationId, PetId, String, DateTime<Utc>))>(connection)
            .await?
            .into_iter()
            .map(|(by, (id, pet_id, pet_name, expires_at))| {
                (by, PetInvitationView { id, pet_id, pet_name, expires_at })
            })
            .collect();
        let (sent, received): (Vec<_>, Vec<_>) = invitations.into_iter().partition(|(by, _)| *by == Some(user));
        let invitations_sent = sent.into_iter().map(|(_, invitation)| invitation).collect();
        let invitations_received = received.into_iter().map(|(_, invitation)| invitation).collect();
        let export = Export { pets, invitations_sent, invitations_received };
        serde_json::to_value(export).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, _now: DateTime<Utc>) -> kernel::Result<()> {
        // An inactive pet was archived already (by its owner or a first run).
        let owned: Vec<(PetId, Option<MediaId>)> = pets::table
            .filter(pets::primary_owner_id.eq(user))
            .filter(pets::is_active)
            .select((pets::id, pets::photo_id))
            .for_update()
            .load(connection)
            .await?;
        for (pet, photo) in owned {
            let heir: Option<UserId> = pet_co_owners::table
                .filter(pet_co_owners::pet_id.eq(pet))
                .filter(pet_co_owners::user_id.ne(user))
                .order((pet_co_owners::created_at, pet_co_owners::user_id))
                .select(pet_co_owners::user_id)
                .first(connection)
                .await
                .optional()?;
            match heir {
                Some(heir) => pass_on(connection, pet, user, heir).await?,
                None => archive(connection, pet, photo).await?,
            }
        }
        let left: Vec<PetId> = diesel::delete(pet_co_owners::table.filter(pet_co_owners::user_id.eq(user)))
            .returning(pet_co_owners::pet_id)
            .get_results(connection)
            .await?;
        for pet in left {
            let entry =
                AuditEntry::new(None, "pet.co_owner_removed", "pet", pet).with_changes(json!({ "user_id": user }));
            audit::record(connection, entry).await?;
        }
        let email = platform::users::email_of(connection, user).await?;
        diesel::delete(
            pet_invitations::table.filter(
                pet_invitations::invited_by
                    .eq(user)
                    .or(pet_invitations::user_id.eq(user))
                    .or(pet_invitations::email.eq(email)),
            ),
        )
        .execute(connection)
        .await?;
        Ok(())
    }
}

/// The pets `user` owns (primary) or co-owns, inactive ones included.
async fn pets_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Vec<PetId>> {
    Ok(pets::table
        .filter(pets::primary_owner_id.eq(user))
        .select(pets::id)
        .union_all(pet_co_owners::table.filter(pet_co_owners::user_id.eq(user)).select(pet_co_owners::pet_id))
        .load(connection)
        .await?)
}

/// Makes `heir`, the pet's longest-standing co-owner, its primary owner in
/// place of the erased `user`.
async fn pass_on(connection: &mut AsyncPgConnection, pet: PetId, user: UserId, heir: UserId) -> kernel::Result<()> {
    diesel::delete(pet_co_owners::table.filter(pet_co_owners::pet_id.eq(pet)).filter(pet_co_owners::user_id.eq(heir)))
        .execute(connection)
        .await?;
    diesel::update(pets::table.find(pet)).set(pets::primary_owner_id.eq(heir)).execute(connection).await?;
    let entry = AuditEntry::new(None, "pet.owner_erased_transferred", "pet", pet)
        .with_changes(json!({ "primary_owner_id": audit::change(user, heir) }));
    audit::record(connection, entry).await
}

/// Archives a pet whose only owner is erased: inactive, no reminders, no photo.
async fn archive(connection: &mut AsyncPgConnection, pet: PetId, photo: Option<MediaId>) -> kernel::Result<()> {
    diesel::update(pets::table.find(pet))
        .set((pets::is_active.eq(false), pets::photo_id.eq(None::<MediaId>)))
        .execute(connection)
        .await?;
    service::reminders::stop_all_for_pet(connection, pet).await?;
    if let Some(photo) = photo {
        media::service::release(connection, photo).await?;
    }
    let entry = AuditEntry::new(None, "pet.owner_erased_archived", "pet", pet).with_changes(
        json!({ "is_active": audit::change(true, false), "photo_id": audit::change(photo, None::<MediaId>) }),
    );
    audit::record(connection, entry).await
}
