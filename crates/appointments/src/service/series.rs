//! Recurring appointments: the same local time every few weeks, each
//! occurrence booked on its own so a conflict is reported, not dropped; cancel
//! one like any appointment, or every future one of the series at once.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Principal, SeriesId, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{CancelRequest, SeriesConflict, SeriesRequest, SeriesView, TransitionRequest};
use crate::availability;
use crate::service::booking::{Booking, book_within};
use crate::service::lifecycle::transition;
use crate::status::{ACTIVE, Status};
use clinics::schedule::to_utc;
use db::schema::{appointment_series, appointments};

/// Books the series: every occurrence that can be booked is, the rest come
/// back as conflicts with their reason.
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    request: &Valid<SeriesRequest>,
) -> kernel::Result<SeriesView> {
    let (_, clinic) = availability::bookable_service(connection, request.service_id).await?;
    crate::service::access::booker(connection, principal, request.pet_id, clinic.id).await?;
    let series_id = SeriesId::new();
    diesel::insert_into(appointment_series::table)
        .values((
            appointment_series::id.eq(series_id),
            appointment_series::clinic_id.eq(clinic.id),
            appointment_series::pet_id.eq(request.pet_id),
            appointment_series::interval_weeks.eq(request.interval_weeks),
            appointment_series::created_by.eq(principal.user_id),
        ))
        .execute(connection)
        .await?;
    let first_local = request.first_starts_at.with_timezone(&clinic.zone).naive_local();
    let (mut booked, mut conflicts) = (Vec::new(), Vec::new());
    for occurrence in 0..request.count {
        let local = first_local + Duration::weeks(i64::from(occurrence * request.interval_weeks));
        let starts_at = to_utc(clinic.zone, local);
        let booking = Booking {
            pet: request.pet_id,
            service: request.service_id,
            vet: Some(request.vet_id),
            starts_at,
            notes: request.notes.clone(),
            overbook: false,
            series: Some(series_id),
        };
        let outcome = db::transaction(connection, async |connection| {
            book_within(connection, principal, settings, now, &booking).await
        })
        .await;
        match outcome {
            Ok((appointment, _)) => booked.push(appointment.view(clinic.zone, Vec::new())),
            Err(kernel::Error::Internal(cause)) => return Err(kernel::Error::Internal(cause)),
            Err(kernel::Error::Unavailable { dependency }) => return Err(kernel::Error::Unavailable { dependency }),
            Err(refused) => conflicts.push(SeriesConflict { starts_at, reason: reason(&refused) }),
        }
    }
    Ok(SeriesView { series_id, booked, conflicts })
}

/// Cancels every occurrence of the series still to come; returns how many.
pub async fn cancel_future(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    series: SeriesId,
    request: &Valid<CancelRequest>,
) -> kernel::Result<usize> {
    let future: Vec<kernel::AppointmentId> = appointments::table
        .filter(appointments::series_id.eq(series))
        .filter(appointments::status.eq_any(ACTIVE))
        .filter(appointments::starts_at.gt(now))
        .select(appointments::id)
        .order(appointments::starts_at)
        .load(connection)
        .await?;
    let Some(first) = <[_]>::first(&future) else {
        return Err(kernel::Error::NotFound { resource: "series with upcoming appointments" });
    };
    // Access and the owner's notice are checked on the first like on each.
    crate::service::access::resolve(connection, principal, *first, false).await?;
    let cancel = Valid::new(TransitionRequest {
        to: Status::Cancelled,
        reason: request.reason.clone(),
        record_ids: Vec::new(),
    })?;
    for id in &future {
        transition(connection, principal, settings, now, *id, &cancel).await?;
    }
    let entry = AuditEntry::new(Some(principal.user_id), "appointment.series_cancelled", "appointment_series", series)
        .with_changes(json!({ "cancelled": future.len() }));
    audit::record(connection, entry).await?;
    Ok(future.len())
}

/// What to tell the client about an occurrence that was refused.
fn reason(error: &kernel::Error) -> String {
    match error {
        kernel::Error::Validation(fields) => fields
            .iter()
            .flat_map(|(field, problems)| problems.iter().map(move |problem| format!("{field} {problem}")))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
