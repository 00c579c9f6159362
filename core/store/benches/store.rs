//! Offline store benchmarks: the month view (one doctor's month via `list_range`) on a store holding
//! 200,000 slots — one heavy doctor with 100,000 slots and 50 typical doctors with 2,000 each — and the
//! throughput of local inserts (availability + outbox op, one durable transaction each).
//!
//! Run briefly: `cargo bench -p rempla-core --bench store -- --warm-up-time 1 --measurement-time 3`.

// A benchmark whose setup fails must abort loudly; there is no caller to hand an error to.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rempla_core::calendar::recurrence::Recurrence;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId};
use rempla_store::Store;

fn slot(doctor: DoctorId, start: DateTime<Utc>) -> Availability {
    Availability {
        id: AvailabilityId::new(),
        doctor_id: doctor,
        interval: Interval::new(start, start + Duration::hours(11)).expect("non-empty"),
        zone: Paris,
        kind: ShiftKind::Day,
        recurrence: None,
        status: AvailabilityStatus::Open,
        note: Some("Disponible pour remplacement en médecine générale".into()),
        revision: 0,
    }
}

/// `count` slots 12 hours apart from `from`.
fn slots(doctor: DoctorId, from: DateTime<Utc>, count: i64) -> Vec<Availability> {
    (0..count)
        .map(|i| slot(doctor, from + Duration::hours(12 * i)))
        .collect()
}

fn month(year: i32, month: u32) -> Interval {
    let start = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).unwrap();
    let end = if month == 12 {
        Utc.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).unwrap()
    } else {
        Utc.with_ymd_and_hms(year, month + 1, 1, 0, 0, 0).unwrap()
    };
    Interval::new(start, end).unwrap()
}

fn month_view(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("bench.db")).expect("store");
    let heavy = DoctorId::new();
    let mut heavy_slots = slots(
        heavy,
        Utc.with_ymd_and_hms(2000, 1, 1, 7, 0, 0).unwrap(),
        100_000,
    );
    // A few endless weekly series too, so the long-span half of the query has work.
    for weekday in ["MO", "WE", "FR"] {
        let mut series = slot(heavy, Utc.with_ymd_and_hms(2001, 1, 1, 7, 0, 0).unwrap());
        series.recurrence = Some(Recurrence {
            rrule: format!("FREQ=WEEKLY;BYDAY={weekday}"),
            exdates: vec![],
        });
        heavy_slots.push(series);
    }
    for chunk in heavy_slots.chunks(10_000) {
        store
            .put_remote_availabilities(chunk)
            .expect("populate heavy doctor");
    }
    let typical: Vec<DoctorId> = (0..50).map(|_| DoctorId::new()).collect();
    for doctor in &typical {
        let from = Utc.with_ymd_and_hms(2024, 1, 1, 7, 0, 0).unwrap();
        store
            .put_remote_availabilities(&slots(*doctor, from, 2_000))
            .expect("populate typical doctor");
    }

    let heavy_month = month(2050, 6);
    let typical_month = month(2025, 6);
    let heavy_rows = store.list_range(heavy, heavy_month).unwrap().len();
    let typical_rows = store.list_range(typical[7], typical_month).unwrap().len();
    assert!(
        heavy_rows >= 60 && typical_rows >= 60,
        "{heavy_rows} / {typical_rows} rows"
    );
    eprintln!(
        "month view returns {heavy_rows} rows (heavy doctor) and {typical_rows} rows (typical doctor)"
    );

    let mut group = c.benchmark_group("month_view");
    group.bench_function("heavy_doctor_100k_slots", |b| {
        b.iter(|| black_box(store.list_range(black_box(heavy), heavy_month).unwrap()));
    });
    group.bench_function("typical_doctor_2k_slots", |b| {
        b.iter(|| {
            black_box(
                store
                    .list_range(black_box(typical[7]), typical_month)
                    .unwrap(),
            )
        });
    });
    group.finish();
}

fn inserts(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut on_disk = Store::open(dir.path().join("insert.db")).expect("store");
    let mut in_memory = Store::open_in_memory().expect("store");
    let doctor = DoctorId::new();
    let mut start = Utc.with_ymd_and_hms(2027, 1, 1, 7, 0, 0).unwrap();
    let mut group = c.benchmark_group("insert_availability_with_op");
    group.throughput(Throughput::Elements(1));
    group.bench_function("file_wal_synchronous_full", |b| {
        b.iter(|| {
            start += Duration::hours(12);
            black_box(on_disk.add_availability(&slot(doctor, start)).unwrap())
        });
    });
    group.bench_function("in_memory", |b| {
        b.iter(|| {
            start += Duration::hours(12);
            black_box(in_memory.add_availability(&slot(doctor, start)).unwrap())
        });
    });
    group.finish();
}

criterion_group!(benches, month_view, inserts);
criterion_main!(benches);
