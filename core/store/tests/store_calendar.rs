//! The doctor's calendar in the offline store: edits, their outbox ops, the booked-slot rule, range reads
//! and their query plan, and damaged rows.

// A test crate: unwrapping is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_core::calendar::recurrence::Recurrence;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId};
use rempla_core::sync::{EntityKind, OpKind};
use rempla_store::Store;
use serde_json::json;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn slot(doctor: DoctorId, start: DateTime<Utc>, hours: i64) -> Availability {
    Availability {
        id: AvailabilityId::new(),
        doctor_id: doctor,
        interval: Interval::new(start, start + Duration::hours(hours)).unwrap(),
        zone: Paris,
        kind: ShiftKind::Custom,
        recurrence: None,
        status: AvailabilityStatus::Open,
        note: None,
        revision: 0,
    }
}

fn series(doctor: DoctorId, start: DateTime<Utc>, rrule: &str) -> Availability {
    Availability {
        recurrence: Some(Recurrence {
            rrule: rrule.to_owned(),
            exdates: vec![],
        }),
        kind: ShiftKind::Day,
        ..slot(doctor, start, 12)
    }
}

fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Interval {
    Interval::new(from, to).unwrap()
}

fn ids(list: &[Availability]) -> Vec<AvailabilityId> {
    list.iter().map(|a| a.id).collect()
}

#[test]
fn add_get_list_and_the_creation_op_in_one_transaction() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let later = slot(doctor, at(10, 7), 12);
    let earlier = Availability {
        note: Some("parking sur place".into()),
        ..slot(doctor, at(3, 19), 13)
    };
    let op_later = store.add_availability(&later).unwrap();
    let op_earlier = store.add_availability(&earlier).unwrap();

    assert_eq!(
        store.get_availability(later.id).unwrap(),
        Some(later.clone())
    );
    assert_eq!(store.get_availability(AvailabilityId::new()).unwrap(), None);
    assert_eq!(
        ids(&store.list_availabilities(doctor).unwrap()),
        [earlier.id, later.id]
    );
    assert!(
        store
            .list_availabilities(DoctorId::new())
            .unwrap()
            .is_empty()
    );

    let ops = store.pending_ops(10).unwrap();
    assert_eq!(
        ops.iter().map(|o| o.op_id).collect::<Vec<_>>(),
        [op_later, op_earlier]
    );
    let op = &ops[1];
    assert_eq!(
        (op.entity, op.kind),
        (EntityKind::Availability, OpKind::Upsert)
    );
    assert_eq!(op.entity_id, *earlier.id.as_uuid());
    assert_eq!(op.fields["note"], json!("parking sur place"));
    assert_eq!(op.fields["doctor_id"], json!(doctor.to_string()));
    assert!(
        !op.fields.contains_key("id"),
        "the id is the op's entity_id"
    );
    assert!(ops[0].hlc < ops[1].hlc);
}

#[test]
fn adding_the_same_id_twice_is_refused_without_a_second_op() {
    let mut store = Store::open_in_memory().unwrap();
    let a = slot(DoctorId::new(), at(1, 8), 12);
    store.add_availability(&a).unwrap();
    let err = store.add_availability(&a).unwrap_err();
    assert_eq!(err.code(), "already_exists");
    assert_eq!(store.pending_op_count().unwrap(), 1);
}

#[test]
fn update_queues_changed_fields_only_and_bumps_the_revision() {
    let mut store = Store::open_in_memory().unwrap();
    let a = slot(DoctorId::new(), at(1, 8), 12);
    store.add_availability(&a).unwrap();
    let edited = Availability {
        note: Some("garde possible".into()),
        status: AvailabilityStatus::Held,
        ..a.clone()
    };
    let op_id = store.update_availability(&edited).unwrap().unwrap();

    let stored = store.get_availability(a.id).unwrap().unwrap();
    assert_eq!(stored.revision, 1);
    assert_eq!(stored.note.as_deref(), Some("garde possible"));
    let op = store.pending_ops(10).unwrap().pop().unwrap();
    assert_eq!(op.op_id, op_id);
    assert_eq!(
        serde_json::Value::Object(op.fields),
        json!({"note": "garde possible", "status": "held", "revision": 1})
    );

    // Same content again (whatever revision the caller holds): nothing to queue.
    assert_eq!(store.update_availability(&stored).unwrap(), None);
    assert_eq!(store.pending_op_count().unwrap(), 2);
}

#[test]
fn remove_queues_a_tombstone() {
    let mut store = Store::open_in_memory().unwrap();
    let a = slot(DoctorId::new(), at(1, 8), 12);
    store.add_availability(&a).unwrap();
    let op_id = store.remove_availability(a.id).unwrap();
    assert_eq!(store.get_availability(a.id).unwrap(), None);
    let op = store.pending_ops(10).unwrap().pop().unwrap();
    assert_eq!(
        (op.op_id, op.kind, op.entity_id),
        (op_id, OpKind::Delete, *a.id.as_uuid())
    );
    assert!(op.fields.is_empty());
}

#[test]
fn unknown_ids_are_not_found() {
    let mut store = Store::open_in_memory().unwrap();
    let ghost = slot(DoctorId::new(), at(1, 8), 12);
    assert_eq!(
        store.remove_availability(ghost.id).unwrap_err().code(),
        "not_found"
    );
    assert_eq!(
        store.update_availability(&ghost).unwrap_err().code(),
        "not_found"
    );
    assert_eq!(store.pending_op_count().unwrap(), 0);
}

#[test]
fn booked_slots_cannot_be_moved_removed_or_booked_locally() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let booked = Availability {
        status: AvailabilityStatus::Booked,
        ..slot(doctor, at(2, 8), 12)
    };
    // Booking comes from the server (pull), not from a local edit.
    assert_eq!(
        store.add_availability(&booked).unwrap_err().code(),
        "availability_booked"
    );
    store
        .put_remote_availabilities(std::slice::from_ref(&booked))
        .unwrap();
    assert_eq!(
        store.pending_op_count().unwrap(),
        0,
        "server data is not queued back"
    );

    let err = store.remove_availability(booked.id).unwrap_err();
    assert_eq!(err.code(), "availability_booked");
    assert!(err.to_string().contains(&booked.id.to_string()));
    let moved = Availability {
        interval: window(at(3, 8), at(3, 20)),
        ..booked.clone()
    };
    assert_eq!(
        store.update_availability(&moved).unwrap_err().code(),
        "availability_booked"
    );
    assert_eq!(store.get_availability(booked.id).unwrap(), Some(booked));

    let open = slot(doctor, at(4, 8), 12);
    store.add_availability(&open).unwrap();
    let self_booked = Availability {
        status: AvailabilityStatus::Booked,
        ..open
    };
    assert_eq!(
        store.update_availability(&self_booked).unwrap_err().code(),
        "availability_booked"
    );
    assert_eq!(store.pending_op_count().unwrap(), 1);
}

#[test]
fn list_range_returns_overlapping_slots_and_series_that_may_overlap() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let december = window(at(1, 0), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());

    let inside = slot(doctor, at(10, 8), 12);
    let night_across_start = slot(
        doctor,
        Utc.with_ymd_and_hms(2026, 11, 30, 19, 0, 0).unwrap(),
        13,
    );
    let ending_at_start = slot(
        doctor,
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(),
        16,
    );
    let after = slot(
        doctor,
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        12,
    );
    let long_period = slot(
        doctor,
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        24 * 45,
    );
    let endless = series(
        doctor,
        Utc.with_ymd_and_hms(2025, 1, 6, 7, 0, 0).unwrap(),
        "FREQ=WEEKLY;BYDAY=MO",
    );
    let ended = series(
        doctor,
        Utc.with_ymd_and_hms(2025, 1, 6, 7, 0, 0).unwrap(),
        "FREQ=WEEKLY;UNTIL=20250601T000000Z",
    );
    let counted = series(
        doctor,
        Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).unwrap(),
        "FREQ=DAILY;COUNT=10",
    );
    let future_series = series(
        doctor,
        Utc.with_ymd_and_hms(2027, 2, 1, 7, 0, 0).unwrap(),
        "FREQ=DAILY",
    );
    let other_doctor = slot(DoctorId::new(), at(10, 8), 12);
    for a in [
        &inside,
        &night_across_start,
        &ending_at_start,
        &after,
        &long_period,
        &endless,
        &ended,
        &counted,
        &future_series,
        &other_doctor,
    ] {
        store.add_availability(a).unwrap();
    }

    let found = store.list_range(doctor, december).unwrap();
    assert_eq!(
        ids(&found),
        [
            endless.id,
            long_period.id,
            counted.id,
            night_across_start.id,
            inside.id
        ]
    );
    assert_eq!(found[4], inside);

    let empty_day = window(at(20, 0), at(21, 0));
    assert_eq!(
        ids(&store.list_range(doctor, empty_day).unwrap()),
        [endless.id]
    );
}

#[test]
fn month_view_read_uses_the_doctor_start_index() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let slots: Vec<Availability> = (0..2_000)
        .map(|i| slot(doctor, at(1, 0) + Duration::hours(12 * i), 10))
        .collect();
    store.put_remote_availabilities(&slots).unwrap();
    let plan = store
        .explain_list_range(doctor, window(at(1, 0), at(31, 0)))
        .unwrap()
        .join("\n");
    assert!(
        plan.contains(
            "USING INDEX availability_doctor_start (doctor_id=? AND start_ms>? AND start_ms<?)"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("USING INDEX availability_doctor_series (doctor_id=? AND start_ms<?)"),
        "{plan}"
    );
    assert!(
        !plan.lines().any(|l| l.contains("SCAN availability")),
        "no full scan: {plan}"
    );
}

#[test]
fn a_damaged_row_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let doctor = DoctorId::new();
    let good = slot(doctor, at(1, 8), 12);
    let bad = slot(doctor, at(2, 8), 12);
    {
        let mut store = Store::open(&path).unwrap();
        store.add_availability(&good).unwrap();
        store.add_availability(&bad).unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE availability SET json = '{\"id\": 12' WHERE id = ?1",
            [bad.id.to_string()],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get_availability(good.id).unwrap(), Some(good));
    let err = store.get_availability(bad.id).unwrap_err();
    assert_eq!(err.code(), "corrupt_record");
    assert!(err.to_string().contains(&bad.id.to_string()), "{err}");
    assert_eq!(
        store.list_availabilities(doctor).unwrap_err().code(),
        "corrupt_record"
    );
    assert_eq!(
        store
            .list_range(doctor, window(at(1, 0), at(3, 0)))
            .unwrap_err()
            .code(),
        "corrupt_record"
    );
}

#[test]
fn two_connections_write_concurrently_without_busy_errors_or_tied_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let doctor = DoctorId::new();
    Store::open(&path).unwrap();
    // Both connections are open before either writes, so each starts from the same persisted clock.
    let stores: Vec<Store> = (0..2).map(|_| Store::open(&path).unwrap()).collect();
    let writers: Vec<_> = stores
        .into_iter()
        .zip(1..)
        .map(|(mut store, day)| {
            std::thread::spawn(move || {
                // A frozen wall clock: only the HLC logical counter orders the two writers' ops.
                store.set_time_source(Box::new(|| 1_800_000_000_000));
                for i in 0..150 {
                    let a = slot(doctor, at(day, 0) + Duration::minutes(i), 1);
                    store.add_availability(&a).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.list_availabilities(doctor).unwrap().len(), 300);
    let ops = store.pending_ops(1_000).unwrap();
    assert_eq!(ops.len(), 300);
    assert!(
        ops.windows(2).all(|w| w[0].hlc < w[1].hlc),
        "outbox order is HLC order, no ties"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The two-index range query (short rows by start window, long rows by their partial index) returns
    /// exactly the slots a naive overlap filter returns, for slots shorter and longer than the one-week
    /// threshold.
    #[test]
    fn list_range_matches_a_naive_overlap_filter(
        spans in proptest::collection::vec((0i64..3_000, 1i64..400), 1..60),
        window_start in 0i64..3_000,
        window_hours in 1i64..800,
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let doctor = DoctorId::new();
        let origin = at(1, 0);
        let slots: Vec<Availability> =
            spans.iter().map(|(start, hours)| slot(doctor, origin + Duration::hours(*start), *hours)).collect();
        store.put_remote_availabilities(&slots).unwrap();
        let w = window(
            origin + Duration::hours(window_start),
            origin + Duration::hours(window_start + window_hours),
        );
        let mut expected: Vec<&Availability> = slots.iter().filter(|a| a.interval.overlaps(&w)).collect();
        expected.sort_by_key(|a| (a.interval.start(), a.id));
        let found = store.list_range(doctor, w).unwrap();
        proptest::prop_assert_eq!(found.iter().collect::<Vec<_>>(), expected);
    }
}
