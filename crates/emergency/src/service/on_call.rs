//! Who is on call: shifts a vet declares for a clinic they work at (or the
//! clinic's desk puts on its rota), and "available now" switched on by the
//! vet where they are. The database refuses overlapping times for one vet
//! (409). Every change is audited.

use std::ops::Bound;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OnCallId, Principal, Role, UserId, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::api::{AvailableNow, OnCallKind, OnCallView, RotaQuery, RotaShiftRequest, ShiftRequest};
use crate::models::{OnCall, Period, at, period};
use db::schema::emergency_on_call;

/// A shift to store, checked.
struct Shift {
    vet: UserId,
    clinic: ClinicId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    radius_km: f64,
}

/// The caller declares a shift for a clinic where they are a veterinarian.
pub async fn declare(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    request: &Valid<ShiftRequest>,
) -> kernel::Result<OnCallView> {
    if principal.clinic_role(request.clinic_id) != Some(Role::Veterinarian) {
        return Err(kernel::Error::invalid_field("clinic_id", "must be a clinic where you work as a veterinarian"));
    }
    let shift = Shift {
        vet: principal.user_id,
        clinic: request.clinic_id,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        radius_km: request.radius_km,
    };
    add_shift(connection, principal, settings, now, shift).await
}

/// The clinic's desk (admins, receptionists) puts one of its vets on the rota.
pub async fn add_to_rota(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    clinic: ClinicId,
    request: &Valid<RotaShiftRequest>,
) -> kernel::Result<OnCallView> {
    clinic_desk(connection, principal, clinic).await?;
    if clinics::scheduling::vets_with_names(connection, clinic, Some(request.vet_id)).await?.is_empty() {
        return Err(kernel::Error::invalid_field("vet_id", "must be a veterinarian of this clinic"));
    }
    let shift = Shift {
        vet: request.vet_id,
        clinic,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        radius_km: request.radius_km,
    };
    add_shift(connection, principal, settings, now, shift).await
}

async fn add_shift(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    shift: Shift,
) -> kernel::Result<OnCallView> {
    if shift.ends_at <= now {
        return Err(kernel::Error::invalid_field("ends_at", "must be in the future"));
    }
    if shift.ends_at - shift.starts_at > Duration::hours(settings.max_shift_hours) {
        return Err(kernel::Error::invalid_field(
            "ends_at",
            format!("a shift lasts at most {} hours", settings.max_shift_hours),
        ));
    }
    if shift.starts_at > now + Duration::days(settings.shift_horizon_days) {
        return Err(kernel::Error::invalid_field(
            "starts_at",
            format!("at most {} days ahead", settings.shift_horizon_days),
        ));
    }
    let clinic = clinics::service::clinics::get(connection, Some(principal), shift.clinic).await?;
    let row = OnCall {
        id: OnCallId::new(),
        vet_id: shift.vet,
        clinic_id: shift.clinic,
        kind: OnCallKind::Shift,
        period: period(shift.starts_at.max(now), shift.ends_at),
        latitude: clinic.profile.location.latitude,
        longitude: clinic.profile.location.longitude,
        radius_km: shift.radius_km,
        created_by: Some(principal.user_id),
    };
    insert(connection, principal, row).await
}

/// Switches "available now" on (until `emergency.available_now_hours` from
/// now, replacing an earlier one) or off (ending it now).
pub async fn set_available_now(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    request: &Valid<AvailableNow>,
) -> kernel::Result<Option<OnCallView>> {
    db::transaction(connection, async |connection| {
        end_available_now(connection, principal.user_id, now).await?;
        let on = (request.clinic_id, request.location, request.radius_km);
        // Switching on without all three is refused by the request's validation.
        let (true, Some(clinic), Some(location), Some(radius_km)) = (request.available, on.0, on.1, on.2) else {
            let entry = AuditEntry::new(Some(principal.user_id), "emergency.unavailable", "user", principal.user_id);
            audit::record(connection, entry).await?;
            return Ok(None);
        };
        if principal.clinic_role(clinic) != Some(Role::Veterinarian) {
            return Err(kernel::Error::invalid_field("clinic_id", "must be a clinic where you work as a veterinarian"));
        }
        let row = OnCall {
            id: OnCallId::new(),
            vet_id: principal.user_id,
            clinic_id: clinic,
            kind: OnCallKind::AvailableNow,
            period: period(now, now + Duration::hours(settings.available_now_hours)),
            latitude: location.latitude,
            longitude: location.longitude,
            radius_km,
            created_by: Some(principal.user_id),
        };
        insert(connection, principal, row).await.map(Some)
    })
    .await
}

/// Ends the vet's current "available now" at `now`.
async fn end_available_now(connection: &mut AsyncPgConnection, vet: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
    let current = emergency_on_call::table
        .filter(emergency_on_call::vet_id.eq(vet))
        .filter(emergency_on_call::kind.eq(OnCallKind::AvailableNow))
        .filter(emergency_on_call::period.overlaps_with(not_over(now)));
    let rows: Vec<OnCall> = current.select(OnCall::as_select()).load(connection).await?;
    for row in rows {
        end_now(connection, &row, now).await?;
    }
    Ok(())
}

/// Ends an on-call time at `now`: one not started yet goes, one under way
/// keeps its past (the record of it stays).
async fn end_now(connection: &mut AsyncPgConnection, row: &OnCall, now: DateTime<Utc>) -> kernel::Result<()> {
    let starts = at(row.period.0);
    if starts >= now {
        diesel::delete(emergency_on_call::table.find(row.id)).execute(connection).await?;
    } else {
        diesel::update(emergency_on_call::table.find(row.id))
            .set(emergency_on_call::period.eq(period(starts, now)))
            .execute(connection)
            .await?;
    }
    Ok(())
}

async fn insert(connection: &mut AsyncPgConnection, principal: &Principal, row: OnCall) -> kernel::Result<OnCallView> {
    db::transaction(connection, async |connection| {
        diesel::insert_into(emergency_on_call::table).values(&row).execute(connection).await.map_err(|error| {
            match kernel::Error::from(error) {
                kernel::Error::Conflict { .. } => kernel::Error::conflict("the vet is already on call at that time"),
                other => other,
            }
        })?;
        let changes = json!({ "clinic_id": row.clinic_id, "vet_id": row.vet_id, "kind": row.kind.as_str() });
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.on_call_added", "emergency_on_call", row.id)
                .with_changes(changes),
        )
        .await?;
        let mut views = views(connection, vec![row]).await?;
        views.pop().ok_or(kernel::Error::NotFound { resource: "on-call entry" })
    })
    .await
}

/// The caller's on-call times that have not ended, soonest first.
pub async fn mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    now: DateTime<Utc>,
) -> kernel::Result<Vec<OnCallView>> {
    let rows = emergency_on_call::table
        .filter(emergency_on_call::vet_id.eq(principal.user_id))
        .filter(emergency_on_call::period.overlaps_with(not_over(now)))
        .order(emergency_on_call::period)
        .select(OnCall::as_select())
        .load(connection)
        .await?;
    views(connection, rows).await
}

/// The clinic's rota over the query's window (its staff).
pub async fn rota(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    now: DateTime<Utc>,
    clinic: ClinicId,
    query: &RotaQuery,
) -> kernel::Result<Vec<OnCallView>> {
    clinics::service::clinics::get(connection, Some(principal), clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let from = query.from.unwrap_or(now);
    let to = query.to.unwrap_or(from + Duration::days(7));
    appointments::service::check_range(from, to, 31)?;
    let rows = emergency_on_call::table
        .filter(emergency_on_call::clinic_id.eq(clinic))
        .filter(emergency_on_call::period.overlaps_with(period(from, to)))
        .order(emergency_on_call::period)
        .select(OnCall::as_select())
        .load(connection)
        .await?;
    views(connection, rows).await
}

/// Removes an on-call time (the vet, or their clinic's desk); one already
/// under way ends now instead, so the record of it stays.
pub async fn remove(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    now: DateTime<Utc>,
    clinic: Option<ClinicId>,
    id: OnCallId,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let row: OnCall = emergency_on_call::table
            .find(id)
            .select(OnCall::as_select())
            .for_update()
            .first(connection)
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "on-call entry" })?;
        match clinic {
            Some(clinic) if row.clinic_id == clinic => clinic_desk(connection, principal, clinic).await?,
            None if row.vet_id == principal.user_id => {}
            _ => return Err(kernel::Error::NotFound { resource: "on-call entry" }),
        }
        if at(row.period.1) <= now {
            return Err(kernel::Error::conflict("this on-call time is over"));
        }
        end_now(connection, &row, now).await?;
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.on_call_removed", "emergency_on_call", id),
        )
        .await
    })
    .await
}

/// `Forbidden` unless the caller runs the clinic's desk (or is a platform
/// admin); `NotFound` for a clinic they cannot see.
async fn clinic_desk(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<()> {
    clinics::service::clinics::get(connection, Some(principal), clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_DESK)
}

/// Periods not over at `now`.
fn not_over(now: DateTime<Utc>) -> Period {
    (Bound::Excluded(now), Bound::Unbounded)
}

async fn views(connection: &mut AsyncPgConnection, rows: Vec<OnCall>) -> kernel::Result<Vec<OnCallView>> {
    let ids: Vec<UserId> = rows.iter().map(|row| row.vet_id).collect();
    let names = platform::users::names(connection, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| OnCallView {
            id: row.id,
            vet_id: row.vet_id,
            vet_name: names.get(&row.vet_id).map(platform::users::Name::display),
            clinic_id: row.clinic_id,
            kind: row.kind,
            starts_at: at(row.period.0),
            ends_at: at(row.period.1),
            location: chat::api::Location { latitude: row.latitude, longitude: row.longitude },
            radius_km: row.radius_km,
        })
        .collect())
}
