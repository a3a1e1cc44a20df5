//! Which channels reach a user for each category, and their quiet hours.
//!
//! Only choices that differ from [`default_enabled`] are stored. Emergency and
//! account notifications cannot be switched off; marketing is off until the
//! user opts in. Quiet hours are local wall-clock times in the user's own time
//! zone (`users.preferences.time_zone`) and may wrap midnight.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Principal, UserId, Valid};

use crate::api::{
    ChannelPreference, NotificationPreferences, NotificationPreferencesUpdate, PreferenceChoice, QuietHours,
};
use crate::models::{Category, Channel, DeliveryStatus};
use db::schema::{notification_deliveries, notification_preferences, notification_quiet_hours, notifications};

/// Whether `channel` carries `category` for a user who never chose.
pub fn default_enabled(category: Category, channel: Channel) -> bool {
    match (category, channel) {
        (Category::Marketing, _) => false,
        (Category::Emergency | Category::Account, _) | (_, Channel::InApp) => true,
        (Category::Appointment, Channel::Sms) => true,
        (_, Channel::Sms) | (Category::Chat, Channel::Email) => false,
        _ => true,
    }
}

/// Whether `channel` carries `category` for a user whose stored choices are
/// `overrides`: mandatory categories always, else their choice, else the default.
fn allowed(overrides: &[(Category, Channel, bool)], category: Category, channel: Channel) -> bool {
    if category.is_mandatory() {
        return true;
    }
    overrides
        .iter()
        .find(|(stored_category, stored_channel, _)| (*stored_category, *stored_channel) == (category, channel))
        .map_or_else(|| default_enabled(category, channel), |(_, _, enabled)| *enabled)
}

/// A user's effective choices, read once per notification.
#[derive(Debug, Clone)]
pub struct Effective {
    overrides: Vec<(Category, Channel, bool)>,
    /// Quiet hours, if the user set them.
    pub quiet_hours: Option<(NaiveTime, NaiveTime)>,
    /// The user's time zone.
    pub time_zone: Tz,
}

impl Effective {
    /// Whether `channel` carries `category`.
    pub fn allows(&self, category: Category, channel: Channel) -> bool {
        allowed(&self.overrides, category, channel)
    }

    /// When a delivery asked for at `now` may go out: `now`, or the end of
    /// the quiet period `now` falls in.
    pub fn release_time(&self, category: Category, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.quiet_hours {
            Some((starts, ends)) if !category.is_urgent() => quiet_period_end(starts, ends, self.time_zone, now),
            _ => now,
        }
    }
}

/// The end of the quiet period containing `now`, or `now` outside of it.
pub fn quiet_period_end(starts: NaiveTime, ends: NaiveTime, zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&zone);
    let time = local.time();
    let wraps = starts > ends;
    let quiet = if wraps { time >= starts || time < ends } else { time >= starts && time < ends };
    if !quiet {
        return now;
    }
    let mut end_date = local.date_naive();
    if wraps && time >= starts {
        end_date = end_date.checked_add_days(Days::new(1)).unwrap_or(end_date);
    }
    // A wall-clock time skipped by a DST jump resolves to the first instant after it.
    let naive_end = end_date.and_time(ends);
    zone.from_local_datetime(&naive_end)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(naive_end + chrono::Duration::hours(1))).earliest())
        .map_or(now, |end| end.with_timezone(&Utc))
}

/// One stored choice that differs from its default.
#[derive(Debug, Insertable)]
#[diesel(table_name = notification_preferences)]
struct StoredChoice {
    user_id: UserId,
    category: Category,
    channel: Channel,
    enabled: bool,
}

/// A user's quiet period.
#[derive(Debug, Insertable)]
#[diesel(table_name = notification_quiet_hours)]
struct StoredQuietHours {
    user_id: UserId,
    starts: NaiveTime,
    ends: NaiveTime,
}

/// Reads the choices of `user`, who lives in `time_zone`.
pub async fn effective(connection: &mut AsyncPgConnection, user: UserId, time_zone: Tz) -> kernel::Result<Effective> {
    let mut each = effective_each(connection, &[(user, time_zone)]).await?;
    Ok(each.remove(&user).unwrap_or(Effective { overrides: Vec::new(), quiet_hours: None, time_zone }))
}

/// Reads the choices of each user (with the zone they live in) in one query:
/// their stored overrides, then their quiet hours, as rows of one union.
pub async fn effective_each(
    connection: &mut AsyncPgConnection,
    users: &[(UserId, Tz)],
) -> kernel::Result<HashMap<UserId, Effective>> {
    use diesel::sql_types::{Bool, Nullable, Text, Time};

    let ids: Vec<UserId> = users.iter().map(|(user, _)| *user).collect();
    let overrides = notification_preferences::table.filter(notification_preferences::user_id.eq_any(&ids)).select((
        notification_preferences::user_id,
        notification_preferences::category.nullable(),
        notification_preferences::channel.nullable(),
        notification_preferences::enabled.nullable(),
        db::Sql::<Nullable<Time>>::expression("NULL::time"),
        db::Sql::<Nullable<Time>>::expression("NULL::time"),
    ));
    let quiet_hours = notification_quiet_hours::table.filter(notification_quiet_hours::user_id.eq_any(&ids)).select((
        notification_quiet_hours::user_id,
        db::Sql::<Nullable<Text>>::expression("NULL::text"),
        db::Sql::<Nullable<Text>>::expression("NULL::text"),
        db::Sql::<Nullable<Bool>>::expression("NULL::boolean"),
        notification_quiet_hours::starts.nullable(),
        notification_quiet_hours::ends.nullable(),
    ));
    type Row = (UserId, Option<Category>, Option<Channel>, Option<bool>, Option<NaiveTime>, Option<NaiveTime>);
    let rows: Vec<Row> = overrides.union_all(quiet_hours).load(connection).await?;
    let mut each: HashMap<UserId, Effective> = users
        .iter()
        .map(|&(user, time_zone)| (user, Effective { overrides: Vec::new(), quiet_hours: None, time_zone }))
        .collect();
    for (user, category, channel, enabled, starts, ends) in rows {
        let Some(effective) = each.get_mut(&user) else { continue };
        if let (Some(category), Some(channel), Some(enabled)) = (category, channel, enabled) {
            effective.overrides.push((category, channel, enabled));
        }
        if let (Some(starts), Some(ends)) = (starts, ends) {
            effective.quiet_hours = Some((starts, ends));
        }
    }
    Ok(each)
}

/// The users among `users` whom `category` reaches on at least one channel
/// (for marketing: those who opted in), each once.
pub async fn reached_by(
    connection: &mut AsyncPgConnection,
    users: &[UserId],
    category: Category,
) -> kernel::Result<Vec<UserId>> {
    let stored: Vec<(UserId, Category, Channel, bool)> = notification_preferences::table
        .filter(notification_preferences::user_id.eq_any(users))
        .filter(notification_preferences::category.eq(category))
        .select((
            notification_preferences::user_id,
            notification_preferences::category,
            notification_preferences::channel,
            notification_preferences::enabled,
        ))
        .load(connection)
        .await?;
    let mut overrides: HashMap<UserId, Vec<(Category, Channel, bool)>> = HashMap::new();
    for (user, stored_category, channel, enabled) in stored {
        overrides.entry(user).or_default().push((stored_category, channel, enabled));
    }
    let reaches = |user: &UserId| {
        let chosen = overrides.get(user).map(Vec::as_slice).unwrap_or_default();
        Channel::ALL.iter().any(|&channel| allowed(chosen, category, channel))
    };
    let mut reached: Vec<UserId> = users.iter().copied().filter(reaches).collect();
    reached.sort_unstable();
    reached.dedup();
    Ok(reached)
}

/// Switches `category` off on every channel for `user` (an unsubscribe
/// link); other choices and quiet hours stay. Deliveries of that category
/// still waiting (quiet hours, retries) are skipped: nothing more of it
/// reaches them. Idempotent.
pub async fn switch_off(connection: &mut AsyncPgConnection, user: UserId, category: Category) -> kernel::Result<()> {
    if category.is_mandatory() {
        return Err(kernel::Error::conflict(format!("{category} notifications cannot be switched off")));
    }
    let rows: Vec<StoredChoice> = Channel::ALL
        .iter()
        .filter(|&&channel| default_enabled(category, channel))
        .map(|&channel| StoredChoice { user_id: user, category, channel, enabled: false })
        .collect();
    db::all_or_nothing(connection, async |connection| {
        diesel::delete(
            notification_preferences::table
                .filter(notification_preferences::user_id.eq(user))
                .filter(notification_preferences::category.eq(category)),
        )
        .execute(connection)
        .await?;
        diesel::insert_into(notification_preferences::table).values(&rows).execute(connection).await?;
        let theirs = notifications::table
            .filter(notifications::recipient_id.eq(user))
            .filter(notifications::category.eq(category))
            .select(notifications::id);
        diesel::update(
            notification_deliveries::table
                .filter(notification_deliveries::status.eq(DeliveryStatus::Pending))
                .filter(notification_deliveries::notification_id.eq_any(theirs)),
        )
        .set((
            notification_deliveries::status.eq(DeliveryStatus::Skipped),
            notification_deliveries::last_error.eq("the recipient switched this category off"),
            notification_deliveries::updated_at.eq(chrono::Utc::now()),
        ))
        .execute(connection)
        .await?;
        Ok(())
    })
    .await
}

/// The caller's full matrix (every category × channel) and quiet hours.
pub async fn get(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<NotificationPreferences> {
    let time_zone = platform::users::time_zone(connection, principal.user_id).await?;
    let effective = effective(connection, principal.user_id, time_zone).await?;
    let channels = Category::ALL
        .iter()
        .flat_map(|&category| Channel::ALL.iter().map(move |&channel| (category, channel)))
        .map(|(category, channel)| ChannelPreference {
            category,
            channel,
            enabled: effective.allows(category, channel),
            locked: category.is_mandatory(),
        })
        .collect();
    let quiet_hours = effective.quiet_hours.map(|(starts, ends)| QuietHours::from_times(starts, ends));
    Ok(NotificationPreferences { channels, quiet_hours, time_zone: effective.time_zone.name().to_owned() })
}

/// Replaces the caller's choices: listed pairs are stored (the last of a
/// pair listed twice counts), unlisted ones return to their defaults;
/// `quiet_hours: null` (or an empty period) removes them.
pub async fn put(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    update: &Valid<NotificationPreferencesUpdate>,
) -> kernel::Result<NotificationPreferences> {
    let user = principal.user_id;
    let choices = last_choice_per_pair(&update.channels);
    let quiet_hours = update.quiet_hours.as_ref().map(QuietHours::times).transpose()?.flatten();
    let rows: Vec<StoredChoice> = choices
        .into_iter()
        .filter(|&(category, channel, enabled)| enabled != default_enabled(category, channel))
        .map(|(category, channel, enabled)| StoredChoice { user_id: user, category, channel, enabled })
        .collect();
    db::transaction(connection, async |connection| {
        diesel::delete(notification_preferences::table.filter(notification_preferences::user_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::insert_into(notification_preferences::table).values(&rows).execute(connection).await?;
        diesel::delete(notification_quiet_hours::table.find(user)).execute(connection).await?;
        if let Some((starts, ends)) = quiet_hours {
            let period = StoredQuietHours { user_id: user, starts, ends };
            diesel::insert_into(notification_quiet_hours::table).values(&period).execute(connection).await?;
        }
        Ok(())
    })
    .await?;
    get(connection, principal).await
}

/// Each listed pair once, the last listing winning.
fn last_choice_per_pair(choices: &[PreferenceChoice]) -> Vec<(Category, Channel, bool)> {
    let mut pairs: Vec<(Category, Channel, bool)> = Vec::new();
    for choice in choices {
        let category = Category::from(choice.category);
        pairs.retain(|&(stored_category, stored_channel, _)| {
            (stored_category, stored_channel) != (category, choice.channel)
        });
        pairs.push((category, choice.channel, choice.enabled));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn time(text: &str) -> NaiveTime {
        text.parse().unwrap()
    }

    #[test]
    fn quiet_hours_wrapping_midnight_end_the_next_morning_in_the_users_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 23:30 in Paris (UTC+1 in December) is quiet until 07:00 the next day.
        let end = quiet_period_end(time("22:00"), time("07:00"), paris, at("2026-12-01T22:30:00Z"));
        assert_eq!(end, at("2026-12-02T06:00:00Z"));
        // 06:00 local is still quiet, until 07:00 the same day.
        assert_eq!(quiet_period_end(time("22:00"), time("07:00"), paris, at("2026-12-02T05:00:00Z")), end);
        // 12:00 local is not quiet.
        let noon = at("2026-12-02T11:00:00Z");
        assert_eq!(quiet_period_end(time("22:00"), time("07:00"), paris, noon), noon);
    }

    #[test]
    fn quiet_hours_within_a_day_and_across_a_dst_change() {
        let new_york: Tz = "America/New_York".parse().unwrap();
        // 13:30 local during a 13:00-14:00 quiet hour.
        let end = quiet_period_end(time("13:00"), time("14:00"), new_york, at("2026-07-01T17:30:00Z"));
        assert_eq!(end, at("2026-07-01T18:00:00Z"));
        // 02:30 does not exist on 2026-03-08 in New York; the period ends at 03:30 EDT.
        let end = quiet_period_end(time("01:00"), time("02:30"), new_york, at("2026-03-08T06:30:00Z"));
        assert_eq!(end, at("2026-03-08T07:30:00Z"));
    }

    #[test]
    fn mandatory_categories_ignore_stored_choices_and_marketing_is_opt_in() {
        let effective = Effective {
            overrides: vec![(Category::Emergency, Channel::Sms, false), (Category::Marketing, Channel::Email, true)],
            quiet_hours: None,
            time_zone: Tz::UTC,
        };
        assert!(effective.allows(Category::Emergency, Channel::Sms));
        assert!(effective.allows(Category::Marketing, Channel::Email));
        assert!(!effective.allows(Category::Marketing, Channel::Push));
        assert!(effective.allows(Category::Appointment, Channel::Email));
    }
}
