//! This crate's part of a person's data ([`platform::personal_data`]): the
//! emergency cases of their pets (and those they opened), and, for a vet,
//! their times on call and the offers they were made.
//!
//! Erasure deletes the cases they are the owner of (with their offers: an
//! emergency request is not a clinical record; what a vet wrote stays in the
//! pet's records), forgets them as the opener or the accepting vet of other
//! cases, and deletes their times on call and the offers made to them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{EmergencyCaseId, PetId, UserId};
use serde::Serialize;

use crate::api::{CaseStatus, OfferStatus, OnCallKind};
use crate::models::{Case, Offer, OnCall, at};
use db::schema::{emergency_cases, emergency_offers, emergency_on_call};

/// The `"emergency"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

#[derive(Debug, Serialize)]
struct ExportedCase {
    id: EmergencyCaseId,
    pet_id: PetId,
    status: CaseStatus,
    description: String,
    latitude: f64,
    longitude: f64,
    triage: serde_json::Value,
    outcome: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
struct ExportedOnCall {
    kind: OnCallKind,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    latitude: f64,
    longitude: f64,
    radius_km: f64,
}

#[derive(Debug, Serialize)]
struct ExportedOffer {
    case_id: EmergencyCaseId,
    status: OfferStatus,
    decline_reason: Option<String>,
    offered_at: DateTime<Utc>,
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "emergency"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let cases: i64 = emergency_cases::table
            .filter(emergency_cases::owner_id.eq(user).or(emergency_cases::created_by.eq(user)))
            .count()
            .get_result(connection)
            .await?;
        let on_call: i64 =
            emergency_on_call::table.filter(emergency_on_call::vet_id.eq(user)).count().get_result(connection).await?;
        let offers: i64 =
            emergency_offers::table.filter(emergency_offers::vet_id.eq(user)).count().get_result(connection).await?;
        Ok(cases + on_call + offers)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let cases: Vec<Case> = emergency_cases::table
            .filter(emergency_cases::owner_id.eq(user).or(emergency_cases::created_by.eq(user)))
            .order(emergency_cases::id)
            .select(Case::as_select())
            .load(connection)
            .await?;
        let on_call: Vec<OnCall> = emergency_on_call::table
            .filter(emergency_on_call::vet_id.eq(user))
            .order(emergency_on_call::id)
            .select(OnCall::as_select())
            .load(connection)
            .await?;
        let offers: Vec<Offer> = emergency_offers::table
            .filter(emergency_offers::vet_id.eq(user))
            .order(emergency_offers::id)
            .select(Offer::as_select())
            .load(connection)
            .await?;
        let cases: Vec<ExportedCase> = cases
            .into_iter()
            .map(|case| ExportedCase {
                id: case.id,
                pet_id: case.pet_id,
                status: case.status,
                description: case.description,
                latitude: case.latitude,
                longitude: case.longitude,
                triage: case.triage,
                outcome: case.outcome,
                created_at: case.created_at,
            })
            .collect();
        let on_call: Vec<ExportedOnCall> = on_call
            .into_iter()
            .map(|row| ExportedOnCall {
                kind: row.kind,
                starts_at: at(row.period.0),
                ends_at: at(row.period.1),
                latitude: row.latitude,
                longitude: row.longitude,
                radius_km: row.radius_km,
            })
            .collect();
        let offers: Vec<ExportedOffer> = offers
            .into_iter()
            .map(|offer| ExportedOffer {
                case_id: offer.case_id,
                status: offer.status,
                decline_reason: offer.decline_reason,
                offered_at: offer.offered_at,
            })
            .collect();
        Ok(serde_json::json!({ "cases": cases, "on_call": on_call, "offers": offers }))
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, _: DateTime<Utc>) -> kernel::Result<()> {
        diesel::delete(emergency_cases::table.filter(emergency_cases::owner_id.eq(user))).execute(connection).await?;
        diesel::update(emergency_cases::table.filter(emergency_cases::created_by.eq(user)))
            .set(emergency_cases::created_by.eq(None::<UserId>))
            .execute(connection)
            .await?;
        diesel::update(emergency_cases::table.filter(emergency_cases::accepted_vet_id.eq(user)))
            .set(emergency_cases::accepted_vet_id.eq(None::<UserId>))
            .execute(connection)
            .await?;
        diesel::delete(emergency_offers::table.filter(emergency_offers::vet_id.eq(user))).execute(connection).await?;
        diesel::delete(emergency_on_call::table.filter(emergency_on_call::vet_id.eq(user))).execute(connection).await?;
        Ok(())
    }
}
