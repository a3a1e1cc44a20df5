//! A pet's profile, its alerts and its weights.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{PetId, UserId, WeightId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

pub use kernel::Species;

kernel::text_enum!(
    /// Sex of the animal.
    Sex as PetSex {
        /// Male.
        Male = "male",
        /// Female.
        Female = "female",
        /// Not known.
        Unknown = "unknown",
    }
);

kernel::text_enum!(
    /// Whether the animal is neutered or spayed.
    NeuterStatus as PetNeuterStatus {
        /// Not neutered.
        Intact = "intact",
        /// Neutered or spayed.
        Neutered = "neutered",
        /// Not known.
        Unknown = "unknown",
    }
);

/// How serious an allergy or alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Mild,
    /// Needs care.
    Moderate,
    /// Dangerous: staff must see it first.
    Severe,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// An allergy (a drug, a food, ...).
    Allergy,
    /// Anything else staff must know (aggressive when muzzled, epileptic, ...).
    Alert,
}

/// An allergy or alert shown on the pet's profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Allergy or other alert.
    pub kind: AlertKind,
    /// What it is, e.g. `Penicillin`.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// How serious.
    pub severity: Severity,
    /// More detail.
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// `POST /pets`, `PUT /pets/{id}`: the owner-editable profile.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PetProfile {
    /// The pet's name.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// What kind of animal.
    pub species: Species,
    /// Breed, free text.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub breed: Option<String>,
    /// Sex (default unknown).
    #[serde(default = "unknown_sex")]
    pub sex: Sex,
    /// Neuter status (default unknown).
    #[serde(default = "unknown_neuter_status")]
    pub neuter_status: NeuterStatus,
    /// Born on (not in the future).
    #[serde(default)]
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub birth_date: Option<NaiveDate>,
    /// Whether `birth_date` is an estimate.
    #[serde(default)]
    pub birth_date_estimated: bool,
    /// Coat or colour.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub colour: Option<String>,
    /// ISO 11784/11785 microchip: 15 digits; unique across pets.
    #[serde(default)]
    #[validate(custom(function = "iso_microchip"))]
    #[schema(pattern = "^[0-9]{15}$", example = "250269604512345")]
    pub microchip: Option<String>,
    /// The insurer's policy reference.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub insurance_reference: Option<String>,
    /// Allergies and alerts.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub alerts: Vec<Alert>,
    /// The owner's notes on the pet's health.
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub medical_notes: String,
    /// Died on (not before birth, not in the future).
    #[serde(default)]
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub deceased_on: Option<NaiveDate>,
}

fn unknown_sex() -> Sex {
    Sex::Unknown
}

fn unknown_neuter_status() -> NeuterStatus {
    NeuterStatus::Unknown
}

fn iso_microchip(chip: &str) -> Result<(), ValidationError> {
    if chip.len() == 15 && chip.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new("microchip").with_message("must be 15 digits (ISO 11784/11785)".into()))
    }
}

/// How the caller is related to a pet, which decides what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The primary owner.
    PrimaryOwner,
    /// A co-owner.
    CoOwner,
    /// Staff of a clinic caring for the pet.
    ClinicStaff,
    /// A platform admin.
    PlatformAdmin,
}

/// A pet as its owners and carers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetView {
    /// The pet's id.
    pub id: PetId,
    /// The primary owner's user id.
    pub primary_owner_id: UserId,
    /// The profile.
    pub profile: PetProfile,
    /// The latest weighing, in kilograms (`"12.400"`).
    #[schema(value_type = Option<String>, example = "12.400")]
    #[serde(with = "rust_decimal::serde::str_option")]
    pub current_weight_kg: Option<Decimal>,
    /// False once deleted (only clinics and admins still see it).
    pub is_active: bool,
    /// The photo: `GET /api/v1/pets/{id}/photo?variant=512`, or a signed link.
    pub photo_id: Option<kernel::MediaId>,
    /// The caller's relation to the pet.
    pub relation: Relation,
    /// When the pet was registered.
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// Units a weight may be entered in; it is stored in kilograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Grams.
    G,
    /// Pounds.
    Lb,
    /// Ounces.
    Oz,
}

impl WeightUnit {
    /// Kilograms in one unit.
    pub fn kilograms(self) -> Decimal {
        match self {
            Self::Kg => Decimal::ONE,
            Self::G => Decimal::new(1, 3),
            Self::Lb => Decimal::new(45_359_237, 8),
            Self::Oz => Decimal::new(28_349_523_125, 12),
        }
    }
}

/// `POST /pets/{id}/weights`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WeightEntry {
    /// The reading, e.g. `"12.4"` (a JSON number is accepted too).
    #[schema(value_type = String, pattern = "^[0-9]{1,4}(\\.[0-9]{1,3})?$", example = "12.4")]
    pub value: Decimal,
    /// Its unit.
    pub unit: WeightUnit,
    /// When it was measured (default now; not in the future).
    #[serde(default)]
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub measured_at: Option<DateTime<Utc>>,
}

/// One weighing.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightView {
    /// The measurement's id.
    pub id: WeightId,
    /// Kilograms, three decimals.
    #[schema(value_type = String, example = "12.400")]
    #[serde(with = "rust_decimal::serde::str")]
    pub weight_kg: Decimal,
    /// When it was measured.
    pub measured_at: DateTime<Utc>,
}

/// `?q=` of the staff patient search.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PatientSearch {
    /// Part of the pet's or the owner's name, or the start of a microchip number.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
}

/// A patient of a clinic, for its staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientView {
    /// The pet.
    pub pet_id: PetId,
    /// Its name.
    pub name: String,
    /// Its species.
    pub species: Species,
    /// Its microchip.
    pub microchip: Option<String>,
    /// The primary owner's name (never their contact details).
    pub owner_name: String,
    /// Severe alerts first: what staff must see before anything else.
    pub alerts: Vec<Alert>,
}
