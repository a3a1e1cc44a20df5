//! The availability engine: free slots computed on demand from the vet's
//! working hours and time off, the clinic's opening hours and exceptions, the
//! service's duration and buffers, room capacity and existing bookings, on a
//! grid anchored at the clinic's local midnight.
//!
//! [`intervals`], [`schedule`] and [`slots`] are pure; this module loads their
//! inputs in a handful of queries.

pub mod schedule;
pub mod slots;

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, ClinicId, RoomId, ServiceId, UserId};

use kernel::{Interval, Intervals};
use self::schedule::{LocalInterval, OpeningHours, local_date};
use self::slots::{RoomTime, SlotQuery, VetTime};
use crate::status::ACTIVE;
use db::schema::{
    appointments, clinic_hours_exceptions, clinic_memberships, clinic_opening_hours, clinic_rooms,
    clinic_service_rooms, clinic_service_staff, clinic_services, clinics, vet_time_off, vet_working_hours,
};

/// No booking lasts longer (12 h of service and 8 h of buffers at most): a
/// lower bound on the start of bookings that reach into a range, so the
/// `(vet_id, starts_at)` index reads only the bookings near it.
pub(crate) const LONGEST_BOOKING: Duration = Duration::days(1);

/// A `tstzrange` as Diesel reads it.
pub type StoredRange = (Bound<DateTime<Utc>>, Bound<DateTime<Utc>>);

/// What scheduling needs to know about a clinic.
#[derive(Debug, Clone)]
pub struct Clinic {
    /// Id.
    pub id: ClinicId,
    /// Name, for notifications.
    pub name: String,
    /// Its zone; every schedule is read in it.
    pub zone: Tz,
    /// Open around the clock.
    pub always_open: bool,
    /// Owners cancel or move up to this many hours before the start.
    pub cancellation_notice_hours: i32,
    /// The clinic's email, the `From` of its notifications.
    pub email: Option<String>,
}

/// What scheduling needs to know about a service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Id.
    pub id: ServiceId,
    /// The clinic offering it.
    pub clinic_id: ClinicId,
    /// Name, for notifications.
    pub name: String,
    /// Appointment length.
    pub duration: Duration,
    /// Preparation before.
    pub before: Duration,
    /// Clean-up after.
    pub after: Duration,
    /// Species it applies to (empty: all), as stored.
    pub species: Vec<String>,
    /// Owners may book it themselves.
    pub bookable_online: bool,
    /// Staff may book it over other appointments.
    pub allows_overbooking: bool,
    /// Who may perform it (empty: any veterinarian of the clinic).
    pub staff: Vec<UserId>,
    /// Rooms it needs one of (empty: none).
    pub rooms: Vec<RoomId>,
}

/// The clinic (active ones only).
pub async fn clinic(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<Clinic> {
    let (name, zone, always_open, cancellation_notice_hours, email) = clinics::table
        .find(id)
        .filter(clinics::is_active)
        .select((
            clinics::name,
            clinics::time_zone,
            clinics::open_24_7,
            clinics::cancellation_notice_hours,
            clinics::email,
        ))
        .first::<(String, String, bool, i32, Option<String>)>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "clinic" })?;
    let zone = zone.parse().map_err(|_| kernel::Error::internal(format!("clinic {id} has zone {zone}")))?;
    Ok(Clinic { id, name, zone, always_open, cancellation_notice_hours, email })
}

/// The active service.
pub async fn service(connection: &mut AsyncPgConnection, id: ServiceId) -> kernel::Result<Service> {
    type Row = (ClinicId, String, i32, i32, i32, Vec<String>, bool, bool);
    let (clinic_id, name, duration, before, after, species, bookable_online, allows_overbooking) =
        clinic_services::table
            .find(id.0)
            .filter(clinic_services::is_active)
            .select((
                clinic_services::clinic_id,
                clinic_services::name,
                clinic_services::duration_minutes,
                clinic_services::buffer_before_minutes,
                clinic_services::buffer_after_minutes,
                clinic_services::species,
                clinic_services::bookable_online,
                clinic_services::allows_overbooking,
            ))
            .first::<Row>(connection)
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "service" })?;
    let staff = clinic_service_staff::table
        .filter(clinic_service_staff::service_id.eq(id.0))
        .select(clinic_service_staff::user_id)
        .load(connection)
        .await?;
    let rooms = clinic_service_rooms::table
        .filter(clinic_service_rooms::service_id.eq(id.0))
        .select(clinic_service_rooms::room_id)
        .load::<uuid::Uuid>(connection)
        .await?
        .into_iter()
        .map(RoomId)
        .collect();
    let minutes = |value: i32| Duration::minutes(i64::from(value));
    Ok(Service {
        id,
        clinic_id,
        name,
        duration: minutes(duration),
        before: minutes(before),
        after: minutes(after),
        species,
        bookable_online,
        allows_overbooking,
        staff,
        rooms,
    })
}

/// The clinic's veterinarians who may perform `service`.
pub async fn qualified_vets(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    service: &Service,
) -> kernel::Result<Vec<UserId>> {
    let vets: Vec<UserId> = clinic_memberships::table
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .filter(clinic_memberships::role.eq(kernel::Role::Veterinarian))
        .select(clinic_memberships::user_id)
        .order(clinic_memberships::user_id)
        .load(connection)
        .await?;
    Ok(vets.into_iter().filter(|vet| service.staff.is_empty() || service.staff.contains(vet)).collect())
}

/// Everything [`slots::free_slots`] needs for `vets` and `service` with starts
/// in `[from, to)`; `ignoring` leaves one appointment out (the one being moved).
pub async fn load(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    service: &Service,
    vets: &[UserId],
    (from, to): Interval,
    grid_minutes: u32,
    ignoring: Option<AppointmentId>,
) -> kernel::Result<(SlotQuery, Vec<VetTime>, Option<Vec<RoomTime>>)> {
    let query = SlotQuery {
        zone: clinic.zone,
        from,
        to,
        grid_minutes,
        before: service.before,
        duration: service.duration,
        after: service.after,
    };
    // Bookings near the edges still count: widen by the longest a booking takes.
    let reach = service.before + service.duration + service.after + Duration::days(1);
    let (wide_from, wide_to) = (from - reach, to + reach);
    let open = opening_hours(connection, clinic, wide_from, wide_to).await?.open(clinic.zone, wide_from, wide_to);
    let ignored = ignoring.unwrap_or(AppointmentId(uuid::Uuid::nil()));
    let mut times = Vec::with_capacity(vets.len());
    for &vet in vets {
        let hours = working_hours(connection, clinic.id, vet).await?;
        let time_off: Vec<StoredRange> = vet_time_off::table
            .filter(vet_time_off::vet_id.eq(vet))
            .select(vet_time_off::period)
            .load(connection)
            .await?;
        let busy: Vec<StoredRange> = appointments::table
            .filter(appointments::vet_id.eq(vet))
            .filter(appointments::status.eq_any(ACTIVE))
            .filter(appointments::overbooked.eq(false))
            .filter(appointments::id.ne(ignored))
            .filter(appointments::starts_at.lt(wide_to))
            .filter(appointments::starts_at.gt(wide_from - LONGEST_BOOKING))
            .filter(appointments::ends_at.gt(wide_from))
            .select(appointments::blocks)
            .load(connection)
            .await?;
        let working = schedule::weekly(clinic.zone, &hours, wide_from, wide_to);
        let available = working.intersect(&open).subtract(&ranges(time_off, wide_from, wide_to));
        times.push(VetTime { vet_id: vet, available, busy: ranges(busy, wide_from, wide_to) });
    }
    let rooms = if service.rooms.is_empty() {
        None
    } else {
        Some(room_times(connection, &service.rooms, ignored, wide_from, wide_to).await?)
    };
    Ok((query, times, rooms))
}

/// The clinic's opening hours with the exceptions that fall in the range.
pub async fn opening_hours(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> kernel::Result<OpeningHours> {
    let rows: Vec<(i16, NaiveTime, NaiveTime)> = clinic_opening_hours::table
        .filter(clinic_opening_hours::clinic_id.eq(clinic.id))
        .select((clinic_opening_hours::weekday, clinic_opening_hours::opens, clinic_opening_hours::closes))
        .load(connection)
        .await?;
    let (first, last) = (local_date(clinic.zone, from) - Duration::days(1), local_date(clinic.zone, to));
    let exception_rows: Vec<(NaiveDate, Option<NaiveTime>, Option<NaiveTime>)> = clinic_hours_exceptions::table
        .filter(clinic_hours_exceptions::clinic_id.eq(clinic.id))
        .filter(clinic_hours_exceptions::on_date.between(first, last))
        .select((clinic_hours_exceptions::on_date, clinic_hours_exceptions::opens, clinic_hours_exceptions::closes))
        .load(connection)
        .await?;
    let mut exceptions: BTreeMap<NaiveDate, Vec<LocalInterval>> = BTreeMap::new();
    for (date, opens, closes) in exception_rows {
        let day = exceptions.entry(date).or_default();
        if let (Some(opens), Some(closes)) = (opens, closes) {
            day.push((opens, closes));
        }
    }
    Ok(OpeningHours { always_open: clinic.always_open, weekly: by_weekday(rows), exceptions })
}

/// The vet's weekly hours at the clinic.
pub async fn working_hours(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    vet: UserId,
) -> kernel::Result<BTreeMap<u32, Vec<LocalInterval>>> {
    let rows: Vec<(i16, NaiveTime, NaiveTime)> = vet_working_hours::table
        .filter(vet_working_hours::vet_id.eq(vet))
        .filter(vet_working_hours::clinic_id.eq(clinic))
        .select((vet_working_hours::weekday, vet_working_hours::starts, vet_working_hours::ends))
        .load(connection)
        .await?;
    Ok(by_weekday(rows))
}

async fn room_times(
    connection: &mut AsyncPgConnection,
    rooms: &[RoomId],
    ignored: AppointmentId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> kernel::Result<Vec<RoomTime>> {
    let ids: Vec<uuid::Uuid> = rooms.iter().map(|room| room.0).collect();
    let capacities: Vec<(uuid::Uuid, i32)> = clinic_rooms::table
        .filter(clinic_rooms::id.eq_any(&ids))
        .select((clinic_rooms::id, clinic_rooms::capacity))
        .order(clinic_rooms::name)
        .load(connection)
        .await?;
    let bookings: Vec<(Option<uuid::Uuid>, Option<i32>, StoredRange)> = appointments::table
        .filter(appointments::room_id.eq_any(&ids))
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::overbooked.eq(false))
        .filter(appointments::id.ne(ignored))
        .filter(appointments::starts_at.lt(to))
        .filter(appointments::starts_at.gt(from - LONGEST_BOOKING))
        .filter(appointments::ends_at.gt(from))
        .select((appointments::room_id, appointments::room_place, appointments::blocks))
        .load(connection)
        .await?;
    Ok(capacities
        .into_iter()
        .map(|(room, capacity)| {
            let places = (0..capacity)
                .map(|place| {
                    let held = bookings
                        .iter()
                        .filter(|(booked_room, booked_place, _)| {
                            *booked_room == Some(room) && *booked_place == Some(place)
                        })
                        .map(|(_, _, blocks)| *blocks)
                        .collect();
                    ranges(held, from, to)
                })
                .collect();
            RoomTime { room_id: RoomId(room), places }
        })
        .collect())
}

fn by_weekday(rows: Vec<(i16, NaiveTime, NaiveTime)>) -> BTreeMap<u32, Vec<LocalInterval>> {
    let mut weekly: BTreeMap<u32, Vec<LocalInterval>> = BTreeMap::new();
    for (weekday, starts, ends) in rows {
        if let Ok(weekday) = u32::try_from(weekday) {
            weekly.entry(weekday).or_default().push((starts, ends));
        }
    }
    weekly
}

/// Stored ranges as intervals, unbounded ends clamped to `[from, to)`.
pub fn ranges(rows: Vec<StoredRange>, from: DateTime<Utc>, to: DateTime<Utc>) -> Intervals {
    let value = |bound: Bound<DateTime<Utc>>, default: DateTime<Utc>| match bound {
        Bound::Included(at) | Bound::Excluded(at) => at,
        Bound::Unbounded => default,
    };
    Intervals::merged(rows.into_iter().map(|(start, end)| (value(start, from), value(end, to))).collect())
}
