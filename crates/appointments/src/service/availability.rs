//! `GET /availability`: free slots of one vet or of every qualified vet; and
//! the first free slot of several services at once, for searches that only
//! need to know when.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use kernel::{Principal, UserId};

use crate::api::{AvailabilityQuery, AvailabilityView, SlotView};
use crate::availability::slots::{Slot, free_slots};
use crate::availability::{self, Clinic, Loaded, Service, Wanted};
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
    let inputs = kernel::single(load_each(connection, settings, now, std::slice::from_ref(query)).await?)??;
    let slots = inputs.slots().map(|slot| inputs.view(slot)).collect();
    Ok(AvailabilityView { time_zone: inputs.zone.name().to_owned(), slots })
}

/// The earliest free slot [`search`] would list for each query, without
/// computing the others, in a fixed number of queries however many there
/// are; `None` where there is none (or the clinic or service is gone).
pub async fn first_free_each(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    queries: &[AvailabilityQuery],
) -> kernel::Result<Vec<Option<SlotView>>> {
    load_each(connection, settings, now, queries)
        .await?
        .into_iter()
        .map(|inputs| match inputs {
            Ok(inputs) => Ok(inputs.slots().next().map(|slot| inputs.view(slot))),
            Err(kernel::Error::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        })
        .collect()
}

/// What the slot engine needs for one query (`None` when its bounds leave
/// no time to look at).
struct Inputs {
    zone: Tz,
    times: Option<Loaded>,
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

/// A query checked against what exists: its clinic, service, vets and the
/// bounds to look within.
struct Checked<'a> {
    clinic: &'a Clinic,
    service: &'a Service,
    vets: Vec<UserId>,
    range: (DateTime<Utc>, DateTime<Utc>),
}

/// The inputs of each query, or why it has none (a validation error or
/// `NotFound`), in the order given, read from one snapshot.
async fn load_each(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    queries: &[AvailabilityQuery],
) -> kernel::Result<Vec<kernel::Result<Inputs>>> {
    db::snapshot(connection, async |connection| read_each(connection, settings, now, queries).await).await
}

/// [`load_each`]'s reads.
async fn read_each(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    queries: &[AvailabilityQuery],
) -> kernel::Result<Vec<kernel::Result<Inputs>>> {
    let service_ids: Vec<_> = queries.iter().map(|query| query.service_id).collect();
    let services = availability::services_at_clinics(connection, &service_ids).await?;
    let found: Vec<kernel::Result<(&Clinic, &Service)>> =
        queries.iter().map(|query| find(query, &services, settings)).collect();
    let checked: Vec<kernel::Result<Checked>> = queries
        .iter()
        .zip(found)
        .map(|(query, found)| {
            let (clinic, service) = found?;
            let vets = match query.vet_id {
                Some(vet) if service.vets.contains(&vet) => vec![vet],
                Some(_) => return Err(kernel::Error::NotFound { resource: "vet performing this service" }),
                None => service.vets.clone(),
            };
            let from = query.from.max(now + Duration::minutes(settings.min_notice_minutes));
            let to = query.to.min(now + Duration::days(settings.horizon_days));
            Ok(Checked { clinic, service, vets, range: (from, to) })
        })
        .collect();
    let wanted: Vec<Wanted> = checked
        .iter()
        .flatten()
        .filter(|one| one.range.0 < one.range.1)
        .map(|one| Wanted { clinic: one.clinic, service: one.service, vets: &one.vets, range: one.range })
        .collect();
    let mut loaded = availability::load_each(connection, &wanted, settings.slot_minutes, None).await?.into_iter();
    Ok(checked
        .into_iter()
        .map(|one| {
            let one = one?;
            let times = if one.range.0 < one.range.1 { loaded.next() } else { None };
            Ok(Inputs { zone: one.clinic.zone, times })
        })
        .collect())
}

/// The clinic and service `query` names, as [`search`] has always refused
/// them: a range too long, an unknown service, one of another clinic, a
/// deactivated clinic.
fn find<'a>(
    query: &AvailabilityQuery,
    services: &'a [(Service, Clinic)],
    settings: &Settings,
) -> kernel::Result<(&'a Clinic, &'a Service)> {
    check_range(query.from, query.to, settings.max_range_days)?;
    let (service, clinic) = services
        .iter()
        .find(|(service, _)| service.id == query.service_id)
        .ok_or(kernel::Error::NotFound { resource: "service" })?;
    if service.clinic_id != query.clinic_id {
        return Err(kernel::Error::NotFound { resource: "service at this clinic" });
    }
    clinic.ensure_bookable()?;
    Ok((clinic, service))
}
