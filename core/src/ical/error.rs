//! [`IcalError`], the one error of the iCalendar API surface, in a leaf file: the ical modules import it
//! from here, not from `ical/mod.rs`, which re-exports them (that would be an import loop, see
//! `scripts/check-imports.py`).

#[cfg(doc)]
use super::limits::ImportOptions; // named by the variants' doc links

/// The one error of the iCalendar API surface: import rejects a whole file with one of these, never a part.
/// Each variant has a stable [`IcalError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IcalError {
    /// The input is larger than [`ImportOptions::max_bytes`].
    #[error("file is {bytes} bytes, at most {max} accepted")]
    TooLarge {
        /// Size given.
        bytes: usize,
        /// Largest accepted.
        max: usize,
    },
    /// The input is not UTF-8 (RFC 5545 files are).
    #[error("file is not valid UTF-8 (byte {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// A (unfolded) content line longer than [`ImportOptions::max_line_bytes`].
    #[error("line {line} is longer than {max} bytes")]
    LineTooLong {
        /// 1-based physical line number where the logical line starts.
        line: usize,
        /// Largest accepted.
        max: usize,
    },
    /// A line that is not `NAME;PARAMS:VALUE`.
    #[error("line {line} is not an iCalendar content line")]
    MalformedLine {
        /// 1-based physical line number.
        line: usize,
    },
    /// The file does not start with `BEGIN:VCALENDAR`.
    #[error("not an iCalendar file (BEGIN:VCALENDAR expected)")]
    NotACalendar,
    /// An `END` that does not close the open component.
    #[error("line {line}: END:{found} does not close BEGIN:{expected}")]
    UnbalancedComponent {
        /// 1-based physical line number.
        line: usize,
        /// The component open there.
        expected: String,
        /// The component the END names.
        found: String,
    },
    /// The file ends inside a component.
    #[error("BEGIN:{name} is never closed")]
    UnterminatedComponent {
        /// The component left open.
        name: String,
    },
    /// Components nested deeper than [`ImportOptions::max_depth`].
    #[error("components nested deeper than {max}")]
    NestingTooDeep {
        /// Largest accepted.
        max: usize,
    },
    /// More properties than [`ImportOptions::max_properties`].
    #[error("more than {max} properties")]
    TooManyProperties {
        /// Largest accepted.
        max: usize,
    },
    /// More `VEVENT`s than [`ImportOptions::max_events`].
    #[error("more than {max} events")]
    TooManyEvents {
        /// Largest accepted.
        max: usize,
    },
    /// Recurring events produce more busy periods in the window than [`ImportOptions::max_occurrences`],
    /// or walk more than [`ImportOptions::max_walked_occurrences`] to get there.
    #[error("more than {max} occurrences")]
    TooManyOccurrences {
        /// The limit hit.
        max: usize,
    },
    /// An event lacks a property RFC 5545 requires (UID, DTSTART).
    #[error("event {uid}: {property} missing")]
    MissingProperty {
        /// UID of the event (empty if that is what is missing).
        uid: String,
        /// Property name.
        property: &'static str,
    },
    /// A date, date-time or duration value that does not parse.
    #[error("event {uid}: {property} value « {value} » is invalid")]
    InvalidValue {
        /// UID of the event.
        uid: String,
        /// Property name.
        property: String,
        /// Value, truncated.
        value: String,
    },
    /// An event whose end is before its start.
    #[error("event {uid} ends before it starts")]
    EndBeforeStart {
        /// UID of the event.
        uid: String,
    },
    /// A recurrence rule we refuse (sub-daily, BYHOUR bombs, unparseable…); `reason` carries the
    /// [`crate::calendar::CalendarError`] code.
    #[error("event {uid}: recurrence refused ({reason})")]
    InvalidRecurrence {
        /// UID of the event.
        uid: String,
        /// Code of the underlying recurrence error.
        reason: &'static str,
    },
}

impl IcalError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "ical_too_large",
            Self::InvalidUtf8 { .. } => "ical_invalid_utf8",
            Self::LineTooLong { .. } => "ical_line_too_long",
            Self::MalformedLine { .. } => "ical_malformed_line",
            Self::NotACalendar => "ical_not_a_calendar",
            Self::UnbalancedComponent { .. } => "ical_unbalanced_component",
            Self::UnterminatedComponent { .. } => "ical_unterminated_component",
            Self::NestingTooDeep { .. } => "ical_nesting_too_deep",
            Self::TooManyProperties { .. } => "ical_too_many_properties",
            Self::TooManyEvents { .. } => "ical_too_many_events",
            Self::TooManyOccurrences { .. } => "ical_too_many_occurrences",
            Self::MissingProperty { .. } => "ical_missing_property",
            Self::InvalidValue { .. } => "ical_invalid_value",
            Self::EndBeforeStart { .. } => "ical_end_before_start",
            Self::InvalidRecurrence { .. } => "ical_invalid_recurrence",
        }
    }
}
