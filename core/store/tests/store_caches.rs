//! Server data cached on the device (open requests, notifications) and busy periods imported from other
//! calendars.

// A test crate: unwrapping is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{
    BusyId, BusyPeriod, DoctorId, FacilityId, GeoPoint, Notification, NotificationId, Request,
    RequestId, RequestShift, RequestStatus, Requirements, SiteId,
};
use rempla_core::sync::{EntityKind, OpKind};
use rempla_store::{BoundingBox, NotificationOrder, Store};
use serde_json::json;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn span(start: DateTime<Utc>, hours: i64) -> Interval {
    Interval::new(start, start + Duration::hours(hours)).unwrap()
}

fn request(days: &[u32], lat: f64, lon: f64) -> Request {
    Request {
        id: RequestId::new(),
        facility_id: FacilityId::new(),
        site_id: SiteId::new(),
        specialty: "medecine-generale".into(),
        shifts: days
            .iter()
            .map(|d| RequestShift {
                kind: ShiftKind::Day,
                interval: span(at(*d, 7), 12),
            })
            .collect(),
        zone: Paris,
        department: "75".into(),
        location: GeoPoint { lat, lon },
        doctors_needed: 1,
        requirements: Requirements {
            thesed_only: true,
            languages: vec!["en".into()],
        },
        remuneration_cents_per_day: Some(65_000),
        status: RequestStatus::Open,
        revision: 0,
    }
}

fn ids(list: &[Request]) -> Vec<RequestId> {
    list.iter().map(|r| r.id).collect()
}

#[test]
fn requests_are_cached_and_listed_by_time_and_place() {
    let mut store = Store::open_in_memory().unwrap();
    let paris = request(&[10, 11], 48.85, 2.35);
    let lyon = request(&[3], 45.76, 4.84);
    let papeete = request(&[20], -17.53, -149.57);
    let empty = request(&[], 48.0, 2.0);
    store
        .upsert_requests(&[paris.clone(), lyon.clone(), papeete.clone(), empty.clone()])
        .unwrap();
    assert_eq!(store.get_request(paris.id).unwrap(), Some(paris.clone()));
    assert_eq!(store.get_request(RequestId::new()).unwrap(), None);

    let first_week = Interval::new(at(1, 0), at(8, 0)).unwrap();
    assert_eq!(
        ids(&store.list_requests_in_range(first_week).unwrap()),
        [lyon.id]
    );
    // Overlap with any part of the span (first shift start .. last shift end).
    let eleventh = span(at(11, 12), 1);
    assert_eq!(
        ids(&store.list_requests_in_range(eleventh).unwrap()),
        [paris.id]
    );

    let france = BoundingBox {
        south: 41.0,
        west: -5.5,
        north: 51.5,
        east: 9.8,
    };
    assert_eq!(
        ids(&store.list_requests_in_box(&france).unwrap()),
        [empty.id, lyon.id, paris.id]
    );
    let pacific = BoundingBox {
        south: -30.0,
        west: 170.0,
        north: 0.0,
        east: -140.0,
    };
    assert_eq!(
        ids(&store.list_requests_in_box(&pacific).unwrap()),
        [papeete.id]
    );

    // The server updates one request; the upsert replaces the cached copy.
    let filled = Request {
        status: RequestStatus::Filled,
        revision: 1,
        ..lyon.clone()
    };
    store
        .upsert_requests(std::slice::from_ref(&filled))
        .unwrap();
    assert_eq!(store.get_request(lyon.id).unwrap(), Some(filled));
    assert!(
        store.list_requests_in_range(first_week).unwrap().is_empty(),
        "lists show open requests only"
    );
    let closed = Request {
        status: RequestStatus::Closed,
        ..papeete
    };
    store.upsert_requests(&[closed]).unwrap();
    assert_eq!(store.remove_closed_requests().unwrap(), 2);
    assert_eq!(store.get_request(lyon.id).unwrap(), None);
    assert_eq!(
        ids(&store.list_requests_in_box(&france).unwrap()),
        [empty.id, paris.id]
    );
    assert_eq!(
        store.pending_op_count().unwrap(),
        0,
        "server data is never queued back"
    );
}

#[test]
fn a_facility_device_posts_its_own_request_with_one_outbox_op() {
    let mut store = Store::open_in_memory().unwrap();
    let late = request(&[9], 48.73, -3.46);
    let early = request(&[2, 3], 45.76, 4.84);
    store.save_own_request(&late).unwrap();
    store.save_own_request(&early).unwrap();
    assert_eq!(
        ids(&store.list_open_requests().unwrap()),
        [early.id, late.id],
        "open requests by first shift"
    );
    let ops = store.pending_ops(10).unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].entity, EntityKind::Request);
    assert_eq!(ops[0].kind, OpKind::Upsert);
    assert_eq!(ops[0].entity_id, *late.id.as_uuid());
    assert!(
        !ops[0].fields.contains_key("id"),
        "the id travels as the op's entity id"
    );
    assert_eq!(ops[0].fields["specialty"], json!(late.specialty));
    let cancelled = Request {
        status: RequestStatus::Cancelled,
        ..late
    };
    store.save_own_request(&cancelled).unwrap();
    assert_eq!(ids(&store.list_open_requests().unwrap()), [early.id]);
}

fn notification(minutes_ago: i64) -> Notification {
    Notification {
        id: NotificationId::new(),
        kind: "proposal_received".into(),
        title: "Nouvelle proposition".into(),
        body: "CH de Bastia, garde de nuit".into(),
        created_at: at(22, 12) - Duration::minutes(minutes_ago),
        read_at: None,
        payload: json!({"proposal_id": "x"}),
    }
}

#[test]
fn inbox_lists_unread_first_and_queues_read_marks() {
    let mut store = Store::open_in_memory().unwrap();
    let old_unread = notification(120);
    let new_read = Notification {
        read_at: Some(at(22, 12)),
        ..notification(5)
    };
    let newest_unread = notification(1);
    store
        .upsert_notifications(&[old_unread.clone(), new_read.clone(), newest_unread.clone()])
        .unwrap();
    assert_eq!(store.unread_notification_count().unwrap(), 2);

    let by_unread: Vec<_> = store
        .list_notifications(NotificationOrder::UnreadFirst, 10)
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(by_unread, [newest_unread.id, old_unread.id, new_read.id]);
    let by_date: Vec<_> = store
        .list_notifications(NotificationOrder::Newest, 2)
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(by_date, [newest_unread.id, new_read.id]);

    let read_at = at(22, 13);
    let op_id = store
        .mark_notification_read(old_unread.id, read_at)
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .mark_notification_read(old_unread.id, read_at)
            .unwrap(),
        None,
        "already read: no second op"
    );
    assert_eq!(
        store
            .get_notification(old_unread.id)
            .unwrap()
            .unwrap()
            .read_at,
        Some(read_at)
    );
    assert_eq!(store.unread_notification_count().unwrap(), 1);
    let ops = store.pending_ops(10).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(
        (ops[0].op_id, ops[0].entity, ops[0].kind),
        (op_id, EntityKind::NotificationRead, OpKind::Upsert)
    );
    assert_eq!(ops[0].fields["read_at"], json!("2026-12-22T13:00:00Z"));

    // A pull before the read mark reached the server must not make the notification unread again.
    store
        .upsert_notifications(std::slice::from_ref(&old_unread))
        .unwrap();
    assert_eq!(
        store
            .get_notification(old_unread.id)
            .unwrap()
            .unwrap()
            .read_at,
        Some(read_at)
    );

    let err = store
        .mark_notification_read(NotificationId::new(), read_at)
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

fn busy(doctor: DoctorId, uid: &str, day: u32) -> BusyPeriod {
    BusyPeriod {
        id: BusyId::new(),
        doctor_id: doctor,
        interval: span(at(day, 9), 2),
        source_uid: uid.to_owned(),
        summary: Some("Rendez-vous privé".into()),
    }
}

#[test]
fn reimporting_a_source_replaces_it_in_one_go_and_syncs_only_differences() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let month = Interval::new(at(1, 0), at(31, 0)).unwrap();
    let dentist = busy(doctor, "a@google", 5);
    let school = busy(doctor, "b@google", 6);
    let thunderbird = busy(doctor, "c@local", 7);
    let first = store
        .replace_busy_source(doctor, "google", &[dentist.clone(), school.clone()])
        .unwrap();
    assert_eq!((first.upserted, first.removed, first.unchanged), (2, 0, 0));
    store
        .replace_busy_source(doctor, "thunderbird", std::slice::from_ref(&thunderbird))
        .unwrap();
    assert_eq!(
        store.list_busy_range(doctor, month).unwrap(),
        [dentist.clone(), school.clone(), thunderbird.clone()]
    );

    let ops = store.pending_ops(10).unwrap();
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0].entity, EntityKind::BusyPeriod);
    assert!(
        !ops[0].fields.contains_key("summary"),
        "event titles never leave the device"
    );
    assert_eq!(ops[0].fields["source_uid"], json!("a@google"));

    // Re-import: the dentist moved, school was cancelled, a new event appeared.
    let moved = BusyPeriod {
        interval: span(at(5, 14), 1),
        ..dentist.clone()
    };
    let gym = busy(doctor, "d@google", 9);
    let second = store
        .replace_busy_source(doctor, "google", &[moved.clone(), gym.clone()])
        .unwrap();
    assert_eq!(
        (second.upserted, second.removed, second.unchanged),
        (2, 1, 0)
    );
    assert_eq!(
        store.list_busy_range(doctor, month).unwrap(),
        [moved.clone(), thunderbird.clone(), gym.clone()]
    );
    let ops = store.pending_ops(10).unwrap();
    assert_eq!(ops.len(), 6);
    assert!(
        ops[3..]
            .iter()
            .any(|o| o.kind == OpKind::Delete && o.entity_id == *school.id.as_uuid())
    );

    let same = store
        .replace_busy_source(doctor, "google", &[moved.clone(), gym.clone()])
        .unwrap();
    assert_eq!((same.upserted, same.removed, same.unchanged), (0, 0, 2));
    assert_eq!(store.pending_op_count().unwrap(), 6);

    assert_eq!(
        store.list_busy_range(doctor, span(at(5, 0), 24)).unwrap(),
        [moved]
    );
    assert!(
        store
            .list_busy_range(DoctorId::new(), month)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_import_with_another_doctors_period_is_refused_whole() {
    let mut store = Store::open_in_memory().unwrap();
    let doctor = DoctorId::new();
    let mine = busy(doctor, "a", 5);
    let theirs = busy(DoctorId::new(), "b", 6);
    let err = store
        .replace_busy_source(doctor, "google", &[mine, theirs])
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(
        store
            .list_busy_range(doctor, Interval::new(at(1, 0), at(31, 0)).unwrap())
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.pending_op_count().unwrap(), 0);
}

#[test]
fn damaged_cache_rows_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let r = request(&[3], 45.0, 4.0);
    let n = notification(1);
    {
        let mut store = Store::open(&path).unwrap();
        store.upsert_requests(std::slice::from_ref(&r)).unwrap();
        store
            .upsert_notifications(std::slice::from_ref(&n))
            .unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE request_cache SET json = '[]'", [])
            .unwrap();
        conn.execute("UPDATE notification SET json = 'nope'", [])
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.get_request(r.id).unwrap_err().code(),
        "corrupt_record"
    );
    assert_eq!(
        store
            .list_notifications(NotificationOrder::Newest, 10)
            .unwrap_err()
            .code(),
        "corrupt_record"
    );
    assert_eq!(
        store
            .mark_notification_read(n.id, at(1, 0))
            .unwrap_err()
            .code(),
        "corrupt_record"
    );
    assert_eq!(store.pending_op_count().unwrap(), 0);
}
