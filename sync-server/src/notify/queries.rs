//! The notifications area's queries: push targets, preferences, deliveries, the inbox page and SMS
//! credits.

use serde::Serialize;
use serde_json::Value;

use super::prefs::Preferences;
use crate::db::{Row, Storage, StorageError, Tx, Val, int, json, opt_int, opt_text, text, to_json};
use rempla_core::api::notify::RegisteredPushTarget;

/// A registered push target of one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PushTarget {
    /// Target id.
    pub id: String,
    /// Owning account.
    #[serde(skip)]
    pub account_id: String,
    /// The device that registered it.
    pub device_id: String,
    /// `webpush`, `fcm` or `apns`.
    pub kind: String,
    /// Web Push endpoint URL, or the FCM / APNs token.
    pub address: String,
    /// Web Push subscriber key (base64url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p256dh: Option<String>,
    /// Web Push auth secret (base64url); never sent back.
    #[serde(skip)]
    pub auth: Option<String>,
    /// APNs topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Registration time, Unix ms.
    pub created_ms: i64,
}

impl PushTarget {
    /// The target as its account sees it: never the Web Push `auth` secret.
    pub fn registered(&self) -> RegisteredPushTarget {
        RegisteredPushTarget {
            id: self.id.clone(),
            device_id: self.device_id.clone(),
            kind: self.kind.clone(),
            address: self.address.clone(),
            p256dh: self.p256dh.clone(),
            topic: self.topic.clone(),
            created_ms: self.created_ms,
        }
    }
}

const TARGET_COLUMNS: &str =
    "id, account_id, device_id, kind, address, p256dh, auth, topic, created_ms";

fn target_from(r: &Row) -> Result<PushTarget, StorageError> {
    Ok(PushTarget {
        id: text(r, 0)?,
        account_id: text(r, 1)?,
        device_id: text(r, 2)?,
        kind: text(r, 3)?,
        address: text(r, 4)?,
        p256dh: opt_text(r, 5)?,
        auth: opt_text(r, 6)?,
        topic: opt_text(r, 7)?,
        created_ms: int(r, 8)?,
    })
}

/// One push target of an account, inside a transaction.
pub(crate) fn target_tx(tx: &mut dyn Tx, id: &str) -> Result<Option<PushTarget>, StorageError> {
    let rows = tx.query(
        &format!("SELECT {TARGET_COLUMNS} FROM push_targets WHERE id = $1"),
        &[id.into()],
    )?;
    rows.first().map(target_from).transpose()
}

/// Every push target of an account, inside a transaction.
pub(crate) fn targets_tx(
    tx: &mut dyn Tx,
    account_id: &str,
) -> Result<Vec<PushTarget>, StorageError> {
    tx.query(
        &format!(
            "SELECT {TARGET_COLUMNS} FROM push_targets WHERE account_id = $1 ORDER BY created_ms, id"
        ),
        &[account_id.into()],
    )?
    .iter()
    .map(target_from)
    .collect()
}

/// The preferences of an account (defaults when never set), inside a transaction.
pub(crate) fn prefs_tx(tx: &mut dyn Tx, account_id: &str) -> Result<Preferences, StorageError> {
    let rows = tx.query(
        "SELECT prefs FROM notification_prefs WHERE account_id = $1",
        &[account_id.into()],
    )?;
    rows.first()
        .map(|r| json(r, 0))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// A delivery and a facility's SMS credits as listed are the wire types, one definition for the server
/// and the clients.
pub use rempla_core::api::notify::{CreditMove, Delivery, SmsCredits};

/// Which deliveries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    /// Only this recipient's.
    pub account_id: Option<String>,
    /// Only in this state.
    pub state: Option<String>,
    /// Only of this notice.
    pub notice_id: Option<String>,
}

impl Storage {
    /// Queues a notice in its own transaction, for callers without one (operations, tests); areas
    /// acting on an event use [`super::notice::enqueue_tx`] inside the event's transaction instead.
    pub async fn enqueue_notice(
        &self,
        notice: super::notice::Notice,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.write(move |tx| super::notice::enqueue_tx(tx, &notice, now_ms))
            .await
    }

    /// Registers (or replaces) this device's push target of the same kind. The same address held by
    /// another device or account is removed first: a reinstalled app or a new user on a shared phone
    /// must not receive the previous owner's notices.
    pub async fn put_push_target(&self, target: PushTarget) -> Result<PushTarget, StorageError> {
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM push_targets WHERE kind = $1 AND address = $2 \
                 AND NOT (account_id = $3 AND device_id = $4)",
                &[
                    (&target.kind).into(),
                    (&target.address).into(),
                    (&target.account_id).into(),
                    (&target.device_id).into(),
                ],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO push_targets ({TARGET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (account_id, device_id, kind) DO UPDATE SET address = excluded.address, \
                     p256dh = excluded.p256dh, auth = excluded.auth, topic = excluded.topic, \
                     created_ms = excluded.created_ms"
                ),
                &[
                    (&target.id).into(),
                    (&target.account_id).into(),
                    (&target.device_id).into(),
                    (&target.kind).into(),
                    (&target.address).into(),
                    target.p256dh.clone().into(),
                    target.auth.clone().into(),
                    target.topic.clone().into(),
                    target.created_ms.into(),
                ],
            )?;
            let rows = tx.query(
                &format!(
                    "SELECT {TARGET_COLUMNS} FROM push_targets WHERE account_id = $1 AND device_id = $2 AND kind = $3"
                ),
                &[
                    (&target.account_id).into(),
                    (&target.device_id).into(),
                    (&target.kind).into(),
                ],
            )?;
            rows.first()
                .map(target_from)
                .transpose()?
                .ok_or(StorageError::Corrupt("push_targets".into()))
        })
        .await
    }

    /// The push targets of an account.
    pub async fn push_targets(&self, account_id: &str) -> Result<Vec<PushTarget>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| targets_tx(tx, &a)).await
    }

    /// Removes one of the account's push targets; `false` when it has none with this id.
    pub async fn delete_push_target(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<bool, StorageError> {
        let (a, i) = (account_id.to_owned(), id.to_owned());
        self.write(move |tx| {
            Ok(tx.execute(
                "DELETE FROM push_targets WHERE id = $1 AND account_id = $2",
                &[i.into(), a.into()],
            )? == 1)
        })
        .await
    }

    /// The notification preferences of an account.
    pub async fn notification_prefs(&self, account_id: &str) -> Result<Preferences, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| prefs_tx(tx, &a)).await
    }

    /// Replaces the notification preferences of an account (already validated).
    pub async fn put_notification_prefs(
        &self,
        account_id: &str,
        prefs: Preferences,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let a = account_id.to_owned();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO notification_prefs (account_id, prefs, updated_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id) DO UPDATE SET prefs = excluded.prefs, updated_ms = excluded.updated_ms",
                &[a.into(), to_json(&prefs)?.into(), now_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Deliveries matching `filter`, newest first.
    pub async fn deliveries(
        &self,
        filter: DeliveryFilter,
        limit: u32,
    ) -> Result<Vec<Delivery>, StorageError> {
        self.read(move |tx| {
            tx.query(
                "SELECT d.id, d.notice_id, d.account_id, n.kind, n.title, d.channel, d.target_id, \
                 d.facility_id, d.state, d.attempts, d.next_attempt_ms, d.segments, d.last_code, \
                 d.last_error, d.created_ms, d.updated_ms FROM deliveries d \
                 JOIN notices n ON n.id = d.notice_id \
                 WHERE (CAST($1 AS TEXT) IS NULL OR d.account_id = $1) \
                 AND (CAST($2 AS TEXT) IS NULL OR d.state = $2) \
                 AND (CAST($3 AS TEXT) IS NULL OR d.notice_id = $3) \
                 ORDER BY d.created_ms DESC, d.id DESC LIMIT $4",
                &[
                    filter.account_id.into(),
                    filter.state.into(),
                    filter.notice_id.into(),
                    i64::from(limit).into(),
                ],
            )?
            .iter()
            .map(|r| {
                Ok(Delivery {
                    id: text(r, 0)?,
                    notice_id: text(r, 1)?,
                    account_id: text(r, 2)?,
                    kind: text(r, 3)?,
                    title: text(r, 4)?,
                    channel: text(r, 5)?,
                    target_id: text(r, 6)?,
                    facility_id: opt_text(r, 7)?,
                    state: text(r, 8)?,
                    attempts: int(r, 9)?,
                    next_attempt_ms: int(r, 10)?,
                    segments: int(r, 11)?,
                    last_code: opt_text(r, 12)?,
                    last_error: opt_text(r, 13)?,
                    created_ms: int(r, 14)?,
                    updated_ms: int(r, 15)?,
                })
            })
            .collect()
        })
        .await
    }

    /// One page of an account's inbox, newest first, before feed position `before`; each item is the
    /// notification record with its `read_at` (from the account's read marks) and its `seq` cursor.
    pub async fn inbox(
        &self,
        account_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Value>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT n.seq, n.state, r.state FROM records n LEFT JOIN records r \
                 ON r.entity = 'notification_read' AND r.id = n.id AND r.account_id = n.account_id \
                 WHERE n.entity = 'notification' AND n.account_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR n.seq < $2) \
                 ORDER BY n.seq DESC LIMIT $3",
                &[a.into(), before.into(), i64::from(limit).into()],
            )?;
            rows.iter()
                .map(|r| {
                    let state: rempla_core::sync::merge::MergeState = json(r, 1)?;
                    let mut record = Value::Object(state.fields);
                    let read_at = match r.get(2) {
                        Some(Val::Text(_)) => {
                            let read: rempla_core::sync::merge::MergeState = json(r, 2)?;
                            read.is_live()
                                .then(|| read.fields.get("read_at").cloned())
                                .flatten()
                        }
                        _ => None,
                    };
                    record["read_at"] = read_at.unwrap_or(Value::Null);
                    record["seq"] = int(r, 0)?.into();
                    Ok(record)
                })
                .collect()
        })
        .await
    }

    /// How many inbox notifications of an account have no read mark (the app's badge).
    pub async fn unread_count(&self, account_id: &str) -> Result<i64, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT COUNT(*) FROM records n WHERE n.entity = 'notification' AND n.account_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM records r WHERE r.entity = 'notification_read' \
                 AND r.id = n.id AND r.account_id = n.account_id)",
                &[a.into()],
            )?;
            rows.first().map_or(Ok(0), |r| int(r, 0))
        })
        .await
    }

    /// A facility's SMS credits (zero when never topped up) and its 50 newest moves.
    pub async fn sms_credits(
        &self,
        facility_id: &str,
        low_threshold: i64,
    ) -> Result<SmsCredits, StorageError> {
        let f = facility_id.to_owned();
        self.read(move |tx| {
            let balance = tx
                .query(
                    "SELECT balance FROM sms_credits WHERE facility_id = $1",
                    &[(&f).into()],
                )?
                .first()
                .map(|r| int(r, 0))
                .transpose()?
                .unwrap_or(0);
            let moves = tx
                .query(
                    "SELECT delta, reason, delivery_id, account_id, at_ms FROM sms_credit_moves \
                     WHERE facility_id = $1 ORDER BY at_ms DESC, id DESC LIMIT 50",
                    &[(&f).into()],
                )?
                .iter()
                .map(|r| {
                    Ok(CreditMove {
                        delta: int(r, 0)?,
                        reason: text(r, 1)?,
                        delivery_id: opt_text(r, 2)?,
                        account_id: opt_text(r, 3)?,
                        at_ms: int(r, 4)?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok(SmsCredits {
                facility_id: f,
                balance,
                low_threshold,
                moves,
            })
        })
        .await
    }

    /// Adds `amount` credits to a facility (staff top-up), recorded as a move; returns the balance.
    pub async fn top_up_sms_credits(
        &self,
        facility_id: &str,
        amount: i64,
        by_account: &str,
        now_ms: i64,
    ) -> Result<i64, StorageError> {
        let (f, a) = (facility_id.to_owned(), by_account.to_owned());
        self.write(move |tx| {
            let rows = tx.query(
                "INSERT INTO sms_credits (facility_id, balance, topups, updated_ms) VALUES ($1, $2, 1, $3) \
                 ON CONFLICT (facility_id) DO UPDATE SET balance = sms_credits.balance + excluded.balance, \
                 topups = sms_credits.topups + 1, updated_ms = excluded.updated_ms RETURNING balance",
                &[(&f).into(), amount.into(), now_ms.into()],
            )?;
            credit_move_tx(tx, &f, amount, "top_up", None, Some(&a), now_ms)?;
            rows.first()
                .map(|r| int(r, 0))
                .transpose()?
                .ok_or(StorageError::Corrupt("sms_credits".into()))
        })
        .await
    }
}

/// Records one credit move.
pub(crate) fn credit_move_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
    delta: i64,
    reason: &str,
    delivery_id: Option<&str>,
    account_id: Option<&str>,
    now_ms: i64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO sms_credit_moves (id, facility_id, delta, reason, delivery_id, account_id, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            uuid::Uuid::now_v7().to_string().into(),
            facility_id.into(),
            delta.into(),
            reason.into(),
            delivery_id.into(),
            account_id.into(),
            now_ms.into(),
        ],
    )
    .map(|_| ())
}

/// `(balance, topups)` of a facility, `None` when never topped up.
pub(crate) fn credits_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
) -> Result<Option<(i64, i64)>, StorageError> {
    let rows = tx.query(
        "SELECT balance, topups FROM sms_credits WHERE facility_id = $1",
        &[facility_id.into()],
    )?;
    rows.first()
        .map(|r| Ok((int(r, 0)?, opt_int(r, 1)?.unwrap_or(0))))
        .transpose()
}

/// Deletes everything the notifications area holds about an account (account deletion, run by the
/// privacy area inside its transaction): push targets, preferences, deliveries, queued notices and
/// inbox records. Returns the number of rows removed.
pub fn delete_account_tx(tx: &mut dyn Tx, account_id: &str) -> Result<u64, StorageError> {
    let mut removed = 0;
    for sql in [
        "DELETE FROM push_targets WHERE account_id = $1",
        "DELETE FROM notification_prefs WHERE account_id = $1",
        "DELETE FROM deliveries WHERE account_id = $1",
        "DELETE FROM notices WHERE account_id = $1",
        "DELETE FROM records WHERE entity IN ('notification', 'notification_read') AND account_id = $1",
    ] {
        removed += tx.execute(sql, &[account_id.into()])?;
    }
    Ok(removed)
}

/// Removes finished deliveries (sent or failed) and fanned-out notices created before `before_ms`
/// (retention); pending work is kept whatever its age. Returns the number of rows removed.
pub fn purge_tx(tx: &mut dyn Tx, before_ms: i64) -> Result<u64, StorageError> {
    let deliveries = tx.execute(
        "DELETE FROM deliveries WHERE state IN ('sent', 'failed') AND created_ms < $1",
        &[before_ms.into()],
    )?;
    let notices = tx.execute(
        "DELETE FROM notices WHERE state IN ('fanned_out', 'dropped') AND created_ms < $1 \
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notice_id = notices.id)",
        &[before_ms.into()],
    )?;
    Ok(deliveries + notices)
}

impl Storage {
    /// Everything the notifications area holds about an account, for "download my data": preferences,
    /// push targets (without secrets), inbox notices and deliveries.
    pub async fn notification_data(&self, account_id: &str) -> Result<Value, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            let prefs = prefs_tx(tx, &a)?;
            let targets = targets_tx(tx, &a)?;
            let notices = tx
                .query(
                    "SELECT id, kind, title, body, payload, created_ms, state FROM notices \
                     WHERE account_id = $1 ORDER BY created_ms, id",
                    &[(&a).into()],
                )?
                .iter()
                .map(|r| {
                    Ok(serde_json::json!({
                        "id": text(r, 0)?, "kind": text(r, 1)?, "title": text(r, 2)?,
                        "body": text(r, 3)?, "payload": json::<Value>(r, 4)?,
                        "created_ms": int(r, 5)?, "state": text(r, 6)?,
                    }))
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            let deliveries = tx
                .query(
                    "SELECT id, notice_id, channel, state, attempts, last_code, created_ms \
                     FROM deliveries WHERE account_id = $1 ORDER BY created_ms, id",
                    &[(&a).into()],
                )?
                .iter()
                .map(|r| {
                    Ok(serde_json::json!({
                        "id": text(r, 0)?, "notice_id": text(r, 1)?, "channel": text(r, 2)?,
                        "state": text(r, 3)?, "attempts": int(r, 4)?, "last_code": opt_text(r, 5)?,
                        "created_ms": int(r, 6)?,
                    }))
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok(serde_json::json!({
                "preferences": prefs,
                "push_targets": targets,
                "notifications": notices,
                "deliveries": deliveries,
            }))
        })
        .await
    }

    /// Puts a failed delivery back in the queue for one more round of attempts (staff, after fixing a
    /// channel's configuration); `false` when there is no failed delivery with this id.
    pub async fn retry_delivery(&self, id: &str, now_ms: i64) -> Result<bool, StorageError> {
        let id = id.to_owned();
        self.write(move |tx| {
            Ok(tx.execute(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = $2, \
                 lease_until_ms = 0, updated_ms = $2 WHERE id = $1 AND state = 'failed'",
                &[id.into(), now_ms.into()],
            )? == 1)
        })
        .await
    }

    /// [`delete_account_tx`] in its own transaction.
    pub async fn delete_notification_data(&self, account_id: &str) -> Result<u64, StorageError> {
        let a = account_id.to_owned();
        self.write(move |tx| delete_account_tx(tx, &a)).await
    }

    /// [`purge_tx`] in its own transaction.
    pub async fn purge_notifications(&self, before_ms: i64) -> Result<u64, StorageError> {
        self.write(move |tx| purge_tx(tx, before_ms)).await
    }
}
