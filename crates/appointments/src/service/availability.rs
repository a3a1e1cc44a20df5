//! `GET /availability`: free slots of one vet or of every qualified vet; and
//! the first free slot, for searches that only need to know when.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use kernel::Principal;

use crate::api::{AvailabilityQuery, AvailabilityView, SlotView};
use crate::availability;
use crate::availability::slots::{RoomTime, Slot, SlotQuery, VetTime, free_slots};
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
    let inputs = load(connection, settings, now, query).await?;
    let slots = inputs.slots().map(|slot| inputs.view(slot)).collect();
    Ok(AvailabilityView { time_zone: inputs.zone.name().to_owned(), slots })
}

/// The earliest free slot [`search`] would list, without computing the others.
pub async fn first_free(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    query: &AvailabilityQuery,
) -> kernel::Result<Option<SlotView>> {
    let inputs = load(connection, settings, now, query).await?;
    Ok(inputs.slots().next().map(|slot| inputs.view(slot)))
}

/// What the slot engine needs for one query (`None` when its bounds leave
/// no time to look at).
struct Inputs {
    zone: Tz,
    times: Option<(SlotQuery, Vec<VetTime>, Option<Vec<RoomTime>>)>,
}

impl Inputs {
    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.times.iter().flat_map(|(query, vets, rooms)| free_slots(query, vets, rooms.as_deref()))
    }

    fn view(&self, slot: Slot) -> SlotView {
        SlotView {
            vet_id: slot.vet_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            local_start: local(self.zone, slot.starts_at),
        }
    }
}

async fn load(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    query: &AvailabilityQuery,
) -> kernel::Result<Inputs> {
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
        return Ok(Inputs { zone: clinic.zone, times: None });
    }
    let times =
        availability::load(connection, &clinic, &service, &vets, (from, to), settings.slot_minutes, None).await?;
    Ok(Inputs { zone: clinic.zone, times: Some(times) })
}
