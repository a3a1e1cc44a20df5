//! Booking: a pet, a service, a vet (or any qualified one), a start. The
//! database's exclusion constraints make a double booking of a vet, or an
//! overfull room, impossible; this code finds the free candidate, tries it,
//! and answers 409 with the conflicting slot when someone was faster.

use crate::Settings;
use chrono::{DateTime, Duration, Timelike, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, PetId, Principal, SeriesId, ServiceId, UserId, Valid};
use notifications::webhooks::EventType;
use pets::api::CareSource;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{AppointmentView, BookingRequest};
use crate::availability::slots::{Slot, free_place, free_slots};
use crate::availability::{self, Clinic, Service};
use crate::models::Appointment;
use crate::service::access::{self, Actor, Booker};
use crate::service::messages::{self, Change, Told};
use crate::service::reminders;
use crate::status::{ACTIVE, Status};
use db::schema::appointments;

/// One booking to make (from a request, a series or a waitlist offer).
#[derive(Debug, Clone)]
pub struct Booking {
    /// The pet.
    pub pet: PetId,
    /// The service.
    pub service: ServiceId,
    /// A vet, or any qualified one.
    pub vet: Option<UserId>,
    /// The start.
    pub starts_at: DateTime<Utc>,
    /// Notes for the clinic.
    pub notes: Option<String>,
    /// Book over other appointments (staff, services that allow it).
    pub overbook: bool,
    /// The series it belongs to.
    pub series: Option<SeriesId>,
}

impl From<&Valid<BookingRequest>> for Booking {
    fn from(request: &Valid<BookingRequest>) -> Self {
        Self {
            pet: request.pet_id,
            service: request.service_id,
            vet: request.vet_id,
            starts_at: request.starts_at,
            notes: request.notes.clone(),
            overbook: request.overbook,
            series: None,
        }
    }
}

/// Books one appointment in its own transaction and returns it.
pub async fn book(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    booking: &Booking,
) -> kernel::Result<AppointmentView> {
    let (appointment, clinic) = db::transaction(connection, async |connection| {
        book_within(connection, principal, settings, now, booking).await
    })
    .await?;
    Ok(appointment.view(clinic.zone, Vec::new()))
}

/// Books inside the caller's transaction (series and waitlist offers book
/// several or as part of more).
pub async fn book_within(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    booking: &Booking,
) -> kernel::Result<(Appointment, Clinic)> {
    let (service, clinic) = availability::bookable_service(connection, booking.service).await?;
    let Booker { pet, actor, in_care } = access::booker(connection, principal, booking.pet, clinic.id).await?;
    check_rules(settings, now, &clinic, &service, actor, booking, pet.species)?;
    let candidates: Vec<UserId> = match booking.vet {
        Some(vet) if service.vets.contains(&vet) => vec![vet],
        Some(_) => return Err(kernel::Error::invalid_field("vet_id", "does not perform this service at this clinic")),
        None => service.vets.clone(),
    };
    if actor == Actor::Owner {
        hold_within_cap(connection, settings, now, pet.primary_owner_id).await?;
    }
    let slot_window = (booking.starts_at, booking.starts_at + Duration::minutes(1));
    let (query, vets, rooms) =
        availability::load(connection, &clinic, &service, &candidates, slot_window, settings.slot_minutes, None)
            .await?;
    let blocks = query.blocks(booking.starts_at);
    let slots: Vec<Slot> = if booking.overbook {
        // Over other appointments on purpose, but still within working hours.
        vets.iter()
            .filter(|vet| vet.available.covers(blocks))
            .map(|vet| Slot {
                vet_id: vet.vet_id,
                starts_at: booking.starts_at,
                ends_at: booking.starts_at + service.duration,
                // Overbooked appointments are outside the room constraint too.
                room: rooms
                    .as_deref()
                    .and_then(|rooms| free_place(rooms, blocks))
                    .or_else(|| <[_]>::first(&service.rooms).map(|room| (*room, 0))),
            })
            .collect()
    } else {
        free_slots(&query, &vets, rooms.as_deref()).collect()
    };
    let status = if actor == Actor::Staff { Status::Confirmed } else { Status::Requested };
    for slot in slots.iter().filter(|slot| slot.starts_at == booking.starts_at) {
        let row = NewAppointment {
            id: AppointmentId::new(),
            clinic: &clinic,
            service: &service,
            slot,
            pet: booking.pet,
            owner: pet.primary_owner_id,
            booked_by: principal.user_id,
            status,
            notes: booking.notes.as_deref(),
            overbooked: booking.overbook,
            series: booking.series,
        };
        if let Some(appointment) = insert(connection, row).await? {
            if !in_care {
                pets::service::care::ensure(connection, booking.pet, clinic.id, CareSource::Appointment).await?;
            }
            // The reminders and the notices' deliveries: one batch of jobs.
            let mut jobs = jobs::Batch::default();
            reminders::schedule(&mut jobs, settings, now, appointment.id, appointment.starts_at)?;
            let change = if status == Status::Confirmed { Change::Confirmed } else { Change::Requested };
            let told = [Told::Owner(change), Told::Vet(Change::Requested)];
            messages::tell_naming(connection, &clinic, &appointment, &pet.name, &told, &mut jobs).await?;
            let entry = AuditEntry::new(Some(principal.user_id), "appointment.booked", "appointment", appointment.id)
                    .with_changes(json!({ "starts_at": appointment.starts_at, "vet_id": appointment.vet_id, "overbooked": booking.overbook }));
            // The jobs, the webhooks' deliveries and the audit entry are
            // independent writes: pipelined, one round trip. Each runs to its
            // end before the first error, if any, rolls the booking back.
            let (enqueued, told, recorded) = futures_util::future::join3(
                jobs.enqueue(connection),
                crate::events::tell_webhooks(connection, EventType::AppointmentCreated, &appointment, now),
                audit::record(connection, entry),
            )
            .await;
            enqueued.and(told).and(recorded)?;
            return Ok((appointment, clinic));
        }
    }
    Err(unavailable(connection, &candidates, blocks, None).await?)
}

/// The rules a booking must meet before any slot is tried.
fn check_rules(
    settings: &Settings,
    now: DateTime<Utc>,
    clinic: &Clinic,
    service: &Service,
    actor: Actor,
    booking: &Booking,
    species: kernel::Species,
) -> kernel::Result<()> {
    if actor == Actor::Owner && !service.bookable_online {
        return Err(kernel::Error::Forbidden("this service is booked by the clinic, not online".to_owned()));
    }
    if booking.overbook && (actor == Actor::Owner || !service.allows_overbooking) {
        return Err(kernel::Error::invalid_field(
            "overbook",
            "only staff may overbook, and only services that allow it",
        ));
    }
    if !service.is_for(species) {
        return Err(kernel::Error::invalid_field("service_id", format!("is not offered for a {species}")));
    }
    check_start(settings, now, clinic, actor, booking.starts_at)
}

/// A start on the grid, not in the past (owners: with the minimum notice),
/// within the horizon.
pub fn check_start(
    settings: &Settings,
    now: DateTime<Utc>,
    clinic: &Clinic,
    actor: Actor,
    starts_at: DateTime<Utc>,
) -> kernel::Result<()> {
    let notice = if actor == Actor::Owner { Duration::minutes(settings.min_notice_minutes) } else { Duration::zero() };
    if starts_at < now + notice {
        let message = if actor == Actor::Owner {
            format!("must be at least {} minutes from now", settings.min_notice_minutes)
        } else {
            "must not be in the past".to_owned()
        };
        return Err(kernel::Error::invalid_field("starts_at", message));
    }
    if starts_at > now + Duration::days(settings.horizon_days) {
        return Err(kernel::Error::invalid_field("starts_at", format!("at most {} days ahead", settings.horizon_days)));
    }
    let local = starts_at.with_timezone(&clinic.zone);
    let minutes = local.hour() * 60 + local.minute();
    if local.second() != 0 || local.nanosecond() != 0 || !minutes.is_multiple_of(settings.slot_minutes.max(1)) {
        return Err(kernel::Error::invalid_field(
            "starts_at",
            format!("must be on the {}-minute grid of the clinic's local time", settings.slot_minutes),
        ));
    }
    Ok(())
}

/// The class of the advisory lock that queues one owner's bookings.
const OWNER_CAP_LOCK: i32 = 7_001;

/// Locks the owner's bookings (an advisory lock: they queue up) and refuses one more
/// than `max_upcoming_per_owner`: booking hoarding stops here.
async fn hold_within_cap(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    owner: UserId,
) -> kernel::Result<()> {
    db::Sql::query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))")
        .bind::<diesel::sql_types::Integer, _>(OWNER_CAP_LOCK)
        .bind::<diesel::sql_types::Uuid, _>(owner)
        .execute(connection)
        .await?;
    let upcoming = appointments::table
        .filter(appointments::owner_id.eq(owner))
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::starts_at.gt(now))
        .count()
        .get_result::<i64>(connection)
        .await?;
    if upcoming >= settings.max_upcoming_per_owner {
        return Err(kernel::Error::Conflict {
            message: format!("at most {} upcoming appointments per owner", settings.max_upcoming_per_owner),
            details: json!({ "limit": settings.max_upcoming_per_owner, "upcoming": upcoming }),
        });
    }
    Ok(())
}

/// The columns of a new appointment.
struct NewAppointment<'a> {
    id: AppointmentId,
    clinic: &'a Clinic,
    service: &'a Service,
    slot: &'a Slot,
    pet: PetId,
    owner: UserId,
    booked_by: UserId,
    status: Status,
    notes: Option<&'a str>,
    overbooked: bool,
    series: Option<SeriesId>,
}

/// Inserts the appointment, or nothing when a vet's or a room's exclusion
/// constraint holds another there (someone was faster): the transaction
/// stays usable for the next candidate, with no savepoint round trips.
async fn insert(connection: &mut AsyncPgConnection, row: NewAppointment<'_>) -> kernel::Result<Option<Appointment>> {
    let blocks = (
        std::ops::Bound::Included(row.slot.starts_at - row.service.before),
        std::ops::Bound::Excluded(row.slot.ends_at + row.service.after),
    );
    Ok(diesel::insert_into(appointments::table)
        .values((
            appointments::id.eq(row.id),
            appointments::clinic_id.eq(row.clinic.id),
            appointments::service_id.eq(row.service.id.0),
            appointments::vet_id.eq(row.slot.vet_id),
            appointments::pet_id.eq(row.pet),
            appointments::owner_id.eq(row.owner),
            appointments::booked_by.eq(row.booked_by),
            appointments::starts_at.eq(row.slot.starts_at),
            appointments::ends_at.eq(row.slot.ends_at),
            appointments::blocks.eq(blocks),
            appointments::room_id.eq(row.slot.room.map(|(room, _)| room.0)),
            appointments::room_place.eq(row.slot.room.map(|(_, place)| place)),
            appointments::status.eq(row.status),
            appointments::overbooked.eq(row.overbooked),
            appointments::notes.eq(row.notes),
            appointments::series_id.eq(row.series),
        ))
        .on_conflict_do_nothing()
        .returning(Appointment::as_returning())
        .get_result(connection)
        .await
        .optional()?)
}

/// The 409 for a start nobody can take: the appointment in the way, when there
/// is one, else "not available" (outside hours, time off, rooms full).
pub async fn unavailable(
    connection: &mut AsyncPgConnection,
    vets: &[UserId],
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    constraint: Option<serde_json::Value>,
) -> kernel::Result<kernel::Error> {
    let blocking: Option<(AppointmentId, UserId, DateTime<Utc>, DateTime<Utc>)> = appointments::table
        .filter(appointments::vet_id.eq_any(vets))
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::starts_at.lt(end + Duration::hours(12)))
        .filter(appointments::ends_at.gt(start - Duration::hours(12)))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("blocks && tstzrange(")
                .bind::<diesel::sql_types::Timestamptz, _>(start)
                .sql(", ")
                .bind::<diesel::sql_types::Timestamptz, _>(end)
                .sql(")"),
        )
        .select((appointments::id, appointments::vet_id, appointments::starts_at, appointments::ends_at))
        .order(appointments::starts_at)
        .first(connection)
        .await
        .optional()?;
    Ok(match blocking {
        Some((_, vet_id, starts_at, ends_at)) => kernel::Error::Conflict {
            message: "the slot is already booked".to_owned(),
            details: json!({
                "reason": "taken",
                "conflicting": { "vet_id": vet_id, "starts_at": starts_at, "ends_at": ends_at },
                "constraint": constraint.and_then(|details| details.get("constraint").cloned()),
            }),
        },
        None => kernel::Error::Conflict {
            message: "no qualified vet is available at that time".to_owned(),
            details: json!({ "reason": "not_available", "requested": { "starts_at": start, "ends_at": end } }),
        },
    })
}
