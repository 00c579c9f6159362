//! The two copies of each synced record the store keeps: the server's version (the shadow, in
//! `sync_shadow`) and the local copy shown on this device, rebuilt as shadow + pending ops replayed on top.
//!
//! Its own file because both pulled-page application (`sync_apply`) and rejection rollback
//! (`rejection`) rebuild local copies the same way; it is the leaf of the `sync_apply` module.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Map, Value};
use uuid::Uuid;

use rempla_core::domain::{Availability, AvailabilityId, BusyPeriod, Notification, Request};
use rempla_core::sync::OutboxOp;
use rempla_core::sync::rebase::{canonical, rebase};

use crate::calendar::{read_one as read_availability, write_row as write_availability};
use crate::codec::{decode, encode, millis};
use crate::error::{DbResultExt, Result};
use crate::outbox::RawOp;

/// Source recorded for busy periods that arrived from the server rather than from a local import.
const REMOTE_BUSY_SOURCE: &str = "sync";

/// What the store knows of the server's version of one record.
pub(super) enum Shadow {
    /// Never received (created here and not yet pulled, or pulled before shadows existed).
    Unknown,
    /// Deleted on the server.
    Deleted,
    /// The last version received.
    Live(Map<String, Value>),
}

impl Shadow {
    /// The server version to rebase on: `None` for a record never received or deleted there.
    pub(super) fn base(self) -> Option<Map<String, Value>> {
        match self {
            Self::Live(m) => Some(m),
            Self::Unknown | Self::Deleted => None,
        }
    }
}

/// The shadow of one record.
pub(super) fn read_shadow(tx: &rusqlite::Connection, entity: &str, id: Uuid) -> Result<Shadow> {
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

/// Saves the server version of one record (`None`: deleted on the server).
pub(super) fn write_shadow(
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
pub(super) fn pending_ops_of(
    tx: &rusqlite::Connection,
    entity: &str,
    id: Uuid,
) -> Result<Vec<OutboxOp>> {
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
pub(super) fn typed<T: serde::de::DeserializeOwned>(
    id: Uuid,
    mut record: Map<String, Value>,
) -> Option<T> {
    record.insert("id".to_owned(), Value::String(id.to_string()));
    serde_json::from_value(Value::Object(canonical(record))).ok()
}

/// Rebuilds the local copy of one record from its server version and the ops replayed on top.
pub(super) fn materialize(
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
