//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

use std::ops::Bound;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{ClinicId, ConversationId, EmergencyCaseId, EmergencyOfferId, MediaId, OnCallId, PetId, UserId};

use crate::api::{CaseStatus, OfferStatus, OnCallKind};
use db::schema::{emergency_cases, emergency_offers, emergency_on_call};

/// A time range as stored (`tstzrange`).
pub type Period = (Bound<DateTime<Utc>>, Bound<DateTime<Utc>>);

/// `[from, to)` as stored.
pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> Period {
    (Bound::Included(from), Bound::Excluded(to))
}

/// A bound's time (stored periods are always bounded).
pub fn at(bound: Bound<DateTime<Utc>>) -> DateTime<Utc> {
    match bound {
        Bound::Included(at) | Bound::Excluded(at) => at,
        Bound::Unbounded => DateTime::<Utc>::MIN_UTC,
    }
}

/// An `emergency_on_call` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = emergency_on_call, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct OnCall {
    pub id: OnCallId,
    pub vet_id: UserId,
    pub clinic_id: ClinicId,
    pub kind: OnCallKind,
    pub period: Period,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
    pub created_by: Option<UserId>,
}

/// An `emergency_cases` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = emergency_cases, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Case {
    pub id: EmergencyCaseId,
    pub pet_id: PetId,
    pub owner_id: UserId,
    pub created_by: Option<UserId>,
    pub latitude: f64,
    pub longitude: f64,
    pub description: String,
    pub triage: serde_json::Value,
    pub triage_level: i16,
    pub photo_id: Option<MediaId>,
    pub status: CaseStatus,
    pub search_radius_km: f64,
    pub round: i32,
    pub accepted_vet_id: Option<UserId>,
    pub accepted_clinic_id: Option<ClinicId>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub conversation_id: Option<ConversationId>,
    pub outcome: Option<String>,
    pub fallback: Option<serde_json::Value>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An `emergency_offers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = emergency_offers, treat_none_as_default_value = false, check_for_backend(diesel::pg::Pg))]
pub struct Offer {
    pub id: EmergencyOfferId,
    pub case_id: EmergencyCaseId,
    pub vet_id: UserId,
    pub clinic_id: ClinicId,
    pub round: i32,
    pub distance_km: f64,
    pub status: OfferStatus,
    pub decline_reason: Option<String>,
    pub offered_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}
