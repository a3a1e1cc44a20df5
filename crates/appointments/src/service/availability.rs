//! `GET /availability`: free slots of one vet or of every qualified vet.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use kernel::Principal;

use crate::api::{AvailabilityQuery, AvailabilityView, SlotView};
use crate::availability;
use crate::availability::slots::free_slots;
use crate::models::local;
use crate::service::check_range;

/// Free slots in `[from, to)`, from the minimum notice on (anyone may ask;
/// slots are not personal data).
pub async fn search(
    connection: &mut AsyncPgConnection,
    _principal: Option<&Principal>,
    settings: &Settings,
    now: DateTime<Utc>,
    query: &AvailabilityQuery,
) -> kernel::Result<AvailabilityView> {
    check_range(query.from, query.to, settings.max_range_days)?;
    let service = availability::service(connection, query.service_id).await?;
    if service.clinic_id != query.clinic_id {
        return Err(kernel::Error::NotFound { resource: "service at this clinic" });
    }
    let clinic = availability::bookable_clinic(connection, query.clinic_id).await?;
    let qualified = availability::qualified_vets(connection, &service).await?;
    let vets: Vec<_> = match query.vet_id {
        Some(vet) if qualified.contains(&vet) => vec![vet],
        Some(_) => return Err(kernel::Error::NotFound { resource: "vet performing this service" }),
        None => qualified,
    };
    let from = query.from.max(now + Duration::minutes(settings.min_notice_minutes));
    let to = query.to.min(now + Duration::days(settings.horizon_days));
    if from >= to {
        return Ok(AvailabilityView { time_zone: clinic.zone.name().to_owned(), slots: Vec::new() });
    }
    let (slot_query, times, rooms) =
        availability::load(connection, &clinic, &service, &vets, (from, to), settings.slot_minutes, None).await?;
    let slots = free_slots(&slot_query, &times, rooms.as_deref())
        .into_iter()
        .map(|slot| SlotView {
            vet_id: slot.vet_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            local_start: local(clinic.zone, slot.starts_at),
        })
        .collect();
    Ok(AvailabilityView { time_zone: clinic.zone.name().to_owned(), slots })
}
