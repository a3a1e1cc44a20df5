//! Moving an appointment through its lifecycle ([`crate::status::TRANSITIONS`]
//! decides what is allowed and by whom): confirm, check in, start, complete
//! (attaching the visit's health records), mark a no-show, cancel; and
//! [`cancel_upcoming`], cancelling on nobody's request in particular (a pet
//! removed, an owner's account erased).

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, Principal, RecordId, UserId, Valid};
use notifications::webhooks::EventType;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{AppointmentView, TransitionRequest};
use crate::availability::{self, Clinic};
use crate::models::Appointment;
use crate::service::access::{self, Actor};
use crate::service::listing::record_ids;
use crate::service::messages::{self, Change, Told};
use crate::service::{reminders, waitlist};
use crate::status::{self, Status};
use db::schema::{appointment_records, appointments};

/// Applies `request` to the appointment: 409 when the lifecycle has no such
/// move, 403 when the caller may not make it.
pub async fn transition(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    id: AppointmentId,
    request: &Valid<TransitionRequest>,
) -> kernel::Result<AppointmentView> {
    let (appointment, clinic) = db::transaction(connection, async |connection| {
        let (appointment, actor) = access::resolve(connection, principal, id, true).await?;
        let clinic = availability::clinic(connection, appointment.clinic_id).await?;
        let to = request.to;
        let Some(allowed) = appointment.status.transition_to(to) else {
            return Err(kernel::Error::Conflict {
                message: format!("an appointment cannot go from {} to {to}", appointment.status),
                details: json!({ "from": appointment.status, "to": to, "allowed": appointment.status.next() }),
            });
        };
        if allowed == status::Actor::Staff && actor != Actor::Staff {
            return Err(kernel::Error::Forbidden(format!("only the clinic can mark an appointment {to}")));
        }
        if actor == Actor::Owner {
            within_notice(&clinic, &appointment, now)?;
        }
        if to == Status::NoShow && appointment.starts_at > now {
            return Err(kernel::Error::Conflict {
                message: "an appointment can be a no-show only once it has started".to_owned(),
                details: json!({ "starts_at": appointment.starts_at }),
            });
        }
        if to == Status::Completed {
            attach_records(connection, &appointment, &request.record_ids).await?;
            // The owner's visit makes their review of the clinic a verified one.
            clinics::visits::record(connection, appointment.clinic_id, appointment.owner_id, appointment.ends_at)
                .await?;
            let completed = crate::events::AppointmentCompleted {
                appointment_id: appointment.id,
                clinic_id: appointment.clinic_id,
                pet_id: appointment.pet_id,
                owner_id: appointment.owner_id,
                service_id: appointment.service_id,
            };
            ::jobs::publish(connection, &completed).await?;
        }
        let reason = if to == Status::Cancelled { request.reason.as_deref() } else { None };
        let updated = diesel::update(appointments::table.find(id))
            .set((appointments::status.eq(to), appointments::cancel_reason.eq(reason)))
            .returning(Appointment::as_returning())
            .get_result::<Appointment>(connection)
            .await?;
        if !to.is_active() {
            reminders::cancel(connection, settings, id).await?;
        }
        let event = match to {
            Status::Cancelled => EventType::AppointmentCancelled,
            Status::Completed => EventType::AppointmentCompleted,
            _ => EventType::AppointmentChanged,
        };
        crate::events::tell_webhooks(connection, event, &updated, now).await?;
        match to {
            Status::Confirmed => messages::tell_owner(connection, &clinic, &updated, Change::Confirmed).await?,
            Status::Cancelled => {
                let (owner, vet) = (Told::Owner(Change::Cancelled), Told::Vet(Change::Cancelled));
                let told: &[Told] = if actor == Actor::Staff { &[owner, vet] } else { &[vet] };
                messages::tell(connection, &clinic, &updated, told).await?;
                waitlist::slot_freed(connection, settings, now, &clinic, &updated).await?;
            }
            _ => {}
        }
        let entry = AuditEntry::new(Some(principal.user_id), "appointment.status_changed", "appointment", id)
            .with_changes(json!({ "status": platform::audit::change(appointment.status, to), "reason": reason }));
        audit::record(connection, entry).await?;
        Ok((updated, clinic))
    })
    .await?;
    let records = record_ids(connection, id).await?;
    Ok(appointment.view(clinic.zone, records))
}

/// Cancels `upcoming` (active appointments the caller loaded `FOR UPDATE`)
/// with `reason`, as any cancellation: reminders removed, the vet told, the
/// slot offered to the waitlist; audited as `actor` (`None`: the platform).
pub async fn cancel_upcoming(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    upcoming: Vec<Appointment>,
    reason: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    for appointment in upcoming {
        let cancelled = diesel::update(appointments::table.find(appointment.id))
            .set((appointments::status.eq(Status::Cancelled), appointments::cancel_reason.eq(reason)))
            .returning(Appointment::as_returning())
            .get_result::<Appointment>(connection)
            .await?;
        reminders::cancel(connection, settings, appointment.id).await?;
        let clinic = availability::clinic(connection, appointment.clinic_id).await?;
        crate::events::tell_webhooks(connection, EventType::AppointmentCancelled, &cancelled, now).await?;
        messages::tell_vet(connection, &clinic, &cancelled, Change::Cancelled).await?;
        waitlist::slot_freed(connection, settings, now, &clinic, &cancelled).await?;
        let entry =
            AuditEntry::new(actor, "appointment.status_changed", "appointment", appointment.id).with_changes(json!({
                "status": platform::audit::change(appointment.status, Status::Cancelled),
                "reason": reason,
            }));
        audit::record(connection, entry).await?;
    }
    Ok(())
}

/// Owners change an appointment only up to the clinic's notice before it.
pub fn within_notice(clinic: &Clinic, appointment: &Appointment, now: DateTime<Utc>) -> kernel::Result<()> {
    let deadline = appointment.starts_at - Duration::hours(i64::from(clinic.cancellation_notice_hours));
    if now > deadline {
        return Err(kernel::Error::Conflict {
            message: format!(
                "owners can change an appointment up to {} hours before it; call the clinic",
                clinic.cancellation_notice_hours
            ),
            details: json!({ "deadline": deadline }),
        });
    }
    Ok(())
}

async fn attach_records(
    connection: &mut AsyncPgConnection,
    appointment: &Appointment,
    records: &[RecordId],
) -> kernel::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    if !pets::service::records::all_of_pet(connection, appointment.pet_id, records).await? {
        return Err(kernel::Error::invalid_field("record_ids", "must be health records of this appointment's pet"));
    }
    let rows: Vec<_> = records
        .iter()
        .map(|record| {
            (appointment_records::appointment_id.eq(appointment.id), appointment_records::record_id.eq(*record))
        })
        .collect();
    diesel::insert_into(appointment_records::table).values(rows).on_conflict_do_nothing().execute(connection).await?;
    Ok(())
}
