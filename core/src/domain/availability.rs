//! A doctor's availability: a period (or a recurring series of periods) they offer for replacements.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{AvailabilityId, DoctorId};
use crate::calendar::recurrence::Recurrence;
use crate::calendar::{Interval, ShiftKind};

/// Booking state of an availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvailabilityStatus {
    /// Offered to facilities.
    Open,
    /// Reserved by a proposal being answered.
    Held,
    /// Covered by a mission; cannot be deleted or moved by an offline edit.
    Booked,
}

/// One availability of a doctor. For a series, `interval` is the first occurrence and `recurrence` the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Device-created id.
    pub id: AvailabilityId,
    /// Owner.
    pub doctor_id: DoctorId,
    /// The (first) period, in UTC.
    pub interval: Interval,
    /// Zone in which the period was expressed; recurrences repeat in local time of this zone.
    pub zone: Tz,
    /// Kind of shift offered.
    pub kind: ShiftKind,
    /// Optional recurrence of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// Booking state.
    pub status: AvailabilityStatus,
    /// Free text shown to the doctor only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Incremented on every change; exported as iCalendar `SEQUENCE`.
    #[serde(default)]
    pub revision: u32,
}
