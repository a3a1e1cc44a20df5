//! Clinic profiles, opening hours and the live emergency status.

use chrono::{NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, Valid};
use platform::audit::{self, AuditEntry};

use crate::api::{ClinicProfile, ClinicView, EmergencyStatusUpdate, HoursException, OpeningHours, WeeklyHours};
use crate::models::{ClinicChanges, FoundClinic, ROW_VERSION};
use crate::scheduling;
use db::schema::{clinic_hours_exceptions, clinic_opening_hours, clinics};

/// Creates a clinic (platform admins).
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    profile: &Valid<ClinicProfile>,
) -> kernel::Result<ClinicView> {
    principal.require(Role::PlatformAdmin)?;
    let id = ClinicId::new();
    db::transaction(connection, async |connection| {
        diesel::insert_into(clinics::table)
            .values((clinics::id.eq(id), ClinicChanges::from(profile)))
            .execute(connection)
            .await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "clinic.created", "clinic", id)).await
    })
    .await?;
    view(connection, id).await
}

/// One clinic as `caller` sees it: a deactivated clinic is `NotFound` except
/// to its staff and platform admins.
pub async fn get(
    connection: &mut AsyncPgConnection,
    caller: Option<&Principal>,
    id: ClinicId,
) -> kernel::Result<ClinicView> {
    let clinic = view(connection, id).await?;
    let insider = caller
        .is_some_and(|caller| caller.is(Role::PlatformAdmin) || caller.require_staff(id, Role::CLINIC_STAFF).is_ok());
    if clinic.is_active || insider { Ok(clinic) } else { Err(kernel::Error::NotFound { resource: "clinic" }) }
}

/// Takes the clinic off the platform (`active: false`) or brings it back
/// (platform admins; audited). A deactivated clinic is hidden from search and
/// its public page and takes no bookings; its staff keep its calendar to
/// handle the appointments already booked.
pub async fn set_active(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ClinicId,
    active: bool,
) -> kernel::Result<ClinicView> {
    principal.require(Role::PlatformAdmin)?;
    exists(connection, id).await?;
    db::transaction(connection, async |connection| {
        diesel::update(clinics::table.find(id)).set(clinics::is_active.eq(active)).execute(connection).await?;
        let action = if active { "clinic.reactivated" } else { "clinic.deactivated" };
        audit::record(connection, AuditEntry::new(Some(principal.user_id), action, "clinic", id)).await
    })
    .await?;
    view(connection, id).await
}

/// The clinic, whatever its state.
async fn view(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<ClinicView> {
    let found = db::Sql::query(format!(
        "SELECT c.*, NULL::float8 AS distance_km, NULL::float8 AS index_distance, {ROW_VERSION} FROM clinics c WHERE c.id = $1"
    ))
    .bind::<diesel::sql_types::Uuid, _>(id)
    .get_result::<FoundClinic>(connection)
    .await
    .optional()?
    .ok_or(kernel::Error::NotFound { resource: "clinic" })?;
    kernel::single(views(connection, vec![found]).await?)
}

/// The public views of clinics a query found, each open now or not.
pub(crate) async fn views(
    connection: &mut AsyncPgConnection,
    found: Vec<FoundClinic>,
) -> kernel::Result<Vec<ClinicView>> {
    let clinics = found
        .iter()
        .map(|found| scheduling::of_row(&found.clinic, found.row_version))
        .collect::<kernel::Result<Vec<_>>>()?;
    let open = scheduling::open_at_each(connection, &clinics, Utc::now()).await?;
    Ok(found.into_iter().zip(open).map(|(found, open)| found.into_view(open)).collect())
}

/// Replaces the profile (clinic admins of it, platform admins).
pub async fn update(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ClinicId,
    profile: &Valid<ClinicProfile>,
) -> kernel::Result<ClinicView> {
    exists(connection, id).await?;
    principal.require_staff(id, Role::CLINIC_ADMINS)?;
    db::transaction(connection, async |connection| {
        diesel::update(clinics::table.find(id)).set(ClinicChanges::from(profile)).execute(connection).await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "clinic.updated", "clinic", id)).await
    })
    .await?;
    view(connection, id).await
}

/// The weekly hours and exceptions.
pub async fn hours(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<OpeningHours> {
    exists(connection, id).await?;
    let weekly = clinic_opening_hours::table
        .filter(clinic_opening_hours::clinic_id.eq(id))
        .select((clinic_opening_hours::weekday, clinic_opening_hours::opens, clinic_opening_hours::closes))
        .order((clinic_opening_hours::weekday, clinic_opening_hours::opens))
        .load::<(i16, NaiveTime, NaiveTime)>(connection)
        .await?
        .into_iter()
        .map(|(weekday, opens, closes)| WeeklyHours { weekday, opens: hhmm(opens), closes: hhmm(closes) })
        .collect();
    let exceptions = clinic_hours_exceptions::table
        .filter(clinic_hours_exceptions::clinic_id.eq(id))
        .select((
            clinic_hours_exceptions::on_date,
            clinic_hours_exceptions::opens,
            clinic_hours_exceptions::closes,
            clinic_hours_exceptions::note,
        ))
        .order((clinic_hours_exceptions::on_date, clinic_hours_exceptions::opens))
        .load::<(chrono::NaiveDate, Option<NaiveTime>, Option<NaiveTime>, Option<String>)>(connection)
        .await?
        .into_iter()
        .map(|(date, opens, closes, note)| HoursException {
            date,
            opens: opens.map(hhmm),
            closes: closes.map(hhmm),
            note,
        })
        .collect();
    Ok(OpeningHours { weekly, exceptions })
}

/// Replaces the weekly hours and exceptions (clinic admins of it, platform
/// admins). An interval closing at or before its opening time ends the next
/// day. The exceptions of one date are that day's intervals (split hours are
/// several entries); an entry without `opens` closes the day unless the date
/// also has intervals (a `closes` given with it must still be a time), and one
/// without `closes` runs to midnight. An interval listed twice counts once, as
/// in the weekly hours.
pub async fn set_hours(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ClinicId,
    hours: &Valid<OpeningHours>,
) -> kernel::Result<OpeningHours> {
    exists(connection, id).await?;
    principal.require_staff(id, Role::CLINIC_ADMINS)?;
    let weekly = hours
        .weekly
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let field = format!("weekly[{index}]");
            let (opens, closes) = (parse_time(&field, &entry.opens)?, parse_time(&field, &entry.closes)?);
            Ok((
                clinic_opening_hours::clinic_id.eq(id),
                clinic_opening_hours::weekday.eq(entry.weekday),
                clinic_opening_hours::opens.eq(opens),
                clinic_opening_hours::closes.eq(closes),
            ))
        })
        .collect::<kernel::Result<Vec<_>>>()?;
    let mut exceptions = Vec::new();
    for (index, entry) in hours.exceptions.iter().enumerate() {
        let field = format!("exceptions[{index}]");
        let closes = entry.closes.as_deref().map(|closes| parse_time(&field, closes)).transpose()?;
        let times = match &entry.opens {
            None => None,
            Some(opens) => Some((parse_time(&field, opens)?, closes.unwrap_or(NaiveTime::MIN))),
        };
        let open_that_day = || hours.exceptions.iter().any(|other| other.date == entry.date && other.opens.is_some());
        if times.is_none() && open_that_day() {
            continue;
        }
        exceptions.push((
            clinic_hours_exceptions::clinic_id.eq(id),
            clinic_hours_exceptions::on_date.eq(entry.date),
            clinic_hours_exceptions::opens.eq(times.map(|(opens, _)| opens)),
            clinic_hours_exceptions::closes.eq(times.map(|(_, closes)| closes)),
            clinic_hours_exceptions::note.eq(entry.note.clone()),
        ));
    }
    db::transaction(connection, async |connection| {
        diesel::delete(clinic_opening_hours::table.filter(clinic_opening_hours::clinic_id.eq(id)))
            .execute(connection)
            .await?;
        diesel::delete(clinic_hours_exceptions::table.filter(clinic_hours_exceptions::clinic_id.eq(id)))
            .execute(connection)
            .await?;
        diesel::insert_into(clinic_opening_hours::table)
            .values(&weekly)
            .on_conflict_do_nothing()
            .execute(connection)
            .await?;
        diesel::insert_into(clinic_hours_exceptions::table)
            .values(&exceptions)
            .on_conflict_do_nothing()
            .execute(connection)
            .await?;
        audit::record(connection, AuditEntry::new(Some(principal.user_id), "clinic.hours_updated", "clinic", id)).await
    })
    .await?;
    self::hours(connection, id).await
}

/// Sets the live emergency status (any staff of the clinic).
pub async fn set_emergency_status(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ClinicId,
    update: &Valid<EmergencyStatusUpdate>,
) -> kernel::Result<ClinicView> {
    exists(connection, id).await?;
    principal.require_staff(id, Role::CLINIC_STAFF)?;
    diesel::update(clinics::table.find(id))
        .set((
            clinics::emergency_status.eq(update.status.as_str()),
            clinics::emergency_note.eq(&update.note),
            clinics::emergency_status_at.eq(Utc::now()),
        ))
        .execute(connection)
        .await?;
    view(connection, id).await
}

/// Whether the clinic is open at `at` (its own time zone, exceptions first).
pub async fn is_open_at(
    connection: &mut AsyncPgConnection,
    id: ClinicId,
    at: chrono::DateTime<Utc>,
) -> kernel::Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct Open {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        open: bool,
    }
    let open = diesel::sql_query(
        "SELECT clinic_is_open(c.id, c.time_zone, c.open_24_7, $2) AS open FROM clinics c WHERE c.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Timestamptz, _>(at)
    .get_result::<Open>(connection)
    .await
    .optional()?
    .ok_or(kernel::Error::NotFound { resource: "clinic" })?;
    Ok(open.open)
}

/// `NotFound` unless the clinic exists.
pub async fn exists(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<()> {
    let found = diesel::select(diesel::dsl::exists(clinics::table.find(id))).get_result::<bool>(connection).await?;
    if found { Ok(()) } else { Err(kernel::Error::NotFound { resource: "clinic" }) }
}

/// `HH:MM` → time.
pub fn parse_time(field: &str, text: &str) -> kernel::Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| kernel::Error::invalid_field(field.to_owned(), "times are HH:MM (00:00-23:59)"))
}

/// Two `HH:MM` times, the first earlier.
pub fn interval(field: &str, from: &str, to: &str) -> kernel::Result<(NaiveTime, NaiveTime)> {
    let (from, to) = (parse_time(field, from)?, parse_time(field, to)?);
    if from < to {
        Ok((from, to))
    } else {
        Err(kernel::Error::invalid_field(field.to_owned(), "must end after it starts"))
    }
}

/// time → `HH:MM`.
pub fn hhmm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}
