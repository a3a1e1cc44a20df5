//! What the emergency API takes and shows.

use chat::api::{EmergencyClinic, Location};
use chrono::{DateTime, Utc};
use kernel::{ClinicId, ConversationId, EmergencyCaseId, EmergencyOfferId, MediaId, OnCallId, PetId, Species, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::triage::Answers;

kernel::text_enum!(
    /// How a vet came to be on call.
    OnCallKind as EmergencyOnCallKind {
        /// A shift declared ahead, at the clinic.
        Shift = "shift",
        /// Switched on by the vet, where they are.
        AvailableNow = "available_now",
    }
);

kernel::text_enum!(
    /// Where a case stands.
    CaseStatus as EmergencyCaseStatus {
        /// Created; no vet offered yet.
        Open = "open",
        /// Offered to vets; waiting for one to accept.
        Offered = "offered",
        /// A vet accepted.
        Accepted = "accepted",
        /// The vet is on the way.
        EnRoute = "en_route",
        /// The pet and the vet are at the clinic.
        AtClinic = "at_clinic",
        /// Over, with an outcome.
        Resolved = "resolved",
        /// Called off by the owner.
        Cancelled = "cancelled",
        /// No vet accepted: the owner was sent the nearest emergency clinics.
        Expired = "expired",
    }
);

impl CaseStatus {
    /// Statuses of a case still under way (one per pet).
    pub const OPEN: [Self; 5] = [Self::Open, Self::Offered, Self::Accepted, Self::EnRoute, Self::AtClinic];
    /// Statuses in which the accepting vet is busy.
    pub const ACTIVE: [Self; 3] = [Self::Accepted, Self::EnRoute, Self::AtClinic];
}

kernel::text_enum!(
    /// Where one vet's offer stands.
    OfferStatus as EmergencyOfferStatus {
        /// Waiting for the vet.
        Pending = "pending",
        /// The vet took the case.
        Accepted = "accepted",
        /// The vet said no.
        Declined = "declined",
        /// Another vet took the case, or the owner called it off.
        Withdrawn = "withdrawn",
        /// Not answered in time.
        Expired = "expired",
    }
);

/// `POST /vets/me/on-call`: a shift for a clinic the vet works at.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "ShiftRequest::ordered"))]
pub struct ShiftRequest {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// To (after `starts_at`, at most `emergency.max_shift_hours` later).
    pub ends_at: DateTime<Utc>,
    /// How far from the clinic the vet goes, in kilometres.
    #[validate(range(exclusive_min = 0.0, max = 500.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 500.0)]
    pub radius_km: f64,
}

impl ShiftRequest {
    fn ordered(&self) -> Result<(), ValidationError> {
        ordered(self.starts_at, self.ends_at)
    }
}

/// `POST /clinics/{id}/on-call`: a shift on the clinic's rota.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "RotaShiftRequest::ordered"))]
pub struct RotaShiftRequest {
    /// A veterinarian of the clinic.
    pub vet_id: UserId,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// To.
    pub ends_at: DateTime<Utc>,
    /// How far from the clinic the vet goes, in kilometres.
    #[validate(range(exclusive_min = 0.0, max = 500.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 500.0)]
    pub radius_km: f64,
}

impl RotaShiftRequest {
    fn ordered(&self) -> Result<(), ValidationError> {
        ordered(self.starts_at, self.ends_at)
    }
}

fn ordered(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<(), ValidationError> {
    if starts_at < ends_at {
        Ok(())
    } else {
        Err(ValidationError::new("ends_at").with_message("must be after `starts_at`".into()))
    }
}

/// `PUT /vets/me/on-call/available-now`: on (with where and for which
/// clinic) or off.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "AvailableNow::complete"))]
pub struct AvailableNow {
    /// On or off.
    pub available: bool,
    /// The clinic the vet takes cases for (when on).
    #[serde(default)]
    pub clinic_id: Option<ClinicId>,
    /// Where the vet is (when on).
    #[serde(default)]
    #[validate(nested)]
    pub location: Option<Location>,
    /// How far the vet goes, in kilometres (when on).
    #[serde(default)]
    #[validate(range(exclusive_min = 0.0, max = 500.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 500.0)]
    pub radius_km: Option<f64>,
}

impl AvailableNow {
    fn complete(&self) -> Result<(), ValidationError> {
        let given = self.clinic_id.is_some() && self.location.is_some() && self.radius_km.is_some();
        if self.available && !given {
            Err(ValidationError::new("available")
                .with_message("switching on needs `clinic_id`, `location` and `radius_km`".into()))
        } else {
            Ok(())
        }
    }
}

/// A vet's time on call.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnCallView {
    /// The entry.
    pub id: OnCallId,
    /// The vet.
    pub vet_id: UserId,
    /// The vet's display name.
    pub vet_name: Option<String>,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// A shift, or "available now".
    pub kind: OnCallKind,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// To.
    pub ends_at: DateTime<Utc>,
    /// Where the vet starts from.
    pub location: Location,
    /// How far the vet goes, in kilometres.
    pub radius_km: f64,
}

/// `GET /clinics/{id}/on-call`: the rota between two times (default: the next 7 days).
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RotaQuery {
    /// From (default: now).
    pub from: Option<DateTime<Utc>>,
    /// To (default: 7 days after `from`).
    pub to: Option<DateTime<Utc>>,
}

/// `POST /emergency-requests`: a pet in danger. The chat assistant's
/// `emergency_request` draft is accepted as it is (with a location added
/// when the owner gave none).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    /// The pet.
    pub pet_id: PetId,
    /// What is happening, in the owner's words.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// Where the pet is (required).
    #[validate(required, nested)]
    pub location: Option<Location>,
    /// The structured triage answers.
    #[serde(default)]
    pub triage: Answers,
    /// Symptoms named by the assistant's pre-triage.
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "short_items"))]
    #[schema(max_items = 20)]
    pub symptoms: Vec<String>,
    /// The assistant's pre-triage level: the case takes it when more urgent than the table's.
    #[serde(default, deserialize_with = "pre_triage_level")]
    #[validate(range(min = 1, max = 4))]
    #[schema(minimum = 1, maximum = 4)]
    pub triage_level: Option<u8>,
    /// A photo: an unattached upload of purpose `emergency_photo`.
    #[serde(default)]
    pub photo_id: Option<MediaId>,
}

/// A whole number however JSON writes it (`2` or `2.0`), or null.
fn pre_triage_level<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u8>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "platform::extract::integer")] u8);
    Ok(Option::<Whole>::deserialize(deserializer)?.map(|Whole(level)| level))
}

fn short_items(items: &[String]) -> Result<(), ValidationError> {
    if items.iter().all(|item| !item.is_empty() && item.chars().count() <= 200) {
        Ok(())
    } else {
        Err(ValidationError::new("length").with_message("each between 1 and 200 characters".into()))
    }
}

/// The vet who took a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Responder {
    /// The vet.
    pub vet_id: UserId,
    /// Their display name.
    pub vet_name: Option<String>,
    /// Their clinic.
    pub clinic_id: ClinicId,
    /// The clinic's name.
    pub clinic_name: String,
    /// The clinic's phone number.
    pub clinic_phone: Option<String>,
    /// When they accepted.
    pub accepted_at: DateTime<Utc>,
}

/// One vet's offer, as that vet sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfferView {
    /// The offer.
    pub id: EmergencyOfferId,
    /// Where it stands.
    pub status: OfferStatus,
    /// Kilometres from the vet's on-call location to the pet.
    pub distance_km: f64,
    /// When it was made.
    pub offered_at: DateTime<Utc>,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// What the accepting vet sees of the pet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PatientSummary {
    /// Species, breed, sex, age and weight, in words.
    pub description: String,
    /// Recorded allergies.
    pub allergies: Vec<String>,
    /// Medications being given.
    pub medications: Vec<String>,
    /// Recent records: date and title.
    pub recent_records: Vec<String>,
}

/// An emergency case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    /// The case.
    pub id: EmergencyCaseId,
    /// The pet.
    pub pet_id: PetId,
    /// Its name.
    pub pet_name: String,
    /// Its species.
    pub species: Species,
    /// Where it stands.
    pub status: CaseStatus,
    /// 1 = immediate … 4 = can wait for a regular appointment.
    pub triage_level: u8,
    /// The owner's answers.
    pub triage: Answers,
    /// Symptoms from the assistant's pre-triage.
    pub symptoms: Vec<String>,
    /// The owner's words.
    pub description: String,
    /// Where the pet is.
    pub location: Location,
    /// A short-lived link to the photo, when one was sent.
    pub photo: Option<media::api::LinkView>,
    /// Rounds of offers so far.
    pub round: i32,
    /// The current search radius, in kilometres.
    pub search_radius_km: f64,
    /// Offers waiting for an answer.
    pub offers_pending: i64,
    /// The vet who took it.
    pub responder: Option<Responder>,
    /// The conversation with that vet.
    pub conversation_id: Option<ConversationId>,
    /// How it ended (resolved cases).
    pub outcome: Option<String>,
    /// When no vet accepted: the nearest emergency clinics open now.
    pub fallback_clinics: Vec<EmergencyClinic>,
    /// The caller's own offer (vets it was offered to).
    pub your_offer: Option<OfferView>,
    /// The pet's allergies, medications and recent records (the accepting vet and their clinic).
    pub patient: Option<PatientSummary>,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Ended (resolved, cancelled or expired).
    pub closed_at: Option<DateTime<Utc>>,
}

/// `POST /emergency-requests/{id}/decline`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    /// Why (seen by the platform, not the owner).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

kernel::text_enum!(
    /// A step the accepting vet reports.
    Progress as EmergencyProgress {
        /// On the way.
        EnRoute = "en_route",
        /// At the clinic with the pet.
        AtClinic = "at_clinic",
        /// Over (with an outcome).
        Resolved = "resolved",
    }
);

/// `POST /emergency-requests/{id}/progress`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "ProgressReport::outcome_when_resolved"))]
pub struct ProgressReport {
    /// The step.
    pub status: Progress,
    /// What came of it (required to resolve).
    #[serde(default)]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub outcome: Option<String>,
}

impl ProgressReport {
    fn outcome_when_resolved(&self) -> Result<(), ValidationError> {
        if self.status == Progress::Resolved && self.outcome.is_none() {
            Err(ValidationError::new("outcome").with_message("resolving a case needs an `outcome`".into()))
        } else {
            Ok(())
        }
    }
}

/// `GET /clinics/nearest-available`.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NearestAvailableQuery {
    /// `latitude,longitude` in degrees.
    #[param(pattern = r"^-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?$")]
    pub near: String,
    /// The kind of service (as in the clinic search).
    pub service: clinics::api::ServiceKind,
    /// Only services for this species.
    pub species: Option<Species>,
    /// `today` (until the end of the day where each clinic is) or a number of hours (`6h`).
    #[param(pattern = r"^(today|[1-9][0-9]{0,2}h)$")]
    pub within: Option<String>,
    /// Clinics wanted (default 5, at most 20).
    #[validate(range(min = 1, max = 20))]
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<u32>,
}

/// A clinic with a free slot soon.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AvailableClinic {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Its name.
    pub name: String,
    /// Its phone number.
    pub phone: Option<String>,
    /// Its address on one line.
    pub address: String,
    /// Kilometres away.
    pub distance_km: f64,
    /// The matching service.
    pub service_id: kernel::ServiceId,
    /// Its name.
    pub service_name: String,
    /// The first free start.
    pub first_slot: DateTime<Utc>,
    /// The vet of that slot.
    pub vet_id: UserId,
}

/// `GET /emergency/metrics`: a clinic (`clinic_id`) or a region (`near` and
/// `radius_km`), over `from`..`to` (default: the last 30 days).
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MetricsQuery {
    /// The clinic (its admins, platform admins).
    pub clinic_id: Option<ClinicId>,
    /// A region's centre, `latitude,longitude` (platform admins).
    #[param(pattern = r"^-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?$")]
    pub near: Option<String>,
    /// The region's radius in kilometres (default 25).
    #[validate(range(exclusive_min = 0.0, max = 1000.0))]
    #[param(exclusive_minimum = 0.0, maximum = 1000.0)]
    pub radius_km: Option<f64>,
    /// From (default: 30 days before `to`).
    pub from: Option<DateTime<Utc>>,
    /// To (default: now).
    pub to: Option<DateTime<Utc>>,
}

/// Cases of one triage level.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LevelCount {
    /// 1 … 4.
    pub level: i16,
    /// Cases.
    pub cases: i64,
}

/// How emergencies were answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MetricsView {
    /// Cases in scope (a clinic: those offered to its vets; a region: those opened in it).
    pub cases: i64,
    /// Of which accepted by a vet (a clinic: by one of its vets).
    pub accepted: i64,
    /// Of which no vet accepted.
    pub expired: i64,
    /// Of which the owner called off before an accept.
    pub cancelled: i64,
    /// `accepted / (accepted + expired)`; null without either.
    pub acceptance_rate: Option<f64>,
    /// `expired / (accepted + expired)`; null without either.
    pub expired_rate: Option<f64>,
    /// Seconds from request to first accept: median.
    pub time_to_accept_p50_secs: Option<f64>,
    /// Seconds from request to first accept: 90th percentile.
    pub time_to_accept_p90_secs: Option<f64>,
    /// Offers made (a clinic: to its vets).
    pub offers: i64,
    /// Of which declined.
    pub offers_declined: i64,
    /// Of which not answered in time.
    pub offers_expired: i64,
    /// Cases by triage level.
    pub by_triage_level: Vec<LevelCount>,
}
