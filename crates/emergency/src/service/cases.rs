//! Opening a case (routed in the same transaction), reading it, listing the
//! caller's, and the owner calling it off.

use chat::service::Fanout;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{EmergencyCaseId, Page, PageRequest, PetId, Principal, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::access::{self, Viewer};
use crate::api::{CaseStatus, CaseView, EmergencyRequest, OfferStatus};
use crate::models::Case;
use crate::service::view::{StoredTriage, view};
use crate::service::{messages, routing, updated};
use crate::triage;
use db::schema::emergency_cases;

/// Where an emergency photo belongs, for `media`.
pub const PHOTO_OWNER: &str = "emergency_case";

/// Opens a case for one of the caller's pets (or, for clinic staff, one of
/// their clinic's patients) and offers it to the first round of on-call vets
/// in the same transaction. A pet with a case under way: 409 naming it.
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
    request: &Valid<EmergencyRequest>,
) -> kernel::Result<CaseView> {
    let location = request.location.ok_or_else(|| kernel::Error::invalid_field("location", "is required"))?;
    if request.triage.toxin.as_ref().is_some_and(|toxin| toxin.is_empty() || toxin.chars().count() > 200) {
        return Err(kernel::Error::invalid_field("triage.toxin", "between 1 and 200 characters"));
    }
    let case = db::transaction(connection, async |connection| {
        let (pet, pet_access) = pets::access::resolve(connection, principal, request.pet_id).await?;
        let for_a_patient = pet_access.care_clinics.iter().any(|&clinic| principal.clinic_role(clinic).is_some());
        if !pet_access.is_owner() && !for_a_patient {
            return Err(kernel::Error::Forbidden("open an emergency for your pets or your clinic's patients".into()));
        }
        refuse_second(connection, request.pet_id).await?;
        let stored = StoredTriage { answers: request.triage.clone(), symptoms: request.symptoms.clone() };
        let level = triage::case_level(&request.triage, request.triage_level);
        let mut case = Case {
            id: EmergencyCaseId::new(),
            pet_id: request.pet_id,
            owner_id: pet.primary_owner_id,
            created_by: Some(principal.user_id),
            latitude: location.latitude,
            longitude: location.longitude,
            description: request.description.clone(),
            triage: serde_json::to_value(&stored).map_err(kernel::Error::internal)?,
            triage_level: i16::from(level),
            photo_id: request.photo_id,
            status: CaseStatus::Open,
            search_radius_km: settings.radius_km(0),
            round: 0,
            accepted_vet_id: None,
            accepted_clinic_id: None,
            accepted_at: None,
            conversation_id: None,
            outcome: None,
            fallback: None,
            closed_at: None,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(emergency_cases::table).values(&case).execute(connection).await.map_err(|error| {
            match kernel::Error::from(error) {
                kernel::Error::Conflict { .. } => {
                    kernel::Error::conflict("this pet already has an emergency case under way")
                }
                other => other,
            }
        })?;
        if let Some(photo) = request.photo_id {
            let owner = (PHOTO_OWNER, case.id.0);
            media::service::claim(connection, principal, photo, media::api::Purpose::EmergencyPhoto, owner)
                .await
                .map_err(|_| {
                    kernel::Error::invalid_field("photo_id", "must be an unattached emergency_photo upload of yours")
                })?;
        }
        let changes =
            json!({ "pet_id": case.pet_id, "triage_level": level, "rule": triage::level(&request.triage).rule });
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.requested", "emergency_case", case.id)
                .with_changes(changes),
        )
        .await?;
        routing::next_round(connection, settings, &mut case, now).await?;
        Ok(case)
    })
    .await?;
    metrics::counter!("emergency_cases_total", "triage_level" => case.triage_level.to_string()).increment(1);
    view(connection, uploads, case, &Viewer::Owner, now).await
}

/// 409 with the open case when the pet has one under way.
async fn refuse_second(connection: &mut AsyncPgConnection, pet: PetId) -> kernel::Result<()> {
    let open: Option<(EmergencyCaseId, CaseStatus)> = emergency_cases::table
        .filter(emergency_cases::pet_id.eq(pet))
        .filter(emergency_cases::status.eq_any(CaseStatus::OPEN))
        .select((emergency_cases::id, emergency_cases::status))
        .first(connection)
        .await
        .optional()?;
    match open {
        Some((case_id, status)) => Err(kernel::Error::Conflict {
            message: "this pet already has an emergency case under way".to_owned(),
            details: json!({ "case_id": case_id, "status": status.as_str() }),
        }),
        None => Ok(()),
    }
}

/// One case, as the caller may see it.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
    id: EmergencyCaseId,
) -> kernel::Result<CaseView> {
    let (case, viewer) = access::resolve(connection, principal, id, false).await?;
    view(connection, uploads, case, &viewer, now).await
}

/// The cases of the caller's pets and those they opened, newest first.
pub async fn mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
    page: &PageRequest,
) -> kernel::Result<Page<CaseView>> {
    let co_owned = pets::service::pets::co_owned_by(connection, principal.user_id).await?;
    let mut query = emergency_cases::table
        .filter(
            emergency_cases::owner_id
                .eq(principal.user_id)
                .or(emergency_cases::created_by.eq(principal.user_id))
                .or(emergency_cases::pet_id.eq_any(co_owned)),
        )
        .order(emergency_cases::id.desc())
        .limit(page.fetch_limit())
        .select(Case::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(emergency_cases::id.lt(EmergencyCaseId(after)));
    }
    let rows: Vec<Case> = query.load(connection).await?;
    let page_of_rows = Page::from_rows(rows, page, |case| case.id.0);
    let mut items = Vec::with_capacity(page_of_rows.items.len());
    for case in page_of_rows.items {
        items.push(view(connection, uploads, case, &Viewer::Owner, now).await?);
    }
    Ok(Page { items, next_cursor: page_of_rows.next_cursor })
}

/// The owner calls the case off (before the pet is at the clinic): waiting
/// offers are withdrawn and the accepting vet, if any, is told.
pub async fn cancel(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
    id: EmergencyCaseId,
) -> kernel::Result<(CaseView, Fanout)> {
    let case = db::transaction(connection, async |connection| {
        let (mut case, viewer) = access::resolve(connection, principal, id, true).await?;
        if !matches!(viewer, Viewer::Owner) {
            return Err(kernel::Error::Forbidden("only the pet's owners call an emergency off".to_owned()));
        }
        if !matches!(case.status, CaseStatus::Open | CaseStatus::Offered | CaseStatus::Accepted | CaseStatus::EnRoute) {
            return Err(kernel::Error::Conflict {
                message: format!("a case that is {} cannot be called off", case.status.as_str()),
                details: json!({ "status": case.status.as_str() }),
            });
        }
        routing::end_pending(connection, &case, OfferStatus::Withdrawn, now).await?;
        case.status = CaseStatus::Cancelled;
        case.closed_at = Some(now);
        diesel::update(emergency_cases::table.find(id))
            .set((emergency_cases::status.eq(case.status), emergency_cases::closed_at.eq(now)))
            .execute(connection)
            .await?;
        if let Some(vet) = case.accepted_vet_id {
            messages::tell_update(connection, &case, vet, "the owner called the emergency off".to_owned()).await?;
        }
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.cancelled", "emergency_case", id),
        )
        .await?;
        Ok(case)
    })
    .await?;
    metrics::counter!("emergency_cases_closed_total", "status" => "cancelled").increment(1);
    let fanout = updated(&case);
    Ok((view(connection, uploads, case, &Viewer::Owner, now).await?, fanout))
}
