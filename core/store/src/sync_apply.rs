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

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Map, Value};
use uuid::Uuid;

use rempla_core::domain::{Availability, AvailabilityId, BusyPeriod, Notification, OpId, Request};
use rempla_core::sync::protocol::{OpOutcome, OpResult};
use rempla_core::sync::rebase::{PulledChange, canonical, rebase};
use rempla_core::sync::{Hlc, OutboxOp};

use crate::calendar::{read_one as read_availability, write_row as write_availability};
use crate::codec::{decode, encode, millis};
use crate::device::LAST_HLC_KEY;
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;
use crate::outbox::RawOp;

/// Source recorded for busy periods that arrived from the server rather than from a local import.
const REMOTE_BUSY_SOURCE: &str = "sync";

/// A rejected op kept for the user: the conflict event is also raised live, but this row survives a crash
/// or a closed app until [`Store::dismiss_sync_conflicts`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConflict {
    /// The rejected op.
    pub op_id: OpId,
    /// Kind of record (`availability`…).
    pub entity: String,
    /// The record.
    pub entity_id: Uuid,
    /// The server's stable code (`slot_booked`, `record_deleted`…).
    pub code: String,
    /// The server's reason, in French.
    pub reason: String,
    /// When the device learnt of the rejection.
    pub at: DateTime<Utc>,
}

/// What [`Store::resolve_push`] did with one answered batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushResolution {
    /// Ops the server applied (removed from the outbox).
    pub applied: usize,
    /// Ops the server rejected (removed from the outbox and rolled back), with their conflicts.
    pub conflicts: Vec<StoredConflict>,
}

/// What the store knows of the server's version of one record.
enum Shadow {
    /// Never received (created here and not yet pulled, or pulled before shadows existed).
    Unknown,
    /// Deleted on the server.
    Deleted,
    /// The last version received.
    Live(Map<String, Value>),
}

impl Shadow {
    fn base(self) -> Option<Map<String, Value>> {
        match self {
            Self::Live(m) => Some(m),
            Self::Unknown | Self::Deleted => None,
        }
    }
}

fn read_shadow(tx: &rusqlite::Connection, entity: &str, id: Uuid) -> Result<Shadow> {
    let key = id.to_string();
    let row: Option<(bool, String)> = tx
        .prepare_cached(
            "SELECT deleted, json FROM sync_shadow WHERE entity = ?1 AND entity_id = ?2",
        )
        .db()?
        .query_row(params![entity, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .db()?;
    match row {
        None => Ok(Shadow::Unknown),
        Some((true, _)) => Ok(Shadow::Deleted),
        Some((false, json)) => {
            decode::<Map<String, Value>>("sync_shadow", &key, &json).map(Shadow::Live)
        }
    }
}

fn write_shadow(
    tx: &Transaction<'_>,
    entity: &str,
    id: Uuid,
    record: Option<&Map<String, Value>>,
) -> Result<()> {
    let json = match record {
        Some(r) => encode(r)?,
        None => "{}".to_owned(),
    };
    tx.prepare_cached(
        "INSERT INTO sync_shadow (entity, entity_id, deleted, json) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (entity, entity_id) DO UPDATE SET deleted = excluded.deleted, json = excluded.json",
    )
    .db()?
    .execute(params![entity, id.to_string(), record.is_none(), json])
    .db()?;
    Ok(())
}

/// Pending ops of one record, in the order they were made.
fn pending_ops_of(tx: &rusqlite::Connection, entity: &str, id: Uuid) -> Result<Vec<OutboxOp>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT op_id, entity, entity_id, kind, fields, hlc FROM outbox
             WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
        )
        .db()?;
    let raws = stmt
        .query_map(params![entity, id.to_string()], |row| {
            Ok(RawOp {
                op_id: row.get(0)?,
                entity: row.get(1)?,
                entity_id: row.get(2)?,
                kind: row.get(3)?,
                fields: row.get(4)?,
                hlc: row.get(5)?,
            })
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    raws.into_iter().map(RawOp::decode).collect()
}

/// Turns a record object into a typed value, with its id (the server may or may not repeat it).
fn typed<T: serde::de::DeserializeOwned>(id: Uuid, mut record: Map<String, Value>) -> Option<T> {
    record.insert("id".to_owned(), Value::String(id.to_string()));
    serde_json::from_value(Value::Object(canonical(record))).ok()
}

fn insert_conflict(tx: &Transaction<'_>, c: &StoredConflict) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO sync_conflict (op_id, entity, entity_id, code, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        c.op_id.to_string(),
        c.entity,
        c.entity_id.to_string(),
        c.code,
        c.reason,
        millis(c.at)
    ])
    .db()?;
    Ok(())
}

/// Whether the batch has a refused op of a record that is a whole record (a creation). Local edits are
/// diffs (`changed_fields`), so only a creation is whole. Any refused op counts, not only the first: a
/// record created, deleted and created again before its first push sends its refused delete ahead of the
/// refused re-creation (found by `sync_rebase_prop`), and the server has it no more than before.
fn rejected_creation(batch: &[OutboxOp], results: &[OpResult], entity: &str, id: Uuid) -> bool {
    batch.iter().zip(results).any(|(o, r)| {
        o.entity.as_str() == entity
            && o.entity_id == id
            && matches!(r.outcome, OpOutcome::Rejected { .. })
            && o.kind == rempla_core::sync::OpKind::Upsert
            && !is_orphan(entity, id, std::slice::from_ref(o))
    })
}

/// Whether `ops` replayed on nothing leave a record too incomplete to exist (edits without their creation).
fn is_orphan(entity: &str, id: Uuid, ops: &[OutboxOp]) -> bool {
    let Some(record) = rebase(None, ops) else {
        return false;
    };
    match entity {
        "availability" => typed::<Availability>(id, record).is_none(),
        "busy_period" => typed::<BusyPeriod>(id, record).is_none(),
        _ => false,
    }
}

/// Rebuilds the local copy of one record from its server version and the ops replayed on top.
fn materialize(
    tx: &Transaction<'_>,
    entity: &str,
    id: Uuid,
    base: Option<Map<String, Value>>,
    ops: &[OutboxOp],
) -> Result<()> {
    let target = rebase(base, ops);
    let key = id.to_string();
    match entity {
        "availability" => match target {
            None => {
                tx.execute("DELETE FROM availability WHERE id = ?1", [&key])
                    .db()?;
            }
            Some(record) => match typed::<Availability>(id, record) {
                Some(a) => write_availability(tx, &a, true)?,
                // A partial edit over a record the server no longer has: keep the local copy until the
                // server's answer to that edit rolls it back.
                None => {
                    if read_availability(tx, AvailabilityId::from_uuid(id))?.is_none() {
                        tracing::warn!(%id, "pulled availability unreadable, skipped");
                    }
                }
            },
        },
        "busy_period" => match target {
            None => {
                tx.execute("DELETE FROM busy_period WHERE id = ?1", [&key])
                    .db()?;
            }
            Some(record) => {
                let local: Option<(String, String)> = tx
                    .query_row(
                        "SELECT source, json FROM busy_period WHERE id = ?1",
                        [&key],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .db()?;
                let Some(mut period) = typed::<BusyPeriod>(id, record) else {
                    tracing::warn!(%id, "pulled busy period unreadable, skipped");
                    return Ok(());
                };
                let source = match &local {
                    Some((source, json)) => {
                        // The title never leaves the device: keep the local one.
                        let old: BusyPeriod = decode("busy_period", &key, json)?;
                        period.summary = old.summary;
                        source.clone()
                    }
                    None => REMOTE_BUSY_SOURCE.to_owned(),
                };
                tx.prepare_cached(
                    "INSERT INTO busy_period (id, doctor_id, source, start_ms, end_ms, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (id) DO UPDATE SET doctor_id = excluded.doctor_id, start_ms = excluded.start_ms,
                        end_ms = excluded.end_ms, json = excluded.json",
                )
                .db()?
                .execute(params![
                    key,
                    period.doctor_id.to_string(),
                    source,
                    millis(period.interval.start()),
                    millis(period.interval.end()),
                    encode(&period)?
                ])
                .db()?;
            }
        },
        "request" => match target.and_then(|r| typed::<Request>(id, r)) {
            None => {
                tx.execute("DELETE FROM request_cache WHERE id = ?1", [&key])
                    .db()?;
            }
            Some(r) => {
                let start = r.shifts.iter().map(|s| millis(s.interval.start())).min();
                let end = r.shifts.iter().map(|s| millis(s.interval.end())).max();
                tx.prepare_cached(
                    "INSERT INTO request_cache (id, start_ms, end_ms, lat, lon, status, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms,
                        lat = excluded.lat, lon = excluded.lon, status = excluded.status, json = excluded.json",
                )
                .db()?
                .execute(params![
                    key,
                    start,
                    end,
                    r.location.lat,
                    r.location.lon,
                    crate::requests::status_text(r.status),
                    encode(&r)?
                ])
                .db()?;
            }
        },
        // The inbox record the server made. Its read mark is a separate entity: keep the one known
        // here (this device's, or one pulled earlier, possibly before the record itself).
        "notification" => match target.and_then(|r| typed::<Notification>(id, r)) {
            None => {
                tx.execute("DELETE FROM notification WHERE id = ?1", [&key])
                    .db()?;
            }
            Some(mut n) => {
                let local = crate::notifications::read_one(tx, n.id)?.and_then(|o| o.read_at);
                let pulled = match read_shadow(tx, "notification_read", id)? {
                    Shadow::Live(mark) => mark
                        .get("read_at")
                        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok()),
                    Shadow::Unknown | Shadow::Deleted => None,
                };
                n.read_at = local.or(pulled);
                crate::notifications::write(tx, &n)?;
            }
        },
        "notification_read" => {
            let read_at = target
                .as_ref()
                .and_then(|r| r.get("read_at"))
                .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
            let json: Option<String> = tx
                .query_row("SELECT json FROM notification WHERE id = ?1", [&key], |r| {
                    r.get(0)
                })
                .optional()
                .db()?;
            if let Some(json) = json {
                let mut n: Notification = decode("notification", &key, &json)?;
                n.read_at = read_at;
                tx.execute(
                    "UPDATE notification SET read_at_ms = ?2, json = ?3 WHERE id = ?1",
                    params![key, read_at.map(millis), encode(&n)?],
                )
                .db()?;
            }
        }
        // A kind this build does not show: its shadow is kept, nothing else to do.
        _ => {}
    }
    Ok(())
}

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

    /// Settles one pushed batch from the server's answer (`results[i]` answers `batch[i]`): every answered op
    /// leaves the outbox; each rejected op is rolled back — its record is rebuilt from the server version,
    /// the batch's applied ops and the still-pending ops, which removes a creation the server never
    /// accepted — and kept as a conflict. One transaction.
    pub fn resolve_push(
        &mut self,
        batch: &[OutboxOp],
        results: &[OpResult],
    ) -> Result<PushResolution> {
        if batch.len() != results.len()
            || batch.iter().zip(results).any(|(o, r)| o.op_id != r.op_id)
        {
            return Err(StoreError::InvalidInput {
                reason: "réponse du serveur sans correspondance avec le lot envoyé".to_owned(),
            });
        }
        let now = Utc::now();
        let tx = self.conn.transaction().db()?;
        let mut resolution = PushResolution::default();
        let mut touched: BTreeSet<(String, Uuid)> = BTreeSet::new();
        for (op, result) in batch.iter().zip(results) {
            tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")
                .db()?
                .execute([op.op_id.to_string()])
                .db()?;
            match &result.outcome {
                OpOutcome::Applied => resolution.applied += 1,
                OpOutcome::Rejected { code, reason } => {
                    let conflict = StoredConflict {
                        op_id: op.op_id,
                        entity: op.entity.as_str().to_owned(),
                        entity_id: op.entity_id,
                        code: code.clone(),
                        reason: reason.clone(),
                        at: now,
                    };
                    insert_conflict(&tx, &conflict)?;
                    touched.insert((conflict.entity.clone(), op.entity_id));
                    resolution.conflicts.push(conflict);
                }
            }
        }
        for (entity, id) in &touched {
            let applied = batch.iter().zip(results).filter(|(o, r)| {
                o.entity.as_str() == entity && o.entity_id == *id && r.outcome == OpOutcome::Applied
            });
            let mut ops: Vec<OutboxOp> = applied.map(|(o, _)| o.clone()).collect();
            let still_pending = pending_ops_of(&tx, entity, *id)?;
            ops.extend(still_pending.iter().cloned());
            let shadow = read_shadow(&tx, entity, *id)?;
            if matches!(shadow, Shadow::Unknown) && !rejected_creation(batch, results, entity, *id)
            {
                // An edit refused on a record whose server version this device never stored (pulled
                // before shadows existed): keep the local copy and forget the cursor, so the pull that
                // follows downloads the server's version again and replaces it.
                tx.execute("DELETE FROM sync_state WHERE key = 'cursor'", [])
                    .db()?;
                continue;
            }
            let base = shadow.base();
            if base.is_none() && is_orphan(entity, *id, &ops) {
                // The creation was refused and what is left are edits of a record the server never had:
                // they can only be refused too. Settle them now, visibly, and remove the record.
                for op in &still_pending {
                    tx.execute(
                        "DELETE FROM outbox WHERE op_id = ?1",
                        [op.op_id.to_string()],
                    )
                    .db()?;
                    let conflict = StoredConflict {
                        op_id: op.op_id,
                        entity: entity.clone(),
                        entity_id: *id,
                        code: "creation_rejected".to_owned(),
                        reason: "la création de cet enregistrement a été refusée par le serveur"
                            .to_owned(),
                        at: now,
                    };
                    insert_conflict(&tx, &conflict)?;
                    resolution.conflicts.push(conflict);
                }
                materialize(&tx, entity, *id, None, &[])?;
                continue;
            }
            materialize(&tx, entity, *id, base, &ops)?;
        }
        tx.commit().db()?;
        Ok(resolution)
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

    /// Conflicts not yet dismissed by the user, oldest first.
    pub fn sync_conflicts(&self) -> Result<Vec<StoredConflict>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT op_id, entity, entity_id, code, reason, at_ms FROM sync_conflict ORDER BY seq",
            )
            .db()?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.into_iter()
            .map(|(op_id, entity, entity_id, code, reason, at_ms)| {
                let corrupt = |reason: String| StoreError::CorruptRecord {
                    table: "sync_conflict",
                    id: op_id.clone(),
                    reason,
                };
                Ok(StoredConflict {
                    op_id: op_id
                        .parse()
                        .map_err(|e: rempla_core::domain::ValidationError| {
                            corrupt(e.to_string())
                        })?,
                    entity_id: Uuid::try_parse(&entity_id).map_err(|e| corrupt(e.to_string()))?,
                    at: DateTime::from_timestamp_millis(at_ms)
                        .ok_or_else(|| corrupt("date hors limites".to_owned()))?,
                    entity,
                    code,
                    reason,
                })
            })
            .collect()
    }

    /// Removes conflicts the user has seen. Returns how many were removed.
    pub fn dismiss_sync_conflicts(&mut self, op_ids: &[OpId]) -> Result<usize> {
        let tx = self.conn.transaction().db()?;
        let mut removed = 0;
        for id in op_ids {
            removed += tx
                .execute(
                    "DELETE FROM sync_conflict WHERE op_id = ?1",
                    [id.to_string()],
                )
                .db()?;
        }
        tx.commit().db()?;
        Ok(removed)
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use rempla_core::calendar::Interval;
    use rempla_core::domain::{BusyId, DoctorId, NotificationId};

    fn change(entity: &str, id: Uuid, record: Option<Value>) -> PulledChange {
        PulledChange {
            entity: entity.to_owned(),
            entity_id: id,
            record: record.and_then(|r| r.as_object().cloned()),
        }
    }

    fn busy(doctor: DoctorId, summary: Option<&str>) -> BusyPeriod {
        let start = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        BusyPeriod {
            id: BusyId::new(),
            doctor_id: doctor,
            interval: Interval::new(start, start + chrono::Duration::hours(1)).unwrap(),
            source_uid: "x@agenda".into(),
            summary: summary.map(str::to_owned),
        }
    }

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

    #[test]
    fn a_refused_edit_of_a_record_without_shadow_triggers_a_full_pull() {
        let mut store = Store::open_in_memory().unwrap();
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
            note: Some("serveur".into()),
            revision: 1,
        };
        // Pulled by an older version of the app: no shadow.
        store
            .put_remote_availabilities(std::slice::from_ref(&a))
            .unwrap();
        store.set_sync_state("cursor", "c9").unwrap();
        let mut edited = a.clone();
        edited.note = Some("local".into());
        store.update_availability(&edited).unwrap();
        let batch = store.pending_ops(10).unwrap();
        let refused = [OpResult {
            op_id: batch[0].op_id,
            outcome: OpOutcome::Rejected {
                code: "forbidden".into(),
                reason: "non".into(),
            },
        }];
        let r = store.resolve_push(&batch, &refused).unwrap();
        assert_eq!(r.conflicts.len(), 1);
        assert!(
            store.get_availability(a.id).unwrap().is_some(),
            "not deleted"
        );
        assert_eq!(store.sync_state("cursor").unwrap(), None, "full pull next");
        let mut record = serde_json::to_value(&a).unwrap();
        record.as_object_mut().unwrap().remove("id");
        store
            .apply_pulled_page(
                &[change("availability", *a.id.as_uuid(), Some(record))],
                "c10",
            )
            .unwrap();
        assert_eq!(store.get_availability(a.id).unwrap().unwrap(), a);
    }

    #[test]
    fn answers_that_do_not_match_the_batch_change_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let doctor = DoctorId::new();
        store
            .replace_busy_source(doctor, "s", &[busy(doctor, None)])
            .unwrap();
        let batch = store.pending_ops(10).unwrap();
        let wrong = [OpResult {
            op_id: OpId::new(),
            outcome: OpOutcome::Applied,
        }];
        assert_eq!(
            store.resolve_push(&batch, &wrong).unwrap_err().code(),
            "invalid_input"
        );
        assert_eq!(
            store.resolve_push(&batch, &[]).unwrap_err().code(),
            "invalid_input"
        );
        assert_eq!(store.pending_op_count().unwrap(), 1);
    }
}
