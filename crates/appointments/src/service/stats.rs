//! Per-clinic scheduling statistics for its admins: bookings, cancellations,
//! no-show rate and utilisation of the vets' available time.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role};

use crate::Settings;
use crate::api::{RangeQuery, StatsView};
use crate::availability;
use crate::service::check_range;
use crate::status::Status;
use db::schema::appointments;

/// Statistics of appointments starting in the range (clinic admins, platform admins).
pub async fn stats(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    clinic_id: ClinicId,
    query: &RangeQuery,
) -> kernel::Result<StatsView> {
    let clinic = availability::clinic(connection, clinic_id).await?;
    principal.require_staff(clinic_id, Role::CLINIC_ADMINS)?;
    check_range(query.from, query.to, settings.max_range_days)?;
    let mut rows = appointments::table
        .filter(appointments::clinic_id.eq(clinic_id))
        .filter(appointments::starts_at.ge(query.from))
        .filter(appointments::starts_at.lt(query.to))
        .select((appointments::status, appointments::starts_at, appointments::ends_at))
        .into_boxed();
    if let Some(vet) = query.vet_id {
        rows = rows.filter(appointments::vet_id.eq(vet));
    }
    let rows: Vec<(Status, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> =
        rows.load(connection).await?;
    let count =
        |status: Status| i64::try_from(rows.iter().filter(|(stored, ..)| *stored == status).count()).unwrap_or(0);
    let bookings = i64::try_from(rows.len()).unwrap_or(0);
    let (completed, cancelled, no_shows) = (count(Status::Completed), count(Status::Cancelled), count(Status::NoShow));
    let booked_minutes = rows
        .iter()
        .filter(|(status, ..)| *status != Status::Cancelled)
        .map(|(_, starts, ends)| (*ends - *starts).num_minutes())
        .sum();
    let vets: Vec<_> = clinics::scheduling::vets_with_names(connection, clinic_id, query.vet_id)
        .await?
        .into_iter()
        .map(|(vet, _)| vet)
        .collect();
    let schedules = clinics::scheduling::vet_schedules(connection, &clinic, &vets, (query.from, query.to)).await?;
    let available_minutes = schedules.iter().map(|schedule| schedule.available.minutes()).sum();
    let ratio = |part: i64, whole: i64| if whole > 0 { part as f64 / whole as f64 } else { 0.0 };
    Ok(StatsView {
        bookings,
        completed,
        cancelled,
        no_shows,
        no_show_rate: ratio(no_shows, completed + no_shows),
        cancellation_rate: ratio(cancelled, bookings),
        booked_minutes,
        available_minutes,
        utilisation: ratio(booked_minutes, available_minutes),
    })
}
