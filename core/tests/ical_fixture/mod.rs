//! A year (2026) of a doctor's calendar shared by the iCalendar integration tests: days, nights, gardes,
//! astreintes, half-days, a weekly night series with an EXDATE across both DST changes in Paris, overseas
//! shifts, and missions (one cancelled). Also the events the export must contain, computed independently.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{America, Europe, Indian, Tz};
use rempla_core::calendar::recurrence::{Recurrence, expand};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId, MissionId};
use rempla_core::ical::{CalendarExport, CalendarHeader, MissionEvent, export_calendar};

/// A local wall time of `zone` as a UTC instant (the fixture avoids ambiguous and nonexistent times).
pub fn at(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    zone.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// `[start, end)` from local wall times of `zone`, `days_later` days after for the end.
pub fn local(
    zone: Tz,
    (y, m, d): (i32, u32, u32),
    h: u32,
    (y2, m2, d2): (i32, u32, u32),
    h2: u32,
) -> Interval {
    Interval::new(at(zone, y, m, d, h, 0), at(zone, y2, m2, d2, h2, 0)).unwrap()
}

pub fn year_2026() -> Interval {
    Interval::new(at(Tz::UTC, 2026, 1, 1, 0, 0), at(Tz::UTC, 2027, 1, 1, 0, 0)).unwrap()
}

pub fn dtstamp() -> DateTime<Utc> {
    at(Tz::UTC, 2026, 11, 23, 0, 30)
}

fn availability(
    zone: Tz,
    interval: Interval,
    kind: ShiftKind,
    recurrence: Option<Recurrence>,
) -> Availability {
    Availability {
        id: AvailabilityId::new(),
        doctor_id: DoctorId::new(),
        interval,
        zone,
        kind,
        recurrence,
        status: AvailabilityStatus::Open,
        note: None,
        revision: 1,
    }
}

pub fn availabilities() -> Vec<Availability> {
    let p = Europe::Paris;
    let mut out = vec![
        availability(
            p,
            local(p, (2026, 1, 12), 8, (2026, 1, 12), 20),
            ShiftKind::Day,
            None,
        ),
        availability(
            p,
            local(p, (2026, 2, 2), 8, (2026, 2, 2), 14),
            ShiftKind::Morning,
            None,
        ),
        availability(
            p,
            local(p, (2026, 2, 3), 14, (2026, 2, 3), 20),
            ShiftKind::Afternoon,
            None,
        ),
        // Spring forward inside the night: 11 h.
        availability(
            p,
            local(p, (2026, 3, 28), 20, (2026, 3, 29), 8),
            ShiftKind::Night,
            None,
        ),
        availability(
            p,
            local(p, (2026, 5, 10), 8, (2026, 5, 10), 20),
            ShiftKind::GardeDay,
            None,
        ),
        availability(
            p,
            local(p, (2026, 7, 14), 20, (2026, 7, 15), 8),
            ShiftKind::Astreinte,
            None,
        ),
        // Fall back inside the night: 13 h.
        availability(
            p,
            local(p, (2026, 10, 24), 20, (2026, 10, 25), 8),
            ShiftKind::GardeNight,
            None,
        ),
        // Weekly Saturday nights from March to November, crossing both changes, one removed.
        availability(
            p,
            local(p, (2026, 3, 7), 20, (2026, 3, 8), 8),
            ShiftKind::Night,
            Some(Recurrence {
                rrule: "FREQ=WEEKLY;BYDAY=SA;UNTIL=20261130T230000Z".into(),
                exdates: vec![at(p, 2026, 4, 4, 20, 0)],
            }),
        ),
        availability(
            America::Martinique,
            local(America::Martinique, (2026, 3, 28), 20, (2026, 3, 29), 8),
            ShiftKind::Night,
            None,
        ),
        availability(
            Indian::Reunion,
            local(Indian::Reunion, (2026, 6, 1), 8, (2026, 6, 1), 20),
            ShiftKind::Day,
            None,
        ),
        availability(
            America::Cayenne,
            local(America::Cayenne, (2026, 10, 24), 20, (2026, 10, 25), 8),
            ShiftKind::GardeNight,
            None,
        ),
        // Miquelon springs forward on 2026-03-08 at 02:00 (North American rule).
        availability(
            America::Miquelon,
            local(America::Miquelon, (2026, 3, 7), 20, (2026, 3, 8), 8),
            ShiftKind::Night,
            None,
        ),
        availability(
            Indian::Mayotte,
            local(Indian::Mayotte, (2026, 9, 1), 14, (2026, 9, 1), 20),
            ShiftKind::Afternoon,
            None,
        ),
    ];
    let mut custom = availability(
        p,
        local(p, (2026, 12, 24), 9, (2026, 12, 24), 17),
        ShiftKind::Custom,
        None,
    );
    custom.note = Some("Réveillon ; pas après 17h, merci\\\nappeler le standard, poste 12".into());
    custom.status = AvailabilityStatus::Booked;
    custom.revision = 7;
    out.push(custom);
    out
}

pub fn missions() -> Vec<MissionEvent> {
    let p = Europe::Paris;
    vec![
        MissionEvent {
            id: MissionId::new(),
            interval: local(p, (2026, 4, 13), 8, (2026, 4, 17), 20),
            zone: p,
            summary: "Mission – remplacement en médecine générale, Centre hospitalier de Saint-Étienne-de-Tinée".into(),
            location: Some("1 rue de l'Hôpital, 06660 Saint-Étienne-de-Tinée".into()),
            revision: 3,
            cancelled: false,
            description: None,
            part: None,
        },
        MissionEvent {
            id: MissionId::new(),
            interval: local(America::Martinique, (2026, 8, 3), 20, (2026, 8, 4), 8),
            zone: America::Martinique,
            summary: "Mission – garde, CHU de Martinique".into(),
            location: None,
            revision: 2,
            cancelled: true,
            description: None,
            part: None,
        },
    ]
}

pub fn export(availabilities: &[Availability], missions: &[MissionEvent]) -> String {
    export_calendar(&CalendarExport {
        availabilities,
        missions,
        dtstamp: dtstamp(),
        horizon: year_2026(),
        open_shifts: &[],
        header: CalendarHeader::default(),
    })
}

/// One `VEVENT` the export must contain.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpectedEvent {
    pub uid: String,
    pub recurrence_id: Option<DateTime<Utc>>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub rrule: Option<String>,
    pub exdates: Vec<DateTime<Utc>>,
    pub cancelled: bool,
    pub transparent: bool,
}

/// Master events as given, plus one override per series instance whose exact length differs from the
/// first one's (DST nights), within 2026.
pub fn expected_events(
    availabilities: &[Availability],
    missions: &[MissionEvent],
) -> Vec<ExpectedEvent> {
    let mut out = Vec::new();
    for a in availabilities {
        let uid = format!("{}@rempla.fr", a.id);
        let base = ExpectedEvent {
            uid: uid.clone(),
            recurrence_id: None,
            start: a.interval.start(),
            end: a.interval.end(),
            rrule: a.recurrence.as_ref().map(|r| r.rrule.clone()),
            exdates: a
                .recurrence
                .as_ref()
                .map(|r| r.exdates.clone())
                .unwrap_or_default(),
            cancelled: false,
            transparent: true,
        };
        if let Some(r) = &a.recurrence {
            for i in expand(&a.interval, a.zone, r, &year_2026(), 1000).unwrap() {
                if i.duration() != a.interval.duration() {
                    out.push(ExpectedEvent {
                        recurrence_id: Some(i.start()),
                        start: i.start(),
                        end: i.end(),
                        rrule: None,
                        exdates: vec![],
                        ..base.clone()
                    });
                }
            }
        }
        out.push(base);
    }
    for m in missions {
        out.push(ExpectedEvent {
            uid: format!("{}@rempla.fr", m.id),
            recurrence_id: None,
            start: m.interval.start(),
            end: m.interval.end(),
            rrule: None,
            exdates: vec![],
            cancelled: m.cancelled,
            transparent: false,
        });
    }
    out.sort();
    out
}
