//! [`Notice`], something to tell one account, and [`enqueue_tx`], which queues it inside the transaction
//! of the event that caused it (so a notice exists if and only if that event was committed).

use serde_json::Value;

use crate::db::{StorageError, Tx, to_json};

/// Something to tell one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The recipient.
    pub account_id: String,
    /// Stable snake_case kind (`proposal_received`, `proposal_reminder`, `document_expiring`…), used
    /// for channel preferences and templates.
    pub kind: String,
    /// French title, shown in the inbox and as the push title.
    pub title: String,
    /// French body.
    pub body: String,
    /// What the app needs to open the right screen (ids), never contact details.
    pub payload: Value,
    /// One notice per key, ever: enqueueing the same key twice is a no-op (no duplicate alerts when a
    /// job runs twice or two instances race).
    pub dedupe_key: String,
    /// Not delivered before this time, Unix ms.
    pub not_before_ms: i64,
    /// Delivered even in the recipient's quiet hours (e.g. a deadline within hours).
    pub urgent: bool,
}

/// Queues `notice` inside the caller's transaction; `false` when its dedupe key was already queued.
pub fn enqueue_tx(tx: &mut dyn Tx, notice: &Notice, now_ms: i64) -> Result<bool, StorageError> {
    let inserted = tx.execute(
        "INSERT INTO notices (id, account_id, kind, title, body, payload, dedupe_key, created_ms, \
         not_before_ms, urgent, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending') \
         ON CONFLICT (dedupe_key) DO NOTHING",
        &[
            uuid::Uuid::now_v7().to_string().into(),
            (&notice.account_id).into(),
            (&notice.kind).into(),
            (&notice.title).into(),
            (&notice.body).into(),
            to_json(&notice.payload)?.into(),
            (&notice.dedupe_key).into(),
            now_ms.into(),
            notice.not_before_ms.into(),
            notice.urgent.into(),
        ],
    )?;
    Ok(inserted == 1)
}
