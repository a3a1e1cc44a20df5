//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use kernel::{AppointmentId, ClinicId, PetId, RecordId, RoomId, SeriesId, ServiceId, UserId};

use crate::api::AppointmentView;
use crate::status::Status;
use db::schema::appointments;

/// An `appointments` row (without its range and reminder bookkeeping).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = appointments, check_for_backend(diesel::pg::Pg))]
pub struct Appointment {
    pub id: AppointmentId,
    pub clinic_id: ClinicId,
    pub service_id: ServiceId,
    pub vet_id: UserId,
    pub pet_id: PetId,
    pub owner_id: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room_id: Option<RoomId>,
    pub status: Status,
    pub overbooked: bool,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub series_id: Option<SeriesId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Appointment {
    /// The API view, in the clinic's zone.
    pub fn view(self, zone: Tz, record_ids: Vec<RecordId>) -> AppointmentView {
        AppointmentView {
            id: self.id,
            clinic_id: self.clinic_id,
            service_id: self.service_id,
            vet_id: self.vet_id,
            pet_id: self.pet_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: zone.name().to_owned(),
            local_start: local(zone, self.starts_at),
            status: self.status,
            next_statuses: self.status.next(),
            room_id: self.room_id,
            overbooked: self.overbooked,
            notes: self.notes,
            cancel_reason: self.cancel_reason,
            series_id: self.series_id,
            record_ids,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `YYYY-MM-DDTHH:MM` on the clinic's clock.
pub fn local(zone: Tz, at: DateTime<Utc>) -> String {
    kernel::dates::minute(&at.with_timezone(&zone).naive_local())
}

/// A readable local time for messages, e.g. `Mon 30 Mar 2026, 09:00`.
pub fn spoken(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%a %-d %b %Y, %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_is_the_minute_on_the_clinics_clock() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        // Paris moved to summer time at 01:00 UTC that day.
        assert_eq!(local(chrono_tz::Europe::Paris, at("2026-03-29T00:59:59Z")), "2026-03-29T01:59");
        assert_eq!(local(chrono_tz::Europe::Paris, at("2026-03-29T01:00:00Z")), "2026-03-29T03:00");
        assert_eq!(local(chrono_tz::Pacific::Kiritimati, at("2026-12-31T10:05:00Z")), "2027-01-01T00:05");
    }
}
