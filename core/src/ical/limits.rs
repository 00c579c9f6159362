//! Options and limits of iCalendar import. Files come from other programs and from users, so every
//! dimension an attacker controls has a bound; defaults fit years of a busy Google Calendar.

use chrono_tz::Tz;

use crate::calendar::Interval;

/// How to read a file and how much of it to accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Zone for floating times and all-day dates (the doctor's zone). Also the last resort for a `TZID`
    /// that is neither an IANA name nor described usably by the file (after `X-WR-TIMEZONE`).
    pub default_zone: Tz,
    /// Only busy periods overlapping this window are returned; recurring events are expanded in it.
    pub window: Interval,
    /// Largest input, in bytes (default 10 MiB).
    pub max_bytes: usize,
    /// Longest unfolded content line, in bytes (default 256 KiB: long descriptions exist).
    pub max_line_bytes: usize,
    /// Most properties in the whole file (default 500 000): bounds memory.
    pub max_properties: usize,
    /// Most `VEVENT`s (default 50 000).
    pub max_events: usize,
    /// Most busy periods returned, recurring instances included (default 100 000).
    pub max_occurrences: usize,
    /// Most recurrence instances walked in total, including those before the window (default 2 000 000):
    /// bounds the CPU time of rules that start decades before the window. Each rule outside the plain
    /// forms (BYMONTHDAY, BYSETPOS, ordinal BYDAY…) is charged 10 000 up front, since rrule may spin that
    /// long on one that never matches: the default admits about 200 of them besides plain series.
    pub max_walked_occurrences: usize,
    /// Deepest nesting of components (default 8; real files use 3: VCALENDAR ⊃ VEVENT ⊃ VALARM).
    pub max_depth: usize,
}

impl ImportOptions {
    /// Safe defaults for a doctor in `default_zone` importing busy times within `window`.
    pub fn new(default_zone: Tz, window: Interval) -> Self {
        Self {
            default_zone,
            window,
            max_bytes: 10 * 1024 * 1024,
            max_line_bytes: 256 * 1024,
            max_properties: 500_000,
            max_events: 50_000,
            max_occurrences: 100_000,
            max_walked_occurrences: 2_000_000,
            max_depth: 8,
        }
    }
}
