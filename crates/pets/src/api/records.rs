//! Health records: typed details, drafts, views, addenda, history, the
//! vaccination summary.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{AddendumId, ClinicId, PetId, RecordId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::profile::Severity;

kernel::text_enum!(
    /// What a health record is.
    RecordKind as HealthRecordKind {
        /// A vaccine given.
        Vaccination = "vaccination",
        /// A drug prescribed or given.
        Medication = "medication",
        /// A consultation, with SOAP notes.
        Examination = "examination",
        /// A laboratory result.
        LabResult = "lab_result",
        /// Surgery or another procedure.
        Procedure = "procedure",
        /// An allergy found.
        Allergy = "allergy",
        /// Anything else.
        Note = "note",
    }
);

/// The record's own fields, by kind (`"type"` names the kind). Other fields
/// are ignored, never stored: the details are written back from these types.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordDetails {
    /// A vaccine given.
    Vaccination {
        /// The vaccine, e.g. `Rabies` or `DHPP`.
        #[schema(min_length = 1, max_length = 100)]
        vaccine: String,
        /// Its manufacturer.
        #[serde(default)]
        #[schema(max_length = 100)]
        manufacturer: Option<String>,
        /// Batch or lot number.
        #[serde(default)]
        #[schema(max_length = 100)]
        lot: Option<String>,
        /// The batch's expiry date.
        #[serde(default)]
        expiry: Option<NaiveDate>,
        /// The next dose is due on; without it, the species' protocol suggests one.
        #[serde(default)]
        next_due: Option<NaiveDate>,
    },
    /// A drug prescribed or given.
    Medication {
        /// The drug.
        #[schema(min_length = 1, max_length = 100)]
        drug: String,
        /// Amount per dose, e.g. `"0.5"`.
        #[schema(min_length = 1, max_length = 50)]
        dose: String,
        /// Unit of the dose, e.g. `mg`, `ml`, `tablet`.
        #[schema(min_length = 1, max_length = 50)]
        unit: String,
        /// How it is given, e.g. `oral`.
        #[serde(default)]
        #[schema(max_length = 50)]
        route: Option<String>,
        /// E.g. `twice daily`.
        #[serde(default)]
        #[schema(max_length = 100)]
        frequency: Option<String>,
        /// First day.
        #[serde(default)]
        start_date: Option<NaiveDate>,
        /// Last day.
        #[serde(default)]
        end_date: Option<NaiveDate>,
        /// Refills left.
        #[serde(default, deserialize_with = "platform::extract::integer")]
        #[schema(minimum = 0, maximum = 99)]
        refills: u8,
        /// The next dose or refill is due on.
        #[serde(default)]
        next_due: Option<NaiveDate>,
    },
    /// A consultation, as SOAP notes.
    Examination {
        /// What the owner reports.
        #[serde(default)]
        #[schema(max_length = 5000)]
        subjective: Option<String>,
        /// What the vet observed.
        #[serde(default)]
        #[schema(max_length = 5000)]
        objective: Option<String>,
        /// The assessment.
        #[serde(default)]
        #[schema(max_length = 5000)]
        assessment: Option<String>,
        /// The plan.
        #[serde(default)]
        #[schema(max_length = 5000)]
        plan: Option<String>,
    },
    /// A laboratory result.
    LabResult {
        /// The test.
        #[schema(min_length = 1, max_length = 200)]
        test: String,
        /// The result.
        #[schema(min_length = 1, max_length = 2000)]
        result: String,
        /// Its unit.
        #[serde(default)]
        #[schema(max_length = 50)]
        unit: Option<String>,
        /// The normal range.
        #[serde(default)]
        #[schema(max_length = 100)]
        reference_range: Option<String>,
        /// Outside the normal range.
        #[serde(default)]
        abnormal: bool,
    },
    /// Surgery or another procedure.
    Procedure {
        /// What was done.
        #[schema(min_length = 1, max_length = 200)]
        procedure: String,
        /// Anaesthesia used.
        #[serde(default)]
        #[schema(max_length = 200)]
        anaesthesia: Option<String>,
        /// How it went.
        #[serde(default)]
        #[schema(max_length = 5000)]
        outcome: Option<String>,
    },
    /// An allergy found.
    Allergy {
        /// To what.
        #[schema(min_length = 1, max_length = 200)]
        allergen: String,
        /// The reaction seen.
        #[serde(default)]
        #[schema(max_length = 1000)]
        reaction: Option<String>,
        /// How serious.
        severity: Severity,
    },
    /// Anything else.
    Note {
        /// The note.
        #[schema(min_length = 1, max_length = 5000)]
        text: String,
    },
}

/// `POST /pets/{id}/records`, `PUT /pets/{id}/records/{record_id}`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordDraft {
    /// When it happened (not in the future).
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub record_date: NaiveDate,
    /// A short title; derived from the details when absent.
    #[serde(default)]
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub title: Option<String>,
    /// The kind and its fields.
    pub details: RecordDetails,
    /// Staff writing for a clinic name it (they must work there and the clinic
    /// must care for the pet); owners leave it out. Fixed once created.
    #[serde(default)]
    pub clinic_id: Option<ClinicId>,
    /// A note for clinic staff only; owners never see it.
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub staff_note: Option<String>,
}

/// `?type=&from=&to=` of the medical timeline.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RecordFilter {
    /// Only records of this kind.
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub kind: Option<RecordKind>,
    /// Records dated on or after.
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub from: Option<NaiveDate>,
    /// Records dated on or before.
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub to: Option<NaiveDate>,
}

/// A later addition to a record (the only change once it is locked).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumView {
    /// The addendum's id.
    pub id: AddendumId,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// The text.
    pub body: String,
    /// When it was added (addenda are never edited).
    pub created_at: DateTime<Utc>,
}

/// `POST /pets/{id}/records/{record_id}/addenda`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AddendumDraft {
    /// The addition.
    #[validate(length(min = 1, max = 5000), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub body: String,
}

/// A health record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordView {
    /// The record's id.
    pub id: RecordId,
    /// The pet.
    pub pet_id: PetId,
    /// When it happened.
    pub record_date: NaiveDate,
    /// A short title (derived from the details when none was given).
    pub title: String,
    /// The kind and its fields.
    pub details: RecordDetails,
    /// Only for staff of the record's clinic and platform admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_note: Option<String>,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// The clinic it was written for; `null` when an owner wrote it.
    pub clinic_id: Option<ClinicId>,
    /// When the next dose is due (vaccinations, medications).
    pub next_due: Option<NaiveDate>,
    /// True when `next_due` came from the species' vaccine protocol.
    pub next_due_suggested: bool,
    /// After this the record only takes addenda.
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub editable_until: DateTime<Utc>,
    /// Additions made later, oldest first.
    pub addenda: Vec<AddendumView>,
    /// Documents and images attached (lab reports, X-rays), oldest first.
    pub attachments: Vec<media::MediaView>,
    /// When it was written.
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last edited.
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

pub use platform::audit::HistoryEntry;

/// Where a vaccine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VaccinationState {
    /// Given, next dose not yet close.
    Current,
    /// The next dose is due within `pets.due_soon_days`.
    DueSoon,
    /// The next dose is late.
    Overdue,
    /// No next date is known.
    NoDueDate,
}

/// The latest dose of one vaccine.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VaccinationStatus {
    /// The vaccine.
    pub vaccine: String,
    /// The record of the latest dose.
    pub record_id: RecordId,
    /// When it was given.
    pub last_given: NaiveDate,
    /// When the next one is due.
    pub next_due: Option<NaiveDate>,
    /// Where it stands today.
    pub state: VaccinationState,
}
