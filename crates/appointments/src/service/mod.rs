//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary.

pub mod access;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod lifecycle;
pub mod listing;
pub mod messages;
pub mod pet_events;
pub mod reminders;
pub mod reschedule;
pub mod series;
pub mod stats;
pub mod waitlist;

use chrono::{DateTime, Duration, Utc};

/// `from < to`, at most `max_days` apart: a 422 otherwise.
pub fn check_range(from: DateTime<Utc>, to: DateTime<Utc>, max_days: i64) -> kernel::Result<()> {
    if from >= to {
        return Err(kernel::Error::invalid_field("to", "must be after `from`"));
    }
    if to - from > Duration::days(max_days) {
        return Err(kernel::Error::invalid_field("to", format!("at most {max_days} days after `from`")));
    }
    Ok(())
}
