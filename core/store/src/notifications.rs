//! The notifications inbox. Notifications come from the server; marking one read is a local change, queued
//! as a `notification_read` op in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Map;

use rempla_core::domain::{Notification, NotificationId, OpId};
use rempla_core::sync::{EntityKind, OpKind};

use crate::codec::{decode, encode, millis};
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;
use crate::outbox::enqueue;

const ENTITY: &str = "notification";

/// Order of the inbox list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NotificationOrder {
    /// Unread first, then newest first (the inbox screen).
    #[default]
    UnreadFirst,
    /// Newest first, read or not (history).
    Newest,
}

pub(super) fn read_one(
    tx: &rusqlite::Connection,
    id: NotificationId,
) -> Result<Option<Notification>> {
    let key = id.to_string();
    let json: Option<String> = tx
        .prepare_cached("SELECT json FROM notification WHERE id = ?1")
        .db()?
        .query_row([&key], |row| row.get(0))
        .optional()
        .db()?;
    json.map(|j| decode(ENTITY, &key, &j)).transpose()
}

pub(super) fn write(tx: &Transaction<'_>, n: &Notification) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO notification (id, created_at_ms, read_at_ms, json) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET created_at_ms = excluded.created_at_ms,
            read_at_ms = excluded.read_at_ms, json = excluded.json",
    )
    .db()?
    .execute(params![
        n.id.to_string(),
        millis(n.created_at),
        n.read_at.map(millis),
        encode(n)?
    ])
    .db()?;
    Ok(())
}

impl Store {
    /// Inserts or replaces notifications received from the server, in one transaction. A read mark made on
    /// this device is kept when the server does not know it yet (its op may still be in the outbox).
    pub fn upsert_notifications(&mut self, notifications: &[Notification]) -> Result<()> {
        let tx = self.conn.transaction().db()?;
        for n in notifications {
            let mut n = n.clone();
            if n.read_at.is_none() {
                n.read_at = read_one(&tx, n.id)?.and_then(|old| old.read_at);
            }
            write(&tx, &n)?;
        }
        tx.commit().db()
    }

    /// One notification, if stored.
    pub fn get_notification(&self, id: NotificationId) -> Result<Option<Notification>> {
        read_one(&self.conn, id)
    }

    /// Up to `limit` notifications in the given order.
    pub fn list_notifications(
        &self,
        order: NotificationOrder,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        let sql = match order {
            NotificationOrder::UnreadFirst => {
                "SELECT id, json FROM notification
                  ORDER BY read_at_ms IS NOT NULL, created_at_ms DESC, id LIMIT ?1"
            }
            NotificationOrder::Newest => {
                "SELECT id, json FROM notification ORDER BY created_at_ms DESC, id LIMIT ?1"
            }
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(sql).db()?;
        let rows = stmt
            .query_map([limit], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.iter()
            .map(|(id, json)| decode(ENTITY, id, json))
            .collect()
    }

    /// How many notifications are unread (the badge).
    pub fn unread_notification_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM notification WHERE read_at_ms IS NULL",
                [],
                |row| row.get(0),
            )
            .db()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Marks a notification read at `at` and queues the read mark for the server. Returns `None` when it
    /// was already read (nothing queued).
    pub fn mark_notification_read(
        &mut self,
        id: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<Option<OpId>> {
        let tx = self.conn.transaction().db()?;
        let mut n = read_one(&tx, id)?.ok_or_else(|| StoreError::NotFound {
            entity: ENTITY,
            id: id.to_string(),
        })?;
        if n.read_at.is_some() {
            return Ok(None);
        }
        n.read_at = Some(at);
        write(&tx, &n)?;
        let mut fields = Map::new();
        fields.insert(
            "read_at".to_owned(),
            serde_json::to_value(at).unwrap_or_default(),
        );
        let op = enqueue(
            &tx,
            &mut self.clock,
            EntityKind::NotificationRead,
            *id.as_uuid(),
            OpKind::Upsert,
            &fields,
        )?;
        tx.commit().db()?;
        Ok(Some(op))
    }
}
