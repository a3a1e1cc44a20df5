//! Request and response bodies of the notifications API.

use chrono::{DateTime, NaiveTime, Utc};
use kernel::{DeliveryId, DeviceId, NotificationId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::models::{Category, Channel, DeliveryStatus, SwitchableCategory};

/// One inbox entry.
#[derive(Debug, Clone, Serialize, ToSchema, diesel::Queryable)]
#[serde(deny_unknown_fields)]
pub struct InboxItem {
    /// Notification id.
    pub id: NotificationId,
    /// What it is about.
    pub category: Category,
    /// Short title.
    pub title: String,
    /// Plain-text body.
    pub body: String,
    /// The data it was rendered from (ids the app can link to).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// When the user read it; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

/// `?unread=true` keeps unread entries only.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxFilter {
    /// Only unread entries.
    pub unread: Option<bool>,
}

/// How many inbox entries are unread.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnreadCount {
    /// Unread entries.
    pub unread: i64,
}

/// How many entries `read-all` marked.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkedRead {
    /// Entries that were unread and are now read.
    pub marked: usize,
}

/// One category × channel switch.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelPreference {
    /// The kind of notification this choice is for.
    pub category: Category,
    /// The channel it goes out on.
    pub channel: Channel,
    /// Whether the channel carries the category.
    pub enabled: bool,
    /// Mandatory (emergency, account): always on.
    pub locked: bool,
}

/// The caller's notification preferences.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    /// Every category × channel.
    pub channels: Vec<ChannelPreference>,
    /// Non-urgent deliveries wait until these end; `null` when not set.
    pub quiet_hours: Option<QuietHours>,
    /// The zone quiet hours are read in (`PATCH /users/me` changes it).
    pub time_zone: String,
}

/// A choice in [`NotificationPreferencesUpdate`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChoice {
    /// Category (emergency and account notifications cannot be switched).
    pub category: SwitchableCategory,
    /// The channel to use for the category.
    pub channel: Channel,
    /// On or off.
    pub enabled: bool,
}

/// The whole set of choices: listed pairs are stored, unlisted pairs return
/// to their defaults.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferencesUpdate {
    /// Category × channel choices; when a pair is listed twice the last one counts.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub channels: Vec<PreferenceChoice>,
    /// Quiet hours, or `null` for none.
    #[validate(nested)]
    pub quiet_hours: Option<QuietHours>,
}

/// Local wall-clock times (`HH:MM`, 24 h) in the user's time zone; may wrap midnight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// Start, e.g. `22:00`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    #[validate(length(equal = 5))]
    pub start: String,
    /// End, e.g. `07:00`; the same as the start means no quiet hours.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    #[validate(length(equal = 5))]
    pub end: String,
}

impl QuietHours {
    /// Formats stored times.
    pub fn from_times(starts: NaiveTime, ends: NaiveTime) -> Self {
        Self { start: starts.format("%H:%M").to_string(), end: ends.format("%H:%M").to_string() }
    }

    /// Parses the times; `None` for an empty period (start = end).
    pub fn times(&self) -> kernel::Result<Option<(NaiveTime, NaiveTime)>> {
        let parse = |field: &str, text: &str| {
            NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
                kernel::Error::invalid_field(format!("quiet_hours.{field}"), "must be HH:MM (00:00-23:59)")
            })
        };
        let (starts, ends) = (parse("start", &self.start)?, parse("end", &self.end)?);
        Ok((starts != ends).then_some((starts, ends)))
    }
}

/// Platforms a push token can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DevicePlatform {
    /// Apple (through FCM).
    Ios,
    /// Android.
    Android,
    /// A browser (Web Push through FCM).
    Web,
}

impl DevicePlatform {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ios => "ios",
            Self::Android => "android",
            Self::Web => "web",
        }
    }
}

/// `POST /notifications/devices`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DeviceRegistration {
    /// The FCM registration token.
    #[validate(length(min = 1, max = 4096))]
    #[schema(min_length = 1, max_length = 4096)]
    pub token: String,
    /// Where the token comes from.
    pub platform: DevicePlatform,
}

/// A registered device (the token itself is not echoed).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceView {
    /// Device id (for `DELETE`).
    pub id: DeviceId,
    /// The device's platform (`ios`, `android`, `web`).
    pub platform: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// Filters of the admin delivery log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries to this user.
    pub recipient_id: Option<UserId>,
    /// Only this channel.
    #[param(inline)]
    pub channel: Option<Channel>,
    /// Only this status.
    #[param(inline)]
    pub status: Option<DeliveryStatus>,
}

/// One channel's delivery of a notification (no contact details).
#[derive(Debug, Clone, Serialize, ToSchema, diesel::Queryable)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRecord {
    /// Delivery id.
    pub id: DeliveryId,
    /// The notification.
    pub notification_id: NotificationId,
    /// Its recipient.
    pub recipient_id: UserId,
    /// Its category.
    pub category: Category,
    /// Its template.
    pub template: String,
    /// The channel.
    pub channel: Channel,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Provider calls made.
    pub attempts: i32,
    /// The provider's id of the accepted message.
    pub provider_message_id: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Not before (after the recipient's quiet hours).
    pub scheduled_for: DateTime<Utc>,
    /// When the provider accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}
