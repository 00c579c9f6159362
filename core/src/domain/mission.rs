//! Missions: accepted proposals. A mission unlocks both parties' contact details and books the slots.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ids::{DoctorId, FacilityId, MissionId, ProposalId, RequestId, SiteId};
use super::request::RequestShift;

/// Life cycle of a mission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MissionStatus {
    /// Agreed, not started.
    Confirmed,
    /// Service started (start of service recorded).
    InProgress,
    /// Service ended.
    Completed,
    /// Cancelled by either side (lateness recorded server-side).
    Cancelled,
}

impl MissionStatus {
    /// Stable snake_case name, as on the wire (`confirmed`, `in_progress`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A mission between one doctor and one facility at one site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mission {
    /// Id.
    pub id: MissionId,
    /// The accepted proposal.
    pub proposal_id: ProposalId,
    /// The request it fills.
    pub request_id: RequestId,
    /// The doctor.
    pub doctor_id: DoctorId,
    /// The facility.
    pub facility_id: FacilityId,
    /// The site.
    pub site_id: SiteId,
    /// Display title, e.g. « Remplacement – CH de Lannion ».
    pub title: String,
    /// Address shown in calendars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Zone of the site.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub zone: Tz,
    /// The booked shifts.
    pub shifts: Vec<RequestShift>,
    /// State.
    pub status: MissionStatus,
    /// Start of service, recorded on the doctor's device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// End of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Incremented on every change; exported as iCalendar `SEQUENCE`.
    #[serde(default)]
    pub revision: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_wire_names() {
        for status in [
            MissionStatus::Confirmed,
            MissionStatus::InProgress,
            MissionStatus::Completed,
            MissionStatus::Cancelled,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
        }
    }
}
