//! Replacement requests posted by facilities.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::geo_point::GeoPoint;
use super::ids::{FacilityId, RequestId, SiteId};
use crate::calendar::{Interval, ShiftKind};

/// One shift needed by a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestShift {
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Exact period, in UTC.
    pub interval: Interval,
}

/// Requirements a candidate must meet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Requirements {
    /// Only doctors who defended their thesis (no interns with a licence de remplacement).
    #[serde(default)]
    pub thesed_only: bool,
    /// Languages the doctor must speak (ISO 639-1 codes), beyond French.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// Life cycle of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RequestStatus {
    /// Visible to doctors, accepting proposals.
    Open,
    /// Every needed doctor has accepted.
    Filled,
    /// Withdrawn by the facility.
    Cancelled,
    /// Past, kept for history.
    Closed,
}

/// A facility's request for one or more replacement doctors over one or more shifts at one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Request {
    /// Device-created id.
    pub id: RequestId,
    /// Posting facility.
    pub facility_id: FacilityId,
    /// Site where the replacement happens.
    pub site_id: SiteId,
    /// Specialty code (e.g. `medecine-generale`, `anesthesie`).
    pub specialty: String,
    /// Shifts needed, sorted by start.
    pub shifts: Vec<RequestShift>,
    /// Time zone of the site: deadlines and display use it.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub zone: Tz,
    /// Département code of the site (e.g. `75`, `2A`, `971`).
    pub department: String,
    /// Position of the site.
    pub location: GeoPoint,
    /// How many doctors are needed for each shift.
    pub doctors_needed: u8,
    /// Candidate requirements.
    #[serde(default)]
    pub requirements: Requirements,
    /// Agreed remuneration per day in euro cents, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remuneration_cents_per_day: Option<i64>,
    /// Life-cycle state.
    pub status: RequestStatus,
    /// Incremented on every change.
    #[serde(default)]
    pub revision: u32,
}
