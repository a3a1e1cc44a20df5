//! A clinic's calendar: per vet, the appointments, the blocked time within
//! their hours (time off, closures) and the free time, for a day or a week.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, UserId};
use platform::config::AppointmentSettings;

use crate::api::{CalendarView, Period, RangeQuery, VetCalendar};
use kernel::Intervals;
use crate::availability::{self, Clinic, StoredRange, ranges, schedule};
use crate::service::access::STAFF;
use crate::service::check_range;
use crate::service::listing::{in_range, record_ids};
use crate::status::Status;
use db::schema::{clinic_memberships, users, vet_time_off, vets};

/// The clinic's calendar (its staff, platform admins).
pub async fn calendar(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &AppointmentSettings,
    clinic_id: ClinicId,
    query: &RangeQuery,
) -> kernel::Result<CalendarView> {
    let clinic = availability::clinic(connection, clinic_id).await?;
    principal.require_staff(clinic_id, STAFF)?;
    check_range(query.from, query.to, settings.max_range_days)?;
    let window = (query.from, query.to);
    let mut calendars = Vec::new();
    for (vet_id, name) in clinic_vets(connection, clinic_id, query.vet_id).await? {
        let time = vet_time(connection, &clinic, vet_id, window).await?;
        let appointments = in_range(connection, clinic_id, &[vet_id], window).await?;
        let booked = Intervals::merged(
            appointments
                .iter()
                .filter(|appointment| !matches!(appointment.status, Status::Cancelled | Status::NoShow))
                .map(|appointment| (appointment.starts_at, appointment.ends_at))
                .collect(),
        );
        let mut views = Vec::with_capacity(appointments.len());
        for appointment in appointments {
            let records = record_ids(connection, appointment.id).await?;
            views.push(appointment.view(clinic.zone, records));
        }
        calendars.push(VetCalendar {
            vet_id,
            name,
            appointments: views,
            blocked: periods(&time.working.subtract(&time.available)),
            free: periods(&time.available.subtract(&booked)),
        });
    }
    Ok(CalendarView { time_zone: clinic.zone.name().to_owned(), vets: calendars })
}

/// A vet's working time in a range, and what of it is available.
pub struct VetTime {
    /// Weekly hours at the clinic.
    pub working: Intervals,
    /// Working ∩ opening − time off.
    pub available: Intervals,
}

/// The vet's hours at the clinic within `window`.
pub async fn vet_time(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    vet: UserId,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> kernel::Result<VetTime> {
    let hours = availability::working_hours(connection, clinic.id, vet).await?;
    let open = availability::opening_hours(connection, clinic, from, to).await?.open(clinic.zone, from, to);
    let time_off: Vec<StoredRange> =
        vet_time_off::table.filter(vet_time_off::vet_id.eq(vet)).select(vet_time_off::period).load(connection).await?;
    let working = schedule::weekly(clinic.zone, &hours, from, to);
    let available = working.intersect(&open).subtract(&ranges(time_off, from, to));
    Ok(VetTime { working, available })
}

/// The clinic's veterinarians (or just `only`), with their display names.
pub async fn clinic_vets(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    only: Option<UserId>,
) -> kernel::Result<Vec<(UserId, String)>> {
    let mut query = clinic_memberships::table
        .inner_join(users::table)
        .left_join(vets::table.on(vets::user_id.eq(clinic_memberships::user_id)))
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .filter(clinic_memberships::role.eq(Role::Veterinarian))
        .select((clinic_memberships::user_id, vets::display_name.nullable(), users::first_name, users::last_name))
        .order(clinic_memberships::user_id)
        .into_boxed();
    if let Some(vet) = only {
        query = query.filter(clinic_memberships::user_id.eq(vet));
    }
    type Row = (UserId, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = query.load(connection).await?;
    Ok(rows
        .into_iter()
        .map(|(id, display, first, last)| {
            let name = display.unwrap_or_else(|| platform::users::display_name(first, last));
            (id, name)
        })
        .collect())
}

fn periods(intervals: &Intervals) -> Vec<Period> {
    intervals.as_slice().iter().map(|&(starts_at, ends_at)| Period { starts_at, ends_at }).collect()
}
