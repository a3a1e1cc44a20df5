//! The availability engine: free slots computed on demand from what the
//! `clinics` crate says about the clinic (its zone, each vet's available time
//! within opening hours, the service's duration, buffers and rooms) and this
//! crate's own bookings, on a grid anchored at the clinic's local midnight.
//!
//! [`slots`] is pure; this module loads its inputs in a handful of queries,
//! for one clinic's service or for several at once ([`load_each`]).

pub mod slots;

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, Interval, Intervals, Range, RoomId, UserId};

pub use clinics::scheduling::{
    Clinic, RoomCapacity, Service, bookable_clinic, bookable_service, clinic, service, services_at_clinics,
};

use self::slots::{RoomTime, SlotQuery, VetTime};
use crate::status::ACTIVE;
use db::schema::appointments;

/// No booking lasts longer (12 h of service and 8 h of buffers at most): a
/// lower bound on the start of bookings that reach into a range, so the
/// `(vet_id, starts_at)` index reads only the bookings near it.
pub(crate) const LONGEST_BOOKING: Duration = Duration::days(1);

/// What the slot engine needs for one search.
pub type Loaded = (SlotQuery, Vec<VetTime>, Option<Vec<RoomTime>>);

/// One search [`load_each`] loads for: `vets` of `clinic` performing
/// `service`, with starts in `range`.
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    /// The clinic.
    pub clinic: &'a Clinic,
    /// Its service.
    pub service: &'a Service,
    /// The vets to look at.
    pub vets: &'a [UserId],
    /// Slots start in `[from, to)`.
    pub range: Interval,
}

/// Everything [`slots::free_slots`] needs for `vets` and `service` with starts
/// in `[from, to)`; `ignoring` leaves one appointment out (the one being moved).
pub async fn load(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    service: &Service,
    vets: &[UserId],
    range: Interval,
    grid_minutes: u32,
    ignoring: Option<AppointmentId>,
) -> kernel::Result<Loaded> {
    let wanted = Wanted { clinic, service, vets, range };
    kernel::single(load_each(connection, &[wanted], grid_minutes, ignoring).await?)
}

/// [`load`] for several searches, in their order, in a fixed number of
/// queries however many there are.
pub async fn load_each(
    connection: &mut AsyncPgConnection,
    wanted: &[Wanted<'_>],
    grid_minutes: u32,
    ignoring: Option<AppointmentId>,
) -> kernel::Result<Vec<Loaded>> {
    // Bookings near the edges still count: widen by the longest a booking takes.
    let wide: Vec<Interval> = wanted
        .iter()
        .map(|one| {
            let reach = one.service.before + one.service.duration + one.service.after + Duration::days(1);
            (one.range.0 - reach, one.range.1 + reach)
        })
        .collect();
    let (Some(lowest), Some(highest)) = (wide.iter().map(|w| w.0).min(), wide.iter().map(|w| w.1).max()) else {
        return Ok(Vec::new());
    };
    let ignored = ignoring.unwrap_or(AppointmentId(uuid::Uuid::nil()));
    let schedule_inputs: Vec<(&Clinic, &[UserId], Interval)> =
        wanted.iter().zip(&wide).map(|(one, &range)| (one.clinic, one.vets, range)).collect();
    let vets: Vec<UserId> = wanted.iter().flat_map(|one| one.vets.iter().copied()).collect();
    let rooms: Vec<RoomId> = wanted.iter().flat_map(|one| one.service.rooms.iter().copied()).collect();
    // The schedules, the vets' bookings and the rooms' are independent reads:
    // pipelined, they cost one round trip. Each is awaited to its end (a
    // statement left in flight would cost the pool its connection).
    let mut shared = &*connection;
    let busy = holding(ignored, lowest, highest)
        .filter(appointments::vet_id.eq_any(&vets))
        .select((appointments::vet_id, appointments::blocks))
        .load::<(UserId, Range)>(&mut shared);
    let bookings = async {
        if rooms.is_empty() {
            Ok(None)
        } else {
            RoomBookings::load(shared, &rooms, ignored, lowest, highest).await.map(Some)
        }
    };
    let (schedules, busy, bookings) =
        futures_util::future::join3(clinics::scheduling::vet_schedules_each(shared, &schedule_inputs), busy, bookings)
            .await;
    let (schedules, busy, bookings) = (schedules?, busy?, bookings?);
    Ok(wanted
        .iter()
        .zip(wide)
        .zip(schedules)
        .map(|((one, (wide_from, wide_to)), schedules)| {
            let query = SlotQuery {
                zone: one.clinic.zone,
                from: one.range.0,
                to: one.range.1,
                grid_minutes,
                before: one.service.before,
                duration: one.service.duration,
                after: one.service.after,
            };
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
            let rooms = match &bookings {
                Some(bookings) if !one.service.rooms.is_empty() => {
                    Some(bookings.times(&one.service.rooms, wide_from, wide_to))
                }
                _ => None,
            };
            (query, times, rooms)
        })
        .collect())
}

/// The appointments that hold time within `[from, to)`: active, not
/// overbooked (those sit outside every constraint), other than `ignored`.
pub fn holding<'a>(
    ignored: AppointmentId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> appointments::BoxedQuery<'a, diesel::pg::Pg> {
    appointments::table
        .filter(holds_time())
        .filter(appointments::id.ne(ignored))
        .filter(appointments::starts_at.lt(to))
        .filter(appointments::starts_at.gt(from - LONGEST_BOOKING))
        .filter(appointments::ends_at.gt(from))
        .into_boxed()
}

/// Active and not overbooked, with the statuses written into the text rather
/// than bound: it is the predicate of `appointments_holding_idx`, which holds
/// only these rows, and a plan made for any bound statuses (a transaction's
/// generic plan) could not use that index. The text is written once, as
/// every search and booking reads it.
fn holds_time() -> db::Sql<'static, Bool> {
    static PREDICATE: LazyLock<String> = LazyLock::new(|| {
        let statuses: Vec<String> = ACTIVE.iter().map(|status| format!("'{}'", status.as_str())).collect();
        format!("(appointments.status IN ({}) AND NOT appointments.overbooked)", statuses.join(", "))
    });
    db::Sql::expression(PREDICATE.as_str())
}

/// The rooms some services need, their capacities and active bookings.
struct RoomBookings {
    capacities: Vec<RoomCapacity>,
    bookings: Vec<(Option<RoomId>, Option<i32>, Range)>,
}

impl RoomBookings {
    async fn load(
        mut connection: &AsyncPgConnection,
        rooms: &[RoomId],
        ignored: AppointmentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> kernel::Result<Self> {
        let bookings = holding(ignored, from, to)
            .filter(appointments::room_id.eq_any(rooms))
            .select((appointments::room_id, appointments::room_place, appointments::blocks))
            .load(&mut connection);
        let (capacities, bookings) =
            futures_util::future::join(clinics::scheduling::room_capacities(connection, rooms), bookings).await;
        let (capacities, bookings) = (capacities?, bookings?);
        Ok(Self { capacities, bookings })
    }

    /// Each of `rooms` (by room name) with the bookings of each of its places in `[from, to)`.
    fn times(&self, rooms: &[RoomId], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<RoomTime> {
        self.capacities
            .iter()
            .filter(|capacity| rooms.contains(&capacity.room_id))
            .map(|&RoomCapacity { room_id: room, capacity }| {
                let places = (0..capacity)
                    .map(|place| {
                        let held = self
                            .bookings
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
            .collect()
    }
}
