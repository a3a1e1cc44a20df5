//! What a clinic offers: services (duration, buffers, price, species, online
//! booking, who and which rooms can perform them) and rooms or equipment.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, RoomId, ServiceId, UserId};
use rust_decimal::Decimal;

use crate::api::{RoomSpec, RoomView, ServiceOffer, ServiceView};
use crate::service::clinics::{EDITORS, exists};
use db::schema::{
    clinic_memberships, clinic_rooms, clinic_service_rooms, clinic_service_staff, clinic_services, clinics,
};

type ServiceRow = (uuid::Uuid, String, String, i32, i32, i32, Decimal, String, Vec<String>, bool, bool);

/// The clinic's active services (public).
pub async fn services(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<ServiceView>> {
    exists(connection, clinic).await?;
    let rows = clinic_services::table
        .filter(clinic_services::clinic_id.eq(clinic))
        .filter(clinic_services::is_active)
        .select((
            clinic_services::id,
            clinic_services::kind,
            clinic_services::name,
            clinic_services::duration_minutes,
            clinic_services::buffer_before_minutes,
            clinic_services::buffer_after_minutes,
            clinic_services::price,
            clinic_services::currency,
            clinic_services::species,
            clinic_services::bookable_online,
            clinic_services::allows_overbooking,
        ))
        .order(clinic_services::name)
        .load::<ServiceRow>(connection)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for (id, kind, name, duration, before, after, price, currency, species, bookable_online, allows_overbooking) in rows
    {
        let staff = clinic_service_staff::table
            .filter(clinic_service_staff::service_id.eq(id))
            .select(clinic_service_staff::user_id)
            .load::<UserId>(connection)
            .await?;
        let rooms = clinic_service_rooms::table
            .filter(clinic_service_rooms::service_id.eq(id))
            .select(clinic_service_rooms::room_id)
            .load::<uuid::Uuid>(connection)
            .await?;
        views.push(ServiceView {
            id: ServiceId(id),
            offer: ServiceOffer {
                kind: parse_stored(&kind)?,
                name,
                duration_minutes: duration,
                buffer_before_minutes: before,
                buffer_after_minutes: after,
                price,
                species: species.iter().map(|species| parse_stored(species)).collect::<kernel::Result<_>>()?,
                bookable_online,
                allows_overbooking,
                staff,
                rooms: rooms.into_iter().map(RoomId).collect(),
            },
            currency,
        });
    }
    Ok(views)
}

/// Adds a service (clinic admins).
pub async fn add_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    offer: &ServiceOffer,
) -> kernel::Result<ServiceId> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, EDITORS)?;
    let id = ServiceId::new();
    connection
        .transaction::<_, kernel::Error, _>(async |connection| write_service(connection, clinic, id, offer).await)
        .await?;
    Ok(id)
}

/// Replaces a service (clinic admins).
pub async fn update_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ServiceId,
    offer: &ServiceOffer,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, EDITORS)?;
    let known = diesel::select(diesel::dsl::exists(
        clinic_services::table.filter(clinic_services::id.eq(id.0)).filter(clinic_services::clinic_id.eq(clinic)),
    ))
    .get_result::<bool>(connection)
    .await?;
    if !known {
        return Err(kernel::Error::NotFound { resource: "service" });
    }
    connection
        .transaction::<_, kernel::Error, _>(async |connection| write_service(connection, clinic, id, offer).await)
        .await
}

/// Withdraws a service (clinic admins); kept for past bookings.
pub async fn withdraw_service(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ServiceId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, EDITORS)?;
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
    let room_ids: Vec<uuid::Uuid> = offer.rooms.iter().map(|room| room.0).collect();
    let rooms_here = clinic_rooms::table
        .filter(clinic_rooms::clinic_id.eq(clinic))
        .filter(clinic_rooms::id.eq_any(&room_ids))
        .count()
        .get_result::<i64>(connection)
        .await?;
    if usize::try_from(rooms_here).unwrap_or(0) != dedup_len(&room_ids) {
        return Err(kernel::Error::invalid_field("rooms", "must all be rooms of this clinic"));
    }
    let species: Vec<&str> = offer.species.iter().map(|species| species.as_str()).collect();
    let currency = clinics::table.find(clinic).select(clinics::currency).first::<String>(connection).await?;
    let columns = (
        clinic_services::kind.eq(offer.kind.as_str()),
        clinic_services::name.eq(&offer.name),
        clinic_services::duration_minutes.eq(offer.duration_minutes),
        clinic_services::buffer_before_minutes.eq(offer.buffer_before_minutes),
        clinic_services::buffer_after_minutes.eq(offer.buffer_after_minutes),
        clinic_services::price.eq(offer.price),
        clinic_services::species.eq(species),
        clinic_services::bookable_online.eq(offer.bookable_online),
        clinic_services::allows_overbooking.eq(offer.allows_overbooking),
        clinic_services::is_active.eq(true),
    );
    diesel::insert_into(clinic_services::table)
        .values((
            clinic_services::id.eq(id.0),
            clinic_services::clinic_id.eq(clinic),
            clinic_services::currency.eq(&currency),
            columns.clone(),
        ))
        .on_conflict(clinic_services::id)
        .do_update()
        .set(columns)
        .execute(connection)
        .await?;
    diesel::delete(clinic_service_staff::table.filter(clinic_service_staff::service_id.eq(id.0)))
        .execute(connection)
        .await?;
    diesel::delete(clinic_service_rooms::table.filter(clinic_service_rooms::service_id.eq(id.0)))
        .execute(connection)
        .await?;
    let staff: Vec<_> = offer
        .staff
        .iter()
        .map(|user| (clinic_service_staff::service_id.eq(id.0), clinic_service_staff::user_id.eq(*user)))
        .collect();
    diesel::insert_into(clinic_service_staff::table)
        .values(&staff)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    let rooms: Vec<_> = room_ids
        .iter()
        .map(|room| (clinic_service_rooms::service_id.eq(id.0), clinic_service_rooms::room_id.eq(*room)))
        .collect();
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

fn parse_stored<T: serde::de::DeserializeOwned>(text: &str) -> kernel::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(kernel::Error::internal)
}

/// The clinic's rooms (its staff).
pub async fn rooms(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<RoomView>> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, &[Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin])?;
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
    spec: &RoomSpec,
) -> kernel::Result<RoomView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, EDITORS)?;
    let id = RoomId::new();
    diesel::insert_into(clinic_rooms::table)
        .values((
            clinic_rooms::id.eq(id.0),
            clinic_rooms::clinic_id.eq(clinic),
            clinic_rooms::name.eq(&spec.name),
            clinic_rooms::capacity.eq(spec.capacity),
        ))
        .execute(connection)
        .await?;
    Ok(RoomView { id, spec: spec.clone() })
}

/// Removes a room (clinic admins).
pub async fn remove_room(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: RoomId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, EDITORS)?;
    let removed = diesel::delete(
        clinic_rooms::table.filter(clinic_rooms::id.eq(id.0)).filter(clinic_rooms::clinic_id.eq(clinic)),
    )
    .execute(connection)
    .await?;
    if removed == 0 { Err(kernel::Error::NotFound { resource: "room" }) } else { Ok(()) }
}
