//! `GET /clinics/nearest-available`: the nearest clinics with a free slot for
//! a kind of service soon, each with its first free slot.
//!
//! The geo search gives the nearest clinics offering the service, at most
//! `emergency.nearest_available_candidates` of them; the availability engine
//! then finds the first free slot of each in one batch (a fixed number of
//! queries however many clinics there are), and the nearest ones with a slot
//! are kept.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, PageRequest, Valid};

use crate::Settings;
use crate::api::{AvailableClinic, NearestAvailableQuery};
use appointments::api::AvailabilityQuery;

/// How far the search looks, in kilometres.
const SEARCH_RADIUS_KM: f64 = 100.0;

/// Clinics wanted when `limit` is not given.
const DEFAULT_LIMIT: u32 = 5;

/// The nearest clinics with a free slot before the window's end.
pub async fn nearest_available(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    scheduling: &appointments::Settings,
    now: DateTime<Utc>,
    query: &Valid<NearestAvailableQuery>,
) -> kernel::Result<Vec<AvailableClinic>> {
    let window = Window::parse(query.within.as_deref(), settings.nearest_available_max_hours)?;
    let search = clinics::api::ClinicSearch {
        near: Some(query.near.clone()),
        radius_km: Some(SEARCH_RADIUS_KM),
        service: Some(query.service),
        species: query.species,
        ..Default::default()
    };
    let page = PageRequest::new(Some(settings.nearest_available_candidates), None).map_err(kernel::Error::internal)?;
    let nearest = clinics::service::search::clinics(connection, &Valid::new(search)?, &page).await?.items;
    let ids: Vec<ClinicId> = nearest.iter().map(|clinic| clinic.id).collect();
    let services = clinics::scheduling::services_of_kind(connection, &ids, query.service, query.species).await?;
    let mut named = Vec::with_capacity(services.len());
    let mut searches = Vec::with_capacity(services.len());
    for (clinic_id, service_id, name) in services {
        let Some(clinic) = nearest.iter().find(|clinic| clinic.id == clinic_id) else { continue };
        let zone: chrono_tz::Tz = clinic.profile.time_zone.parse().map_err(|_| {
            kernel::Error::internal(format!("clinic {} has zone {}", clinic.id, clinic.profile.time_zone))
        })?;
        let to = window.end(now, zone);
        searches.push(AvailabilityQuery { clinic_id, service_id, vet_id: None, from: now, to });
        named.push((clinic_id, service_id, name));
    }
    let first_slots =
        appointments::service::availability::first_free_each(connection, scheduling, now, &searches).await?;
    let wanted = query.limit.unwrap_or(DEFAULT_LIMIT) as usize;
    let mut found = Vec::with_capacity(wanted);
    for clinic in nearest {
        let earliest = named
            .iter()
            .zip(&first_slots)
            .filter(|((owner, ..), _)| *owner == clinic.id)
            .filter_map(|((_, service, name), slot)| Some((service, name, slot.as_ref()?)))
            .min_by_key(|(.., slot)| slot.starts_at);
        let Some((service, name, slot)) = earliest else { continue };
        found.push(AvailableClinic {
            clinic_id: clinic.id,
            name: clinic.profile.name.clone(),
            phone: clinic.profile.phone.clone(),
            address: chat::assistant::one_line(&clinic.profile.address),
            distance_km: clinic.distance_km.unwrap_or_default(),
            service_id: *service,
            service_name: name.clone(),
            first_slot: slot.starts_at,
            vet_id: slot.vet_id,
        });
        if found.len() == wanted {
            break;
        }
    }
    Ok(found)
}

/// How far ahead to look.
#[derive(Debug, Clone, Copy)]
enum Window {
    /// Until the end of the clinic's day.
    Today,
    /// This many hours from now.
    Hours(i64),
}

impl Window {
    fn parse(within: Option<&str>, max_hours: i64) -> kernel::Result<Self> {
        let invalid = || kernel::Error::invalid_field("within", format!("`today` or 1h to {max_hours}h"));
        match within {
            None | Some("today") => Ok(Self::Today),
            Some(hours) => {
                let hours: i64 = hours.strip_suffix('h').and_then(|hours| hours.parse().ok()).ok_or_else(invalid)?;
                if (1..=max_hours).contains(&hours) { Ok(Self::Hours(hours)) } else { Err(invalid()) }
            }
        }
    }

    fn end(self, now: DateTime<Utc>, zone: chrono_tz::Tz) -> DateTime<Utc> {
        match self {
            Self::Hours(hours) => now + Duration::hours(hours),
            Self::Today => {
                let tomorrow = now.with_timezone(&zone).date_naive() + Duration::days(1);
                tomorrow
                    .and_hms_opt(0, 0, 0)
                    .and_then(|midnight| midnight.and_local_timezone(zone).earliest())
                    .map_or(now + Duration::hours(24), |midnight| midnight.with_timezone(&Utc))
            }
        }
    }
}
