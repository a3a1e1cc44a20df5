//! What scheduling needs to know about a clinic, read by the crate that owns
//! the tables: the clinic's zone and rules, a service with who and which rooms
//! perform it, and the time each vet can work over a range (their weekly hours
//! within the clinic's opening hours and exceptions, minus time off).
//!
//! `appointments` books against these; it never reads this crate's tables.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Interval, Intervals, Range, Role, RoomId, ServiceId, Species, UserId};

use crate::known_hours;
use crate::schedule::{LocalInterval, OpeningHours, local_date, weekly};
use db::schema::{clinic_memberships, clinic_rooms, clinic_services, clinics, vet_time_off, vet_working_hours, vets};

/// What scheduling needs to know about a clinic.
#[derive(Debug, Clone)]
pub struct Clinic {
    /// Its id.
    pub id: ClinicId,
    /// Its name, for notifications.
    pub name: String,
    /// Its zone; every schedule is read in it.
    pub zone: Tz,
    /// Open around the clock.
    pub always_open: bool,
    /// Owners cancel or move up to this many hours before the start.
    pub cancellation_notice_hours: i32,
    /// The clinic's email, the `From` of its notifications.
    pub email: Option<String>,
    /// Takes bookings; a deactivated clinic keeps its calendar and appointments.
    pub is_active: bool,
    /// The ISO 4217 currency of its prices.
    pub currency: String,
    /// The version of its row (`xmin`, the transaction that wrote it), which
    /// moves with every change to the clinic or to its hours and exceptions.
    pub row_version: i64,
}

impl Clinic {
    /// The clinic as the author of its notifications (their email's `From`),
    /// when it has an address.
    pub fn sender(&self) -> Option<notifications::Sender> {
        self.email.clone().map(|email| notifications::Sender { name: self.name.clone(), email })
    }

    /// `NotFound` when the clinic is deactivated: it takes no bookings and,
    /// for the public, does not exist.
    pub fn ensure_bookable(&self) -> kernel::Result<()> {
        if self.is_active { Ok(()) } else { Err(kernel::Error::NotFound { resource: "clinic" }) }
    }
}

/// What scheduling needs to know about a service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its id.
    pub id: ServiceId,
    /// The clinic offering it.
    pub clinic_id: ClinicId,
    /// Its name, for notifications.
    pub name: String,
    /// Appointment length.
    pub duration: Duration,
    /// Preparation before.
    pub before: Duration,
    /// Clean-up after.
    pub after: Duration,
    /// Species it is offered for (empty: all).
    pub species: Vec<Species>,
    /// Owners may book it themselves.
    pub bookable_online: bool,
    /// Staff may book it over other appointments.
    pub allows_overbooking: bool,
    /// The clinic's veterinarians who may perform it, in id order: those it
    /// names, or all of them when it names none.
    pub vets: Vec<UserId>,
    /// Rooms it needs one of (empty: none).
    pub rooms: Vec<RoomId>,
}

impl Service {
    /// Whether a pet of `species` may have it.
    pub fn is_for(&self, species: Species) -> bool {
        self.species.is_empty() || self.species.contains(&species)
    }
}

/// One vet's time at a clinic over a range.
#[derive(Debug, Clone)]
pub struct VetSchedule {
    /// The vet.
    pub vet_id: UserId,
    /// Their weekly hours at the clinic.
    pub working: Intervals,
    /// Working hours within the clinic's opening hours, minus time off.
    pub available: Intervals,
}

/// A room and how many bookings it holds at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomCapacity {
    /// The room.
    pub room_id: RoomId,
    /// Places.
    pub capacity: i32,
}

/// The clinic `id`, active or not (its calendar, its appointments' zone).
pub async fn clinic(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<Clinic> {
    clinics_by_id(connection, &[id]).await?.pop().ok_or(kernel::Error::NotFound { resource: "clinic" })
}

/// The clinics among `ids` that exist, active or not, in one query.
pub async fn clinics_by_id(connection: &mut AsyncPgConnection, ids: &[ClinicId]) -> kernel::Result<Vec<Clinic>> {
    let rows = clinics::table.filter(clinics::id.eq_any(ids)).select(ClinicRow::as_select()).load(connection).await?;
    rows.into_iter().map(ClinicRow::into_clinic).collect()
}

/// The columns of a `clinics` row that scheduling reads.
#[derive(Queryable, Selectable)]
#[diesel(table_name = clinics, check_for_backend(diesel::pg::Pg))]
struct ClinicRow {
    id: ClinicId,
    name: String,
    time_zone: String,
    open_24_7: bool,
    cancellation_notice_hours: i32,
    email: Option<String>,
    is_active: bool,
    currency: String,
    #[diesel(
        select_expression = db::Sql::<diesel::sql_types::BigInt>::expression("clinics.xmin::text::bigint"),
        select_expression_type = db::Sql<'static, diesel::sql_types::BigInt>,
    )]
    row_version: i64,
}

impl ClinicRow {
    fn into_clinic(self) -> kernel::Result<Clinic> {
        Ok(Clinic {
            zone: parse_zone(self.id, &self.time_zone)?,
            id: self.id,
            name: self.name,
            always_open: self.open_24_7,
            cancellation_notice_hours: self.cancellation_notice_hours,
            email: self.email,
            is_active: self.is_active,
            currency: self.currency,
            row_version: self.row_version,
        })
    }
}

/// The scheduling facts of a clinic row at `row_version`.
pub(crate) fn of_row(row: &crate::models::Clinic, row_version: i64) -> kernel::Result<Clinic> {
    Ok(Clinic {
        id: row.id,
        name: row.name.clone(),
        zone: parse_zone(row.id, &row.time_zone)?,
        always_open: row.open_24_7,
        cancellation_notice_hours: row.cancellation_notice_hours,
        email: row.email.clone(),
        is_active: row.is_active,
        currency: row.currency.clone(),
        row_version,
    })
}

fn parse_zone(id: ClinicId, zone: &str) -> kernel::Result<Tz> {
    zone.parse().map_err(|_| kernel::Error::internal(format!("clinic {id} has zone {zone}")))
}

/// The clinic `id` when it takes bookings; a deactivated one is `NotFound`,
/// as it is for the public.
pub async fn bookable_clinic(connection: &mut AsyncPgConnection, id: ClinicId) -> kernel::Result<Clinic> {
    let clinic = clinic(connection, id).await?;
    clinic.ensure_bookable()?;
    Ok(clinic)
}

/// A `clinic_services` row as scheduling reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = clinic_services, check_for_backend(diesel::pg::Pg))]
struct ServiceRow {
    id: ServiceId,
    clinic_id: ClinicId,
    name: String,
    duration_minutes: i32,
    buffer_before_minutes: i32,
    buffer_after_minutes: i32,
    species: Vec<Species>,
    bookable_online: bool,
    allows_overbooking: bool,
}

/// The active service `id`, with who performs it and in which rooms.
pub async fn service(connection: &mut AsyncPgConnection, id: ServiceId) -> kernel::Result<Service> {
    services(connection, &[id]).await?.pop().ok_or(kernel::Error::NotFound { resource: "service" })
}

/// The active service `id` and its clinic, when the clinic takes bookings, in
/// one query: what a booking starts from. A deactivated clinic is
/// `NotFound`, as it is for the public.
pub async fn bookable_service(connection: &mut AsyncPgConnection, id: ServiceId) -> kernel::Result<(Service, Clinic)> {
    let (service, clinic) =
        services_at_clinics(connection, &[id]).await?.pop().ok_or(kernel::Error::NotFound { resource: "service" })?;
    clinic.ensure_bookable()?;
    Ok((service, clinic))
}

/// The active services among `ids`, with who performs each and in which
/// rooms, in one query.
pub async fn services(connection: &mut AsyncPgConnection, ids: &[ServiceId]) -> kernel::Result<Vec<Service>> {
    Ok(services_at_clinics(connection, ids).await?.into_iter().map(|(service, _)| service).collect())
}

/// [`services`], each with its clinic (active or not), in one query.
pub async fn services_at_clinics(
    connection: &mut AsyncPgConnection,
    ids: &[ServiceId],
) -> kernel::Result<Vec<(Service, Clinic)>> {
    use diesel::sql_types::{Array, Uuid};

    let rows: Vec<(ServiceRow, Vec<UserId>, Vec<RoomId>, ClinicRow)> = clinic_services::table
        .inner_join(clinics::table)
        .filter(clinic_services::id.eq_any(ids))
        .filter(clinic_services::is_active)
        .select((
            ServiceRow::as_select(),
            db::Sql::<Array<Uuid>>::expression(
                "ARRAY(SELECT m.user_id FROM clinic_memberships m \
                 WHERE m.clinic_id = clinic_services.clinic_id AND m.role = 'veterinarian' \
                 AND (m.user_id IN (SELECT staff.user_id FROM clinic_service_staff staff \
                                    WHERE staff.service_id = clinic_services.id) \
                      OR NOT EXISTS (SELECT 1 FROM clinic_service_staff staff \
                                     WHERE staff.service_id = clinic_services.id)) \
                 ORDER BY m.user_id)",
            ),
            db::Sql::<Array<Uuid>>::expression(
                "ARRAY(SELECT room.room_id FROM clinic_service_rooms room \
                 WHERE room.service_id = clinic_services.id ORDER BY room.room_id)",
            ),
            ClinicRow::as_select(),
        ))
        .load(connection)
        .await?;
    let minutes = |value: i32| Duration::minutes(i64::from(value));
    rows.into_iter()
        .map(|(row, vets, rooms, clinic)| {
            let service = Service {
                id: row.id,
                clinic_id: row.clinic_id,
                name: row.name,
                duration: minutes(row.duration_minutes),
                before: minutes(row.buffer_before_minutes),
                after: minutes(row.buffer_after_minutes),
                species: row.species,
                bookable_online: row.bookable_online,
                allows_overbooking: row.allows_overbooking,
                vets,
                rooms,
            };
            Ok((service, clinic.into_clinic()?))
        })
        .collect()
}

/// The clinic's opening hours, with the exceptions that fall in `[from, to)`.
pub async fn opening_hours(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> kernel::Result<OpeningHours> {
    kernel::single(opening_hours_each(connection, &[(clinic, (from, to))]).await?)
}

/// [`opening_hours`] of each clinic over its own range, in their order: from
/// the copies the crate keeps (`known_hours`) of each clinic's
/// current row version, reading (in two queries) only those it lacks.
pub async fn opening_hours_each(
    connection: &AsyncPgConnection,
    wanted: &[(&Clinic, Interval)],
) -> kernel::Result<Vec<OpeningHours>> {
    let firsts: Vec<(&Clinic, NaiveDate)> =
        wanted.iter().map(|&(clinic, (from, _))| (clinic, local_date(clinic.zone, from) - Duration::days(1))).collect();
    let known = known_hours::each(connection, &firsts).await?;
    Ok(wanted
        .iter()
        .zip(known)
        .map(|(&(clinic, _), known)| OpeningHours {
            always_open: clinic.always_open,
            weekly: known.weekly.clone(),
            exceptions: known.exceptions.clone(),
        })
        .collect())
}

/// Whether each clinic is open at `at`, in their order (its own zone,
/// exceptions and overnight hours; the reading `clinic_is_open` gives SQL).
pub async fn open_at_each(
    connection: &mut AsyncPgConnection,
    clinics: &[Clinic],
    at: DateTime<Utc>,
) -> kernel::Result<Vec<bool>> {
    let scheduled: Vec<(&Clinic, Interval)> =
        clinics.iter().filter(|clinic| !clinic.always_open).map(|clinic| (clinic, (at, at))).collect();
    let mut hours = opening_hours_each(connection, &scheduled).await?.into_iter();
    Ok(clinics
        .iter()
        .map(|clinic| clinic.always_open || hours.next().is_some_and(|hours| hours.is_open(clinic.zone, at)))
        .collect())
}

/// Each of `vets`' time at `clinic` within `[from, to)`, in the order given:
/// their weekly hours, within opening hours and exceptions, minus time off (general, or for this clinic).
pub async fn vet_schedules(
    connection: &mut AsyncPgConnection,
    clinic: &Clinic,
    vets: &[UserId],
    range: Interval,
) -> kernel::Result<Vec<VetSchedule>> {
    kernel::single(vet_schedules_each(connection, &[(clinic, vets, range)]).await?)
}

/// [`vet_schedules`] for several clinics, each with its vets and range, in
/// their order, in three statements at most however many there are,
/// pipelined (opening hours are read only for clinics whose copy, kept per
/// version of the clinic's row, is stale). The connection is shared, so that
/// a caller can pipeline its own statements with these.
pub async fn vet_schedules_each(
    connection: &AsyncPgConnection,
    wanted: &[(&Clinic, &[UserId], Interval)],
) -> kernel::Result<Vec<Vec<VetSchedule>>> {
    let ranges: Vec<(&Clinic, Interval)> = wanted.iter().map(|&(clinic, _, range)| (clinic, range)).collect();
    let clinic_ids: Vec<ClinicId> = wanted.iter().map(|(clinic, ..)| clinic.id).collect();
    let vet_ids: Vec<UserId> = wanted.iter().flat_map(|(_, vets, _)| vets.iter().copied()).collect();
    let (opening, weekly_and_away) = futures_util::future::join(
        opening_hours_each(connection, &ranges),
        hours_and_time_off(connection, &clinic_ids, &vet_ids, &ranges),
    )
    .await;
    let (opening, (hours, time_off)) = (opening?, weekly_and_away?);
    Ok(wanted
        .iter()
        .zip(opening)
        .map(|(&(clinic, vets, (from, to)), opening)| {
            let open = opening.open(clinic.zone, from, to);
            vets.iter()
                .map(|&vet_id| {
                    let own_hours = hours.get(&(clinic.id, vet_id)).into_iter().flatten().copied();
                    let away = time_off
                        .get(&vet_id)
                        .into_iter()
                        .flatten()
                        .filter(|(at, _)| at.is_none_or(|at| at == clinic.id))
                        .map(|(_, period)| *period);
                    let working = weekly(clinic.zone, &by_weekday(own_hours), from, to);
                    let available = working.intersect(&open).subtract(&Intervals::from_ranges(away, from, to));
                    VetSchedule { vet_id, working, available }
                })
                .collect()
        })
        .collect())
}

/// Each vet's weekly hours at each clinic: `(ISO weekday, starts, ends)`.
type WeeklyHours = HashMap<(ClinicId, UserId), Vec<(i16, NaiveTime, NaiveTime)>>;

/// Each vet's time off: `(clinic, period)`, the clinic `None` for time off everywhere.
type TimeOff = HashMap<UserId, Vec<(Option<ClinicId>, Range)>>;

/// The weekly hours of `vets` at `clinics` and their time off there (or
/// everywhere) that meets one of the `ranges`, in one query: the two kinds
/// of row travel as one union, each with the other's columns null. Both come
/// back by vet: a search over thousands of vets looks each one up, rather
/// than scanning every vet's rows for each.
async fn hours_and_time_off(
    mut connection: &AsyncPgConnection,
    clinics: &[ClinicId],
    vets: &[UserId],
    ranges: &[(&Clinic, Interval)],
) -> kernel::Result<(WeeklyHours, TimeOff)> {
    use diesel::sql_types::{Nullable, SmallInt, Time, Timestamptz};

    let from = ranges.iter().map(|(_, (from, _))| *from).min();
    let to = ranges.iter().map(|(_, (_, to))| *to).max();
    let (Some(from), Some(to)) = (from, to) else { return Ok((HashMap::new(), HashMap::new())) };
    let hours = vet_working_hours::table
        .filter(vet_working_hours::clinic_id.eq_any(clinics))
        .filter(vet_working_hours::vet_id.eq_any(vets))
        .select((
            vet_working_hours::vet_id,
            vet_working_hours::clinic_id.nullable(),
            vet_working_hours::weekday.nullable(),
            vet_working_hours::starts.nullable(),
            vet_working_hours::ends.nullable(),
            db::Sql::<Nullable<diesel::sql_types::Range<Timestamptz>>>::expression("NULL::tstzrange"),
        ));
    let time_off = vet_time_off::table
        .filter(vet_time_off::vet_id.eq_any(vets))
        .filter(vet_time_off::clinic_id.is_null().or(vet_time_off::clinic_id.eq_any(clinics)))
        .filter(vet_time_off::period.overlaps_with((std::ops::Bound::Included(from), std::ops::Bound::Excluded(to))))
        .select((
            vet_time_off::vet_id,
            vet_time_off::clinic_id,
            db::Sql::<Nullable<SmallInt>>::expression("NULL::smallint"),
            db::Sql::<Nullable<Time>>::expression("NULL::time"),
            db::Sql::<Nullable<Time>>::expression("NULL::time"),
            vet_time_off::period.nullable(),
        ));
    type Row = (UserId, Option<ClinicId>, Option<i16>, Option<NaiveTime>, Option<NaiveTime>, Option<Range>);
    let rows: Vec<Row> = hours.union_all(time_off).load(&mut connection).await?;
    let (mut weekly, mut away) = (WeeklyHours::new(), TimeOff::new());
    for row in rows {
        match row {
            (vet, clinic, None, None, None, Some(period)) => away.entry(vet).or_default().push((clinic, period)),
            (vet, Some(clinic), Some(weekday), Some(starts), Some(ends), None) => {
                weekly.entry((clinic, vet)).or_default().push((weekday, starts, ends));
            }
            _ => return Err(kernel::Error::internal("a row of hours and time off that is neither")),
        }
    }
    Ok((weekly, away))
}

/// The capacities of `rooms`, by room name.
pub async fn room_capacities(
    mut connection: &AsyncPgConnection,
    rooms: &[RoomId],
) -> kernel::Result<Vec<RoomCapacity>> {
    let rows: Vec<(RoomId, i32)> = clinic_rooms::table
        .filter(clinic_rooms::id.eq_any(rooms))
        .select((clinic_rooms::id, clinic_rooms::capacity))
        .order(clinic_rooms::name)
        .load(&mut connection)
        .await?;
    Ok(rows.into_iter().map(|(room_id, capacity)| RoomCapacity { room_id, capacity }).collect())
}

/// The active services of `kind` that owners book online at `clinics`, for
/// `species` when given: `(clinic, service, name)`, by clinic then name.
pub async fn services_of_kind(
    connection: &mut AsyncPgConnection,
    clinics: &[ClinicId],
    kind: crate::api::ServiceKind,
    species: Option<Species>,
) -> kernel::Result<Vec<(ClinicId, ServiceId, String)>> {
    let rows: Vec<(ClinicId, ServiceId, String, Vec<Species>)> = clinic_services::table
        .filter(clinic_services::clinic_id.eq_any(clinics))
        .filter(clinic_services::kind.eq(kind))
        .filter(clinic_services::is_active)
        .filter(clinic_services::bookable_online)
        .order((clinic_services::clinic_id, clinic_services::name))
        .select((clinic_services::clinic_id, clinic_services::id, clinic_services::name, clinic_services::species))
        .load(connection)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(.., served)| species.is_none_or(|species| served.is_empty() || served.contains(&species)))
        .map(|(clinic, service, name, _)| (clinic, service, name))
        .collect())
}

/// The clinic's veterinarians (or just `only`) with the name others see:
/// their vet profile's display name, else their account name.
pub async fn vets_with_names(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    only: Option<UserId>,
) -> kernel::Result<Vec<(UserId, String)>> {
    let mut query = clinic_memberships::table
        .left_join(vets::table.on(vets::user_id.eq(clinic_memberships::user_id)))
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .filter(clinic_memberships::role.eq(Role::Veterinarian))
        .select((clinic_memberships::user_id, vets::display_name.nullable()))
        .order(clinic_memberships::user_id)
        .into_boxed();
    if let Some(vet) = only {
        query = query.filter(clinic_memberships::user_id.eq(vet));
    }
    let rows: Vec<(UserId, Option<String>)> = query.load(connection).await?;
    let ids: Vec<UserId> = rows.iter().map(|(id, _)| *id).collect();
    let mut names = platform::users::names(connection, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(id, display)| {
            let name = display.unwrap_or_else(|| names.remove(&id).unwrap_or_default().display());
            (id, name)
        })
        .collect())
}

/// A vet's display name, when they have a profile.
pub async fn vet_display_name(connection: &mut AsyncPgConnection, vet: UserId) -> kernel::Result<Option<String>> {
    Ok(vets::table.find(vet).select(vets::display_name).first(connection).await.optional()?)
}

/// Weekly rows as ISO weekday (1 = Monday) → local intervals.
pub(crate) fn by_weekday(
    rows: impl IntoIterator<Item = (i16, NaiveTime, NaiveTime)>,
) -> BTreeMap<u32, Vec<LocalInterval>> {
    let mut weekly: BTreeMap<u32, Vec<LocalInterval>> = BTreeMap::new();
    for (weekday, starts, ends) in rows {
        if let Ok(weekday) = u32::try_from(weekday) {
            weekly.entry(weekday).or_default().push((starts, ends));
        }
    }
    weekly
}
