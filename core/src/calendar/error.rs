//! [`CalendarError`], the one error of the calendar API surface, in a leaf file: the calendar modules
//! import it from here, not from `calendar/mod.rs`, which re-exports them (that would be an import loop,
//! see `scripts/check-imports.py`).

use chrono::{DateTime, Utc};

use super::shift_kind::ShiftKind;

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
    /// Text that names no shift kind.
    #[error(
        "« {input} » n'est pas un type de créneau (day, morning, afternoon, night, garde_night, garde_day, astreinte, custom)"
    )]
    UnknownShiftKind {
        /// The offending text, truncated.
        input: String,
    },
    /// Not a canonical département or overseas code.
    #[error("« {input} » n'est pas un code de département connu (01–95, 2A, 2B, 971–978, 986–988)")]
    UnknownDepartment {
        /// The offending text, truncated.
        input: String,
    },
    /// Not a French postcode that leads to a département.
    #[error("« {input} » n'est pas un code postal français valide")]
    InvalidPostcode {
        /// The offending text, truncated.
        input: String,
    },
    /// A postcode La Poste hands out for a foreign state (Monaco, 980xx).
    #[error("le code postal « {input} » n'est pas en France (Monaco)")]
    ForeignPostcode {
        /// The offending text, truncated.
        input: String,
    },
    /// A year outside the range the holiday rules are written for.
    #[error("année {year} hors de la plage prise en charge (1900–2200)")]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A business-day count outside the accepted bounds.
    #[error("nombre de jours ouvrés {requested} hors limites (1–{max})")]
    BusinessDaysOutOfRange {
        /// The count asked for.
        requested: u32,
        /// The largest count accepted.
        max: u32,
    },
    /// A shift kind without a local template (`custom`).
    #[error("le type de créneau {kind:?} n'a pas d'horaires types")]
    NoShiftTemplate {
        /// The kind asked for.
        kind: ShiftKind,
    },
    /// A shift kind whose validity depends on public holidays, asked for with a bare time zone.
    #[error("le type de créneau {kind:?} dépend des jours fériés : un département est nécessaire")]
    ShiftNeedsTerritory {
        /// The kind asked for.
        kind: ShiftKind,
    },
    /// A day garde asked for on a day that is neither a Sunday nor a public holiday.
    #[error("une garde de jour n'existe que le dimanche et les jours fériés, pas le {date}")]
    GardeDayNotAllowed {
        /// The local date asked for.
        date: chrono::NaiveDate,
    },
    /// A local time that no instant of the zone maps to, even after skipping a gap (not seen in practice).
    #[error("heure locale {local} introuvable dans le fuseau {zone}")]
    UnresolvableLocalTime {
        /// The local wall-clock time.
        local: chrono::NaiveDateTime,
        /// The IANA zone name.
        zone: &'static str,
    },
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
    // --- building and editing availabilities (domain::availability) ---
    /// A custom period given without both bounds.
    #[error("un créneau libre demande un début et une fin")]
    CustomNeedsBounds,
    /// Explicit bounds given for a kind that has a template (they would be silently ignored).
    #[error("un début et une fin ne s'indiquent que pour un créneau libre (custom)")]
    BoundsNeedCustom,
    /// A templated shift without its local date.
    #[error("indiquez la date du créneau (AAAA-MM-JJ)")]
    MissingDate,
    /// Removed occurrences given for a slot that does not repeat.
    #[error("des exceptions n'ont de sens que pour une disponibilité répétée")]
    ExceptionsNeedRecurrence,
    /// An occurrence removal asked on a single slot.
    #[error("cette disponibilité n'est pas une série")]
    NotASeries,
    /// An occurrence removal on a date where the series has no occurrence.
    #[error("la série n'a pas d'occurrence le {date}")]
    NoSuchOccurrence {
        /// The local date asked for.
        date: chrono::NaiveDate,
    },
    /// A note longer than any legitimate one.
    #[error("la note dépasse {max} caractères")]
    NoteTooLong {
        /// Largest accepted length, in bytes.
        max: usize,
    },
}

impl CalendarError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyInterval { .. } => "empty_interval",
            Self::UnknownShiftKind { .. } => "unknown_shift_kind",
            Self::UnknownDepartment { .. } => "unknown_department",
            Self::InvalidPostcode { .. } => "invalid_postcode",
            Self::ForeignPostcode { .. } => "foreign_postcode",
            Self::YearOutOfRange { .. } => "year_out_of_range",
            Self::BusinessDaysOutOfRange { .. } => "business_days_out_of_range",
            Self::NoShiftTemplate { .. } => "no_shift_template",
            Self::ShiftNeedsTerritory { .. } => "shift_needs_territory",
            Self::GardeDayNotAllowed { .. } => "garde_day_not_allowed",
            Self::UnresolvableLocalTime { .. } => "unresolvable_local_time",
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
            Self::CustomNeedsBounds => "custom_needs_bounds",
            Self::BoundsNeedCustom => "bounds_need_custom",
            Self::MissingDate => "missing_date",
            Self::ExceptionsNeedRecurrence => "except_needs_repeat",
            Self::NotASeries => "not_a_series",
            Self::NoSuchOccurrence { .. } => "no_such_occurrence",
            Self::NoteTooLong { .. } => "note_too_long",
        }
    }
}
