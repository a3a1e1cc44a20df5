//! The availability engine: free slots computed on demand from what the
//! `clinics` crate says about the clinic (its zone, each vet's available time
//! within opening hours, the service's duration, buffers and rooms) and this
//! crate's own bookings, on a grid anchored at the clinic's local midnight.
//!
//! [`slots`] is pure; this module loads its inputs in a handful of queries.

pub mod slots;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, Interval, Intervals, Range, RoomId, UserId};

pub use clinics::scheduling::{Clinic, Service, bookable_clinic, clinic, qualified_vets, service};

use self::slots::{RoomTime, SlotQuery, VetTime};
use crate::status::ACTIVE;
use db::schema::appointments;

/// No booking lasts longer (12 h of service and 8 h of buffers at most): a
/// lower bound on the start of bookings that reach into a range, so the
/// `(vet_id, starts_at)` index reads only the bookings near it.
pub(crate) const LONGEST_BOOKING: Duration = Duration::days(1);

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
    let ignored = ignoring.unwrap_or(AppointmentId(uuid::Uuid::nil()));
    let schedules = clinics::scheduling::vet_schedules(connection, clinic, vets, (wide_from, wide_to)).await?;
    let busy: Vec<(UserId, Range)> = appointments::table
        .filter(appointments::vet_id.eq_any(vets))
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::overbooked.eq(false))
        .filter(appointments::id.ne(ignored))
        .filter(appointments::starts_at.lt(wide_to))
        .filter(appointments::starts_at.gt(wide_from - LONGEST_BOOKING))
        .filter(appointments::ends_at.gt(wide_from))
        .select((appointments::vet_id, appointments::blocks))
        .load(connection)
        .await?;
    let times = schedules
        .into_iter()
        .map(|schedule| {
            let held = busy.iter().filter(|(vet, _)| *vet == schedule.vet_id).map(|(_, blocks)| *blocks);
            VetTime {
                vet_id: schedule.vet_id,
                available: schedule.available,
                busy: Intervals::from_ranges(held, wide_from, wide_to),
            }
        })
        .collect();
    let rooms = if service.rooms.is_empty() {
        None
    } else {
        Some(room_times(connection, &service.rooms, ignored, wide_from, wide_to).await?)
    };
    Ok((query, times, rooms))
}

async fn room_times(
    connection: &mut AsyncPgConnection,
    rooms: &[RoomId],
    ignored: AppointmentId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> kernel::Result<Vec<RoomTime>> {
    let capacities = clinics::scheduling::room_capacities(connection, rooms).await?;
    let bookings: Vec<(Option<RoomId>, Option<i32>, Range)> = appointments::table
        .filter(appointments::room_id.eq_any(rooms))
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
        .map(|clinics::scheduling::RoomCapacity { room_id: room, capacity }| {
            let places = (0..capacity)
                .map(|place| {
                    let held = bookings
                        .iter()
                        .filter(|(booked_room, booked_place, _)| {
                            *booked_room == Some(room) && *booked_place == Some(place)
                        })
                        .map(|(_, _, blocks)| *blocks);
                    Intervals::from_ranges(held, from, to)
                })
                .collect();
            RoomTime { room_id: room, places }
        })
        .collect())
}
