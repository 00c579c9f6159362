//! Recurring availabilities (RFC 5545 RRULE with exceptions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A recurrence attached to a first occurrence: an RFC 5545 `RRULE` value (without the `RRULE:` prefix)
/// and the start instants of occurrences removed from the series (`EXDATE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// The rule, e.g. `FREQ=WEEKLY;BYDAY=MO,TU;UNTIL=20271231T230000Z`.
    pub rrule: String,
    /// Start instants of removed occurrences.
    #[serde(default)]
    pub exdates: Vec<DateTime<Utc>>,
}
