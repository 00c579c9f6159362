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
//! - `error`: [`CalendarError`], returned by all of the above; `shift_kind`: the [`ShiftKind`] enum, which
//!   that error names (both leaves, so the modules above never import this file).
//!
//! iCalendar export and import, which read and write domain records, live above in [`crate::ical`].

pub mod algebra;
pub mod business_days;
mod error;
pub mod holidays;
pub mod interval;
pub mod recurrence;
pub mod shift;
mod shift_kind;
pub mod territory;

pub use algebra::{Coverage, CoverageStatus, ShiftCoverage};
pub use business_days::{
    MAX_DEADLINE_BUSINESS_DAYS, add_business_days, answer_deadline, is_business_day,
};
pub use error::CalendarError;
pub use holidays::{
    Holiday, MAX_YEAR, MIN_YEAR, easter_sunday, is_holiday, public_holidays, region_holidays,
};
pub use interval::Interval;
pub use recurrence::{Recurrence, expand};
pub use shift::ShiftKind;
pub use shift::{ShiftTemplate, resolve_local, shift_interval, shift_interval_in_zone};
pub use territory::{Department, HolidayRegion};
