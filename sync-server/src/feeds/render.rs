//! A feed's content as RFC 5545 text (through core's writer, `rempla_core::ical::export`), with the
//! validators of HTTP caching: the body is a pure function of the data (its `DTSTAMP` is the newest
//! change, not the time of the request), so its SHA-256 is a strong `ETag` that only moves when
//! something published moved.

use chrono::{DateTime, Duration, Utc};
use rempla_core::calendar::Interval;
use rempla_core::domain::{MissionStatus, Specialty};
use rempla_core::ical::{
    CalendarExport, CalendarHeader, MissionEvent, OpenShiftEvent, export_calendar,
};
use sha2::{Digest, Sha256};

use super::queries::{FeedContent, FeedScope, MissionEntry};

/// How often subscribers should fetch the feed again (minutes): what Google and Apple honour.
pub const REFRESH_MINUTES: u32 = 60;
/// How far back a feed reaches (days).
pub const PAST_DAYS: i64 = 90;
/// How far ahead a feed reaches (days).
pub const AHEAD_DAYS: i64 = 730;

/// The `(start, end)` of what a feed published at `now` covers, in ms.
pub fn window(now_ms: i64) -> (i64, i64) {
    (
        now_ms - PAST_DAYS * 86_400_000,
        now_ms + AHEAD_DAYS * 86_400_000,
    )
}

/// A rendered feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The calendar text.
    pub body: String,
    /// Strong validator: `"` + hex SHA-256 of the body + `"`.
    pub etag: String,
    /// The newest change published (whole seconds: HTTP dates have no milliseconds).
    pub last_modified: DateTime<Utc>,
}

fn contract_line(m: &MissionEntry) -> &'static str {
    match (
        m.signed_by.contains("doctor"),
        m.signed_by.contains("facility"),
    ) {
        (true, true) => "Contrat signé par les deux parties.",
        (true, false) => "Contrat signé par le médecin, en attente de l'établissement.",
        (false, true) => "Contrat signé par l'établissement, en attente du médecin.",
        (false, false) => "Contrat en attente de signature.",
    }
}

fn status_line(status: MissionStatus) -> &'static str {
    match status {
        MissionStatus::Confirmed => "Mission confirmée.",
        MissionStatus::InProgress => "Mission en cours.",
        MissionStatus::Completed => "Mission terminée.",
        MissionStatus::Cancelled => "Mission annulée.",
    }
}

/// One event per shift of each mission (a three-night mission is three nights in the calendar, not
/// one block), titled for whoever reads the feed.
fn mission_events(content: &FeedContent, doctor_feed: bool) -> Vec<MissionEvent> {
    let mut out = Vec::new();
    for m in &content.missions {
        let site = content.sites.get(&m.mission.site_id.to_string());
        let location = site
            .map(|s| format!("{}, {} {}", s.address, s.postcode, s.name))
            .or_else(|| m.mission.location.clone());
        for (i, shift) in m.mission.shifts.iter().enumerate() {
            let summary = if doctor_feed {
                format!("Mission – {} ({})", m.facility_name, shift.kind.label_fr())
            } else {
                format!(
                    "{} – {} ({})",
                    m.doctor_name,
                    site.map_or(m.facility_name.as_str(), |s| s.name.as_str()),
                    shift.kind.label_fr()
                )
            };
            out.push(MissionEvent {
                id: m.mission.id,
                interval: shift.interval,
                zone: m.mission.zone,
                summary,
                location: location.clone(),
                revision: m.mission.revision,
                cancelled: m.mission.status == MissionStatus::Cancelled,
                description: Some(format!(
                    "{} {} Établissement : {}. Médecin : {}.",
                    status_line(m.mission.status),
                    contract_line(m),
                    m.facility_name,
                    m.doctor_name
                )),
                part: Some(i),
            });
        }
    }
    out
}

fn open_shift_events(content: &FeedContent) -> Vec<OpenShiftEvent> {
    let mut out = Vec::new();
    for r in &content.requests {
        let site = content.sites.get(&r.site_id.to_string());
        let specialty = Specialty::parse(&r.specialty).map_or(r.specialty.as_str(), |s| s.label());
        for (i, shift) in r.shifts.iter().enumerate() {
            out.push(OpenShiftEvent {
                request_id: r.id,
                part: i,
                interval: shift.interval,
                zone: r.zone,
                summary: format!("À pourvoir – {specialty} ({})", shift.kind.label_fr()),
                location: site.map(|s| format!("{}, {} {}", s.address, s.postcode, s.name)),
                revision: r.revision,
                closed: false,
            });
        }
    }
    out
}

/// Renders `content` for `scope` under `name`.
pub fn render(content: &FeedContent, scope: &FeedScope, name: &str, now_ms: i64) -> Rendered {
    let doctor_feed = matches!(scope, FeedScope::Doctor { .. });
    let missions = mission_events(content, doctor_feed);
    let open_shifts = open_shift_events(content);
    // Whole seconds, and never before the epoch: an empty feed's stamp is the epoch.
    let last_modified = DateTime::<Utc>::from_timestamp(content.changed_ms.max(0) / 1000, 0)
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let (from, to) = window(now_ms);
    let horizon = match (
        DateTime::<Utc>::from_timestamp_millis(from),
        DateTime::<Utc>::from_timestamp_millis(to),
    ) {
        (Some(a), Some(b)) => Interval::new(a, b).ok(),
        _ => None,
    }
    .or_else(|| Interval::new(last_modified, last_modified + Duration::days(AHEAD_DAYS)).ok());
    let body = match horizon {
        Some(horizon) => export_calendar(&CalendarExport {
            availabilities: &content.availabilities,
            missions: &missions,
            open_shifts: &open_shifts,
            dtstamp: last_modified,
            horizon,
            header: CalendarHeader {
                name,
                refresh_minutes: Some(REFRESH_MINUTES),
            },
        }),
        None => String::new(),
    };
    let etag = format!("\"{:x}\"", Sha256::digest(body.as_bytes()));
    Rendered {
        body,
        etag,
        last_modified,
    }
}
