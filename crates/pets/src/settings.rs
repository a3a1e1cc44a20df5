//! `[pets]`: co-owner invitations and the schedule of care reminders.

use serde::Deserialize;

/// Pets, their health records and care reminders.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Days an invitation to co-own a pet stays open.
    pub invitation_ttl_days: i64,
    /// Reminders go out this many days before care is due (and on the day).
    #[serde(deserialize_with = "platform::config::list")]
    pub reminder_lead_days: Vec<i64>,
    /// Follow-ups this many days after the due date while nothing new was recorded.
    #[serde(deserialize_with = "platform::config::list")]
    pub reminder_overdue_days: Vec<i64>,
    /// Local hour (in the owner's time zone) reminders are sent at.
    pub reminder_hour: u32,
    /// A vaccination due within this many days is "due soon" in the summary.
    pub due_soon_days: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "pets";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.reminder_hour > 23 {
            return Err("reminder_hour is an hour of the day, 0 to 23".to_owned());
        }
        if self.reminder_lead_days.iter().chain(&self.reminder_overdue_days).any(|days| *days < 0) {
            return Err("reminder days are counted from the due date and may not be negative".to_owned());
        }
        Ok(())
    }
}
