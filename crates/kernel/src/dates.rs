//! The span of calendar any date or time in a request must fall in.
//!
//! Postgres stores dates from 4713 BC and chrono computes far beyond, but a
//! vet clinic has no business with the year 0 or 30 000: such a value would
//! either be refused by the database (a 500 before this check) or overflow the
//! date arithmetic of reminders, series and calendars. Every date and time a
//! request carries is checked against the years [`YEARS`] with
//! `#[validate(custom(function = "kernel::dates::in_calendar"))]` (or
//! [`instant_in_calendar`]); rules narrower for a field's meaning (a birth
//! date in the last 60 years, a record not before the pet's birth) sit on top,
//! where the meaning lives. All of these are 422s naming the field.
//!
//! Views sent by the hundred write their instants with [`rfc3339`].

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use validator::ValidationError;

/// The years a request may name (the OpenAPI date patterns say the same).
pub const YEARS: RangeInclusive<i32> = 1900..=2199;

/// `validator` rule: a date within [`YEARS`].
pub fn in_calendar(date: &NaiveDate) -> Result<(), ValidationError> {
    check(date.year())
}

/// `validator` rule: an instant within [`YEARS`] (UTC).
pub fn instant_in_calendar(at: &DateTime<Utc>) -> Result<(), ValidationError> {
    check(at.year())
}

fn check(year: i32) -> Result<(), ValidationError> {
    if YEARS.contains(&year) {
        return Ok(());
    }
    let message = format!("must be between {}-01-01 and {}-12-31", YEARS.start(), YEARS.end());
    Err(ValidationError::new("calendar").with_message(message.into()))
}

/// `#[serde(serialize_with = "kernel::dates::rfc3339")]`: the text chrono's
/// own `Serialize` writes (RFC 3339, `Z`, a fraction only when there is one),
/// handed to the serializer as one string. chrono hands it a `Display`
/// instead, and serde_json escapes each of its couple of dozen fragments on
/// its own: a tenth of the gateway's CPU on a week of slots. For the views
/// listed in bulk (slots, pets, records); elsewhere chrono's is as good.
pub fn rfc3339<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    #[derive(serde::Serialize)]
    struct Fast(#[serde(serialize_with = "rfc3339")] DateTime<Utc>);

    #[test]
    fn rfc3339_writes_what_chrono_writes() {
        let second = date("2026-12-31").and_hms_opt(23, 59, 59).unwrap();
        // Whole seconds, each fraction width, and a leap second.
        let nanos = [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999, 1_500_000_000];
        for nano in nanos {
            let at = Utc.from_utc_datetime(&second.with_nanosecond(nano).unwrap());
            let chrono = serde_json::to_string(&at).unwrap();
            assert_eq!(serde_json::to_string(&Fast(at)).unwrap(), chrono, "{nano} ns");
        }
        let epoch = serde_json::to_string(&Fast(DateTime::UNIX_EPOCH)).unwrap();
        assert_eq!(epoch, r#""1970-01-01T00:00:00Z""#);
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn the_calendar_holds_its_ends_and_nothing_beyond() {
        assert!(in_calendar(&date("1900-01-01")).is_ok());
        assert!(in_calendar(&date("2199-12-31")).is_ok());
        for outside in ["1899-12-31", "2200-01-01", "0000-01-01", "-4800-01-01", "+30000-01-01"] {
            assert!(in_calendar(&date(outside)).is_err(), "{outside}");
        }
        let far: DateTime<Utc> = DateTime::<Utc>::MAX_UTC;
        assert!(instant_in_calendar(&far).is_err());
    }
}
