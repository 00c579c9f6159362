//! Expansion cost of a recurring availability: a 5-year weekly night series, whole and one month of it
//! (the calendar screen), plus the iCalendar export and import of a year.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use criterion::{Criterion, criterion_group, criterion_main};
use rempla_core::calendar::Interval;
use rempla_core::calendar::recurrence::{Recurrence, expand};

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

criterion_group!(benches, bench_expand);
criterion_main!(benches);
