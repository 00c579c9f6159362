//! Versioned schema migrations, in code. The schema version is SQLite's `user_version`; migration `k`
//! brings the database from version `k` to `k + 1` and runs in its own transaction together with the
//! version bump, so a crash leaves the database at a consistent version. A database from a newer app
//! version is refused rather than guessed at.
//!
//! History (never edit a shipped migration; append a new one):
//! 1. the doctor's calendar and the sync machinery: `availability`, `outbox`, `sync_state`, `device_meta`;
//! 2. the caches of server data: `request_cache`, `notification`;
//! 3. busy periods imported from other calendars: `busy_period`;
//! 4. the sync client's memory: `sync_shadow` (last server version of each synced record, the base that
//!    pending local ops are rebased on and that a rejected op is rolled back to) and `sync_conflict`
//!    (conflicts kept until the user has seen them).
//! 5. one name per device setting (`settings.rs`): the CLI's `cli.doctor_id` becomes `local.doctor_id`
//!    (the FFI's name), the FFI's `ffi.doctor_from_account` becomes `device.calendar_owned`, and a store
//!    that has already synced (a cursor, a session) is marked as owned by its account, so a later
//!    sign-in of another account never adopts its calendar.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{DbResultExt, Result, StoreError};

/// One step of the schema history.
struct Migration {
    /// What the step adds, for logs.
    description: &'static str,
    /// The SQL of the step.
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        description: "calendar, outbox, sync state, device identity",
        sql: "
            CREATE TABLE availability (
                id            TEXT    PRIMARY KEY NOT NULL,
                doctor_id     TEXT    NOT NULL,
                start_ms      INTEGER NOT NULL,
                end_ms        INTEGER NOT NULL,
                -- End of the last occurrence (conservative upper bound), NULL for an endless series.
                series_end_ms INTEGER,
                -- 1 when series_end_ms is NULL or more than a week after start_ms: such rows are read
                -- through their own partial index instead of the start_ms window.
                long_span     INTEGER NOT NULL CHECK (long_span IN (0, 1)),
                status        TEXT    NOT NULL,
                json          TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX availability_doctor_start ON availability (doctor_id, start_ms);
            CREATE INDEX availability_doctor_series ON availability (doctor_id, start_ms) WHERE long_span = 1;

            CREATE TABLE outbox (
                seq       INTEGER PRIMARY KEY AUTOINCREMENT,
                op_id     TEXT    NOT NULL UNIQUE,
                entity    TEXT    NOT NULL,
                entity_id TEXT    NOT NULL,
                kind      TEXT    NOT NULL,
                fields    TEXT    NOT NULL,
                hlc       TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX outbox_entity ON outbox (entity, entity_id);

            CREATE TABLE sync_state (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE device_meta (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;
        ",
    },
    Migration {
        description: "caches of open requests and notifications",
        sql: "
            CREATE TABLE request_cache (
                id       TEXT PRIMARY KEY NOT NULL,
                start_ms INTEGER,
                end_ms   INTEGER,
                lat      REAL NOT NULL,
                lon      REAL NOT NULL,
                status   TEXT NOT NULL,
                json     TEXT NOT NULL
            ) STRICT;
            CREATE INDEX request_cache_start ON request_cache (start_ms);
            CREATE INDEX request_cache_position ON request_cache (lat, lon);

            CREATE TABLE notification (
                id            TEXT    PRIMARY KEY NOT NULL,
                created_at_ms INTEGER NOT NULL,
                read_at_ms    INTEGER,
                json          TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX notification_created ON notification (created_at_ms);
        ",
    },
    Migration {
        description: "busy periods imported from other calendars",
        sql: "
            CREATE TABLE busy_period (
                id        TEXT    PRIMARY KEY NOT NULL,
                doctor_id TEXT    NOT NULL,
                source    TEXT    NOT NULL,
                start_ms  INTEGER NOT NULL,
                end_ms    INTEGER NOT NULL,
                json      TEXT    NOT NULL
            ) STRICT;
            -- Imported calendars grow in the past, not in the future: range reads walk end_ms forward.
            CREATE INDEX busy_period_doctor_end ON busy_period (doctor_id, end_ms);
            CREATE INDEX busy_period_source ON busy_period (doctor_id, source);
        ",
    },
    Migration {
        description: "sync client: server shadow copies and conflicts",
        sql: "
            CREATE TABLE sync_shadow (
                entity    TEXT    NOT NULL,
                entity_id TEXT    NOT NULL,
                -- 1 for a server tombstone; json is then '{}'.
                deleted   INTEGER NOT NULL CHECK (deleted IN (0, 1)),
                json      TEXT    NOT NULL,
                PRIMARY KEY (entity, entity_id)
            ) STRICT;
            CREATE TABLE sync_conflict (
                seq       INTEGER PRIMARY KEY AUTOINCREMENT,
                op_id     TEXT    NOT NULL UNIQUE,
                entity    TEXT    NOT NULL,
                entity_id TEXT    NOT NULL,
                code      TEXT    NOT NULL,
                reason    TEXT    NOT NULL,
                at_ms     INTEGER NOT NULL
            ) STRICT;
        ",
    },
    Migration {
        description: "one name per device setting",
        sql: "
            INSERT OR IGNORE INTO sync_state (key, value)
                SELECT 'local.doctor_id', value FROM sync_state WHERE key = 'cli.doctor_id';
            DELETE FROM sync_state WHERE key = 'cli.doctor_id';
            INSERT OR IGNORE INTO sync_state (key, value)
                SELECT 'device.calendar_owned', '1' FROM sync_state
                WHERE key IN ('ffi.doctor_from_account', 'cursor', 'session.account_id') LIMIT 1;
            DELETE FROM sync_state WHERE key = 'ffi.doctor_from_account';
        ",
    },
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations
pub const LATEST_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version stored in the database header.
pub(crate) fn user_version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .db()?;
    // A negative or huge value is from something else than this app: treat as "newer".
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Migrates to the latest schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, LATEST_SCHEMA_VERSION)
}

/// Applies migrations up to `target` (tests build every intermediate version with it). Each step reads the
/// version inside its own write transaction, so two processes opening the same file never both apply it.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<()> {
    let found = user_version(conn)?;
    if found > LATEST_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: LATEST_SCHEMA_VERSION,
        });
    }
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let version = user_version(&tx)?;
        if version > LATEST_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: LATEST_SCHEMA_VERSION,
            });
        }
        if version >= target {
            return Ok(());
        }
        apply(&tx, version)?;
        tx.commit().db()?;
    }
}

fn apply(tx: &Transaction<'_>, version: u32) -> Result<()> {
    let index = usize::try_from(version).unwrap_or(usize::MAX);
    let Some(step) = MIGRATIONS.get(index) else {
        return Err(StoreError::Database {
            reason: format!("migration {version} manquante"),
        });
    };
    tracing::info!(
        from = version,
        to = version + 1,
        step = step.description,
        "migrating offline store"
    );
    tx.execute_batch(step.sql).db()?;
    tx.pragma_update(None, "user_version", version + 1).db()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! From every earlier version to the latest: build the database at version `k` with the first `k`
    //! migrations, insert representative rows of that version's schema, open it as a [`Store`] (which
    //! migrates) and check the rows survived and the new tables work.

    use chrono::{TimeZone, Utc};
    use chrono_tz::Europe::Paris;
    use rusqlite::params;

    use super::*;
    use crate::Store;
    use rempla_core::calendar::{Interval, ShiftKind};
    use rempla_core::domain::{
        Availability, AvailabilityId, AvailabilityStatus, BusyId, BusyPeriod, DoctorId, FacilityId,
        GeoPoint, Notification, NotificationId, Request, RequestId, RequestStatus, SiteId,
    };

    fn interval(day: u32) -> Interval {
        Interval::new(
            Utc.with_ymd_and_hms(2026, 12, day, 7, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, day, 19, 0, 0).unwrap(),
        )
        .unwrap()
    }

    struct Fixture {
        availability: Availability,
        notification: Notification,
        request: Request,
        busy: BusyPeriod,
    }

    fn fixture() -> Fixture {
        let doctor = DoctorId::new();
        Fixture {
            availability: Availability {
                id: AvailabilityId::new(),
                doctor_id: doctor,
                interval: interval(5),
                zone: Paris,
                kind: ShiftKind::Day,
                recurrence: None,
                status: AvailabilityStatus::Open,
                note: Some("parking".into()),
                revision: 2,
            },
            notification: Notification {
                id: NotificationId::new(),
                kind: "proposal_received".into(),
                title: "Nouvelle proposition".into(),
                body: "Clinique du Parc".into(),
                created_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
                read_at: None,
                payload: serde_json::json!({"proposal": "x"}),
            },
            request: Request {
                id: RequestId::new(),
                facility_id: FacilityId::new(),
                site_id: SiteId::new(),
                specialty: "anesthesie".into(),
                shifts: vec![rempla_core::domain::RequestShift {
                    kind: ShiftKind::Day,
                    interval: interval(8),
                }],
                zone: Paris,
                department: "69".into(),
                location: GeoPoint {
                    lat: 45.76,
                    lon: 4.84,
                },
                doctors_needed: 1,
                requirements: rempla_core::domain::Requirements::default(),
                remuneration_cents_per_day: Some(80_000),
                status: RequestStatus::Open,
                revision: 0,
            },
            busy: BusyPeriod {
                id: BusyId::new(),
                doctor_id: doctor,
                interval: interval(6),
                source_uid: "abc@google.com".into(),
                summary: Some("Dentiste".into()),
            },
        }
    }

    /// Inserts rows the way the app at schema version `version` wrote them (raw SQL of that schema).
    fn insert_rows_of_version(conn: &Connection, version: u32, f: &Fixture) {
        if version >= 1 {
            let a = &f.availability;
            conn.execute(
                "INSERT INTO availability (id, doctor_id, start_ms, end_ms, series_end_ms, long_span, status, json)
                 VALUES (?1, ?2, ?3, ?4, ?4, 0, 'open', ?5)",
                params![
                    a.id.to_string(),
                    a.doctor_id.to_string(),
                    a.interval.start().timestamp_millis(),
                    a.interval.end().timestamp_millis(),
                    serde_json::to_string(a).unwrap()
                ],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES ('cursor', 'c-42')",
                [],
            )
            .unwrap();
        }
        if version >= 2 {
            let n = &f.notification;
            conn.execute(
                "INSERT INTO notification (id, created_at_ms, read_at_ms, json) VALUES (?1, ?2, NULL, ?3)",
                params![n.id.to_string(), n.created_at.timestamp_millis(), serde_json::to_string(n).unwrap()],
            )
            .unwrap();
            let r = &f.request;
            conn.execute(
                "INSERT INTO request_cache (id, start_ms, end_ms, lat, lon, status, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6)",
                params![
                    r.id.to_string(),
                    r.shifts[0].interval.start().timestamp_millis(),
                    r.shifts[0].interval.end().timestamp_millis(),
                    r.location.lat,
                    r.location.lon,
                    serde_json::to_string(r).unwrap()
                ],
            )
            .unwrap();
        }
        if version >= 3 {
            let b = &f.busy;
            conn.execute(
                "INSERT INTO busy_period (id, doctor_id, source, start_ms, end_ms, json) VALUES (?1, ?2, 'google', ?3, ?4, ?5)",
                params![
                    b.id.to_string(),
                    b.doctor_id.to_string(),
                    b.interval.start().timestamp_millis(),
                    b.interval.end().timestamp_millis(),
                    serde_json::to_string(b).unwrap()
                ],
            )
            .unwrap();
        }
    }

    #[test]
    fn every_earlier_version_migrates_to_the_latest_keeping_its_data() {
        for version in 0..=LATEST_SCHEMA_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("store.db");
            let f = fixture();
            {
                let mut conn = Connection::open(&path).unwrap();
                migrate_to(&mut conn, version).unwrap();
                assert_eq!(user_version(&conn).unwrap(), version);
                insert_rows_of_version(&conn, version, &f);
            }
            let mut store = Store::open(&path).unwrap();
            assert_eq!(
                store.schema_version().unwrap(),
                LATEST_SCHEMA_VERSION,
                "from v{version}"
            );
            store.check_integrity().unwrap();

            let a = store.get_availability(f.availability.id).unwrap();
            assert_eq!(
                a.as_ref(),
                (version >= 1).then_some(&f.availability),
                "availability from v{version}"
            );
            let cursor = store.sync_state("cursor").unwrap();
            assert_eq!(cursor.as_deref(), (version >= 1).then_some("c-42"));
            let n = store.get_notification(f.notification.id).unwrap();
            assert_eq!(
                n.as_ref(),
                (version >= 2).then_some(&f.notification),
                "notification from v{version}"
            );
            let r = store.get_request(f.request.id).unwrap();
            assert_eq!(
                r.as_ref(),
                (version >= 2).then_some(&f.request),
                "request from v{version}"
            );
            let busy = store
                .list_busy_range(f.busy.doctor_id, interval(6))
                .unwrap();
            assert_eq!(
                busy,
                if version >= 3 {
                    vec![f.busy.clone()]
                } else {
                    vec![]
                },
                "busy from v{version}"
            );

            // The latest schema is fully usable after the upgrade: every repository writes.
            let mut fresh = fixture();
            fresh.availability.doctor_id = f.availability.doctor_id;
            store.add_availability(&fresh.availability).unwrap();
            store
                .upsert_notifications(std::slice::from_ref(&fresh.notification))
                .unwrap();
            store
                .upsert_requests(std::slice::from_ref(&fresh.request))
                .unwrap();
            store
                .replace_busy_source(
                    fresh.busy.doctor_id,
                    "google",
                    std::slice::from_ref(&fresh.busy),
                )
                .unwrap();
            assert_eq!(
                store
                    .list_availabilities(f.availability.doctor_id)
                    .unwrap()
                    .len(),
                if version >= 1 { 2 } else { 1 }
            );
            assert!(store.pending_op_count().unwrap() >= 2);
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST_SCHEMA_VERSION);
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", LATEST_SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert_eq!(err.code(), "schema_too_new");
        assert_eq!(
            err,
            StoreError::SchemaTooNew {
                found: LATEST_SCHEMA_VERSION + 1,
                supported: LATEST_SCHEMA_VERSION
            }
        );
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            user_version(&conn).unwrap(),
            LATEST_SCHEMA_VERSION + 1,
            "left untouched"
        );
    }
}
