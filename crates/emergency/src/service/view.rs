//! A case as the API shows it to each of its viewers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::access::Viewer;
use crate::api::{CaseView, OfferStatus, OfferView, PatientSummary, Responder};
use crate::models::{Case, Offer};
use crate::triage::Answers;
use db::schema::emergency_offers;

/// What `triage` holds: the answers and the pre-triage's symptoms.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredTriage {
    /// The owner's answers.
    pub answers: Answers,
    /// Symptoms from the assistant.
    pub symptoms: Vec<String>,
}

/// The case as `viewer` sees it: vets offered the case see its details and
/// their own offer; the responder's clinic and admins also see the pet's
/// allergies, medications and recent records.
pub async fn view(
    connection: &mut AsyncPgConnection,
    uploads: &media::Uploads,
    case: Case,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> kernel::Result<CaseView> {
    let (pet_name, species) = pets::service::pets::name_and_species_of(connection, case.pet_id).await?;
    let offers_pending: i64 = emergency_offers::table
        .filter(emergency_offers::case_id.eq(case.id))
        .filter(emergency_offers::status.eq(OfferStatus::Pending))
        .count()
        .get_result(connection)
        .await?;
    let responder = match (case.accepted_vet_id, case.accepted_clinic_id, case.accepted_at) {
        (Some(vet), Some(clinic), Some(accepted_at)) => Some(responder(connection, vet, clinic, accepted_at).await?),
        _ => None,
    };
    let patient = if viewer.sees_patient() { patient(connection, &case, now).await? } else { None };
    let your_offer = match viewer {
        Viewer::Offered(offer) => Some(offer_view(offer)),
        _ => None,
    };
    let stored: StoredTriage = serde_json::from_value(case.triage).unwrap_or_default();
    let fallback_clinics = case.fallback.and_then(|fallback| serde_json::from_value(fallback).ok()).unwrap_or_default();
    Ok(CaseView {
        id: case.id,
        pet_id: case.pet_id,
        pet_name,
        species,
        status: case.status,
        triage_level: u8::try_from(case.triage_level).unwrap_or(4),
        triage: stored.answers,
        symptoms: stored.symptoms,
        description: case.description,
        location: chat::api::Location { latitude: case.latitude, longitude: case.longitude },
        photo: case.photo_id.map(|photo| uploads.link(photo, None)),
        round: case.round,
        search_radius_km: case.search_radius_km,
        offers_pending,
        responder,
        conversation_id: case.conversation_id,
        outcome: case.outcome,
        fallback_clinics,
        your_offer,
        patient,
        created_at: case.created_at,
        updated_at: case.updated_at,
        closed_at: case.closed_at,
    })
}

/// One vet's offer, as they see it.
pub fn offer_view(offer: &Offer) -> OfferView {
    OfferView {
        id: offer.id,
        status: offer.status,
        distance_km: offer.distance_km,
        offered_at: offer.offered_at,
        expires_at: offer.expires_at,
    }
}

/// The accepting vet, their clinic and its phone.
pub async fn responder(
    connection: &mut AsyncPgConnection,
    vet: kernel::UserId,
    clinic: kernel::ClinicId,
    accepted_at: DateTime<Utc>,
) -> kernel::Result<Responder> {
    let found = clinics::service::clinics::get(connection, None, clinic).await;
    let (clinic_name, clinic_phone) = match found {
        Ok(view) => (view.profile.name, view.profile.phone),
        Err(kernel::Error::NotFound { .. }) => (String::new(), None),
        Err(other) => return Err(other),
    };
    let vet_name = match clinics::scheduling::vet_display_name(connection, vet).await? {
        Some(name) => Some(name),
        None => platform::users::names(connection, &[vet]).await?.get(&vet).map(platform::users::Name::display),
    };
    Ok(Responder { vet_id: vet, vet_name, clinic_id: clinic, clinic_name, clinic_phone, accepted_at })
}

/// What the case's owner may see of the pet (none once the pet has passed
/// to someone else).
async fn patient(
    connection: &mut AsyncPgConnection,
    case: &Case,
    now: DateTime<Utc>,
) -> kernel::Result<Option<PatientSummary>> {
    match chat::assistant::context(connection, case.owner_id, case.pet_id, now.date_naive()).await {
        Ok(context) => Ok(Some(PatientSummary {
            description: context.description,
            allergies: context.allergies,
            medications: context.medications,
            recent_records: context.recent_records,
        })),
        Err(kernel::Error::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}
