//! Veterinarians' profiles, weekly working hours per clinic (in that clinic's
//! local time, so DST is the clinic zone's business) and time off.

use std::collections::Bound;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Page, PageRequest, Principal, Role, TimeOffId, UserId, Valid};

use crate::api::{TimeOffRequest, TimeOffView, VetProfile, VetSearch, VetView, WorkingHours, WorkingWeek};
use crate::service::clinics::{exists, hhmm, parse_time};
use crate::service::search;
use db::schema::{clinic_memberships, vet_time_off, vet_working_hours, vets};

/// Creates or replaces the caller's own profile (veterinarians).
pub async fn put_own_profile(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    profile: &Valid<VetProfile>,
) -> kernel::Result<VetView> {
    let works_as_vet = principal.memberships.iter().any(|membership| membership.role == Role::Veterinarian);
    if !(principal.is(Role::Veterinarian) || works_as_vet) {
        return Err(kernel::Error::Forbidden("only veterinarians have a vet profile".into()));
    }
    let lower = |tags: &[String]| tags.iter().map(|tag| tag.trim().to_lowercase()).collect::<Vec<_>>();
    let values = (
        vets::display_name.eq(&profile.display_name),
        vets::bio.eq(&profile.bio),
        vets::license_number.eq(&profile.license_number),
        vets::license_region.eq(&profile.license_region),
        vets::specialties.eq(lower(&profile.specialties)),
        vets::languages.eq(lower(&profile.languages)),
        vets::on_call.eq(profile.on_call),
    );
    diesel::insert_into(vets::table)
        .values((vets::user_id.eq(principal.user_id), values.clone()))
        .on_conflict(vets::user_id)
        .do_update()
        .set(values)
        .execute(connection)
        .await?;
    get(connection, principal.user_id).await
}

/// One vet's public profile.
pub async fn get(connection: &mut AsyncPgConnection, id: UserId) -> kernel::Result<VetView> {
    let vet = vets::table
        .find(id)
        .select(crate::models::Vet::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "vet" })?;
    let clinic_ids = clinic_memberships::table
        .filter(clinic_memberships::user_id.eq(id))
        .filter(clinic_memberships::role.eq(Role::Veterinarian))
        .select(clinic_memberships::clinic_id)
        .order(clinic_memberships::clinic_id)
        .load::<uuid::Uuid>(connection)
        .await?;
    Ok(crate::models::FoundVet { vet, distance_km: None, clinic_ids }.into_view())
}

/// Search (see [`search::vets`]).
pub async fn search(
    connection: &mut AsyncPgConnection,
    filter: &Valid<VetSearch>,
    page: &PageRequest,
) -> kernel::Result<Page<VetView>> {
    search::vets(connection, filter, page).await
}

/// May `principal` manage `vet`'s schedule at `clinic`? The vet themself, the
/// clinic's admins and receptionists, platform admins.
fn require_schedule_access(principal: &Principal, vet: UserId, clinic: ClinicId) -> kernel::Result<()> {
    if principal.user_id == vet && principal.clinic_role(clinic) == Some(Role::Veterinarian) {
        return Ok(());
    }
    principal.require_staff(clinic, Role::CLINIC_DESK)
}

/// `NotFound` unless `vet` works at `clinic` as a veterinarian.
async fn require_vet_at(connection: &mut AsyncPgConnection, vet: UserId, clinic: ClinicId) -> kernel::Result<()> {
    let found = diesel::select(diesel::dsl::exists(
        clinic_memberships::table
            .filter(clinic_memberships::user_id.eq(vet))
            .filter(clinic_memberships::clinic_id.eq(clinic))
            .filter(clinic_memberships::role.eq(Role::Veterinarian)),
    ))
    .get_result::<bool>(connection)
    .await?;
    if found { Ok(()) } else { Err(kernel::Error::NotFound { resource: "vet at this clinic" }) }
}

/// The vet's weekly hours at `clinic` (public: owners see when a vet works).
pub async fn working_hours(
    connection: &mut AsyncPgConnection,
    vet: UserId,
    clinic: ClinicId,
) -> kernel::Result<WorkingWeek> {
    exists(connection, clinic).await?;
    require_vet_at(connection, vet, clinic).await?;
    let hours = vet_working_hours::table
        .filter(vet_working_hours::vet_id.eq(vet))
        .filter(vet_working_hours::clinic_id.eq(clinic))
        .select((vet_working_hours::weekday, vet_working_hours::starts, vet_working_hours::ends))
        .order((vet_working_hours::weekday, vet_working_hours::starts))
        .load::<(i16, chrono::NaiveTime, chrono::NaiveTime)>(connection)
        .await?
        .into_iter()
        .map(|(weekday, starts, ends)| WorkingHours { weekday, starts: hhmm(starts), ends: hhmm(ends) })
        .collect();
    Ok(WorkingWeek { hours })
}

/// Replaces the vet's weekly hours at `clinic`; an interval ending at or before
/// its start is a night shift ending the next day; intervals may not overlap.
pub async fn set_working_hours(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    vet: UserId,
    clinic: ClinicId,
    week: &Valid<WorkingWeek>,
) -> kernel::Result<WorkingWeek> {
    exists(connection, clinic).await?;
    require_schedule_access(principal, vet, clinic)?;
    require_vet_at(connection, vet, clinic).await?;
    let mut rows = Vec::new();
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for (index, entry) in week.hours.iter().enumerate() {
        let field = format!("hours[{index}]");
        let (starts, ends) = (parse_time(&field, &entry.starts)?, parse_time(&field, &entry.ends)?);
        let span = week_span(entry.weekday, starts, ends);
        if spans.iter().any(|&other| overlap_in_week(span, other)) {
            return Err(kernel::Error::invalid_field(field, "overlaps another interval"));
        }
        spans.push(span);
        rows.push((entry.weekday, starts, ends));
    }
    db::transaction(connection, async |connection| {
        diesel::delete(
            vet_working_hours::table
                .filter(vet_working_hours::vet_id.eq(vet))
                .filter(vet_working_hours::clinic_id.eq(clinic)),
        )
        .execute(connection)
        .await?;
        let values: Vec<_> = rows
            .iter()
            .map(|&(weekday, starts, ends)| {
                (
                    vet_working_hours::vet_id.eq(vet),
                    vet_working_hours::clinic_id.eq(clinic),
                    vet_working_hours::weekday.eq(weekday),
                    vet_working_hours::starts.eq(starts),
                    vet_working_hours::ends.eq(ends),
                )
            })
            .collect();
        diesel::insert_into(vet_working_hours::table).values(&values).execute(connection).await?;
        Ok(())
    })
    .await?;
    working_hours(connection, vet, clinic).await
}

const WEEK_MINUTES: i64 = 7 * 24 * 60;

/// An interval as minutes since Monday 00:00; one ending at or before its start
/// runs into the next day.
fn week_span(weekday: i16, starts: chrono::NaiveTime, ends: chrono::NaiveTime) -> (i64, i64) {
    use chrono::Timelike;
    let minutes = |time: chrono::NaiveTime| i64::from(time.hour() * 60 + time.minute());
    let start = (i64::from(weekday) - 1) * 24 * 60 + minutes(starts);
    let length = (minutes(ends) - minutes(starts)).rem_euclid(24 * 60);
    (start, start + if length == 0 { 24 * 60 } else { length })
}

/// Whether two spans meet, the week wrapping from Sunday night to Monday.
fn overlap_in_week(a: (i64, i64), b: (i64, i64)) -> bool {
    [-WEEK_MINUTES, 0, WEEK_MINUTES].iter().any(|shift| a.0 < b.1 + shift && b.0 + shift < a.1)
}

/// Books time off for `vet`: the vet themself or a platform admin (for one of
/// the vet's clinics, or general), or an admin or receptionist of a clinic the
/// vet works at, for that clinic. Overlapping periods (for the same clinic, or
/// both general) are a 409.
pub async fn add_time_off(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    vet: UserId,
    request: &Valid<TimeOffRequest>,
) -> kernel::Result<TimeOffView> {
    let scope = time_off_scope(connection, principal, vet).await?;
    if request.ends_at <= request.starts_at {
        return Err(kernel::Error::invalid_field("ends_at", "must be after starts_at"));
    }
    let clinic = match (&scope, request.clinic_id) {
        (TimeOffScope::Everything { clinics }, Some(clinic)) if !clinics.contains(&clinic) => {
            return Err(kernel::Error::invalid_field("clinic_id", "is not a clinic the vet works at"));
        }
        (TimeOffScope::Everything { .. }, clinic) => clinic,
        (TimeOffScope::Desks(desks), Some(clinic)) if desks.contains(&clinic) => Some(clinic),
        (TimeOffScope::Desks(desks), None) if desks.len() == 1 => desks.as_slice().first().copied(),
        (TimeOffScope::Desks(_), _) => {
            return Err(kernel::Error::invalid_field("clinic_id", "must be a clinic whose desk you work at"));
        }
    };
    let id = TimeOffId::new();
    let period = (Bound::Included(request.starts_at), Bound::Excluded(request.ends_at));
    diesel::insert_into(vet_time_off::table)
        .values((
            vet_time_off::id.eq(id.0),
            vet_time_off::vet_id.eq(vet),
            vet_time_off::period.eq(period),
            vet_time_off::reason.eq(&request.reason),
            vet_time_off::clinic_id.eq(clinic),
        ))
        .execute(connection)
        .await
        .map_err(|error| match kernel::Error::from(error) {
            kernel::Error::Conflict { details, .. } => {
                kernel::Error::Conflict { message: "overlaps other time off".to_owned(), details }
            }
            other => other,
        })?;
    Ok(TimeOffView {
        id,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        reason: request.reason.clone(),
        clinic_id: clinic,
    })
}

/// The vet's time off the caller may see: all of it for the vet and platform
/// admins; for clinic staff, their clinics' entries and the general ones.
pub async fn time_off(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    vet: UserId,
) -> kernel::Result<Vec<TimeOffView>> {
    let scope = time_off_scope(connection, principal, vet).await?;
    let desks = match &scope {
        TimeOffScope::Desks(desks) => Some(desks.as_slice()),
        TimeOffScope::Everything { .. } => None,
    };
    time_off_of(connection, vet, desks).await
}

/// `vet`'s time off, oldest first: all of it, or with `desks` the general
/// entries and those of these clinics.
pub(crate) async fn time_off_of(
    connection: &mut AsyncPgConnection,
    vet: UserId,
    desks: Option<&[ClinicId]>,
) -> kernel::Result<Vec<TimeOffView>> {
    let mut query = vet_time_off::table.filter(vet_time_off::vet_id.eq(vet)).into_boxed();
    if let Some(desks) = desks {
        query = query.filter(vet_time_off::clinic_id.is_null().or(vet_time_off::clinic_id.eq_any(desks)));
    }
    let rows = query
        .select((vet_time_off::id, vet_time_off::period, vet_time_off::reason, vet_time_off::clinic_id))
        .order(vet_time_off::period)
        .load::<(uuid::Uuid, (Bound<DateTime<Utc>>, Bound<DateTime<Utc>>), Option<String>, Option<ClinicId>)>(
            connection,
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, (starts, ends), reason, clinic_id)| match (starts, ends) {
            (Bound::Included(starts_at), Bound::Excluded(ends_at)) => {
                Some(TimeOffView { id: TimeOffId(id), starts_at, ends_at, reason, clinic_id })
            }
            _ => None,
        })
        .collect())
}

/// Cancels time off: the vet and platform admins any of it; clinic staff
/// their clinics' entries (the general ones are the vet's; others' unseen).
pub async fn remove_time_off(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    vet: UserId,
    id: TimeOffId,
) -> kernel::Result<()> {
    let scope = time_off_scope(connection, principal, vet).await?;
    let mine = vet_time_off::table.filter(vet_time_off::id.eq(id.0)).filter(vet_time_off::vet_id.eq(vet));
    let clinic = mine
        .select(vet_time_off::clinic_id)
        .first::<Option<ClinicId>>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "time off" })?;
    if let TimeOffScope::Desks(desks) = &scope {
        match clinic {
            Some(clinic) if desks.contains(&clinic) => {}
            Some(_) => return Err(kernel::Error::NotFound { resource: "time off" }),
            None => return Err(kernel::Error::Forbidden("general time off is changed by the vet".into())),
        }
    }
    diesel::delete(mine).execute(connection).await?;
    Ok(())
}

/// What of a vet's time off the caller handles.
enum TimeOffScope {
    /// The vet themself or a platform admin: all of it (`clinics`: where the vet works).
    Everything { clinics: Vec<ClinicId> },
    /// Clinic staff: the entries of these clinics (the vet works there; the caller at the desk).
    Desks(Vec<ClinicId>),
}

async fn time_off_scope(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    vet: UserId,
) -> kernel::Result<TimeOffScope> {
    let is_vet = diesel::select(diesel::dsl::exists(vets::table.find(vet))).get_result::<bool>(connection).await?;
    if !is_vet {
        return Err(kernel::Error::NotFound { resource: "vet" });
    }
    let clinics = clinic_memberships::table
        .filter(clinic_memberships::user_id.eq(vet))
        .filter(clinic_memberships::role.eq(Role::Veterinarian))
        .select(clinic_memberships::clinic_id)
        .load::<ClinicId>(connection)
        .await?;
    if principal.user_id == vet || principal.is(Role::PlatformAdmin) {
        return Ok(TimeOffScope::Everything { clinics });
    }
    let desks: Vec<ClinicId> =
        clinics.into_iter().filter(|&clinic| principal.require_staff(clinic, Role::CLINIC_DESK).is_ok()).collect();
    if desks.is_empty() {
        Err(kernel::Error::Forbidden("not this vet's clinic".into()))
    } else {
        Ok(TimeOffScope::Desks(desks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(weekday: i16, starts: &str, ends: &str) -> (i64, i64) {
        week_span(weekday, starts.parse().unwrap(), ends.parse().unwrap())
    }

    #[test]
    fn night_shifts_run_into_the_next_day_and_sunday_wraps_to_monday() {
        assert_eq!(span(1, "08:00:00", "12:00:00"), (480, 720));
        assert_eq!(span(1, "20:00:00", "08:00:00"), (1200, 1200 + 12 * 60));
        assert!(overlap_in_week(span(1, "20:00:00", "08:00:00"), span(2, "07:00:00", "09:00:00")));
        assert!(!overlap_in_week(span(1, "20:00:00", "08:00:00"), span(2, "08:00:00", "12:00:00")));
        assert!(overlap_in_week(span(7, "22:00:00", "06:00:00"), span(1, "05:00:00", "07:00:00")));
        assert!(!overlap_in_week(span(1, "08:00:00", "12:00:00"), span(1, "12:00:00", "13:00:00")));
    }
}
