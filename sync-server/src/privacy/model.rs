//! The privacy area's records and pure rules: how long closed accounts' identifiers are kept, what an
//! export holds, the calendar event and file name of an exported mission or document, and where a
//! booking record ends (for the retention purge).

use chrono::{DateTime, Utc};
use rempla_core::calendar::Interval;
use rempla_core::domain::{Availability, Mission, MissionStatus};
use rempla_core::ical::MissionEvent;
use serde_json::{Map, Value};

/// How long a closed account's identifiers are kept, in ms (one year).
pub const CLOSED_RETENTION_MS: i64 = 365 * 86_400_000;

/// Everything exported for one account, read in one transaction.
pub(crate) struct ExportData {
    pub(crate) json: Value,
    pub(crate) availabilities: Vec<Availability>,
    pub(crate) missions: Vec<MissionEvent>,
    pub(crate) files: Vec<ExportFile>,
}

/// A vault document to put in an export: read chunk by chunk while the ZIP streams out, never whole.
pub(crate) struct ExportFile {
    /// Name inside `documents/`.
    pub(crate) zip_name: String,
    /// The document whose content is read.
    pub(crate) document_id: String,
    /// Its size in bytes.
    pub(crate) size: i64,
}

/// A mission as one calendar event, from its first shift's start to its last shift's end (its UID
/// derives from the mission id, so a re-export updates the event).
pub(crate) fn mission_event(m: &Mission) -> Option<MissionEvent> {
    let start = m.shifts.iter().map(|s| s.interval.start()).min()?;
    let end = m.shifts.iter().map(|s| s.interval.end()).max()?;
    Some(MissionEvent {
        id: m.id,
        interval: Interval::new(start, end).ok()?,
        zone: m.zone,
        summary: m.title.clone(),
        location: m.location.clone(),
        revision: m.revision,
        cancelled: m.status == MissionStatus::Cancelled,
        description: None,
        part: None,
    })
}

/// A safe file name inside the ZIP: `<id>-<name>` with only portable characters.
pub(crate) fn zip_name(id: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id}-{clean}")
}

/// The end of a booking record, wherever its entity keeps it: `interval.end`, `end`, `ends_at`, or
/// the latest end among `shifts[]`. `None` for a recurring series (it may go on) or an unknown shape.
pub fn booking_end(fields: &Map<String, Value>) -> Option<DateTime<Utc>> {
    if fields.get("recurrence").is_some_and(|r| !r.is_null()) {
        return None;
    }
    let parse = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.parse::<DateTime<Utc>>().ok())
    };
    let interval_end = |v: &Value| parse(v.get("interval").and_then(|i| i.get("end")));
    let root = Value::Object(fields.clone());
    let mut ends: Vec<DateTime<Utc>> = [
        interval_end(&root),
        parse(fields.get("end")),
        parse(fields.get("ends_at")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(shifts) = fields.get("shifts").and_then(Value::as_array) {
        for s in shifts {
            ends.extend(interval_end(s).or_else(|| parse(s.get("end"))));
        }
    }
    ends.into_iter().max()
}
