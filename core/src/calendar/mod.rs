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

pub use algebra::{Coverage, CoverageStatus, ShiftCoverage};
pub use interval::Interval;
pub use recurrence::{Recurrence, expand};
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
    /// A recurrence rule that does not parse or that rrule rejects (e.g. UNTIL before the first occurrence).
    #[error("invalid recurrence rule: {reason}")]
    InvalidRecurrence {
        /// What is wrong, short.
        reason: String,
    },
    /// A rule text longer than we accept (hostile input).
    #[error("recurrence rule is {len} bytes long, at most {max} accepted")]
    RecurrenceRuleTooLong {
        /// Length given.
        len: usize,
        /// Largest accepted.
        max: usize,
    },
    /// A rule repeating more often than daily: shifts never do, and such rules explode in size.
    #[error("recurrence frequency {freq} is finer than daily")]
    RecurrenceFrequencyTooFine {
        /// The FREQ given.
        freq: String,
    },
    /// An absurd INTERVAL.
    #[error("recurrence interval {interval} is larger than {max}")]
    RecurrenceIntervalTooLarge {
        /// INTERVAL given.
        interval: u32,
        /// Largest accepted.
        max: u32,
    },
    /// Too many removed occurrences on one series.
    #[error("{count} exceptions (EXDATE) on one series, at most {max} accepted")]
    TooManyExdates {
        /// Number given.
        count: usize,
        /// Largest accepted.
        max: usize,
    },
    /// A rule part we refuse (BYHOUR, BYMINUTE, BYSECOND: several occurrences a day).
    #[error("recurrence rule part {part} is not supported")]
    UnsupportedRecurrencePart {
        /// The part name.
        part: String,
    },
    /// The first occurrence of a series is not produced by its rule (RFC 5545 leaves this undefined).
    #[error("the first occurrence {start} does not match the recurrence rule")]
    RecurrenceStartNotInRule {
        /// Start of the first occurrence.
        start: DateTime<Utc>,
    },
    /// A series starting outside the years we expand (1900–2200).
    #[error("recurring series starting {start} is out of the supported range")]
    RecurrenceOutOfRange {
        /// Start of the first occurrence.
        start: DateTime<Utc>,
    },
    /// More occurrences in the asked window than the caller allows; ask for a smaller window.
    #[error("more than {max} occurrences in the window")]
    TooManyOccurrences {
        /// The caller's limit.
        max: usize,
    },
    /// The window is so far from the first occurrence that expansion would walk too many occurrences.
    #[error("expansion would walk more than {max} occurrences")]
    RecurrenceTooExpensive {
        /// The walk limit.
        max: usize,
    },
}

impl CalendarError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyInterval { .. } => "empty_interval",
            Self::InvalidRecurrence { .. } => "recurrence_invalid",
            Self::RecurrenceRuleTooLong { .. } => "recurrence_rule_too_long",
            Self::RecurrenceFrequencyTooFine { .. } => "recurrence_frequency_too_fine",
            Self::RecurrenceIntervalTooLarge { .. } => "recurrence_interval_too_large",
            Self::TooManyExdates { .. } => "recurrence_too_many_exdates",
            Self::UnsupportedRecurrencePart { .. } => "recurrence_unsupported_part",
            Self::RecurrenceStartNotInRule { .. } => "recurrence_start_not_in_rule",
            Self::RecurrenceOutOfRange { .. } => "recurrence_out_of_range",
            Self::TooManyOccurrences { .. } => "recurrence_too_many_occurrences",
            Self::RecurrenceTooExpensive { .. } => "recurrence_too_expensive",
        }
    }
}
