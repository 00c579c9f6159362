//! The audit trail: who read or changed what, when, from which device. Areas write an entry in the same
//! transaction as the action it records (so an action without its entry cannot exist), and reads of
//! protected data (unlocked contact details, documents) write one before answering.

use serde::Serialize;

use crate::db::{Storage, StorageError, Tx, int, opt_text, text};

/// The audit table and its indexes (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS audit_log (id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, \
     account_id TEXT, device_id TEXT, action TEXT NOT NULL, entity TEXT NOT NULL, \
     entity_id TEXT NOT NULL, facility_id TEXT, doctor_id TEXT, detail TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS audit_entity ON audit_log (entity, entity_id, at_ms)",
    "CREATE INDEX IF NOT EXISTS audit_account ON audit_log (account_id, at_ms)",
    "CREATE INDEX IF NOT EXISTS audit_doctor ON audit_log (doctor_id, at_ms)",
    "CREATE INDEX IF NOT EXISTS audit_facility ON audit_log (facility_id, at_ms)",
];

/// One audit entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Unix ms.
    pub at_ms: i64,
    /// The acting account; `None` for the server itself (scheduled jobs).
    pub account_id: Option<String>,
    /// The acting device.
    pub device_id: Option<String>,
    /// What happened, a stable snake_case verb (`contact_read`, `mission_created`, `document_read`…).
    pub action: String,
    /// Kind of the record acted on (`mission`, `doctor`, `document`…).
    pub entity: String,
    /// Id of the record acted on.
    pub entity_id: String,
    /// The facility concerned, so a facility's trail can be listed.
    pub facility_id: Option<String>,
    /// The doctor concerned, so a doctor sees who read their data.
    pub doctor_id: Option<String>,
    /// Free detail (French or JSON), never a secret.
    pub detail: String,
}

/// Which entries to list; every set field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries about this doctor.
    pub doctor_id: Option<String>,
    /// Entries about this facility.
    pub facility_id: Option<String>,
    /// Entries by this account.
    pub account_id: Option<String>,
    /// Entries about this record (`entity`, `id`).
    pub record: Option<(String, String)>,
}

/// Writes `entry` inside the caller's transaction.
pub fn record_tx(tx: &mut dyn Tx, entry: &AuditEntry) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO audit_log (id, at_ms, account_id, device_id, action, entity, entity_id, \
         facility_id, doctor_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            uuid::Uuid::now_v7().to_string().into(),
            entry.at_ms.into(),
            entry.account_id.clone().into(),
            entry.device_id.clone().into(),
            (&entry.action).into(),
            (&entry.entity).into(),
            (&entry.entity_id).into(),
            entry.facility_id.clone().into(),
            entry.doctor_id.clone().into(),
            (&entry.detail).into(),
        ],
    )?;
    Ok(())
}

impl Storage {
    /// Records one entry in its own transaction (for reads, which have no write transaction).
    pub async fn record_audit(&self, entry: AuditEntry) -> Result<(), StorageError> {
        self.write(move |tx| record_tx(tx, &entry)).await
    }

    /// Entries matching `filter`, newest first, at most `limit`.
    pub async fn audit_trail(
        &self,
        filter: AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        // The casts tell PostgreSQL the type of a parameter first seen in `IS NULL` (it cannot infer it).
        self.read(move |tx| {
            let (entity, entity_id) = filter.record.clone().unzip();
            let rows = tx.query(
                "SELECT at_ms, account_id, device_id, action, entity, entity_id, facility_id, \
                 doctor_id, detail FROM audit_log \
                 WHERE (CAST($1 AS TEXT) IS NULL OR doctor_id = CAST($1 AS TEXT)) \
                 AND (CAST($2 AS TEXT) IS NULL OR facility_id = CAST($2 AS TEXT)) \
                 AND (CAST($3 AS TEXT) IS NULL OR account_id = CAST($3 AS TEXT)) \
                 AND (CAST($4 AS TEXT) IS NULL OR (entity = CAST($4 AS TEXT) AND entity_id = CAST($5 AS TEXT))) \
                 ORDER BY at_ms DESC, id DESC LIMIT $6",
                &[
                    filter.doctor_id.clone().into(),
                    filter.facility_id.clone().into(),
                    filter.account_id.clone().into(),
                    entity.into(),
                    entity_id.into(),
                    i64::from(limit).into(),
                ],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        at_ms: int(r, 0)?,
                        account_id: opt_text(r, 1)?,
                        device_id: opt_text(r, 2)?,
                        action: text(r, 3)?,
                        entity: text(r, 4)?,
                        entity_id: text(r, 5)?,
                        facility_id: opt_text(r, 6)?,
                        doctor_id: opt_text(r, 7)?,
                        detail: text(r, 8)?,
                    })
                })
                .collect()
        })
        .await
    }
}
