//! Moving an appointment to another time (or vet), in place: its id stays, the
//! audit log keeps where it was, the constraints re-check the new slot, and
//! reminders and notifications follow.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AppointmentId, Principal, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{AppointmentView, RescheduleRequest};
use crate::availability;
use crate::availability::slots::free_slots;
use crate::models::Appointment;
use crate::service::access::{self, Actor};
use crate::service::booking::{check_start, unavailable};
use crate::service::lifecycle::within_notice;
use crate::service::listing::record_ids;
use crate::service::messages::{self, Change, Told};
use crate::service::{reminders, waitlist};
use crate::status::Status;
use db::schema::appointments;
use notifications::webhooks::EventType;

/// Moves a requested or confirmed appointment (owners within the clinic's
/// notice, staff any time before it starts); 409 when the new slot is taken.
pub async fn reschedule(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    now: DateTime<Utc>,
    id: AppointmentId,
    request: &Valid<RescheduleRequest>,
) -> kernel::Result<AppointmentView> {
    let (moved, clinic) = db::transaction(connection, async |connection| {
        let (before, actor) = access::resolve(connection, principal, id, true).await?;
        let clinic = availability::bookable_clinic(connection, before.clinic_id).await?;
        if !matches!(before.status, Status::Requested | Status::Confirmed) {
            return Err(kernel::Error::Conflict {
                message: format!("a {} appointment cannot be moved", before.status),
                details: json!({ "status": before.status }),
            });
        }
        if actor == Actor::Owner {
            within_notice(&clinic, &before, now)?;
        }
        check_start(settings, now, &clinic, actor, request.starts_at)?;
        let service = availability::service(connection, before.service_id).await?;
        let vet = request.vet_id.unwrap_or(before.vet_id);
        if !service.vets.contains(&vet) {
            return Err(kernel::Error::invalid_field("vet_id", "does not perform this service at this clinic"));
        }
        let window = (request.starts_at, request.starts_at + Duration::minutes(1));
        let (query, vets, rooms) =
            availability::load(connection, &clinic, &service, &[vet], window, settings.slot_minutes, Some(id)).await?;
        let blocks = query.blocks(request.starts_at);
        let Some(slot) = free_slots(&query, &vets, rooms.as_deref()).find(|slot| slot.starts_at == request.starts_at)
        else {
            return Err(unavailable(connection, &[vet], blocks, None).await?);
        };
        let range = (std::ops::Bound::Included(blocks.0), std::ops::Bound::Excluded(blocks.1));
        let moved = db::transaction(connection, async |connection| {
            Ok(diesel::update(appointments::table.find(id))
                .set((
                    appointments::vet_id.eq(slot.vet_id),
                    appointments::starts_at.eq(slot.starts_at),
                    appointments::ends_at.eq(slot.ends_at),
                    appointments::blocks.eq(range),
                    appointments::room_id.eq(slot.room.map(|(room, _)| room.0)),
                    appointments::room_place.eq(slot.room.map(|(_, place)| place)),
                ))
                .returning(Appointment::as_returning())
                .get_result::<Appointment>(connection)
                .await?)
        })
        .await;
        let moved = match moved {
            Ok(moved) => moved,
            Err(kernel::Error::Conflict { details, .. }) => {
                return Err(unavailable(connection, &[vet], blocks, Some(details)).await?);
            }
            Err(other) => return Err(other),
        };
        // The moved reminders and every notice's deliveries: one batch of jobs.
        let mut jobs = jobs::Batch::default();
        reminders::reschedule(connection, &mut jobs, settings, now, id, moved.starts_at).await?;
        crate::events::tell_webhooks(connection, EventType::AppointmentChanged, &moved, now).await?;
        let change = Change::Rescheduled(before.starts_at);
        let told: &[Told] =
            if actor == Actor::Staff { &[Told::Owner(change), Told::Vet(change)] } else { &[Told::Vet(change)] };
        let pet_name = pets::service::pets::name_of(connection, moved.pet_id).await?;
        messages::tell_naming(connection, &clinic, &moved, &pet_name, told, &mut jobs).await?;
        if before.vet_id != moved.vet_id {
            let told = [Told::Vet(Change::Cancelled)];
            messages::tell_naming(connection, &clinic, &before, &pet_name, &told, &mut jobs).await?;
        }
        jobs.enqueue(connection).await?;
        waitlist::slot_freed(connection, settings, now, &clinic, &before).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "appointment.rescheduled", "appointment", id)
            .with_changes(json!({
                "starts_at": platform::audit::change(before.starts_at, moved.starts_at),
                "vet_id": platform::audit::change(before.vet_id, moved.vet_id),
            }));
        audit::record(connection, entry).await?;
        Ok((moved, clinic))
    })
    .await?;
    let records = record_ids(connection, id).await?;
    Ok(moved.view(clinic.zone, records))
}
