//! A vet's answer to an offer. The first accept wins: every answer takes the
//! case's row lock first, so of twenty vets accepting at once one finds the
//! case still offered and takes it, and the others find it accepted (409).
//! Accepting opens a chat conversation with the owner carrying the case's
//! details and gives the vet's clinic care access to the pet.

use chat::api::{ConversationKind, NewConversation, NewMessage};
use chat::service::Fanout;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{EmergencyCaseId, Principal, Valid};
use pets::api::CareSource;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::access::{self, Viewer};
use crate::api::{CaseStatus, CaseView, Decline, OfferStatus};
use crate::models::{Case, Offer};
use crate::service::view::{responder, view};
use crate::service::{messages, routing, updated};
use db::schema::{emergency_cases, emergency_offers};

/// What accepting needs besides the case: the chat's rules and the uploads
/// the case view links to.
pub struct Accepting<'a> {
    /// `[chat]`.
    pub chat: &'a chat::Settings,
    /// The upload store.
    pub uploads: &'a media::Uploads,
}

/// The caller takes the case offered to them.
pub async fn accept(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    with: &Accepting<'_>,
    now: DateTime<Utc>,
    id: EmergencyCaseId,
) -> kernel::Result<(CaseView, Fanout)> {
    let (case, mut fanout) = db::transaction(connection, async |connection| {
        let (mut case, viewer) = access::resolve(connection, principal, id, true).await?;
        let offer = offered(&case, viewer, principal)?;
        if case.status != CaseStatus::Offered {
            return Err(kernel::Error::Conflict {
                message: "another vet took this case, or it is no longer waiting for one".to_owned(),
                details: json!({ "status": case.status.as_str() }),
            });
        }
        if offer.status != OfferStatus::Pending || offer.expires_at <= now {
            return Err(kernel::Error::Conflict {
                message: "your offer has lapsed".to_owned(),
                details: json!({ "offer_status": offer.status.as_str() }),
            });
        }
        if busy(connection, principal).await? {
            return Err(kernel::Error::conflict("finish your emergency case under way first"));
        }
        case.status = CaseStatus::Accepted;
        case.accepted_vet_id = Some(principal.user_id);
        case.accepted_clinic_id = Some(offer.clinic_id);
        case.accepted_at = Some(now);
        diesel::update(emergency_offers::table.find(offer.id))
            .set((emergency_offers::status.eq(OfferStatus::Accepted), emergency_offers::answered_at.eq(now)))
            .execute(connection)
            .await?;
        metrics::counter!("emergency_offers_total", "outcome" => "accepted").increment(1);
        routing::end_pending(connection, &case, OfferStatus::Withdrawn, now).await?;
        pets::service::care::ensure(connection, case.pet_id, offer.clinic_id, CareSource::Emergency).await?;
        let fanout = open_conversation(connection, principal, with.chat, &mut case, offer.clinic_id, now).await?;
        diesel::update(emergency_cases::table.find(id))
            .set((
                emergency_cases::status.eq(case.status),
                emergency_cases::accepted_vet_id.eq(case.accepted_vet_id),
                emergency_cases::accepted_clinic_id.eq(case.accepted_clinic_id),
                emergency_cases::accepted_at.eq(now),
                emergency_cases::conversation_id.eq(case.conversation_id),
            ))
            .execute(connection)
            .await?;
        let who = responder(connection, principal.user_id, offer.clinic_id, now).await?;
        let vet_name = who.vet_name.as_deref().unwrap_or("A vet");
        messages::tell_owner_accepted(connection, &case, vet_name, &who.clinic_name, who.clinic_phone.as_deref())
            .await?;
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.accepted", "emergency_case", id)
                .with_changes(json!({ "clinic_id": offer.clinic_id, "offer_id": offer.id })),
        )
        .await?;
        Ok((case, fanout))
    })
    .await?;
    let waited = (now - case.created_at).num_milliseconds().max(0) as f64 / 1000.0;
    metrics::histogram!("emergency_time_to_accept_seconds").record(waited);
    fanout.events.extend(updated(&case).events);
    Ok((view(connection, with.uploads, case, &Viewer::Responder, now).await?, fanout))
}

/// The caller's offer of this case, or why they have none to answer.
fn offered(case: &Case, viewer: Viewer, principal: &Principal) -> kernel::Result<Offer> {
    match viewer {
        Viewer::Offered(offer) => Ok(*offer),
        Viewer::Responder if case.accepted_vet_id == Some(principal.user_id) => {
            Err(kernel::Error::conflict("you already took this case"))
        }
        Viewer::Responder if case.accepted_vet_id.is_some() => Err(kernel::Error::Conflict {
            message: "another vet took this case".to_owned(),
            details: json!({ "status": case.status.as_str() }),
        }),
        _ => Err(kernel::Error::Forbidden("only a vet the case was offered to answers it".to_owned())),
    }
}

/// Whether the vet has a case under way.
async fn busy(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        emergency_cases::table
            .filter(emergency_cases::accepted_vet_id.eq(principal.user_id))
            .filter(emergency_cases::status.eq_any(CaseStatus::ACTIVE)),
    ))
    .get_result(connection)
    .await?)
}

/// Opens the vet's conversation with the owner about the pet, its first
/// message the case's details.
async fn open_conversation(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    chat: &chat::Settings,
    case: &mut Case,
    clinic: kernel::ClinicId,
    now: DateTime<Utc>,
) -> kernel::Result<Fanout> {
    let pet = pets::service::pets::name_of(connection, case.pet_id).await?;
    let request = Valid::new(NewConversation {
        kind: ConversationKind::Clinic,
        clinic_id: Some(clinic),
        owner_id: Some(case.owner_id),
        pet_id: Some(case.pet_id),
        appointment_id: None,
        subject: Some(format!("Emergency: {pet}")),
    })?;
    let (conversation, mut fanout) = chat::service::conversations::open(connection, principal, &request, now).await?;
    case.conversation_id = Some(conversation.id);
    let details = Valid::new(NewMessage {
        body: format!(
            "I have accepted {pet}'s emergency (triage level {}). You said: \"{}\". I will write here; call the \
             clinic if anything changes.",
            case.triage_level, case.description
        ),
        client_message_id: Some(case.id.0),
        attachment_id: None,
        location: None,
    })?;
    let sent = chat::service::messages::send(connection, principal, conversation.id, &details, chat, now).await?;
    fanout.events.extend(sent.fanout.events);
    Ok(fanout)
}

/// The caller declines the case offered to them; when no offer of the round
/// is left waiting, the next round starts at once.
pub async fn decline(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    id: EmergencyCaseId,
    request: &Valid<Decline>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let (mut case, viewer) = access::resolve(connection, principal, id, true).await?;
        let offer = offered(&case, viewer, principal)?;
        if offer.status != OfferStatus::Pending {
            return Err(kernel::Error::Conflict {
                message: "your offer is no longer waiting for an answer".to_owned(),
                details: json!({ "offer_status": offer.status.as_str() }),
            });
        }
        diesel::update(emergency_offers::table.find(offer.id))
            .set((
                emergency_offers::status.eq(OfferStatus::Declined),
                emergency_offers::decline_reason.eq(&request.reason),
                emergency_offers::answered_at.eq(now),
            ))
            .execute(connection)
            .await?;
        metrics::counter!("emergency_offers_total", "outcome" => "declined").increment(1);
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.declined", "emergency_case", id)
                .with_changes(json!({ "offer_id": offer.id })),
        )
        .await?;
        let waiting: i64 = emergency_offers::table
            .filter(emergency_offers::case_id.eq(id))
            .filter(emergency_offers::status.eq(OfferStatus::Pending))
            .count()
            .get_result(connection)
            .await?;
        if waiting == 0 && case.status == CaseStatus::Offered {
            routing::next_round(connection, settings, &mut case, now).await?;
        }
        Ok(())
    })
    .await
}

/// The cases waiting for the caller's answer, oldest offer first.
pub async fn waiting_for(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
) -> kernel::Result<Vec<CaseView>> {
    let offers: Vec<Offer> = emergency_offers::table
        .filter(emergency_offers::vet_id.eq(principal.user_id))
        .filter(emergency_offers::status.eq(OfferStatus::Pending))
        .filter(emergency_offers::expires_at.gt(now))
        .order(emergency_offers::offered_at)
        .select(Offer::as_select())
        .load(connection)
        .await?;
    let mut views = Vec::with_capacity(offers.len());
    for offer in offers {
        let case: Case = emergency_cases::table.find(offer.case_id).select(Case::as_select()).first(connection).await?;
        views.push(view(connection, uploads, case, &Viewer::Offered(Box::new(offer)), now).await?);
    }
    Ok(views)
}
