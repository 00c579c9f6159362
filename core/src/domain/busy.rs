//! Busy periods imported from another calendar (Google Calendar, Thunderbird…): times the doctor is not
//! available, which matching must respect but which are never shown to facilities.

use serde::{Deserialize, Serialize};

use super::ids::{BusyId, DoctorId};
use crate::calendar::Interval;

/// One busy period of a doctor, imported from an external calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusyPeriod {
    /// Device-created id.
    pub id: BusyId,
    /// Owner.
    pub doctor_id: DoctorId,
    /// The busy span.
    pub interval: Interval,
    /// `UID` of the source event (with the occurrence start for recurring events), so a re-import replaces
    /// rather than duplicates.
    pub source_uid: String,
    /// Source event title, kept on the device only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}
