//! [`Clock`]: the one source of "now" for rules that compare against it
//! (records lock after a day, owners book with notice, offers expire, uploads
//! nobody attached are cleaned up).
//!
//! Production uses the system time. Tests move a clock forward instead of
//! editing rows to look old: every copy of a clock shares its offset, so
//! advancing the copy a test holds moves the server's and the worker's too.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The system time plus an offset shared by every copy (zero unless a test
/// advanced it).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system time.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, on this clock.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock and every copy of it forward by `by` (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_share_the_time_they_were_moved_to() {
        let clock = Clock::system();
        let copy = clock.clone();
        clock.advance(Duration::days(2));
        let ahead = copy.now() - Utc::now();
        assert!(ahead >= Duration::days(2) - Duration::seconds(1) && ahead <= Duration::days(2), "{ahead}");
    }
}
