//! Export of a doctor's availabilities and missions as one RFC 5545 `VCALENDAR`, for subscription or
//! import into Google Calendar, Apple Calendar, Thunderbird…
//!
//! Why our own writer rather than the `icalendar` crate's builder: we need `VTIMEZONE` components (the crate
//! has none), `EXDATE`/`RECURRENCE-ID` in the series' `TZID`, and byte-exact control of escaping and
//! folding; the writer is a few dozen lines over the `text` module, and tests check the output with the
//! `icalendar` crate's parser and with Python's `icalendar` package.
//!
//! Series: RFC 5545 gives every instance of a series with `DTEND` the *exact* duration of the first one,
//! while Rempla series keep their local wall-clock times (a 20:00–08:00 night lasts 11 h or 13 h on DST
//! nights). So, within [`CalendarExport::horizon`], each instance whose exact length differs from the first
//! one's is also written as an override (`RECURRENCE-ID`) carrying its true `DTEND`: every client then shows
//! the same instants as Rempla.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use super::text::{escape_text, push_folded};
use super::vtimezone::{describable, write_vtimezone};
use crate::calendar::recurrence::DtStart;
use crate::calendar::{Interval, ShiftKind};
use crate::domain::{Availability, AvailabilityStatus, MissionId};

/// A mission (accepted replacement) as the calendar export needs it: the domain's mission record lives in
/// another module, so callers map it to this plain value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissionEvent {
    /// Mission id; the event `UID` derives from it, so re-exports update rather than duplicate.
    pub id: MissionId,
    /// The period of service, in UTC.
    pub interval: Interval,
    /// Zone of the site; times are written in it.
    pub zone: Tz,
    /// Title, e.g. « Mission – nuit, CH de Cayenne ».
    pub summary: String,
    /// Address of the site.
    pub location: Option<String>,
    /// Incremented on every change; exported as `SEQUENCE`.
    pub revision: u32,
    /// Whether the mission was cancelled (exported with `STATUS:CANCELLED` so clients remove it).
    pub cancelled: bool,
    /// Details shown under the title (the facility, the contract's state…).
    pub description: Option<String>,
    /// For a mission written one event per shift: the shift's index, part of the `UID`, so each shift
    /// updates in place. `None`: one event for the whole mission.
    pub part: Option<usize>,
}

/// A shift still to fill (a facility's open request), for the facility's own calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenShiftEvent {
    /// The request; with [`Self::part`] it makes the `UID`.
    pub request_id: crate::domain::RequestId,
    /// The shift's index in the request.
    pub part: usize,
    /// The shift, in UTC.
    pub interval: Interval,
    /// Zone of the site.
    pub zone: Tz,
    /// Title, e.g. « À pourvoir – urgences, nuit ».
    pub summary: String,
    /// Address of the site.
    pub location: Option<String>,
    /// The request's revision, exported as `SEQUENCE`.
    pub revision: u32,
    /// Whether the request was cancelled or filled (exported `STATUS:CANCELLED`, so subscribers drop it).
    pub closed: bool,
}

/// How a calendar introduces itself to the program that subscribes to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarHeader<'a> {
    /// `X-WR-CALNAME`: the name shown in the subscriber's list of calendars.
    pub name: &'a str,
    /// `REFRESH-INTERVAL` (RFC 7986) and `X-PUBLISHED-TTL`: how often a subscriber should fetch it
    /// again, in minutes; `None` for a one-off file.
    pub refresh_minutes: Option<u32>,
}

impl Default for CalendarHeader<'_> {
    fn default() -> Self {
        Self {
            name: "Rempla",
            refresh_minutes: None,
        }
    }
}

/// What to export: one doctor's calendar.
#[derive(Clone, Copy, Debug)]
pub struct CalendarExport<'a> {
    /// The doctor's availabilities (single or recurring).
    pub availabilities: &'a [Availability],
    /// The doctor's missions.
    pub missions: &'a [MissionEvent],
    /// Shifts still to fill (a facility's calendar; empty for a doctor's).
    pub open_shifts: &'a [OpenShiftEvent],
    /// Name and refresh hints.
    pub header: CalendarHeader<'a>,
    /// Time of the export, written as `DTSTAMP` (passed in so output is reproducible).
    pub dtstamp: DateTime<Utc>,
    /// Period in which series are checked for DST-length overrides and zones are described; typically
    /// the past month to two years ahead.
    pub horizon: Interval,
}

/// Most instances of one series examined for overrides within the horizon.
const MAX_SERIES_INSTANCES: usize = 10_000;

/// Renders the calendar as RFC 5545 text (CRLF line endings, folded lines).
///
/// A series whose stored rule no longer validates is written as its first occurrence only (and logged):
/// text that our own validator refuses is never copied into a file other programs parse.
pub fn export_calendar(input: &CalendarExport<'_>) -> String {
    let mut events = Vec::new();
    for a in input.availabilities {
        events.extend(availability_events(a, input));
    }
    for m in input.missions {
        events.push(mission_event(m, input.dtstamp));
    }
    for o in input.open_shifts {
        events.push(open_shift_event(o, input.dtstamp));
    }
    let mut zones: BTreeMap<&'static str, (Tz, i32, i32)> = BTreeMap::new();
    for e in &events {
        if let Some(zone) = e.zone {
            let mut years = vec![local_year(e.start, zone), local_year(e.end, zone)];
            if e.rrule.is_some() {
                // Series may run past the horizon, and clients that read only the VTIMEZONE (not their own
                // zone database) extrapolate its last observance: describe five more years.
                years.push(local_year(input.horizon.end(), zone).saturating_add(5));
            }
            let entry = zones
                .entry(zone.name())
                .or_insert((zone, i32::MAX, i32::MIN));
            for y in years {
                entry.1 = entry.1.min(y);
                entry.2 = entry.2.max(y);
            }
        }
    }
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Rempla//Rempla//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_folded(&mut out, line);
    }
    push_folded(
        &mut out,
        &format!("X-WR-CALNAME:{}", escape_text(input.header.name)),
    );
    push_folded(
        &mut out,
        &format!("NAME:{}", escape_text(input.header.name)),
    );
    if let Some(minutes) = input.header.refresh_minutes {
        push_folded(
            &mut out,
            &format!("REFRESH-INTERVAL;VALUE=DURATION:PT{minutes}M"),
        );
        push_folded(&mut out, &format!("X-PUBLISHED-TTL:PT{minutes}M"));
    }
    for (zone, first, last) in zones.values() {
        write_vtimezone(&mut out, *zone, RangeInclusive::new(*first, *last));
    }
    for e in &events {
        e.write(&mut out);
    }
    push_folded(&mut out, "END:VCALENDAR");
    out
}

fn local_year(t: DateTime<Utc>, zone: Tz) -> i32 {
    t.with_timezone(&zone).year()
}

/// One `VEVENT` to write.
#[derive(Clone)]
struct Event {
    uid: String,
    dtstamp: DateTime<Utc>,
    sequence: u32,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// Zone to write times in; `None` for UTC.
    zone: Option<Tz>,
    recurrence_id: Option<DateTime<Utc>>,
    rrule: Option<String>,
    exdates: Vec<DateTime<Utc>>,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    status: &'static str,
    transp: &'static str,
    categories: Vec<&'static str>,
}

impl Event {
    fn time(&self, name: &str, t: DateTime<Utc>) -> String {
        match self.zone {
            Some(zone) => format!(
                "{name};TZID={}:{}",
                zone.name(),
                t.with_timezone(&zone).format("%Y%m%dT%H%M%S")
            ),
            None => format!("{name}:{}", t.format("%Y%m%dT%H%M%SZ")),
        }
    }

    fn write(&self, out: &mut String) {
        push_folded(out, "BEGIN:VEVENT");
        push_folded(out, &format!("UID:{}", self.uid));
        push_folded(
            out,
            &format!("DTSTAMP:{}", self.dtstamp.format("%Y%m%dT%H%M%SZ")),
        );
        push_folded(out, &format!("SEQUENCE:{}", self.sequence));
        if let Some(rid) = self.recurrence_id {
            push_folded(out, &self.time("RECURRENCE-ID", rid));
        }
        push_folded(out, &self.time("DTSTART", self.start));
        push_folded(out, &self.time("DTEND", self.end));
        if let Some(rule) = &self.rrule {
            push_folded(out, &format!("RRULE:{rule}"));
        }
        if !self.exdates.is_empty() {
            let values: Vec<String> = self
                .exdates
                .iter()
                .map(|t| {
                    let line = self.time("EXDATE", *t);
                    line.rsplit_once(':')
                        .map(|(_, v)| v.to_owned())
                        .unwrap_or_default()
                })
                .collect();
            let name = self.time("EXDATE", self.start);
            let prefix = name.rsplit_once(':').map_or("EXDATE", |(p, _)| p);
            push_folded(out, &format!("{prefix}:{}", values.join(",")));
        }
        push_folded(out, &format!("SUMMARY:{}", escape_text(&self.summary)));
        if let Some(d) = &self.description {
            push_folded(out, &format!("DESCRIPTION:{}", escape_text(d)));
        }
        if let Some(l) = &self.location {
            push_folded(out, &format!("LOCATION:{}", escape_text(l)));
        }
        push_folded(out, &format!("STATUS:{}", self.status));
        push_folded(out, &format!("TRANSP:{}", self.transp));
        let cats: Vec<String> = self.categories.iter().map(|c| escape_text(c)).collect();
        push_folded(out, &format!("CATEGORIES:{}", cats.join(",")));
        push_folded(out, "END:VEVENT");
    }
}

/// French title of an availability, per shift kind.
pub fn availability_summary(kind: ShiftKind) -> &'static str {
    match kind {
        ShiftKind::Day => "Disponibilité – jour",
        ShiftKind::Morning => "Disponibilité – matin",
        ShiftKind::Afternoon => "Disponibilité – après-midi",
        ShiftKind::Night => "Disponibilité – nuit",
        ShiftKind::GardeNight => "Disponibilité – garde de nuit",
        ShiftKind::GardeDay => "Disponibilité – garde de jour",
        ShiftKind::Astreinte => "Disponibilité – astreinte",
        ShiftKind::Custom => "Disponibilité",
    }
}

fn status_label(s: AvailabilityStatus) -> (&'static str, &'static str) {
    match s {
        AvailabilityStatus::Open => ("TENTATIVE", "Ouverte"),
        AvailabilityStatus::Held => ("TENTATIVE", "Réservée"),
        AvailabilityStatus::Booked => ("CONFIRMED", "Pourvue"),
    }
}

/// The zone to write an interval in, or `None` (UTC) when we cannot describe it.
fn writable_zone(interval: &Interval, zone: Tz) -> Option<Tz> {
    (describable(interval.start(), zone) && describable(interval.end(), zone)).then_some(zone)
}

fn availability_events(a: &Availability, input: &CalendarExport<'_>) -> Vec<Event> {
    let (status, label) = status_label(a.status);
    let base = Event {
        uid: format!("{}@rempla.fr", a.id),
        dtstamp: input.dtstamp,
        sequence: a.revision,
        start: a.interval.start(),
        end: a.interval.end(),
        zone: writable_zone(&a.interval, a.zone),
        recurrence_id: None,
        rrule: None,
        exdates: Vec::new(),
        summary: availability_summary(a.kind).to_owned(),
        description: a.note.clone(),
        location: None,
        status,
        transp: "TRANSPARENT",
        categories: vec!["Rempla", "Disponibilité", label],
    };
    let Some(rec) = &a.recurrence else {
        return vec![base];
    };
    let parsed = rec.parse_checked(&a.interval, a.zone);
    let rule = match parsed {
        Ok(rule) => rule,
        Err(e) => {
            tracing::warn!(availability = %a.id, code = e.code(), "series exported as its first occurrence only");
            return vec![base];
        }
    };
    let mut exdates = rec.exdates.clone();
    exdates.sort_unstable();
    exdates.dedup();
    let overrides: Vec<Event> = match rule.expand(
        &exdates,
        &input.horizon,
        MAX_SERIES_INSTANCES,
        DtStart::FromRuleOnly,
    ) {
        Ok(instances) => instances
            .into_iter()
            .filter(|i| i.duration() != a.interval.duration() && i.start() != a.interval.start())
            .map(|i| Event {
                recurrence_id: Some(i.start()),
                start: i.start(),
                end: i.end(),
                zone: writable_zone(&i, a.zone),
                ..base.clone()
            })
            .collect(),
        Err(e) => {
            tracing::warn!(availability = %a.id, code = e.code(), "no DST overrides written for series");
            Vec::new()
        }
    };
    let master = Event {
        rrule: Some(rule.normalized().to_owned()),
        exdates,
        ..base
    };
    let mut out = vec![master];
    out.extend(overrides);
    out
}

fn mission_event(m: &MissionEvent, dtstamp: DateTime<Utc>) -> Event {
    Event {
        uid: match m.part {
            Some(i) => format!("{}-{i}@rempla.fr", m.id),
            None => format!("{}@rempla.fr", m.id),
        },
        dtstamp,
        sequence: m.revision,
        start: m.interval.start(),
        end: m.interval.end(),
        zone: writable_zone(&m.interval, m.zone),
        recurrence_id: None,
        rrule: None,
        exdates: Vec::new(),
        summary: m.summary.clone(),
        description: m.description.clone(),
        location: m.location.clone(),
        status: if m.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        },
        transp: "OPAQUE",
        categories: vec!["Rempla", "Mission"],
    }
}

fn open_shift_event(o: &OpenShiftEvent, dtstamp: DateTime<Utc>) -> Event {
    Event {
        uid: format!("{}-{}@rempla.fr", o.request_id, o.part),
        dtstamp,
        sequence: o.revision,
        start: o.interval.start(),
        end: o.interval.end(),
        zone: writable_zone(&o.interval, o.zone),
        recurrence_id: None,
        rrule: None,
        exdates: Vec::new(),
        summary: o.summary.clone(),
        description: None,
        location: o.location.clone(),
        status: if o.closed { "CANCELLED" } else { "TENTATIVE" },
        transp: "TRANSPARENT",
        categories: vec!["Rempla", "À pourvoir"],
    }
}
