//! The [`ShiftKind`] enum alone, in a leaf file: [`CalendarError`](super::CalendarError) names it in
//! its variants and `shift.rs` (its methods, parsing and templates) returns that error, so defining the
//! enum in either would make the two files import each other. Its impls live in `shift.rs`.

use serde::{Deserialize, Serialize};

/// The kinds of period a doctor offers or a facility needs.
///
/// Templates (local time of the site's zone): `Day` 08:00–20:00, `Morning` 08:00–14:00,
/// `Afternoon` 14:00–20:00, `Night` 20:00–08:00 (+1 day), `GardeNight` 20:00–08:00 (+1 day, every day),
/// `GardeDay` 08:00–20:00 (Sundays and public holidays only), `Astreinte` 20:00–08:00 (+1 day, on call from
/// home). `Custom` has no template: its interval is given explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ShiftKind {
    /// Day shift, 08:00–20:00.
    Day,
    /// Morning half-day, 08:00–14:00.
    Morning,
    /// Afternoon half-day, 14:00–20:00.
    Afternoon,
    /// Night shift, 20:00–08:00 the next day (counts as two half-days in hospitals).
    Night,
    /// Night garde (permanence des soins), 20:00–08:00 the next day.
    GardeNight,
    /// Day garde on Sundays and public holidays, 08:00–20:00.
    GardeDay,
    /// On-call from home (astreinte), 20:00–08:00 the next day.
    Astreinte,
    /// Any other explicit period.
    Custom,
}
