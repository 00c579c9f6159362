//! French calendar rules and time arithmetic, as pure functions over values.
//!
//! - [`interval`]: half-open UTC intervals, the currency of every other module.
//! - [`shift`]: shift kinds (day, night, gardes, astreinte, half-days) as local templates → exact UTC
//!   intervals in a zone, correct across DST changes.
//! - [`territory`]: French départements and overseas collectivities → time zone and holiday rules.
//! - [`holidays`]: public holidays for every territory.
//! - [`business_days`]: jours ouvrés and the answer deadline of a proposal.
//! - [`recurrence`]: RFC 5545 recurring availabilities with exceptions, bounded expansion.
//! - [`algebra`]: merge, subtract, and coverage of a request's shifts by availabilities.
//! - [`ical`]: iCalendar export and import.

pub mod algebra;
pub mod business_days;
pub mod holidays;
pub mod ical;
pub mod interval;
pub mod recurrence;
pub mod shift;
pub mod territory;

use chrono::{DateTime, Utc};

pub use interval::Interval;
pub use shift::ShiftKind;

/// The one error of the calendar API surface. Each variant has a stable [`CalendarError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// An interval whose end is not after its start.
    #[error("interval is empty or reversed: {start} .. {end}")]
    EmptyInterval {
        /// Start given.
        start: DateTime<Utc>,
        /// End given.
        end: DateTime<Utc>,
    },
    // --- territory, holidays, business days, shifts (calendar rules) ---
    // --- recurrence and interval algebra ---
}

impl CalendarError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyInterval { .. } => "empty_interval",
        }
    }
}
