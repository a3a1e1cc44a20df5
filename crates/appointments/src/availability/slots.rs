//! Free slots: grid times where a vet's availability holds the whole booking
//! (buffers included), nothing of theirs overlaps it, and, when the service
//! needs one, a room has a free place.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use clinics::schedule::local_date;
use kernel::{Interval, Intervals, RoomId, UserId};

/// What is being looked for, and within which bounds.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    /// The clinic's zone: the grid is anchored at its local midnight.
    pub zone: Tz,
    /// Slots start in `[from, to)`.
    pub from: DateTime<Utc>,
    /// See `from`.
    pub to: DateTime<Utc>,
    /// Minutes between grid times.
    pub grid_minutes: u32,
    /// The service's preparation before the start.
    pub before: Duration,
    /// The appointment itself.
    pub duration: Duration,
    /// Clean-up after the end.
    pub after: Duration,
}

impl SlotQuery {
    /// What a booking starting at `start` takes: `[start - before, end + after)`.
    pub fn blocks(&self, start: DateTime<Utc>) -> Interval {
        (start - self.before, start + self.duration + self.after)
    }
}

/// One vet's time: when they could work (hours, opening, time off applied) and
/// what they already hold.
#[derive(Debug, Clone)]
pub struct VetTime {
    /// The vet.
    pub vet_id: UserId,
    /// Working hours ∩ clinic opening − time off.
    pub available: Intervals,
    /// Blocks of their active appointments.
    pub busy: Intervals,
}

/// A room and the bookings of each of its places.
#[derive(Debug, Clone)]
pub struct RoomTime {
    /// The room.
    pub room_id: RoomId,
    /// Busy blocks of place 0, 1, ... (`capacity` places).
    pub places: Vec<Intervals>,
}

/// A bookable start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Who.
    pub vet_id: UserId,
    /// Starts.
    pub starts_at: DateTime<Utc>,
    /// Ends (without the buffer after).
    pub ends_at: DateTime<Utc>,
    /// The room and place it would take, when the service needs one.
    pub room: Option<(RoomId, i32)>,
}

/// Every free slot of every vet, by start then vet, computed as it is read
/// (the first free slot costs only the grid times before it). `rooms` is
/// `None` when the service needs no room.
pub fn free_slots<'a>(
    query: &'a SlotQuery,
    vets: &'a [VetTime],
    rooms: Option<&'a [RoomTime]>,
) -> impl Iterator<Item = Slot> + 'a {
    grid(query.zone, query.from, query.to, query.grid_minutes).into_iter().flat_map(move |start| {
        let blocks = query.blocks(start);
        vets.iter().filter_map(move |vet| {
            if !vet.available.covers(blocks) || vet.busy.overlaps(blocks) {
                return None;
            }
            let room = match rooms {
                None => None,
                Some(rooms) => Some(free_place(rooms, blocks)?),
            };
            Some(Slot { vet_id: vet.vet_id, starts_at: start, ends_at: start + query.duration, room })
        })
    })
}

/// Grid times every `minutes` from each local midnight, that exist on the
/// local clock (a time skipped by a DST jump is no slot), within `[from, to)`.
pub fn grid(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>, minutes: u32) -> Vec<DateTime<Utc>> {
    let step = i64::from(minutes.max(1));
    let (first, last) = (local_date(zone, from), local_date(zone, to));
    let mut out = Vec::new();
    for day in first.iter_days().take_while(|day| *day <= last) {
        for index in 0..(24 * 60 / step) {
            let local = day.and_time(NaiveTime::MIN) + Duration::minutes(index * step);
            if let Some(at) = zone.from_local_datetime(&local).earliest().map(|at| at.with_timezone(&Utc))
                && at >= from
                && at < to
            {
                out.push(at);
            }
        }
    }
    out
}

/// The first room place free for all of `blocks`.
pub fn free_place(rooms: &[RoomTime], blocks: Interval) -> Option<(RoomId, i32)> {
    rooms.iter().find_map(|room| {
        room.places
            .iter()
            .position(|busy| !busy.overlaps(blocks))
            .and_then(|place| i32::try_from(place).ok())
            .map(|place| (room.room_id, place))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    fn berlin() -> Tz {
        chrono_tz::Europe::Berlin
    }

    fn query() -> SlotQuery {
        SlotQuery {
            zone: Tz::UTC,
            from: utc("2026-03-02T09:00:00Z"),
            to: utc("2026-03-02T11:00:00Z"),
            grid_minutes: 30,
            before: Duration::minutes(0),
            duration: Duration::minutes(30),
            after: Duration::minutes(15),
        }
    }

    #[test]
    fn a_slot_needs_room_for_its_buffers_and_no_overlap() {
        let vet = VetTime {
            vet_id: UserId::new(),
            available: Intervals::merged(vec![(utc("2026-03-02T09:00:00Z"), utc("2026-03-02T11:00:00Z"))]),
            busy: Intervals::merged(vec![(utc("2026-03-02T09:30:00Z"), utc("2026-03-02T10:00:00Z"))]),
        };
        let starts: Vec<String> =
            free_slots(&query(), &[vet], None).map(|slot| slot.starts_at.format("%H:%M").to_string()).collect();
        // 09:00 + 30 min + 15 min buffer runs into 09:30; 10:30 + 45 min runs past 11:00.
        assert_eq!(starts, ["10:00"]);
    }

    #[test]
    fn a_full_room_removes_the_slot_and_a_second_place_keeps_it() {
        let vet = VetTime {
            vet_id: UserId::new(),
            available: Intervals::merged(vec![(utc("2026-03-02T09:00:00Z"), utc("2026-03-02T11:00:00Z"))]),
            busy: Intervals::default(),
        };
        let taken = Intervals::merged(vec![(utc("2026-03-02T09:00:00Z"), utc("2026-03-02T11:00:00Z"))]);
        let one_place = RoomTime { room_id: RoomId::new(), places: vec![taken.clone()] };
        assert!(
            free_slots(&query(), std::slice::from_ref(&vet), Some(std::slice::from_ref(&one_place))).next().is_none()
        );
        let two_places = RoomTime { room_id: one_place.room_id, places: vec![taken, Intervals::default()] };
        let slots: Vec<Slot> = free_slots(&query(), &[vet], Some(&[two_places])).collect();
        assert_eq!(slots.first().and_then(|slot| slot.room), Some((one_place.room_id, 1)));
    }

    #[test]
    fn the_grid_skips_the_hour_that_does_not_exist() {
        let slots = grid(berlin(), utc("2026-03-29T00:00:00Z"), utc("2026-03-29T02:00:00Z"), 30);
        // 01:00 and 01:30 CET, then 03:00 and 03:30 CEST: 02:xx does not exist.
        let local: Vec<String> =
            slots.iter().map(|at| at.with_timezone(&berlin()).format("%H:%M").to_string()).collect();
        assert_eq!(local, ["01:00", "01:30", "03:00", "03:30"]);
    }
}
