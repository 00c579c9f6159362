//! What the sync client writes into the store, each step in one SQLite transaction so a crash between
//! two steps never loses or duplicates an edit:
//!
//! - [`Store::apply_pulled_page`]: save the server versions (shadows) of a page of records, rebuild the
//!   local copies as shadow + pending ops, and advance the pull cursor — all or nothing;
//! - [`Store::resolve_push`]: remove the ops the server answered, roll back the rejected ones to the server
//!   version and keep each rejection as a conflict until the user has seen it;
//! - [`Store::observe_server_hlc`]: keep this device's clock ahead of the server's.
//!
//! The rebase rule itself is [`rempla_core::sync::rebase::rebase`].
//!
//! Split by responsibility: this file applies pulled pages and keeps the clock; `rejection` settles
//! pushed batches (rollback, conflicts); `local_copy` holds the shadows and the rebuild both use.

mod local_copy;
mod rejection;

use std::collections::BTreeMap;

use rusqlite::params;
use serde_json::{Map, Value};
use uuid::Uuid;

use rempla_core::sync::Hlc;
use rempla_core::sync::rebase::{PulledChange, canonical};

use crate::codec::decode;
use crate::device::LAST_HLC_KEY;
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;
use local_copy::{materialize, pending_ops_of, write_shadow};
pub use rejection::{PushResolution, StoredConflict};

impl Store {
    /// Applies one pull page: saves each record's server version, rebuilds the local copy with this
    /// device's pending ops replayed on top, and stores `cursor` — in one transaction, so an interrupted
    /// sync resumes from the last fully applied page. Returns how many changes were applied.
    pub fn apply_pulled_page(&mut self, changes: &[PulledChange], cursor: &str) -> Result<usize> {
        let tx = self.conn.transaction().db()?;
        for change in changes {
            write_shadow(
                &tx,
                &change.entity,
                change.entity_id,
                change.record.as_ref(),
            )?;
            let ops = pending_ops_of(&tx, &change.entity, change.entity_id)?;
            materialize(
                &tx,
                &change.entity,
                change.entity_id,
                change.record.clone(),
                &ops,
            )?;
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('cursor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [cursor],
        )
        .db()?;
        tx.commit().db()?;
        Ok(changes.len())
    }

    /// Absorbs the server's clock so later local ops sort after everything the server has seen. A server
    /// clock beyond the drift bound is ignored (logged): this device keeps its own, still-valid clock.
    pub fn observe_server_hlc(&mut self, hlc: &Hlc) -> Result<()> {
        match self.clock.observe(hlc) {
            Ok(now) => {
                self.conn
                    .execute(
                        "INSERT INTO device_meta (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                        params![LAST_HLC_KEY, now.to_string()],
                    )
                    .db()?;
            }
            Err(e) => tracing::warn!(code = e.code(), "server clock ignored: {e}"),
        }
        Ok(())
    }

    /// The locally shown synced records (availabilities, busy periods without their device-only title),
    /// as canonical JSON by `(entity, id)`: what a device must agree on with the server after a sync.
    pub fn synced_snapshot(&self) -> Result<BTreeMap<(String, Uuid), Value>> {
        let mut out = BTreeMap::new();
        for (entity, sql) in [
            ("availability", "SELECT id, json FROM availability"),
            ("busy_period", "SELECT id, json FROM busy_period"),
        ] {
            let mut stmt = self.conn.prepare(sql).db()?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .db()?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db()?;
            for (id, json) in rows {
                let mut record: Map<String, Value> = decode(entity, &id, &json)?;
                if entity == "busy_period" {
                    record.remove("summary");
                }
                let uuid = Uuid::try_parse(&id).map_err(|e| StoreError::CorruptRecord {
                    table: "availability",
                    id: id.clone(),
                    reason: e.to_string(),
                })?;
                out.insert((entity.to_owned(), uuid), Value::Object(canonical(record)));
            }
        }
        Ok(out)
    }
}

/// Helpers of the unit tests of `sync_apply` and its parts.
#[cfg(test)]
mod test_util {
    use chrono::{TimeZone, Utc};
    use rempla_core::calendar::Interval;
    use rempla_core::domain::{BusyId, BusyPeriod, DoctorId};
    use rempla_core::sync::rebase::PulledChange;
    use serde_json::Value;
    use uuid::Uuid;

    pub(super) fn change(entity: &str, id: Uuid, record: Option<Value>) -> PulledChange {
        PulledChange {
            entity: entity.to_owned(),
            entity_id: id,
            record: record.and_then(|r| r.as_object().cloned()),
        }
    }

    pub(super) fn busy(doctor: DoctorId, summary: Option<&str>) -> BusyPeriod {
        let start = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        BusyPeriod {
            id: BusyId::new(),
            doctor_id: doctor,
            interval: Interval::new(start, start + chrono::Duration::hours(1)).unwrap(),
            source_uid: "x@agenda".into(),
            summary: summary.map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::test_util::{busy, change};
    use super::*;
    use rempla_core::calendar::Interval;
    use rempla_core::domain::{
        Availability, AvailabilityId, DoctorId, Notification, NotificationId,
    };

    #[test]
    fn a_pulled_busy_period_keeps_the_device_only_title_and_source() {
        let mut store = Store::open_in_memory().unwrap();
        let doctor = DoctorId::new();
        let mine = busy(doctor, Some("Dentiste"));
        store
            .replace_busy_source(doctor, "google", std::slice::from_ref(&mine))
            .unwrap();
        store
            .ack_ops(
                &store
                    .pending_ops(10)
                    .unwrap()
                    .iter()
                    .map(|o| o.op_id)
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        let mut moved = mine.clone();
        moved.interval = Interval::new(
            mine.interval.start() + chrono::Duration::hours(1),
            mine.interval.end() + chrono::Duration::hours(1),
        )
        .unwrap();
        let mut record = serde_json::to_value(&moved).unwrap();
        record.as_object_mut().unwrap().remove("summary");
        record.as_object_mut().unwrap().remove("id");
        store
            .apply_pulled_page(
                &[change("busy_period", *mine.id.as_uuid(), Some(record))],
                "c1",
            )
            .unwrap();
        let window = Interval::new(
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let got = store.list_busy_range(doctor, window).unwrap();
        assert_eq!(got, vec![moved]);
        // Re-importing the same source still finds it (the source column was kept).
        let summary = store.replace_busy_source(doctor, "google", &[]).unwrap();
        assert_eq!(summary.removed, 1);
        assert_eq!(store.sync_state("cursor").unwrap().as_deref(), Some("c1"));
    }

    #[test]
    fn read_marks_unknown_kinds_and_deletions_are_applied() {
        let mut store = Store::open_in_memory().unwrap();
        let n = Notification {
            id: NotificationId::new(),
            kind: "proposal_received".into(),
            title: "t".into(),
            body: "b".into(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
            read_at: None,
            payload: json!({}),
        };
        store
            .upsert_notifications(std::slice::from_ref(&n))
            .unwrap();
        let at = "2026-11-21T10:00:00Z";
        store
            .apply_pulled_page(
                &[
                    change(
                        "notification_read",
                        *n.id.as_uuid(),
                        Some(json!({"read_at": at})),
                    ),
                    change("mission", Uuid::now_v7(), Some(json!({"x": 1}))),
                ],
                "c2",
            )
            .unwrap();
        let read = store.get_notification(n.id).unwrap().unwrap();
        assert_eq!(read.read_at, Some(at.parse().unwrap()));
        assert_eq!(store.unread_notification_count().unwrap(), 0);
        // A pulled deletion of an availability without pending ops removes it.
        let doctor = DoctorId::new();
        let a = Availability {
            id: AvailabilityId::new(),
            doctor_id: doctor,
            interval: Interval::new(
                Utc.with_ymd_and_hms(2027, 1, 4, 7, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2027, 1, 4, 19, 0, 0).unwrap(),
            )
            .unwrap(),
            zone: chrono_tz::Europe::Paris,
            kind: rempla_core::calendar::ShiftKind::Day,
            recurrence: None,
            status: rempla_core::domain::AvailabilityStatus::Open,
            note: None,
            revision: 0,
        };
        store.add_availability(&a).unwrap();
        store
            .ack_ops(
                &store
                    .pending_ops(10)
                    .unwrap()
                    .iter()
                    .map(|o| o.op_id)
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        store
            .apply_pulled_page(&[change("availability", *a.id.as_uuid(), None)], "c3")
            .unwrap();
        assert_eq!(store.get_availability(a.id).unwrap(), None);
    }

    #[test]
    fn pulled_inbox_records_fill_the_inbox_with_their_read_marks() {
        let mut store = Store::open_in_memory().unwrap();
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let record = |id: Uuid, title: &str| {
            json!({"id": id, "kind": "proposal_received", "title": title, "body": "b",
                   "created_at": "2026-11-20T09:00:00.000Z", "payload": {"proposal_id": "p"}})
        };
        let at = "2026-11-21T10:00:00Z";
        // The read mark of `second` arrives in the same page, before its record.
        store
            .apply_pulled_page(
                &[
                    change("notification", first, Some(record(first, "Une"))),
                    change("notification_read", second, Some(json!({"read_at": at}))),
                    change("notification", second, Some(record(second, "Deux"))),
                ],
                "c1",
            )
            .unwrap();
        let one = store
            .get_notification(NotificationId::from_uuid(first))
            .unwrap()
            .unwrap();
        assert_eq!((one.title.as_str(), one.read_at), ("Une", None));
        assert_eq!(one.payload["proposal_id"], "p");
        let two = store
            .get_notification(NotificationId::from_uuid(second))
            .unwrap()
            .unwrap();
        assert_eq!(two.read_at, Some(at.parse().unwrap()));
        assert_eq!(store.unread_notification_count().unwrap(), 1);
        // A pulled deletion (account data removed) empties it.
        store
            .apply_pulled_page(&[change("notification", first, None)], "c2")
            .unwrap();
        assert!(
            store
                .get_notification(NotificationId::from_uuid(first))
                .unwrap()
                .is_none()
        );
    }
}
