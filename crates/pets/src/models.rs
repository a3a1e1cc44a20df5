//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool};
use kernel::{AddendumId, ClinicId, MediaId, PetId, RecordId, ReminderId, UserId};

use crate::api::{
    AddendumView, Alert, NeuterStatus, PetProfile, RecordDetails, RecordKind, ReminderKind, ReminderStatus,
    ReminderView, Sex, Species,
};
use db::schema::{health_record_addenda, health_records, pet_reminders, pets};

// The request fields of constraints whose names do not say them.
kernel::constraint_fields!(
    "pets_dates_check" => "deceased_on",
    "pet_invitations_user_key" => "user_id",
    "pet_invitations_email_key" => "email",
);

/// A `pets` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pets, check_for_backend(diesel::pg::Pg))]
pub struct Pet {
    pub id: PetId,
    pub primary_owner_id: UserId,
    pub name: String,
    pub species: Species,
    pub breed: Option<String>,
    pub sex: Sex,
    pub neuter_status: NeuterStatus,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub colour: Option<String>,
    pub microchip: Option<String>,
    pub insurance_reference: Option<String>,
    pub alerts: serde_json::Value,
    pub medical_notes: String,
    pub deceased_on: Option<NaiveDate>,
    pub is_active: bool,
    pub photo_id: Option<kernel::MediaId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Its latest weighing's weight, kept by a trigger on `pet_weights`.
    pub current_weight_kg: Option<rust_decimal::Decimal>,
}

impl Pet {
    /// The owner-editable part, as the API shows it.
    pub fn profile(&self) -> PetProfile {
        PetProfile {
            name: self.name.clone(),
            species: self.species,
            breed: self.breed.clone(),
            sex: self.sex,
            neuter_status: self.neuter_status,
            birth_date: self.birth_date,
            birth_date_estimated: self.birth_date_estimated,
            colour: self.colour.clone(),
            microchip: self.microchip.clone(),
            insurance_reference: self.insurance_reference.clone(),
            alerts: alerts(&self.alerts),
            medical_notes: self.medical_notes.clone(),
            deceased_on: self.deceased_on,
        }
    }
}

/// The stored alerts (written only from validated `Alert`s).
pub fn alerts(stored: &serde_json::Value) -> Vec<Alert> {
    serde_json::from_value(stored.clone()).unwrap_or_default()
}

/// The columns a profile sets, for insert and update alike.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = pets, treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct PetChanges<'a> {
    pub name: &'a str,
    pub species: Species,
    pub breed: Option<&'a str>,
    pub sex: Sex,
    pub neuter_status: NeuterStatus,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub colour: Option<&'a str>,
    pub microchip: Option<&'a str>,
    pub insurance_reference: Option<&'a str>,
    pub alerts: serde_json::Value,
    pub medical_notes: &'a str,
    pub deceased_on: Option<NaiveDate>,
}

impl<'a> PetChanges<'a> {
    /// The columns of `profile`; the alerts serialize infallibly (plain data).
    pub fn new(profile: &'a PetProfile) -> kernel::Result<Self> {
        Ok(Self {
            name: profile.name.trim(),
            species: profile.species,
            breed: profile.breed.as_deref(),
            sex: profile.sex,
            neuter_status: profile.neuter_status,
            birth_date: profile.birth_date,
            birth_date_estimated: profile.birth_date_estimated,
            colour: profile.colour.as_deref(),
            microchip: profile.microchip.as_deref(),
            insurance_reference: profile.insurance_reference.as_deref(),
            alerts: serde_json::to_value(&profile.alerts).map_err(kernel::Error::internal)?,
            medical_notes: &profile.medical_notes,
            deceased_on: profile.deceased_on,
        })
    }
}

/// A `health_records` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = health_records, check_for_backend(diesel::pg::Pg))]
pub struct HealthRecord {
    pub id: RecordId,
    pub pet_id: PetId,
    pub kind: RecordKind,
    pub record_date: NaiveDate,
    pub title: String,
    pub details: serde_json::Value,
    pub staff_note: Option<String>,
    pub author_id: Option<UserId>,
    pub clinic_id: Option<ClinicId>,
    pub next_due: Option<NaiveDate>,
    pub next_due_suggested: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HealthRecord {
    /// The typed details (stored only from validated drafts).
    pub fn details(&self) -> kernel::Result<RecordDetails> {
        serde_json::from_value(self.details.clone()).map_err(kernel::Error::internal)
    }
}

/// A health record with what its view needs of the rows that hang off it,
/// read in the record's own statement: the uploads attached to it (oldest
/// first) and whether it has addenda (read afterwards, only then).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = health_records, check_for_backend(diesel::pg::Pg))]
pub struct RecordRow {
    #[diesel(embed)]
    pub record: HealthRecord,
    #[diesel(
        select_expression = db::Sql::<Array<diesel::sql_types::Uuid>>::expression(
            "ARRAY(SELECT a.media_id FROM health_record_attachments a \
             WHERE a.record_id = health_records.id ORDER BY a.created_at, a.media_id)"
        ),
        select_expression_type = db::Sql<'static, Array<diesel::sql_types::Uuid>>,
    )]
    pub attachments: Vec<MediaId>,
    #[diesel(
        select_expression = db::Sql::<Bool>::expression(
            "EXISTS (SELECT 1 FROM health_record_addenda d WHERE d.record_id = health_records.id)"
        ),
        select_expression_type = db::Sql<'static, Bool>,
    )]
    pub has_addenda: bool,
}

/// A `health_record_addenda` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = health_record_addenda, check_for_backend(diesel::pg::Pg))]
pub struct Addendum {
    pub id: AddendumId,
    pub record_id: RecordId,
    pub author_id: Option<UserId>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Addendum> for AddendumView {
    fn from(addendum: &Addendum) -> Self {
        Self {
            id: addendum.id,
            author_id: addendum.author_id,
            body: addendum.body.clone(),
            created_at: addendum.created_at,
        }
    }
}

/// A `pet_reminders` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pet_reminders, check_for_backend(diesel::pg::Pg))]
pub struct Reminder {
    pub id: ReminderId,
    pub pet_id: PetId,
    pub record_id: RecordId,
    pub kind: ReminderKind,
    pub subject: String,
    pub due_on: NaiveDate,
    pub status: ReminderStatus,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub sent_stages: Vec<String>,
}

impl From<Reminder> for ReminderView {
    fn from(reminder: Reminder) -> Self {
        Self {
            id: reminder.id,
            pet_id: reminder.pet_id,
            record_id: reminder.record_id,
            kind: reminder.kind,
            subject: reminder.subject,
            due_on: reminder.due_on,
            status: reminder.status,
            snoozed_until: reminder.snoozed_until,
            last_sent_at: reminder.last_sent_at,
        }
    }
}
