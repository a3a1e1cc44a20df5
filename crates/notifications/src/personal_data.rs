//! This crate's part of a person's data ([`platform::personal_data`]): the
//! notifications sent to them (the inbox and its delivery log), their channel
//! choices, quiet hours and push devices. Erasure removes all of it; a
//! delivery job still queued for a removed notification then finds nothing to
//! send and ends.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{DeviceId, NotificationId, UserId};
use serde::Serialize;

use crate::api::QuietHours;
use crate::models::{Category, Channel};
use db::schema::{notification_preferences, notification_quiet_hours, notifications, push_devices};

/// The `"notifications"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

/// What [`PersonalData`] exports.
#[derive(Debug, Serialize)]
struct Export {
    notifications: Vec<ExportedNotification>,
    preferences: Vec<ExportedChoice>,
    quiet_hours: Option<QuietHours>,
    devices: Vec<ExportedDevice>,
}

/// A notification sent to the person, whether or not their inbox shows it.
#[derive(Debug, Serialize, Queryable)]
struct ExportedNotification {
    id: NotificationId,
    category: Category,
    title: String,
    body: String,
    data: serde_json::Value,
    in_inbox: bool,
    read_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// A channel choice that differs from its default.
#[derive(Debug, Serialize, Queryable)]
struct ExportedChoice {
    category: Category,
    channel: Channel,
    enabled: bool,
}

/// A push device, without its token (a credential).
#[derive(Debug, Serialize, Queryable)]
struct ExportedDevice {
    id: DeviceId,
    platform: String,
    created_at: DateTime<Utc>,
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "notifications"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let notifications = notifications::table
            .filter(notifications::recipient_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let preferences = notification_preferences::table
            .filter(notification_preferences::user_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let quiet_hours = notification_quiet_hours::table
            .filter(notification_quiet_hours::user_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let devices =
            push_devices::table.filter(push_devices::user_id.eq(user)).count().get_result::<i64>(connection).await?;
        Ok(notifications + preferences + quiet_hours + devices)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let notifications = notifications::table
            .filter(notifications::recipient_id.eq(user))
            .select((
                notifications::id,
                notifications::category,
                notifications::title,
                notifications::body,
                notifications::data,
                notifications::in_inbox,
                notifications::read_at,
                notifications::created_at,
            ))
            .order(notifications::id)
            .load::<ExportedNotification>(connection)
            .await?;
        let preferences = notification_preferences::table
            .filter(notification_preferences::user_id.eq(user))
            .select((
                notification_preferences::category,
                notification_preferences::channel,
                notification_preferences::enabled,
            ))
            .order((notification_preferences::category, notification_preferences::channel))
            .load::<ExportedChoice>(connection)
            .await?;
        let quiet_hours = notification_quiet_hours::table
            .find(user)
            .select((notification_quiet_hours::starts, notification_quiet_hours::ends))
            .first::<(NaiveTime, NaiveTime)>(connection)
            .await
            .optional()?
            .map(|(starts, ends)| QuietHours::from_times(starts, ends));
        let devices = push_devices::table
            .filter(push_devices::user_id.eq(user))
            .select((push_devices::id, push_devices::platform, push_devices::created_at))
            .order(push_devices::id)
            .load::<ExportedDevice>(connection)
            .await?;
        let export = Export { notifications, preferences, quiet_hours, devices };
        serde_json::to_value(export).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, _now: DateTime<Utc>) -> kernel::Result<()> {
        // Their delivery log goes with them (`ON DELETE CASCADE`); a delivery
        // job still queued finds no delivery and ends without sending.
        diesel::delete(notifications::table.filter(notifications::recipient_id.eq(user))).execute(connection).await?;
        diesel::delete(notification_preferences::table.filter(notification_preferences::user_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::delete(notification_quiet_hours::table.find(user)).execute(connection).await?;
        diesel::delete(push_devices::table.filter(push_devices::user_id.eq(user))).execute(connection).await?;
        Ok(())
    }
}
