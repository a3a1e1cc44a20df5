//! Routing: offering a case to the on-call vets who can reach the pet, round
//! after round, and the fallback when none accepts.
//!
//! A round takes, among the vets whose on-call time covers now, whose own
//! radius reaches the pet and who are within the case's search radius, those
//! still veterinarians of the clinic they are on call for, not offered this
//! case before and not busy with an active case: nearest
//! first (to the whole kilometre), then the least loaded (fewest offers
//! waiting for them), then the exact distance; the first
//! `emergency.offers_per_round` get an offer lasting
//! `emergency.accept_timeout_secs`, by push and SMS (emergency notifications
//! ignore quiet hours). The round's deadline is a job ([`crate::jobs::NextRound`]):
//! it expires what was not answered and starts the next round. A radius with
//! no one left widens to the next of `emergency.radius_steps_km`; past the
//! last step, or after `emergency.max_rounds` rounds, the case expires and
//! the owner is sent the nearest emergency clinics open now.
//!
//! Every function here runs in the caller's transaction with the case row
//! locked, so rounds, accepts and declines of one case never interleave.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::{EnqueueOptions, enqueue};
use kernel::{ClinicId, EmergencyOfferId, UserId};

use crate::Settings;
use crate::api::{CaseStatus, OfferStatus};
use crate::jobs::NextRound;
use crate::models::{Case, Offer};
use crate::service::messages;
use db::schema::{emergency_cases, emergency_offers};

/// A vet a round can offer the case to.
#[derive(Debug, QueryableByName)]
pub struct Candidate {
    /// The vet.
    #[diesel(sql_type = SqlUuid)]
    pub vet_id: UserId,
    /// The clinic they are on call for.
    #[diesel(sql_type = SqlUuid)]
    pub clinic_id: ClinicId,
    /// Kilometres from their on-call location to the pet.
    #[diesel(sql_type = Double)]
    pub distance_km: f64,
}

/// Where the case's routing stands after a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routed {
    /// Offered to this many vets.
    Offered(usize),
    /// No one left to offer it to: the owner was sent the fallback list.
    Expired,
}

/// The on-call vets a round of `case` would offer it to, within `radius_km`.
pub async fn candidates(
    connection: &mut AsyncPgConnection,
    case: &Case,
    radius_km: f64,
    now: DateTime<Utc>,
    limit: i64,
) -> kernel::Result<Vec<Candidate>> {
    // The box prefilter reaches the GiST index on (location, period);
    // distance_km is the exact great-circle test. The inner query keeps the
    // nearest whole kilometres that fill the round (WITH TIES keeps all of
    // the last one), so only those vets have their waiting offers counted.
    let sql = "SELECT near.vet_id, near.clinic_id, near.distance_km FROM ( \
           SELECT o.vet_id, o.clinic_id, distance_km($1, $2, o.latitude, o.longitude) AS distance_km \
           FROM emergency_on_call o \
           WHERE o.period @> $3 \
             AND cube_enlarge(earth_point($1, $2), $4 * 1010.0, 3) @> o.location \
             AND distance_km($1, $2, o.latitude, o.longitude) <= least(o.radius_km, $4) \
             AND o.vet_id <> $6 \
             AND EXISTS (SELECT 1 FROM clinic_memberships m WHERE m.clinic_id = o.clinic_id \
                         AND m.user_id = o.vet_id AND m.role = 'veterinarian') \
             AND NOT EXISTS (SELECT 1 FROM emergency_offers x WHERE x.case_id = $5 AND x.vet_id = o.vet_id) \
             AND NOT EXISTS (SELECT 1 FROM emergency_cases busy WHERE busy.accepted_vet_id = o.vet_id \
                             AND busy.status IN ('accepted', 'en_route', 'at_clinic')) \
           ORDER BY floor(distance_km($1, $2, o.latitude, o.longitude)) \
           FETCH FIRST $7 ROWS WITH TIES) near \
         ORDER BY floor(near.distance_km), \
           (SELECT count(*) FROM emergency_offers w WHERE w.vet_id = near.vet_id AND w.status = 'pending'), \
           near.distance_km, near.vet_id \
         LIMIT $7";
    Ok(diesel::sql_query(sql)
        .bind::<Double, _>(case.latitude)
        .bind::<Double, _>(case.longitude)
        .bind::<Timestamptz, _>(now)
        .bind::<Double, _>(radius_km)
        .bind::<SqlUuid, _>(case.id)
        .bind::<SqlUuid, _>(case.owner_id)
        .bind::<BigInt, _>(limit)
        .load(connection)
        .await?)
}

/// Runs the next round of `case` (locked by the caller): offers, a wider
/// radius, or the fallback.
pub async fn next_round(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    case: &mut Case,
    now: DateTime<Utc>,
) -> kernel::Result<Routed> {
    let mut step = settings.radius_steps_km.iter().position(|&km| km >= case.search_radius_km).unwrap_or(0);
    while case.round < settings.max_rounds {
        let radius = settings.radius_km(step);
        let found = candidates(connection, case, radius, now, settings.offers_per_round).await?;
        if !found.is_empty() {
            case.search_radius_km = radius;
            return offer(connection, settings, case, &found, now).await.map(|()| Routed::Offered(found.len()));
        }
        if step + 1 >= settings.radius_steps_km.len() {
            break;
        }
        step += 1;
    }
    fall_back(connection, settings, case, now).await?;
    Ok(Routed::Expired)
}

/// Offers `case` to `found` as its next round.
async fn offer(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    case: &mut Case,
    found: &[Candidate],
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    case.round += 1;
    case.status = CaseStatus::Offered;
    let expires_at = now + Duration::seconds(settings.accept_timeout_secs);
    let offers: Vec<Offer> = found
        .iter()
        .map(|candidate| Offer {
            id: EmergencyOfferId::new(),
            case_id: case.id,
            vet_id: candidate.vet_id,
            clinic_id: candidate.clinic_id,
            round: case.round,
            distance_km: candidate.distance_km,
            status: OfferStatus::Pending,
            decline_reason: None,
            offered_at: now,
            expires_at,
            answered_at: None,
        })
        .collect();
    diesel::insert_into(emergency_offers::table).values(&offers).execute(connection).await?;
    diesel::update(emergency_cases::table.find(case.id))
        .set((
            emergency_cases::status.eq(case.status),
            emergency_cases::round.eq(case.round),
            emergency_cases::search_radius_km.eq(case.search_radius_km),
        ))
        .execute(connection)
        .await?;
    let job = NextRound { case_id: case.id, round: case.round };
    enqueue(connection, &job, EnqueueOptions { run_at: Some(expires_at), ..Default::default() }).await?;
    messages::offer_to_vets(connection, settings, case, &offers).await?;
    metrics::counter!("emergency_offers_total", "outcome" => "made").increment(offers.len() as u64);
    Ok(())
}

/// No vet accepted: the case expires and the owner is sent the nearest
/// emergency clinics open now, with phone numbers and distances.
async fn fall_back(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    case: &mut Case,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let location = chat::api::Location { latitude: case.latitude, longitude: case.longitude };
    let clinics = chat::assistant::emergency_clinics(
        connection,
        location,
        settings.fallback_radius_km,
        settings.fallback_clinics,
    )
    .await?;
    let fallback = serde_json::to_value(&clinics).map_err(kernel::Error::internal)?;
    end_pending(connection, case, OfferStatus::Expired, now).await?;
    case.status = CaseStatus::Expired;
    case.closed_at = Some(now);
    case.fallback = Some(fallback.clone());
    diesel::update(emergency_cases::table.find(case.id))
        .set((
            emergency_cases::status.eq(CaseStatus::Expired),
            emergency_cases::fallback.eq(fallback),
            emergency_cases::closed_at.eq(now),
        ))
        .execute(connection)
        .await?;
    messages::tell_owner_to_go(connection, case, &clinics).await?;
    let entry = platform::audit::AuditEntry::new(None, "emergency.expired", "emergency_case", case.id)
        .with_changes(serde_json::json!({ "rounds": case.round, "fallback_clinics": clinics.len() }));
    platform::audit::record(connection, entry).await?;
    metrics::counter!("emergency_cases_closed_total", "status" => "expired").increment(1);
    Ok(())
}

/// Ends every pending offer of `case` as `status` (withdrawn once someone
/// accepted or the owner called it off; expired at a round's deadline).
pub async fn end_pending(
    connection: &mut AsyncPgConnection,
    case: &Case,
    status: OfferStatus,
    now: DateTime<Utc>,
) -> kernel::Result<usize> {
    let ended = diesel::update(
        emergency_offers::table
            .filter(emergency_offers::case_id.eq(case.id))
            .filter(emergency_offers::status.eq(OfferStatus::Pending)),
    )
    .set((emergency_offers::status.eq(status), emergency_offers::answered_at.eq(now)))
    .execute(connection)
    .await?;
    if ended > 0 {
        metrics::counter!("emergency_offers_total", "outcome" => status.as_str()).increment(ended as u64);
    }
    Ok(ended)
}

/// The round's deadline (its job): if the case is still waiting on this
/// round, what was not answered expires and the next round starts. A job run
/// twice, or late, changes nothing.
pub async fn deadline(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    case: &mut Case,
    round: i32,
    now: DateTime<Utc>,
) -> kernel::Result<Option<Routed>> {
    if case.status != CaseStatus::Offered || case.round != round {
        return Ok(None);
    }
    end_pending(connection, case, OfferStatus::Expired, now).await?;
    next_round(connection, settings, case, now).await.map(Some)
}
