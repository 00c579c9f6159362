//! Expansion cost of a recurring availability: a 5-year weekly night series, whole and one month of it
//! (the calendar screen), plus the iCalendar export and import of a busy year.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use criterion::{Criterion, criterion_group, criterion_main};
use rempla_core::calendar::recurrence::{Recurrence, expand};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId};
use rempla_core::ical::{
    CalendarExport, CalendarHeader, ImportOptions, export_calendar, import_busy,
};

fn series() -> (Interval, Recurrence) {
    let first = Interval::new(
        Paris
            .with_ymd_and_hms(2026, 1, 3, 20, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
        Paris
            .with_ymd_and_hms(2026, 1, 4, 8, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    )
    .unwrap();
    let recurrence = Recurrence {
        rrule: "FREQ=WEEKLY;UNTIL=20301231T230000Z".into(),
        exdates: vec![
            Paris
                .with_ymd_and_hms(2027, 5, 1, 20, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        ],
    };
    (first, recurrence)
}

fn bench_expand(c: &mut Criterion) {
    let (first, recurrence) = series();
    let five_years = Interval::new(first.start(), first.start() + Duration::days(5 * 366)).unwrap();
    let month = Interval::new(
        Paris
            .with_ymd_and_hms(2029, 10, 1, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
        Paris
            .with_ymd_and_hms(2029, 11, 1, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    )
    .unwrap();
    assert_eq!(
        expand(&first, Paris, &recurrence, &five_years, 1000)
            .unwrap()
            .len(),
        260
    );
    c.bench_function("expand weekly series, 5 years", |b| {
        b.iter(|| {
            expand(
                black_box(&first),
                Paris,
                black_box(&recurrence),
                black_box(&five_years),
                1000,
            )
        });
    });
    c.bench_function("expand weekly series, one month 4 years in", |b| {
        b.iter(|| {
            expand(
                black_box(&first),
                Paris,
                black_box(&recurrence),
                black_box(&month),
                1000,
            )
        });
    });
    c.bench_function("validate weekly series", |b| {
        b.iter(|| black_box(&recurrence).validate(&first, Paris));
    });
}

/// A busy year: 300 single shifts and 10 weekly series over 2026, in Paris.
fn year_of_availabilities() -> Vec<Availability> {
    let (first, recurrence) = series();
    let doctor = DoctorId::new();
    let mut out: Vec<Availability> = (0..300)
        .map(|i| {
            let start = first.start() + Duration::hours(29 * i);
            Availability {
                id: AvailabilityId::new(),
                doctor_id: doctor,
                interval: Interval::new(start, start + Duration::hours(12)).unwrap(),
                zone: Paris,
                kind: ShiftKind::Day,
                recurrence: None,
                status: AvailabilityStatus::Open,
                note: Some("Poste 12, service des urgences".into()),
                revision: 1,
            }
        })
        .collect();
    for k in 0..10 {
        let shift = Duration::days(k);
        let first = Interval::new(first.start() + shift, first.end() + shift).unwrap();
        let rrule = recurrence
            .rrule
            .replace("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=1");
        out.push(Availability {
            interval: first,
            kind: ShiftKind::Night,
            recurrence: Some(Recurrence {
                rrule,
                exdates: vec![],
            }),
            ..out[0].clone()
        });
    }
    out
}

fn bench_ical(c: &mut Criterion) {
    let availabilities = year_of_availabilities();
    let year = Interval::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let input = CalendarExport {
        availabilities: &availabilities,
        missions: &[],
        dtstamp: year.start(),
        horizon: year,
        open_shifts: &[],
        header: CalendarHeader::default(),
    };
    c.bench_function("export a year (300 shifts, 10 weekly series)", |b| {
        b.iter(|| export_calendar(black_box(&input)));
    });
    let text = export_calendar(&input).replace("TRANSP:TRANSPARENT", "TRANSP:OPAQUE");
    let options = ImportOptions::new(Paris, year);
    assert!(import_busy(&text, &options).unwrap().len() > 700);
    c.bench_function("import that year back", |b| {
        b.iter(|| import_busy(black_box(&text), &options));
    });
}

criterion_group!(benches, bench_expand, bench_ical);
criterion_main!(benches);
