//! The reads the matching index is built and kept fresh from: one consistent snapshot of every input,
//! then the feed changes after the snapshot's position, and a revision counter of doctor profiles
//! (they are not feed records).

use rempla_core::domain::Doctor;
use rempla_core::sync::EntityKind;
use rempla_core::sync::merge::MergeState;
use serde_json::Value;

use crate::storage::{Storage, StorageError, StoredChange, Tx, Val, int, json, opt_text, text};

/// The row of `meta` counting doctor profile writes.
pub(crate) const DOCTORS_REV: &str = "doctors_rev";

/// Most ids bound in one `IN (…)` list: far below the bound-parameter limits of SQLite (32 766) and
/// PostgreSQL (65 535), and always this many (padded), so each connection prepares one statement.
const IDS_PER_QUERY: usize = 100;

/// Bumps the doctor-profile revision. Every write to the `doctors` table calls it in the same
/// transaction, so each server instance's matching index notices the change at its next query.
pub fn bump_doctors_rev_tx(tx: &mut dyn Tx) -> Result<(), StorageError> {
    tx.execute(
        "UPDATE meta SET value = value + 1 WHERE key = $1",
        &[DOCTORS_REV.into()],
    )?;
    Ok(())
}

/// Where the feed and the doctor profiles stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    /// Last feed position.
    pub seq: i64,
    /// Doctor-profile revision.
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

fn change_row(entity: EntityKind, row: &crate::storage::Row) -> Result<StoredChange, StorageError> {
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

fn changes(rows: &[crate::storage::Row]) -> Result<Vec<StoredChange>, StorageError> {
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

    /// Every doctor profile with the revision it was read at.
    pub async fn matching_doctors(&self) -> Result<(i64, Vec<(Doctor, bool)>), StorageError> {
        self.read(|tx| {
            let positions = positions_tx(tx)?;
            Ok((positions.doctors_rev, doctors_tx(tx)?))
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
                // Padding repeats an id of the chunk: the same statement text for every call.
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
