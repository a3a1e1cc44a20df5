//! Wall-clock schedules (weekly hours, dated exceptions) turned into UTC
//! intervals in a clinic's time zone, so 09:00 stays 09:00 across
//! daylight-saving changes. The Rust reading of opening hours (every
//! `open_now` shown, availability, booking); the SQL one is `clinic_is_open`
//! (search's `open_now=true` filter), and a test holds them equal.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use kernel::Intervals;

/// Local opening (or working) times of one day; `closes <= opens` ends the next day.
pub type LocalInterval = (NaiveTime, NaiveTime);

/// A clinic's opening hours.
#[derive(Debug, Clone)]
pub struct OpeningHours {
    /// Open around the clock (weekly hours and exceptions ignored).
    pub always_open: bool,
    /// ISO weekday (1 = Monday) → intervals.
    pub weekly: BTreeMap<u32, Vec<LocalInterval>>,
    /// Dates whose intervals replace the weekly ones (empty: closed).
    pub exceptions: BTreeMap<NaiveDate, Vec<LocalInterval>>,
}

impl OpeningHours {
    /// The open intervals within `[from, to)`.
    pub fn open(&self, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Intervals {
        if self.always_open {
            return Intervals::merged(vec![(from, to)]);
        }
        expand(zone, from, to, |day| {
            self.exceptions
                .get(&day)
                .cloned()
                .unwrap_or_else(|| self.weekly.get(&day.weekday().number_from_monday()).cloned().unwrap_or_default())
        })
    }

    /// Whether the clinic is open at the instant `at`.
    pub fn is_open(&self, zone: Tz, at: DateTime<Utc>) -> bool {
        !self.open(zone, at, at + Duration::nanoseconds(1)).as_slice().is_empty()
    }
}

/// Weekly intervals (ISO weekday → local intervals) within `[from, to)`.
pub fn weekly(
    zone: Tz,
    weekly: &BTreeMap<u32, Vec<LocalInterval>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Intervals {
    expand(zone, from, to, |day| weekly.get(&day.weekday().number_from_monday()).cloned().unwrap_or_default())
}

/// The intervals `day_intervals` gives each local day, as UTC, within `[from, to)`.
/// The day before `from` is included for intervals running past midnight.
fn expand(
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    day_intervals: impl Fn(NaiveDate) -> Vec<LocalInterval>,
) -> Intervals {
    let (first, last) = (local_date(zone, from) - Duration::days(1), local_date(zone, to));
    let mut out = Vec::new();
    for day in first.iter_days().take_while(|day| *day <= last) {
        for (opens, closes) in day_intervals(day) {
            let end_day = if closes <= opens { day + Duration::days(1) } else { day };
            out.push((to_utc(zone, day.and_time(opens)), to_utc(zone, end_day.and_time(closes))));
        }
    }
    Intervals::merged(out).intersect(&Intervals::merged(vec![(from, to)]))
}

/// The local calendar date of an instant.
pub fn local_date(zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// A local wall-clock time as an instant: the earlier of two when clocks go
/// back, the first valid minute after it when they jump forward.
pub fn to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(at) = zone.from_local_datetime(&local).earliest() {
        return at.with_timezone(&Utc);
    }
    (1..=180)
        .find_map(|minutes| zone.from_local_datetime(&(local + Duration::minutes(minutes))).earliest())
        .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Tz {
        "Europe/Berlin".parse().unwrap_or(Tz::UTC)
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap_or_default()
    }

    #[test]
    fn nine_oclock_stays_nine_oclock_across_the_spring_change() {
        let mut hours = BTreeMap::new();
        for weekday in 1..=7 {
            hours.insert(weekday, vec![(time("09:00"), time("12:00"))]);
        }
        // Clocks go forward in Berlin on Sunday 29 March 2026.
        let open = weekly(berlin(), &hours, utc("2026-03-28T00:00:00Z"), utc("2026-03-31T00:00:00Z"));
        let starts: Vec<String> = open.as_slice().iter().map(|(start, _)| start.to_rfc3339()).collect();
        assert_eq!(starts, ["2026-03-28T08:00:00+00:00", "2026-03-29T07:00:00+00:00", "2026-03-30T07:00:00+00:00"]);
    }

    #[test]
    fn exceptions_replace_the_week_and_overnight_hours_cross_midnight() {
        let mut hours = OpeningHours { always_open: false, weekly: BTreeMap::new(), exceptions: BTreeMap::new() };
        hours.weekly.insert(1, vec![(time("20:00"), time("02:00"))]);
        hours.weekly.insert(2, vec![(time("09:00"), time("17:00"))]);
        let tuesday = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap_or_default();
        hours.exceptions.insert(tuesday, vec![]);
        let open = hours.open(Tz::UTC, utc("2026-03-02T00:00:00Z"), utc("2026-03-04T00:00:00Z"));
        assert_eq!(open.as_slice(), [(utc("2026-03-02T20:00:00Z"), utc("2026-03-03T02:00:00Z"))]);
    }
}
