//! Half-open UTC intervals `[start, end)`: the one representation of "a span of time" in Rempla.
//! Local times only exist at the edges (shift templates, display, iCalendar).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;

/// A non-empty half-open interval of UTC instants, `start < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawInterval", into = "RawInterval")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Interval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct RawInterval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<RawInterval> for Interval {
    type Error = CalendarError;
    fn try_from(raw: RawInterval) -> Result<Self, Self::Error> {
        Interval::new(raw.start, raw.end)
    }
}

impl From<Interval> for RawInterval {
    fn from(i: Interval) -> Self {
        RawInterval {
            start: i.start,
            end: i.end,
        }
    }
}

impl Interval {
    /// Builds `[start, end)`; an empty or reversed interval is an error, never silently fixed.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, CalendarError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(CalendarError::EmptyInterval { start, end })
        }
    }

    /// First instant inside the interval.
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after the interval.
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Exact length (a night across a DST change is 11 h or 13 h, not 12 h).
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// Whether the two intervals share at least one instant.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the instant lies inside the interval.
    pub fn contains_instant(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}
