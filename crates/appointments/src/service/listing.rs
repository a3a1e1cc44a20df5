//! Reading appointments: one, and an owner's upcoming or past ones.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, ClinicId, Page, PageRequest, Principal, RecordId};

use crate::api::{AppointmentFilter, AppointmentView, Scope};
use crate::availability;
use crate::models::Appointment;
use crate::service::access;
use db::schema::{appointment_records, appointments};

/// One appointment (its pet's owners, the clinic's staff, platform admins).
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: AppointmentId,
) -> kernel::Result<AppointmentView> {
    let (appointment, _) = access::resolve(connection, principal, id, false).await?;
    let zone = availability::clinic(connection, appointment.clinic_id).await?.zone;
    let records = record_ids(connection, id).await?;
    Ok(appointment.view(zone, records))
}

/// The caller's pets' appointments: upcoming soonest first, or past latest
/// first (keyset on `(starts_at, id)`).
pub async fn mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    now: DateTime<Utc>,
    filter: &AppointmentFilter,
    page: &PageRequest,
) -> kernel::Result<Page<AppointmentView>> {
    let me = principal.user_id;
    let co_owned = pets::service::pets::co_owned_by(connection, me).await?;
    let scope = filter.scope.unwrap_or_default();
    let mut query = appointments::table
        .filter(appointments::owner_id.eq(me).or(appointments::pet_id.eq_any(co_owned)))
        .select(Appointment::as_select())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(pet) = filter.pet_id {
        query = query.filter(appointments::pet_id.eq(pet));
    }
    query = match scope {
        Scope::Upcoming => {
            query.filter(appointments::starts_at.ge(now)).order((appointments::starts_at.asc(), appointments::id.asc()))
        }
        Scope::Past => query
            .filter(appointments::starts_at.lt(now))
            .order((appointments::starts_at.desc(), appointments::id.desc())),
    };
    if let Some(after) = page.after {
        let comparison = if scope == Scope::Upcoming { ">" } else { "<" };
        query = query.filter(
            diesel::dsl::sql::<Bool>(&format!("(appointments.starts_at, appointments.id) {comparison} (SELECT a.starts_at, a.id FROM appointments a WHERE a.id = "))
                .bind::<SqlUuid, _>(after)
                .sql(")"),
        );
    }
    let rows = query.load::<Appointment>(connection).await?;
    let page_rows = Page::from_rows(rows, page, |appointment| appointment.id.0);
    let items = views(connection, page_rows.items).await?;
    Ok(Page { items, next_cursor: page_rows.next_cursor })
}

/// The API views of `appointments`, each in its clinic's zone with its records.
pub async fn views(
    connection: &mut AsyncPgConnection,
    appointments: Vec<Appointment>,
) -> kernel::Result<Vec<AppointmentView>> {
    let mut items = Vec::with_capacity(appointments.len());
    let mut zones: Vec<(ClinicId, chrono_tz::Tz)> = Vec::new();
    for appointment in appointments {
        let zone = match zones.iter().find(|(clinic, _)| *clinic == appointment.clinic_id) {
            Some((_, zone)) => *zone,
            None => {
                let zone = availability::clinic(connection, appointment.clinic_id).await?.zone;
                zones.push((appointment.clinic_id, zone));
                zone
            }
        };
        let records = record_ids(connection, appointment.id).await?;
        items.push(appointment.view(zone, records));
    }
    Ok(items)
}

/// The health records attached to an appointment.
pub async fn record_ids(connection: &mut AsyncPgConnection, id: AppointmentId) -> kernel::Result<Vec<RecordId>> {
    Ok(appointment_records::table
        .filter(appointment_records::appointment_id.eq(id))
        .select(appointment_records::record_id)
        .order(appointment_records::record_id)
        .load(connection)
        .await?)
}

/// Appointments of `vets` at `clinic` overlapping `[from, to)`, by start.
pub async fn in_range(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    vets: &[kernel::UserId],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> kernel::Result<Vec<Appointment>> {
    Ok(appointments::table
        .filter(appointments::clinic_id.eq(clinic))
        .filter(appointments::vet_id.eq_any(vets))
        .filter(appointments::starts_at.lt(to))
        .filter(appointments::starts_at.gt(from - crate::availability::LONGEST_BOOKING))
        .filter(appointments::ends_at.gt(from))
        .order((appointments::starts_at, appointments::id))
        .select(Appointment::as_select())
        .load(connection)
        .await?)
}
