//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary.

pub mod care;
pub mod household;
pub mod patients;
pub mod pets;
pub mod photos;
pub mod prescriptions;
pub mod records;
pub mod reminders;
pub mod weights;

use chrono::{Duration, NaiveDate, Utc};

/// The latest calendar date anywhere on earth (UTC+14): a date after it is in
/// the future for everyone, so "not in the future" never rejects a local today.
pub fn latest_today() -> NaiveDate {
    (Utc::now() + Duration::hours(14)).date_naive()
}
