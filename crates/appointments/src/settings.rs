//! `[appointments]`: the slot grid, booking bounds, reminders, the waitlist.

use serde::Deserialize;

/// Scheduling: the slot grid, booking bounds, reminders, the waitlist.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Minutes between bookable start times, counted from each local midnight.
    pub slot_minutes: u32,
    /// Owners book at least this many minutes ahead.
    pub min_notice_minutes: i64,
    /// Nobody books further ahead than this many days.
    pub horizon_days: i64,
    /// Upcoming appointments one owner may hold (booking hoarding stops there).
    pub max_upcoming_per_owner: i64,
    /// Reminders go out this many hours before an appointment.
    #[serde(deserialize_with = "platform::config::list")]
    pub reminder_hours_before: Vec<i64>,
    /// Minutes a waitlisted owner has to accept a freed slot.
    pub waitlist_offer_minutes: i64,
    /// Longest range, in days, one availability, calendar or statistics request covers.
    pub max_range_days: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "appointments";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.slot_minutes == 0 || 24 * 60 % self.slot_minutes != 0 {
            return Err("slot_minutes must divide a day (15, 20, 30...)".to_owned());
        }
        if self.horizon_days < 1 || self.max_range_days < 1 || self.max_upcoming_per_owner < 1 {
            return Err("horizon_days, max_range_days and max_upcoming_per_owner must be at least 1".to_owned());
        }
        let distinct: std::collections::HashSet<_> = self.reminder_hours_before.iter().collect();
        if self.reminder_hours_before.iter().any(|hours| *hours < 1)
            || distinct.len() < self.reminder_hours_before.len()
        {
            return Err("reminder_hours_before lists distinct hours before the start, at least 1".to_owned());
        }
        Ok(())
    }
}
