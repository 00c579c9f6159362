//! Rejection rollback and conflicts: settling a pushed batch from the server's answer (applied ops leave
//! the outbox, rejected ones are rolled back to the server version) and the conflicts kept for the user
//! until dismissed.
//!
//! Its own file so the push side of a sync stays apart from the pull side (`sync_apply`); both rebuild
//! local copies through `local_copy`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use uuid::Uuid;

use rempla_core::domain::{Availability, BusyPeriod, OpId};
use rempla_core::sync::OutboxOp;
use rempla_core::sync::protocol::{OpOutcome, OpResult};
use rempla_core::sync::rebase::rebase;

use super::local_copy::{Shadow, materialize, pending_ops_of, read_shadow, typed};
use crate::codec::millis;
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;

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

/// Keeps one conflict (once: a replayed answer does not duplicate it).
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

impl Store {
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
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::sync_apply::test_util::{busy, change};
    use rempla_core::calendar::Interval;
    use rempla_core::domain::{AvailabilityId, DoctorId};

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
