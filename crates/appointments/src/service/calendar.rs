//! A clinic's calendar: per vet, the appointments, the blocked time within
//! their hours (time off, closures) and the free time, for a day or a week.

use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, Intervals, Principal, Role};

use crate::Settings;
use crate::api::{CalendarView, Period, RangeQuery, VetCalendar};
use crate::availability;
use crate::service::check_range;
use crate::service::listing::{in_range, record_ids};
use crate::status::Status;

/// The clinic's calendar (its staff, platform admins).
pub async fn calendar(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic_id: ClinicId,
    query: &RangeQuery,
) -> kernel::Result<CalendarView> {
    let clinic = availability::clinic(connection, clinic_id).await?;
    principal.require_staff(clinic_id, Role::CLINIC_STAFF)?;
    check_range(query.from, query.to, settings.max_range_days)?;
    let window = (query.from, query.to);
    let vets = clinics::scheduling::vets_with_names(connection, clinic_id, query.vet_id).await?;
    let ids: Vec<_> = vets.iter().map(|(vet_id, _)| *vet_id).collect();
    let schedules = clinics::scheduling::vet_schedules(connection, &clinic, &ids, window).await?;
    let mut calendars = Vec::new();
    for ((vet_id, name), time) in vets.into_iter().zip(schedules) {
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

fn periods(intervals: &Intervals) -> Vec<Period> {
    intervals.as_slice().iter().map(|&(starts_at, ends_at)| Period { starts_at, ends_at }).collect()
}
