//! What a clinic offers: services (duration, buffers, price, species, online
//! booking, who and which rooms can perform them) and rooms or equipment.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, RoomId, ServiceId, Species, UserId, Valid};
use rust_decimal::Decimal;

use crate::api::{RoomSpec, RoomView, ServiceKind, ServiceOffer, ServiceView};
use crate::service::clinics::exists;
use db::schema::{
    clinic_memberships, clinic_rooms, clinic_service_rooms, clinic_service_staff, clinic_services, clinics,
};

/// A `clinic_services` row as the catalog shows it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = clinic_services, check_for_backend(diesel::pg::Pg))]
struct ServiceRow {
    id: ServiceId,
    kind: ServiceKind,
    name: String,
    duration_minutes: i32,
    buffer_before_minutes: i32,
    buffer_after_minutes: i32,
    price: Decimal,
    currency: String,
    species: Vec<Species>,
    bookable_online: bool,
    allows_overbooking: bool,
}

/// The columns an offer writes.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = clinic_services)]
struct OfferColumns<'a> {
    kind: ServiceKind,
    name: &'a str,
    duration_minutes: i32,
    buffer_before_minutes: i32,
    buffer_after_minutes: i32,
    price: Decimal,
    species: &'a [Species],
    bookable_online: bool,
    allows_overbooking: bool,
    is_active: bool,
}

impl<'a> From<&'a ServiceOffer> for OfferColumns<'a> {
    fn from(offer: &'a ServiceOffer) -> Self {
        Self {
            kind: offer.kind,
            name: &offer.name,
            duration_minutes: offer.duration_minutes,
            buffer_before_minutes: offer.buffer_before_minutes,
            buffer_after_minutes: offer.buffer_after_minutes,
            price: offer.price,
            species: &offer.species,
            bookable_online: offer.bookable_online,
            allows_overbooking: offer.allows_overbooking,
            is_active: true,
        }
    }
}

/// Who performs a service.
#[derive(Insertable)]
#[diesel(table_name = clinic_service_staff)]
struct ServiceStaff {
    service_id: ServiceId,
    user_id: UserId,
}

/// A room a service needs.
#[derive(Insertable)]
#[diesel(table_name = clinic_service_rooms)]
struct ServiceRoom {
    service_id: ServiceId,
    room_id: RoomId,
}

/// A room of a clinic.
#[derive(Insertable)]
#[diesel(table_name = clinic_rooms)]
struct NewRoom<'a> {
    id: RoomId,
    clinic_id: ClinicId,
    name: &'a str,
    capacity: i32,
}

/// The clinic's active services (public).
pub async fn services(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<ServiceView>> {
    exists(connection, clinic).await?;
    let rows: Vec<ServiceRow> = clinic_services::table
        .filter(clinic_services::clinic_id.eq(clinic))
        .filter(clinic_services::is_active)
        .select(ServiceRow::as_select())
        .order(clinic_services::name)
        .load(connection)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let staff = clinic_service_staff::table
            .filter(clinic_service_staff::service_id.eq(row.id))
            .select(clinic_service_staff::user_id)
            .load::<UserId>(connection)
            .await?;
        let rooms = clinic_service_rooms::table
            .filter(clinic_service_rooms::service_id.eq(row.id))
            .select(clinic_service_rooms::room_id)
            .load::<RoomId>(connection)
            .await?;
        views.push(ServiceView {
            id: row.id,
            offer: ServiceOffer {
                kind: row.kind,
                name: row.name,
                duration_minutes: row.duration_minutes,
                buffer_before_minutes: row.buffer_before_minutes,
                buffer_after_minutes: row.buffer_after_minutes,
                price: row.price,
                species: row.species,
                bookable_online: row.bookable_online,
                allows_overbooking: row.allows_overbooking,
                staff,
                rooms,
            },
            currency: row.currency,
        });
    }
    Ok(views)
}

/// Adds a service (clinic admins).
pub async fn add_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    offer: &Valid<ServiceOffer>,
) -> kernel::Result<ServiceId> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let id = ServiceId::new();
    db::transaction(connection, async |connection| write_service(connection, clinic, id, offer).await).await?;
    Ok(id)
}

/// Replaces a service (clinic admins).
pub async fn update_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ServiceId,
    offer: &Valid<ServiceOffer>,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let known = diesel::select(diesel::dsl::exists(
        clinic_services::table.filter(clinic_services::id.eq(id.0)).filter(clinic_services::clinic_id.eq(clinic)),
    ))
    .get_result::<bool>(connection)
    .await?;
    if !known {
        return Err(kernel::Error::NotFound { resource: "service" });
    }
    db::transaction(connection, async |connection| write_service(connection, clinic, id, offer).await).await
}

/// Withdraws a service (clinic admins); kept for past bookings.
pub async fn withdraw_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ServiceId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let changed = diesel::update(
        clinic_services::table.filter(clinic_services::id.eq(id.0)).filter(clinic_services::clinic_id.eq(clinic)),
    )
    .set(clinic_services::is_active.eq(false))
    .execute(connection)
    .await?;
    if changed == 0 { Err(kernel::Error::NotFound { resource: "service" }) } else { Ok(()) }
}

async fn write_service(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    id: ServiceId,
    offer: &ServiceOffer,
) -> kernel::Result<()> {
    if offer.price.scale() > 2 || offer.price.is_sign_negative() || offer.price >= Decimal::from(100_000_000) {
        return Err(kernel::Error::invalid_field("price", "must be 0 to 99999999.99 with at most 2 decimals"));
    }
    let staff_here = clinic_memberships::table
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .filter(clinic_memberships::user_id.eq_any(&offer.staff))
        .count()
        .get_result::<i64>(connection)
        .await?;
    if usize::try_from(staff_here).unwrap_or(0) != dedup_len(&offer.staff) {
        return Err(kernel::Error::invalid_field("staff", "must all be staff of this clinic"));
    }
    let rooms_here = clinic_rooms::table
        .filter(clinic_rooms::clinic_id.eq(clinic))
        .filter(clinic_rooms::id.eq_any(&offer.rooms))
        .count()
        .get_result::<i64>(connection)
        .await?;
    if usize::try_from(rooms_here).unwrap_or(0) != dedup_len(&offer.rooms) {
        return Err(kernel::Error::invalid_field("rooms", "must all be rooms of this clinic"));
    }
    let currency = clinics::table.find(clinic).select(clinics::currency).first::<String>(connection).await?;
    let columns = OfferColumns::from(offer);
    diesel::insert_into(clinic_services::table)
        .values((
            clinic_services::id.eq(id),
            clinic_services::clinic_id.eq(clinic),
            clinic_services::currency.eq(&currency),
            &columns,
        ))
        .on_conflict(clinic_services::id)
        .do_update()
        .set(&columns)
        .execute(connection)
        .await?;
    diesel::delete(clinic_service_staff::table.filter(clinic_service_staff::service_id.eq(id)))
        .execute(connection)
        .await?;
    diesel::delete(clinic_service_rooms::table.filter(clinic_service_rooms::service_id.eq(id)))
        .execute(connection)
        .await?;
    let staff: Vec<ServiceStaff> =
        offer.staff.iter().map(|&user_id| ServiceStaff { service_id: id, user_id }).collect();
    diesel::insert_into(clinic_service_staff::table)
        .values(&staff)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    let rooms: Vec<ServiceRoom> = offer.rooms.iter().map(|&room_id| ServiceRoom { service_id: id, room_id }).collect();
    diesel::insert_into(clinic_service_rooms::table)
        .values(&rooms)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(())
}

fn dedup_len<T: Ord + Clone>(items: &[T]) -> usize {
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    items.len()
}

/// The clinic's rooms (its staff).
pub async fn rooms(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<RoomView>> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let rows = clinic_rooms::table
        .filter(clinic_rooms::clinic_id.eq(clinic))
        .select((clinic_rooms::id, clinic_rooms::name, clinic_rooms::capacity))
        .order(clinic_rooms::name)
        .load::<(uuid::Uuid, String, i32)>(connection)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, capacity)| RoomView { id: RoomId(id), spec: RoomSpec { name, capacity } })
        .collect())
}

/// Adds a room (clinic admins); names are unique per clinic (409).
pub async fn add_room(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    spec: &Valid<RoomSpec>,
) -> kernel::Result<RoomView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let id = RoomId::new();
    let room = NewRoom { id, clinic_id: clinic, name: &spec.name, capacity: spec.capacity };
    diesel::insert_into(clinic_rooms::table).values(&room).execute(connection).await?;
    Ok(RoomView { id, spec: RoomSpec::clone(spec) })
}

/// Removes a room (clinic admins).
pub async fn remove_room(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: RoomId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let removed = diesel::delete(
        clinic_rooms::table.filter(clinic_rooms::id.eq(id.0)).filter(clinic_rooms::clinic_id.eq(clinic)),
    )
    .execute(connection)
    .await?;
    if removed == 0 { Err(kernel::Error::NotFound { resource: "room" }) } else { Ok(()) }
}

/// A service's name and price, withdrawn or not (what a visit for it is
/// invoiced at: `commerce` drafts the invoice of a completed appointment).
pub async fn name_and_price(connection: &mut AsyncPgConnection, id: ServiceId) -> kernel::Result<(String, Decimal)> {
    clinic_services::table
        .find(id.0)
        .select((clinic_services::name, clinic_services::price))
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "service" })
}

/// The names of the clinic's services among `ids` (withdrawn or not);
/// services of other clinics are left out.
pub async fn names_in(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    ids: &[ServiceId],
) -> kernel::Result<Vec<(ServiceId, String)>> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
    let rows: Vec<(uuid::Uuid, String)> = clinic_services::table
        .filter(clinic_services::clinic_id.eq(clinic))
        .filter(clinic_services::id.eq_any(ids))
        .select((clinic_services::id, clinic_services::name))
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|(id, name)| (ServiceId(id), name)).collect())
}
