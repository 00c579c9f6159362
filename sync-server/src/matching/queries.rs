//! The reads the matching index is built and kept fresh from: one consistent snapshot of every input,
//! then the feed changes after the snapshot's position, and the doctor profiles changed after the
//! snapshot's doctor-profile position (profiles are not feed records, so they have their own counter).

use rempla_core::domain::Doctor;
use rempla_core::sync::EntityKind;
use rempla_core::sync::merge::MergeState;
use serde_json::Value;

use crate::db::{Row, Storage, StorageError, StoredChange, Tx, Val, int, json, opt_text, text};

/// How long a built index is used before a full rebuild (the horizon slides with it).
pub const REBUILD_AFTER_MS: i64 = 6 * 3_600_000;

/// The row of `meta` holding the last doctor-profile change position.
pub(crate) const DOCTORS_REV: &str = "doctors_rev";

/// Most ids bound in one `IN (…)` list: far below the bound-parameter limits of SQLite (32 766) and
/// PostgreSQL (65 535), and always this many (padded), so each connection prepares one statement.
const IDS_PER_QUERY: usize = 100;

/// Takes the next doctor-profile change position. Only valid inside a write transaction, which holds
/// the write lock (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory `WRITE_LOCK` held to COMMIT), so
/// positions become visible in commit order, like the feed's `seq` (`db::feed::next_seq`): a
/// reader that sees position *n* can already see every profile change up to *n*.
fn next_doctors_rev(tx: &mut dyn Tx) -> Result<i64, StorageError> {
    let rows = tx.query(
        "UPDATE meta SET value = value + 1 WHERE key = $1 RETURNING value",
        &[DOCTORS_REV.into()],
    )?;
    rows.first()
        .map(|r| int(r, 0))
        .transpose()?
        .ok_or(StorageError::Corrupt("meta.doctors_rev".into()))
}

/// Records that the profile of `doctor_id` was created or changed. Every insert or update of the
/// `doctors` table calls it in the same transaction, so each server instance's matching index reloads
/// that profile (and only it) at its next query.
pub fn doctor_changed_tx(tx: &mut dyn Tx, doctor_id: &str) -> Result<(), StorageError> {
    let rev = next_doctors_rev(tx)?;
    tx.execute(
        "INSERT INTO doctor_changes (id, rev, removed_ms) VALUES ($1, $2, NULL) \
         ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, removed_ms = NULL",
        &[doctor_id.into(), rev.into()],
    )?;
    Ok(())
}

/// Records that the profile of `doctor_id` was deleted (at `now_ms`), in the deleting transaction: the
/// row stays as a removal mark until [`prune_removed_tx`] drops it.
pub fn doctor_removed_tx(
    tx: &mut dyn Tx,
    doctor_id: &str,
    now_ms: i64,
) -> Result<(), StorageError> {
    let rev = next_doctors_rev(tx)?;
    tx.execute(
        "INSERT INTO doctor_changes (id, rev, removed_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, removed_ms = excluded.removed_ms",
        &[doctor_id.into(), rev.into(), now_ms.into()],
    )?;
    Ok(())
}

/// Drops the removal marks older than two index lifetimes: every instance has rebuilt its index from a
/// snapshot taken after them since (an index is rebuilt [`REBUILD_AFTER_MS`] after it was
/// built), so none needs them, and a deleted doctor's id is not kept longer than that.
pub fn prune_removed_tx(tx: &mut dyn Tx, now_ms: i64) -> Result<u64, StorageError> {
    tx.execute(
        "DELETE FROM doctor_changes WHERE removed_ms IS NOT NULL AND removed_ms < $1",
        &[now_ms.saturating_sub(2 * REBUILD_AFTER_MS).into()],
    )
}

/// One doctor-profile change read back for the index.
#[derive(Debug)]
pub enum DoctorChange {
    /// The profile as it is now.
    Profile(Box<Doctor>),
    /// The profile is gone, or unreadable (left out of matching, as a full load would).
    Gone(String),
}

/// Where the feed and the doctor profiles stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    /// Last feed position.
    pub seq: i64,
    /// Last doctor-profile change position.
    pub doctors_rev: i64,
}

/// Every input of matching at one instant.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Positions the snapshot was read at.
    pub positions: Positions,
    /// Doctor profiles, each with whether the doctor is active.
    pub doctors: Vec<(Doctor, bool)>,
    /// Live availability, busy period and request records.
    pub records: Vec<StoredChange>,
}

/// The entities matching reads from the feed.
const MATCHED: &str = "('availability', 'busy_period', 'request', 'proposal', 'mission')";

fn positions_tx(tx: &mut dyn Tx) -> Result<Positions, StorageError> {
    let rows = tx.query(
        "SELECT (SELECT value FROM meta WHERE key = 'seq'), \
         (SELECT value FROM meta WHERE key = $1)",
        &[DOCTORS_REV.into()],
    )?;
    let row = rows.first().ok_or(StorageError::Corrupt("meta".into()))?;
    Ok(Positions {
        seq: int(row, 0)?,
        doctors_rev: int(row, 1)?,
    })
}

fn doctors_tx(tx: &mut dyn Tx) -> Result<Vec<(Doctor, bool)>, StorageError> {
    let rows = tx.query("SELECT id, record FROM doctors ORDER BY id", &[])?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        match serde_json::from_value::<Doctor>(json::<Value>(row, 1)?) {
            Ok(doctor) => out.push((doctor, true)),
            // One damaged profile must not stop matching for everyone: it is left out and logged.
            Err(e) => {
                tracing::warn!(doctor = %text(row, 0)?, error = %e, "unreadable doctor profile left out of matching");
            }
        }
    }
    Ok(out)
}

fn change_row(entity: EntityKind, row: &Row) -> Result<StoredChange, StorageError> {
    Ok(StoredChange {
        seq: int(row, 0)?,
        entity,
        id: text(row, 2)?,
        doctor_id: opt_text(row, 3)?,
        facility_id: opt_text(row, 4)?,
        account_id: opt_text(row, 5)?,
        state: json::<MergeState>(row, 6)?,
        hlc: text(row, 7)?,
    })
}

fn changes(rows: &[Row]) -> Result<Vec<StoredChange>, StorageError> {
    rows.iter()
        .map(|row| {
            let entity: EntityKind = text(row, 1)?
                .parse()
                .map_err(|e: rempla_core::sync::SyncError| StorageError::Corrupt(e.to_string()))?;
            change_row(entity, row)
        })
        .collect()
}

impl Storage {
    /// Where the feed and doctor profiles stand now (two indexed reads: the cheap freshness check
    /// before every matching query).
    pub async fn matching_positions(&self) -> Result<Positions, StorageError> {
        self.read(positions_tx).await
    }

    /// Every input of matching, read in one transaction so the positions match the data.
    pub async fn matching_snapshot(&self) -> Result<Snapshot, StorageError> {
        self.read(|tx| {
            let positions = positions_tx(tx)?;
            let doctors = doctors_tx(tx)?;
            let rows = tx.query(
                &format!(
                    "SELECT seq, entity, id, doctor_id, facility_id, account_id, state, hlc \
                     FROM records WHERE entity IN {MATCHED} ORDER BY seq"
                ),
                &[],
            )?;
            let records = changes(&rows)?
                .into_iter()
                .filter(|c| c.state.is_live())
                .collect();
            Ok(Snapshot {
                positions,
                doctors,
                records,
            })
        })
        .await
    }

    /// The matched records changed after feed position `after`, oldest first, with the positions
    /// read in the same transaction.
    pub async fn matching_changes_since(
        &self,
        after: i64,
    ) -> Result<(Positions, Vec<StoredChange>), StorageError> {
        self.read(move |tx| {
            let positions = positions_tx(tx)?;
            let rows = tx.query(
                &format!(
                    "SELECT seq, entity, id, doctor_id, facility_id, account_id, state, hlc \
                     FROM records WHERE seq > $1 AND entity IN {MATCHED} ORDER BY seq"
                ),
                &[after.into()],
            )?;
            Ok((positions, changes(&rows)?))
        })
        .await
    }

    /// The doctor profiles changed after doctor-profile position `after`, oldest change first, with
    /// the positions read first in the same transaction (so nothing at or below them is missed; a
    /// change above them may be included, and is applied again next time, which is harmless).
    pub async fn matching_doctor_changes_since(
        &self,
        after: i64,
    ) -> Result<(Positions, Vec<DoctorChange>), StorageError> {
        self.read(move |tx| {
            let positions = positions_tx(tx)?;
            let rows = tx.query(
                "SELECT c.id, d.record FROM doctor_changes c LEFT JOIN doctors d ON d.id = c.id \
                 WHERE c.rev > $1 ORDER BY c.rev",
                &[after.into()],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let id = text(row, 0)?;
                let change = match opt_text(row, 1)?.map(|r| serde_json::from_str::<Doctor>(&r)) {
                    Some(Ok(doctor)) => DoctorChange::Profile(Box::new(doctor)),
                    Some(Err(e)) => {
                        tracing::warn!(doctor = %id, error = %e, "unreadable doctor profile left out of matching");
                        DoctorChange::Gone(id)
                    }
                    None => DoctorChange::Gone(id),
                };
                out.push(change);
            }
            Ok((positions, out))
        })
        .await
    }

    /// The profiles of some doctors, for the candidate list, in the order of `ids` (unknown or
    /// unreadable ones left out). One query per [`IDS_PER_QUERY`] ids, whatever their number.
    pub async fn doctors_by_ids(&self, ids: Vec<String>) -> Result<Vec<Doctor>, StorageError> {
        self.read(move |tx| {
            let placeholders = (1..=IDS_PER_QUERY)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT id, record FROM doctors WHERE id IN ({placeholders})");
            let mut found = std::collections::HashMap::with_capacity(ids.len());
            for chunk in ids.chunks(IDS_PER_QUERY) {
                // Padding repeats an id of the chunk: same statement text for every call.
                let mut params: Vec<Val> = chunk.iter().map(Val::from).collect();
                if let Some(first) = chunk.first() {
                    params.resize(IDS_PER_QUERY, Val::from(first));
                }
                for row in tx.query(&sql, &params)? {
                    if let Ok(doctor) = serde_json::from_value::<Doctor>(json::<Value>(&row, 1)?) {
                        found.insert(text(&row, 0)?, doctor);
                    }
                }
            }
            Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
        })
        .await
    }
}
