//! Half-open UTC intervals `[start, end)` and the set operations schedules
//! need: merge, intersect, subtract, contains. Clinics compute opening and
//! working time with them; scheduling subtracts bookings from it.

use std::ops::Bound;

use chrono::{DateTime, Utc};

/// `[start, end)`.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

/// A range with open or closed ends, as a `tstzrange` column reads.
pub type Range = (Bound<DateTime<Utc>>, Bound<DateTime<Utc>>);

/// Sorted, non-overlapping, non-empty intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intervals(Vec<Interval>);

impl Intervals {
    /// The union of `intervals` (any order, overlaps allowed).
    pub fn merged(mut intervals: Vec<Interval>) -> Self {
        intervals.retain(|(start, end)| start < end);
        intervals.sort();
        let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
        for (start, end) in intervals {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Self(merged)
    }

    /// Stored ranges (a `tstzrange` reads as a pair of bounds), an unbounded
    /// end clamped to `from` or `to`.
    pub fn from_ranges(ranges: impl IntoIterator<Item = Range>, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let at = |bound: Bound<DateTime<Utc>>, unbounded: DateTime<Utc>| match bound {
            Bound::Included(at) | Bound::Excluded(at) => at,
            Bound::Unbounded => unbounded,
        };
        Self::merged(ranges.into_iter().map(|(start, end)| (at(start, from), at(end, to))).collect())
    }

    /// The intervals, in order.
    pub fn as_slice(&self) -> &[Interval] {
        &self.0
    }

    /// Total length in minutes.
    pub fn minutes(&self) -> i64 {
        self.0.iter().map(|(start, end)| (*end - *start).num_minutes()).sum()
    }

    /// The parts covered by both.
    pub fn intersect(&self, other: &Self) -> Self {
        let (mut mine, mut theirs, mut out) = (0, 0, Vec::new());
        while mine < self.0.len() && theirs < other.0.len() {
            let (a, b) = (self.0[mine], other.0[theirs]);
            let (start, end) = (a.0.max(b.0), a.1.min(b.1));
            if start < end {
                out.push((start, end));
            }
            if a.1 < b.1 { mine += 1 } else { theirs += 1 }
        }
        Self(out)
    }

    /// The parts of `self` not covered by `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for &(start, end) in &self.0 {
            let mut cursor = start;
            for &(hole_start, hole_end) in &other.0 {
                if hole_end <= cursor || hole_start >= end {
                    continue;
                }
                if hole_start > cursor {
                    out.push((cursor, hole_start));
                }
                cursor = cursor.max(hole_end);
            }
            if cursor < end {
                out.push((cursor, end));
            }
        }
        Self(out)
    }

    /// Whether one interval covers all of `[start, end)`.
    pub fn covers(&self, (start, end): Interval) -> bool {
        self.0.iter().any(|&(from, to)| from <= start && end <= to)
    }

    /// Whether any interval overlaps `[start, end)`.
    pub fn overlaps(&self, (start, end): Interval) -> bool {
        self.0.iter().any(|&(from, to)| from < end && start < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, hour, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn merge_intersect_subtract() {
        let working = Intervals::merged(vec![(at(9), at(12)), (at(11), at(13)), (at(14), at(18))]);
        assert_eq!(working.as_slice(), [(at(9), at(13)), (at(14), at(18))]);
        let open = Intervals::merged(vec![(at(8), at(17))]);
        assert_eq!(working.intersect(&open).as_slice(), [(at(9), at(13)), (at(14), at(17))]);
        let busy = Intervals::merged(vec![(at(10), at(11)), (at(16), at(19))]);
        let free = working.subtract(&busy);
        assert_eq!(free.as_slice(), [(at(9), at(10)), (at(11), at(13)), (at(14), at(16))]);
        assert!(free.covers((at(11), at(13))) && !free.covers((at(12), at(14))));
        assert!(busy.overlaps((at(9), at(11))) && !busy.overlaps((at(11), at(16))));
        assert_eq!(free.minutes(), 5 * 60);
    }
}
