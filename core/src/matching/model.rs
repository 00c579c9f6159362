//! The inputs of matching: the view of a doctor, their slots and busy times, and an open request, with
//! only what matching reads (no names, no contact details: matching must not be able to use them).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::{Department, Interval, ShiftKind};
use crate::domain::{
    AvailabilityId, AvailabilityStatus, DoctorId, DoctorStatus, GeoPoint, Qualification, RequestId,
    Specialty,
};

/// What matching knows of a doctor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoctorProfile {
    /// Doctor id.
    pub id: DoctorId,
    /// Trust status: only `verified` doctors are proposed.
    pub status: DoctorStatus,
    /// Whether the account is active (not paused or closed by its owner): inactive doctors are never
    /// proposed.
    pub active: bool,
    /// Specialties the doctor replaces in (at least one).
    pub specialties: Vec<Specialty>,
    /// Thesis or intern licence (its end date bounds the dates an intern may cover).
    pub qualification: Qualification,
    /// Where the doctor starts from; without it only `departments` can place them.
    pub base: Option<GeoPoint>,
    /// Maximum distance from `base` to a site, in km.
    pub travel_radius_km: u16,
    /// Départements where the doctor accepts any site, whatever the distance.
    pub departments: Vec<Department>,
    /// Languages spoken besides French (ISO 639-1, lower case).
    pub languages: Vec<String>,
}

impl DoctorProfile {
    /// Whether the doctor may be proposed at all (verified and active).
    pub fn proposable(&self) -> bool {
        self.status == DoctorStatus::Verified && self.active
    }
}

/// One occurrence of a doctor's availability (series are expanded by the caller: matching works on
/// exact periods).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Availability id (for a series, the id of the occurrence's series plus its position is the
    /// caller's business: the index only needs a unique id per slot).
    pub id: AvailabilityId,
    /// Owner.
    pub doctor: DoctorId,
    /// The period, in UTC.
    pub interval: Interval,
    /// The kind of shift offered (fit of shift kinds is a ranking criterion).
    pub kind: ShiftKind,
    /// `open` slots are offered; `booked` ones are missions (they block and count towards hour caps);
    /// `held` ones are being answered (they block, and do not count).
    pub status: AvailabilityStatus,
}

/// A period the doctor is not available, imported from another calendar: it blocks, and does not count
/// as work for the hour caps (we do not know what it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusyBlock {
    /// Owner.
    pub doctor: DoctorId,
    /// The busy span.
    pub interval: Interval,
}

/// One shift of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Kind of shift asked for.
    pub kind: ShiftKind,
    /// Exact period, in UTC.
    pub interval: Interval,
}

/// An open request as matching sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenRequest {
    /// Request id.
    pub id: RequestId,
    /// Specialty asked for.
    pub specialty: Specialty,
    /// Position of the site.
    pub location: GeoPoint,
    /// Département of the site.
    pub department: Department,
    /// Time zone of the site (an intern's licence ends at midnight, local time of the site).
    pub zone: Tz,
    /// Shifts, sorted by start, not overlapping (checked when indexed).
    pub shifts: Vec<Shift>,
    /// Only doctors who defended their thesis.
    pub thesed_only: bool,
    /// Languages the doctor must all speak (ISO 639-1, lower case).
    pub languages: Vec<String>,
}

impl OpenRequest {
    /// From the first shift's start to the last shift's end (`None` without shifts).
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.shifts.iter().map(|s| s.interval.start()).min()?;
        let end = self.shifts.iter().map(|s| s.interval.end()).max()?;
        Some((start, end))
    }
}
