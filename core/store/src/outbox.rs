//! The sync outbox (operations waiting to be pushed) and the sync key/value state (cursor, last sync
//! time). This device's identity and the clock's resumption at open are in `device`.
//!
//! Writers call [`enqueue`] inside the transaction that changes the record, so the change and its op
//! commit or vanish together. The last HLC issued is persisted in the same transaction (kept as the
//! maximum, which the fixed-width text form allows with SQL `max()`), so timestamps keep increasing across
//! restarts even if the phone's clock was set back.

use rusqlite::{Transaction, params};
use serde_json::{Map, Value};
use uuid::Uuid;

use rempla_core::domain::OpId;
use rempla_core::sync::{EntityKind, Hlc, HlcClock, OpKind, OutboxOp};

use crate::codec::{decode, encode, query_optional_text};
use crate::device::LAST_HLC_KEY;
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;

/// Appends one op to the outbox inside the caller's transaction and returns its id.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    clock: &mut HlcClock,
    entity: EntityKind,
    entity_id: Uuid,
    kind: OpKind,
    fields: &Map<String, Value>,
) -> Result<OpId> {
    // Another connection to this database may have stamped ops since (write transactions are serialized):
    // continue after the last persisted timestamp so ops of this device never tie.
    let persisted = query_optional_text(
        tx,
        "SELECT value FROM device_meta WHERE key = ?1",
        LAST_HLC_KEY,
    )?;
    if let Some(last) = persisted.as_deref().and_then(|t| t.parse::<Hlc>().ok()) {
        clock.catch_up(last);
    }
    let op_id = OpId::new();
    let hlc = clock.now().to_string();
    tx.execute(
        "INSERT INTO outbox (op_id, entity, entity_id, kind, fields, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![op_id.to_string(), entity.as_str(), entity_id.to_string(), kind.as_str(), encode(fields)?, hlc],
    )
    .db()?;
    tx.execute(
        "INSERT INTO device_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
        params![LAST_HLC_KEY, hlc],
    )
    .db()?;
    Ok(op_id)
}

/// An outbox row as read, before decoding (shared with the sync client's store methods).
pub(super) struct RawOp {
    pub(super) op_id: String,
    pub(super) entity: String,
    pub(super) entity_id: String,
    pub(super) kind: String,
    pub(super) fields: String,
    pub(super) hlc: String,
}

impl RawOp {
    pub(super) fn decode(self) -> Result<OutboxOp> {
        let corrupt = |reason: String| StoreError::CorruptRecord {
            table: "outbox",
            id: self.op_id.clone(),
            reason,
        };
        Ok(OutboxOp {
            op_id: self
                .op_id
                .parse()
                .map_err(|e: rempla_core::domain::ValidationError| corrupt(e.to_string()))?,
            entity: self
                .entity
                .parse()
                .map_err(|e: rempla_core::sync::SyncError| corrupt(e.to_string()))?,
            entity_id: Uuid::try_parse(&self.entity_id).map_err(|e| corrupt(e.to_string()))?,
            kind: self
                .kind
                .parse()
                .map_err(|e: rempla_core::sync::SyncError| corrupt(e.to_string()))?,
            fields: decode("outbox", &self.op_id, &self.fields)?,
            hlc: self
                .hlc
                .parse()
                .map_err(|e: rempla_core::sync::SyncError| corrupt(e.to_string()))?,
        })
    }
}

impl Store {
    /// The oldest `limit` ops waiting to be pushed, in the order they were made.
    pub fn pending_ops(&self, limit: usize) -> Result<Vec<OutboxOp>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT op_id, entity, entity_id, kind, fields, hlc FROM outbox ORDER BY seq LIMIT ?1",
            )
            .db()?;
        let raws = stmt
            .query_map([limit], |row| {
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

    /// How many ops wait to be pushed (badge "n modifications non synchronisées").
    pub fn pending_op_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))
            .db()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Removes the ops the server acknowledged (applied, or rejected and handled). Unknown ids are ignored,
    /// so acknowledging twice is harmless. Returns how many ops were removed.
    pub fn ack_ops(&mut self, op_ids: &[OpId]) -> Result<usize> {
        let tx = self.conn.transaction().db()?;
        let mut removed = 0;
        {
            let mut stmt = tx
                .prepare_cached("DELETE FROM outbox WHERE op_id = ?1")
                .db()?;
            for id in op_ids {
                removed += stmt.execute([id.to_string()]).db()?;
            }
        }
        tx.commit().db()?;
        Ok(removed)
    }

    /// A value of the sync state (e.g. the pull cursor, the last sync time), if set.
    pub fn sync_state(&self, key: &str) -> Result<Option<String>> {
        query_optional_text(
            &self.conn,
            "SELECT value FROM sync_state WHERE key = ?1",
            key,
        )
    }

    /// Sets a value of the sync state.
    pub fn set_sync_state(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .db()?;
        Ok(())
    }

    /// Removes a value of the sync state.
    pub fn clear_sync_state(&mut self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM sync_state WHERE key = ?1", [key])
            .db()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn op(store: &mut Store, entity_id: Uuid) -> OpId {
        let tx = store.conn.transaction().unwrap();
        let id = enqueue(
            &tx,
            &mut store.clock,
            EntityKind::Availability,
            entity_id,
            OpKind::Delete,
            &Map::new(),
        )
        .unwrap();
        tx.commit().unwrap();
        id
    }

    #[test]
    fn ops_are_listed_in_order_acked_once_and_counted() {
        let mut store = Store::open_in_memory().unwrap();
        let entities: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let ids: Vec<OpId> = entities.iter().map(|e| op(&mut store, *e)).collect();
        assert_eq!(store.pending_op_count().unwrap(), 3);
        let pending = store.pending_ops(2).unwrap();
        assert_eq!(
            pending.iter().map(|o| o.op_id).collect::<Vec<_>>(),
            ids[..2]
        );
        assert_eq!(pending[0].entity_id, entities[0]);
        assert_eq!(pending[0].hlc.device(), store.device_id());
        assert!(pending[0].hlc < pending[1].hlc);
        assert_eq!(store.ack_ops(&ids[..2]).unwrap(), 2);
        assert_eq!(
            store.ack_ops(&ids[..2]).unwrap(),
            0,
            "acking twice is harmless"
        );
        assert_eq!(
            store
                .pending_ops(10)
                .unwrap()
                .iter()
                .map(|o| o.op_id)
                .collect::<Vec<_>>(),
            ids[2..]
        );
    }

    #[test]
    fn device_id_and_clock_survive_reopening_even_if_the_wall_clock_goes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let (device, first_hlc) = {
            let mut store = Store::open(&path).unwrap();
            store.set_time_source(Box::new(|| 2_000_000_000_000));
            op(&mut store, Uuid::now_v7());
            (store.device_id(), store.pending_ops(1).unwrap()[0].hlc)
        };
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.device_id(), device);
        let time = Arc::new(AtomicU64::new(1_000));
        let source = Arc::clone(&time);
        store.set_time_source(Box::new(move || source.load(Ordering::SeqCst)));
        op(&mut store, Uuid::now_v7());
        let ops = store.pending_ops(10).unwrap();
        assert!(ops[1].hlc > first_hlc, "{} > {first_hlc}", ops[1].hlc);
    }

    #[test]
    fn sync_state_is_a_small_key_value_table() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.sync_state("cursor").unwrap(), None);
        store.set_sync_state("cursor", "a").unwrap();
        store.set_sync_state("cursor", "b").unwrap();
        store
            .set_sync_state("last_sync_at", "2026-11-23T00:00:00Z")
            .unwrap();
        assert_eq!(store.sync_state("cursor").unwrap().as_deref(), Some("b"));
    }

    #[test]
    fn a_damaged_outbox_row_is_an_error_not_a_panic() {
        let mut store = Store::open_in_memory().unwrap();
        op(&mut store, Uuid::now_v7());
        store
            .conn
            .execute("UPDATE outbox SET fields = '{not json'", [])
            .unwrap();
        assert_eq!(store.pending_ops(10).unwrap_err().code(), "corrupt_record");
        store
            .conn
            .execute("UPDATE outbox SET fields = '{}', kind = 'explode'", [])
            .unwrap();
        assert_eq!(store.pending_ops(10).unwrap_err().code(), "corrupt_record");
    }
}
