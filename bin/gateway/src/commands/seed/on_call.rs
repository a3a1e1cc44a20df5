//! The emergency rota: at each clinic that takes emergencies, its admin puts
//! the vets who take them on call for the next day (the longest shift
//! `[emergency]` allows), so an emergency request finds someone at once.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use kernel::Valid;

use super::Explain;
use super::cast::Cast;
use super::clinics::Clinic;

/// How far the seeded vets go, in kilometres.
const RADIUS_KM: f64 = 30.0;

/// Puts the emergency vets of `clinics` on call from `now`; how many shifts.
pub async fn build(
    connection: &mut AsyncPgConnection,
    cast: &Cast,
    settings: &emergency::Settings,
    clinics: &[Clinic],
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut shifts = 0;
    for clinic in clinics.iter().filter(|clinic| clinic.spec.takes_emergencies()) {
        let manager = cast.principal(clinic.spec.admin)?;
        for vet in clinic.spec.vets.iter().filter(|vet| vet.on_call) {
            let shift = Valid::new(emergency::api::RotaShiftRequest {
                vet_id: cast.id(vet.subject)?,
                starts_at: now,
                ends_at: now + Duration::hours(settings.max_shift_hours),
                radius_km: RADIUS_KM,
            })
            .explain(|| format!("the on-call shift of {}", vet.subject))?;
            emergency::service::on_call::add_to_rota(connection, &manager, settings, now, clinic.id, &shift)
                .await
                .explain(|| format!("put {} on call at {}", vet.subject, clinic.spec.name))?;
            shifts += 1;
        }
    }
    Ok(shifts)
}
