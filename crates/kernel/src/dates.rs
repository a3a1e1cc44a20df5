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
//! Views sent by the hundred write their instants with [`rfc3339`] and their
//! wall-clock minutes with [`minute`].

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Timelike, Utc};
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
/// A whole second of the years 0 to 9999, the instants slots and bookings
/// fall on, is written from its digits without allocating; chrono writes the
/// others.
pub fn rfc3339<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut text = *b"0000-00-00T00:00:00Z";
    if at.nanosecond() == 0 && date_and_minute(&at.naive_utc(), &mut text) {
        put_digits(&mut text[17..19], at.second());
        return serializer.serialize_str(ascii(&text));
    }
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// `YYYY-MM-DDTHH:MM`: a wall-clock time to the minute, as views show the
/// local start of a slot or a booking (written from its digits: a week of
/// slots writes hundreds).
pub fn minute(at: &NaiveDateTime) -> String {
    let mut text = *b"0000-00-00T00:00";
    if date_and_minute(at, &mut text) {
        return ascii(&text).to_owned();
    }
    format!("{}T{:02}:{:02}", at.date(), at.hour(), at.minute())
}

/// Writes `YYYY-MM-DDTHH:MM` over the first 16 bytes of `text` (whose
/// separators are in place); false, leaving it as it was, for a year outside
/// 0 to 9999, which takes a sign or a fifth digit.
fn date_and_minute(at: &NaiveDateTime, text: &mut [u8]) -> bool {
    let Some(year) = u32::try_from(at.year()).ok().filter(|year| *year <= 9999) else {
        return false;
    };
    put_digits(&mut text[0..4], year);
    put_digits(&mut text[5..7], at.month());
    put_digits(&mut text[8..10], at.day());
    put_digits(&mut text[11..13], at.hour());
    put_digits(&mut text[14..16], at.minute());
    true
}

/// `value` in decimal over all of `digits`, zero-padded on the left.
fn put_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b"0123456789"[(value % 10) as usize];
        value /= 10;
    }
}

/// The text of bytes [`date_and_minute`] and [`put_digits`] wrote: ASCII digits
/// and separators only.
fn ascii(text: &[u8]) -> &str {
    std::str::from_utf8(text).unwrap_or_default()
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
        // The ends of the years written from digits, and beyond them.
        for year in [-1, 0, 1, 999, 9999, 10_000] {
            let at = date("2026-07-04").with_year(year).unwrap().and_hms_opt(5, 6, 7).unwrap().and_utc();
            let chrono = serde_json::to_string(&at).unwrap();
            assert_eq!(serde_json::to_string(&Fast(at)).unwrap(), chrono, "year {year}");
        }
    }

    #[test]
    fn minute_writes_the_wall_clock_to_the_minute() {
        let at = |year: i32, text: &str| date(text).with_year(year).unwrap().and_hms_opt(7, 5, 59).unwrap();
        assert_eq!(minute(&at(2026, "2026-03-09")), "2026-03-09T07:05");
        assert_eq!(minute(&at(0, "2026-12-31")), "0000-12-31T07:05");
        assert_eq!(minute(&at(9999, "2026-12-31")), "9999-12-31T07:05");
        // Beyond four digits, chrono's own reading of the date.
        assert_eq!(minute(&at(10_000, "2026-01-01")), "+10000-01-01T07:05");
        assert_eq!(minute(&at(-1, "2026-01-01")), "-0001-01-01T07:05");
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
