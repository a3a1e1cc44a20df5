//! Push devices a user registers (FCM registration tokens).

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{DeviceId, Principal, UserId, Valid};

use crate::api::{DeviceRegistration, DeviceView};
use db::schema::push_devices;

/// Devices kept per user; registering another drops the oldest.
pub const MAX_DEVICES_PER_USER: i64 = 10;

/// A `push_devices` row to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = push_devices)]
struct NewDevice<'a> {
    id: DeviceId,
    user_id: UserId,
    token: &'a str,
    platform: &'a str,
}

/// Registers the caller's device. A token already known (the same phone, a
/// new login) moves to the caller.
pub async fn register(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    registration: &Valid<DeviceRegistration>,
) -> kernel::Result<DeviceView> {
    let user = principal.user_id;
    let device = NewDevice {
        id: DeviceId::new(),
        user_id: user,
        token: &registration.token,
        platform: registration.platform.as_str(),
    };
    let (id, platform, created_at) = diesel::insert_into(push_devices::table)
        .values(&device)
        .on_conflict(push_devices::token)
        .do_update()
        .set((
            push_devices::user_id.eq(excluded(push_devices::user_id)),
            push_devices::platform.eq(excluded(push_devices::platform)),
        ))
        .returning((push_devices::id, push_devices::platform, push_devices::created_at))
        .get_result::<(DeviceId, String, chrono::DateTime<chrono::Utc>)>(connection)
        .await?;
    diesel::sql_query(
        "DELETE FROM push_devices WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM push_devices WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind::<diesel::sql_types::Uuid, _>(user)
    .bind::<diesel::sql_types::BigInt, _>(MAX_DEVICES_PER_USER)
    .execute(connection)
    .await?;
    Ok(DeviceView { id, platform, created_at })
}

/// Removes one of the caller's devices; someone else's is a 404.
pub async fn remove(connection: &mut AsyncPgConnection, principal: &Principal, id: DeviceId) -> kernel::Result<()> {
    let mine = push_devices::table.filter(push_devices::id.eq(id)).filter(push_devices::user_id.eq(principal.user_id));
    match diesel::delete(mine).execute(connection).await? {
        0 => Err(kernel::Error::NotFound { resource: "device" }),
        _ => Ok(()),
    }
}
