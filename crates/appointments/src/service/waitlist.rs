//! The waitlist: owners wait for a service in a date window; when a matching
//! slot frees up (a cancellation, a move), the first in line is offered it for
//! `appointments.waitlist_offer_minutes` and notified; an offer not accepted
//! in time passes to the next in line. Accepting books through the normal path,
//! so the constraints still decide.

use std::ops::Bound;

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::{EnqueueOptions, enqueue};
use kernel::{Principal, ServiceId, UserId, Valid, WaitlistEntryId, WaitlistOfferId};
use notifications::{Category, Notification, Template};
use serde_json::json;

use crate::api::{AppointmentView, OfferView, WaitlistEntryView, WaitlistRequest, WaitlistStatus};
use crate::availability::{self, Clinic};
use crate::jobs::ExpireWaitlistOffer;
use crate::models::{Appointment, spoken};
use crate::service::access::{self, Actor};
use crate::service::booking::{Booking, book_within};
use crate::service::check_range;
use crate::status::ACTIVE;
use db::schema::{appointments, waitlist_entries, waitlist_offers};

type EntryRow = (
    WaitlistEntryId,
    kernel::ClinicId,
    uuid::Uuid,
    Option<UserId>,
    kernel::PetId,
    (Bound<DateTime<Utc>>, Bound<DateTime<Utc>>),
    WaitlistStatus,
);

/// Joins the waitlist for a service (the pet's owners).
pub async fn join(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    request: &Valid<WaitlistRequest>,
) -> kernel::Result<WaitlistEntryView> {
    check_range(request.from, request.to, settings.horizon_days)?;
    let service = availability::service(connection, request.service_id).await?;
    let booker = access::booker(connection, principal, request.pet_id, service.clinic_id).await?;
    if booker.actor != Actor::Owner {
        return Err(kernel::Error::Forbidden("only the pet's owners join a waitlist".to_owned()));
    }
    if let Some(vet) = request.vet_id
        && !service.vets.contains(&vet)
    {
        return Err(kernel::Error::invalid_field("vet_id", "does not perform this service at this clinic"));
    }
    let id = WaitlistEntryId::new();
    diesel::insert_into(waitlist_entries::table)
        .values((
            waitlist_entries::id.eq(id),
            waitlist_entries::clinic_id.eq(service.clinic_id),
            waitlist_entries::service_id.eq(service.id.0),
            waitlist_entries::vet_id.eq(request.vet_id),
            waitlist_entries::pet_id.eq(request.pet_id),
            waitlist_entries::owner_id.eq(principal.user_id),
            waitlist_entries::period.eq((Bound::Included(request.from), Bound::Excluded(request.to))),
        ))
        .execute(connection)
        .await?;
    entry(connection, principal.user_id, id).await
}

/// The caller's waitlist entries, oldest first.
pub async fn mine(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<Vec<WaitlistEntryView>> {
    of_owner(connection, principal.user_id).await
}

/// `owner`'s waitlist entries, oldest first.
pub async fn of_owner(connection: &mut AsyncPgConnection, owner: UserId) -> kernel::Result<Vec<WaitlistEntryView>> {
    let ids: Vec<WaitlistEntryId> = waitlist_entries::table
        .filter(waitlist_entries::owner_id.eq(owner))
        .order(waitlist_entries::created_at)
        .select(waitlist_entries::id)
        .load(connection)
        .await?;
    let mut entries = Vec::with_capacity(ids.len());
    for id in ids {
        entries.push(entry(connection, owner, id).await?);
    }
    Ok(entries)
}

/// Takes `owner` off every waitlist (their account is erased): a slot they
/// were offered passes to the next in line, then their entries and offers
/// are deleted.
pub async fn remove_owner(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    owner: UserId,
) -> kernel::Result<()> {
    // Left first, so no slot passed on below comes back to another of their entries.
    let entries: Vec<WaitlistEntryId> =
        diesel::update(waitlist_entries::table.filter(waitlist_entries::owner_id.eq(owner)))
            .set(waitlist_entries::status.eq(WaitlistStatus::Left))
            .returning(waitlist_entries::id)
            .get_results(connection)
            .await?;
    let open: Vec<WaitlistOfferId> = waitlist_offers::table
        .filter(waitlist_offers::entry_id.eq_any(&entries))
        .filter(waitlist_offers::status.eq("open"))
        .select(waitlist_offers::id)
        .load(connection)
        .await?;
    for offer in open {
        expire(connection, settings, now, offer).await?;
    }
    diesel::delete(waitlist_offers::table.filter(waitlist_offers::entry_id.eq_any(&entries)))
        .execute(connection)
        .await?;
    diesel::delete(waitlist_entries::table.filter(waitlist_entries::owner_id.eq(owner))).execute(connection).await?;
    Ok(())
}

/// Leaves the waitlist.
pub async fn leave(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: WaitlistEntryId,
) -> kernel::Result<()> {
    let left = diesel::update(
        waitlist_entries::table
            .find(id)
            .filter(waitlist_entries::owner_id.eq(principal.user_id))
            .filter(waitlist_entries::status.eq_any([WaitlistStatus::Waiting, WaitlistStatus::Offered])),
    )
    .set(waitlist_entries::status.eq(WaitlistStatus::Left))
    .execute(connection)
    .await?;
    if left == 0 { Err(kernel::Error::NotFound { resource: "waitlist entry" }) } else { Ok(()) }
}

/// Books the offered slot (the entry's owner); 409 when it is gone.
pub async fn accept(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    offer: WaitlistOfferId,
) -> kernel::Result<AppointmentView> {
    let outcome = db::transaction(connection, async |connection| {
        let (entry_id, vet, starts_at, expires_at, status, service, pet) = waitlist_offers::table
            .inner_join(waitlist_entries::table)
            .filter(waitlist_offers::id.eq(offer))
            .filter(waitlist_entries::owner_id.eq(principal.user_id))
            .select((
                waitlist_offers::entry_id,
                waitlist_offers::vet_id,
                waitlist_offers::starts_at,
                waitlist_offers::expires_at,
                waitlist_offers::status,
                waitlist_entries::service_id,
                waitlist_entries::pet_id,
            ))
            .for_update()
            .first::<(WaitlistEntryId, UserId, DateTime<Utc>, DateTime<Utc>, String, uuid::Uuid, kernel::PetId)>(
                connection,
            )
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "waitlist offer" })?;
        if status != "open" || expires_at <= now {
            return Err(kernel::Error::conflict("the offer has expired"));
        }
        let booking = Booking {
            pet,
            service: ServiceId(service),
            vet: Some(vet),
            starts_at,
            notes: None,
            overbook: false,
            series: None,
        };
        let (appointment, clinic) = book_within(connection, principal, settings, now, &booking).await?;
        diesel::update(waitlist_offers::table.find(offer))
            .set(waitlist_offers::status.eq("accepted"))
            .execute(connection)
            .await?;
        diesel::update(waitlist_entries::table.find(entry_id))
            .set(waitlist_entries::status.eq(WaitlistStatus::Booked))
            .execute(connection)
            .await?;
        Ok(appointment.view(clinic.zone, Vec::new()))
    })
    .await;
    if matches!(outcome, Err(kernel::Error::Conflict { .. })) {
        // Taken meanwhile, or expired: the next in line may still get a chance.
        expire(connection, settings, now, offer).await?;
    }
    outcome
}

/// Offers a freed slot of `appointment` to the first in line (called in the
/// transaction that frees it).
pub async fn slot_freed(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    clinic: &Clinic,
    appointment: &Appointment,
) -> kernel::Result<()> {
    offer_next(connection, settings, now, clinic, appointment.service_id, appointment.vet_id, appointment.starts_at)
        .await
}

/// Expires an open offer that was not accepted and passes the slot on (the
/// offer's job, at its deadline; also after a failed acceptance).
pub async fn expire(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    offer: WaitlistOfferId,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let expired: Option<(WaitlistEntryId, UserId, DateTime<Utc>)> =
            diesel::update(waitlist_offers::table.find(offer).filter(waitlist_offers::status.eq("open")))
                .set(waitlist_offers::status.eq("expired"))
                .returning((waitlist_offers::entry_id, waitlist_offers::vet_id, waitlist_offers::starts_at))
                .get_result(connection)
                .await
                .optional()?;
        let Some((entry_id, vet, starts_at)) = expired else { return Ok(()) };
        let (clinic_id, service): (kernel::ClinicId, uuid::Uuid) = waitlist_entries::table
            .find(entry_id)
            .select((waitlist_entries::clinic_id, waitlist_entries::service_id))
            .first(connection)
            .await?;
        diesel::update(
            waitlist_entries::table.find(entry_id).filter(waitlist_entries::status.eq(WaitlistStatus::Offered)),
        )
        .set(waitlist_entries::status.eq(WaitlistStatus::Waiting))
        .execute(connection)
        .await?;
        let clinic = availability::clinic(connection, clinic_id).await?;
        offer_next(connection, settings, now, &clinic, ServiceId(service), vet, starts_at).await
    })
    .await
}

/// Offers the slot to the oldest waiting entry it fits that was not offered
/// this slot before, if the slot is still free and far enough ahead.
async fn offer_next(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    clinic: &Clinic,
    service: ServiceId,
    vet: UserId,
    starts_at: DateTime<Utc>,
) -> kernel::Result<()> {
    // A deactivated clinic offers nothing; a slot too soon is not worth offering.
    if !clinic.is_active || starts_at < now + Duration::minutes(settings.min_notice_minutes) {
        return Ok(());
    }
    let taken = diesel::select(diesel::dsl::exists(
        appointments::table
            .filter(appointments::vet_id.eq(vet))
            .filter(appointments::status.eq_any(ACTIVE))
            .filter(appointments::starts_at.eq(starts_at)),
    ))
    .get_result::<bool>(connection)
    .await?;
    if taken {
        return Ok(());
    }
    let already_offered = waitlist_offers::table
        .filter(waitlist_offers::vet_id.eq(vet))
        .filter(waitlist_offers::starts_at.eq(starts_at))
        .select(waitlist_offers::entry_id);
    let next: Option<(WaitlistEntryId, UserId, kernel::PetId)> = waitlist_entries::table
        .filter(waitlist_entries::service_id.eq(service.0))
        .filter(waitlist_entries::status.eq(WaitlistStatus::Waiting))
        .filter(waitlist_entries::vet_id.is_null().or(waitlist_entries::vet_id.eq(vet)))
        .filter(waitlist_entries::id.ne_all(already_offered))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("period @> ")
                .bind::<diesel::sql_types::Timestamptz, _>(starts_at),
        )
        .order(waitlist_entries::created_at)
        .select((waitlist_entries::id, waitlist_entries::owner_id, waitlist_entries::pet_id))
        .for_update()
        .skip_locked()
        .first(connection)
        .await
        .optional()?;
    let Some((entry_id, owner, pet)) = next else { return Ok(()) };
    let expires_at = (now + Duration::minutes(settings.waitlist_offer_minutes)).min(starts_at);
    let offer = WaitlistOfferId::new();
    diesel::insert_into(waitlist_offers::table)
        .values((
            waitlist_offers::id.eq(offer),
            waitlist_offers::entry_id.eq(entry_id),
            waitlist_offers::vet_id.eq(vet),
            waitlist_offers::starts_at.eq(starts_at),
            waitlist_offers::expires_at.eq(expires_at),
        ))
        .execute(connection)
        .await?;
    diesel::update(waitlist_entries::table.find(entry_id))
        .set(waitlist_entries::status.eq(WaitlistStatus::Offered))
        .execute(connection)
        .await?;
    enqueue(
        connection,
        &ExpireWaitlistOffer { offer_id: offer },
        EnqueueOptions { run_at: Some(expires_at), ..Default::default() },
    )
    .await?;
    let pet_name = pets::service::pets::name_of(connection, pet).await?;
    let data = json!({
        "pet_name": pet_name,
        "clinic_name": clinic.name,
        "starts_at": spoken(clinic.zone, starts_at),
        "expires_at": spoken(clinic.zone, expires_at),
        "offer_id": offer,
    });
    let notification = Notification {
        category: Category::Appointment,
        template: Template::WaitlistOffer,
        data,
        sender: None,
        attachments: Vec::new(),
    };
    notifications::notify(connection, owner, &notification).await.map(drop)
}

async fn entry(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    id: WaitlistEntryId,
) -> kernel::Result<WaitlistEntryView> {
    let (id, clinic_id, service_id, vet_id, pet_id, (from, to), status): EntryRow = waitlist_entries::table
        .find(id)
        .filter(waitlist_entries::owner_id.eq(owner))
        .select((
            waitlist_entries::id,
            waitlist_entries::clinic_id,
            waitlist_entries::service_id,
            waitlist_entries::vet_id,
            waitlist_entries::pet_id,
            waitlist_entries::period,
            waitlist_entries::status,
        ))
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "waitlist entry" })?;
    let offer = waitlist_offers::table
        .filter(waitlist_offers::entry_id.eq(id))
        .filter(waitlist_offers::status.eq("open"))
        .select((waitlist_offers::id, waitlist_offers::vet_id, waitlist_offers::starts_at, waitlist_offers::expires_at))
        .first::<(WaitlistOfferId, UserId, DateTime<Utc>, DateTime<Utc>)>(connection)
        .await
        .optional()?
        .map(|(id, vet_id, starts_at, expires_at)| OfferView { id, vet_id, starts_at, expires_at });
    let bound = |bound: Bound<DateTime<Utc>>| match bound {
        Bound::Included(at) | Bound::Excluded(at) => at,
        Bound::Unbounded => DateTime::<Utc>::MIN_UTC,
    };
    Ok(WaitlistEntryView {
        id,
        clinic_id,
        service_id: ServiceId(service_id),
        vet_id,
        pet_id,
        from: bound(from),
        to: bound(to),
        status,
        offer,
    })
}
