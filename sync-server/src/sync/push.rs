//! Applying pushed ops: each op is decided by the pure [`super::rules`] over a [`Lookup`] that reads the
//! op's transaction, then stored with a new feed position and its outcome recorded.

use std::sync::Arc;

use rempla_core::sync::merge::MergeState;
use rempla_core::sync::protocol::{OpOutcome, OpResult};
use rempla_core::sync::{EntityKind, OutboxOp};
use serde_json::Value;

use super::rules::{self, Lookup, PushContext, Stored};
use crate::db::{Storage, StorageError, StoredChange, Tx, feed, json, opt_text, text, to_json};

/// Reads the fields the sync rules need from other tables, inside the op's transaction.
struct TxLookup<'a>(&'a mut dyn Tx);

impl Lookup for TxLookup<'_> {
    fn site_facility(&mut self, site_id: &str) -> Result<Option<String>, StorageError> {
        let rows = self.0.query(
            "SELECT facility_id FROM sites WHERE id = $1",
            &[site_id.into()],
        )?;
        rows.first().map(|r| text(r, 0)).transpose()
    }

    fn live_availabilities(
        &mut self,
        doctor_id: &str,
        except_id: &str,
    ) -> Result<Vec<serde_json::Map<String, Value>>, StorageError> {
        let rows = self.0.query(
            "SELECT id, state FROM records WHERE entity = 'availability' AND doctor_id = $1 AND id <> $2",
            &[doctor_id.into(), except_id.into()],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let state: MergeState = json(r, 1)?;
            if state.is_live() {
                let mut fields = state.fields;
                fields
                    .entry("id")
                    .or_insert_with(|| Value::String(text(r, 0).unwrap_or_default()));
                out.push(fields);
            }
        }
        Ok(out)
    }
}

impl Storage {
    /// Applies one pushed op in one write transaction: replays the recorded outcome of a known op id,
    /// otherwise decides with [`rules::decide`], stores the merged record with a new feed position and
    /// records the outcome. Returns the result and the change to broadcast, if the record changed.
    pub async fn apply_op(
        &self,
        ctx: Arc<PushContext>,
        op: OutboxOp,
    ) -> Result<(OpResult, Option<StoredChange>), StorageError> {
        self.write(move |tx| apply_op_tx(tx, &ctx, &op)).await
    }

    /// Books an availability: the server-owned write of `status = booked` (proposal accepted), with a
    /// server clock. Returns the change, or `None` when there is no live availability with this id.
    pub async fn book_availability(
        &self,
        id: &str,
        hlc: rempla_core::sync::Hlc,
    ) -> Result<Option<StoredChange>, StorageError> {
        let id = id.to_owned();
        self.write(move |tx| {
            let rows = tx.query(
                "SELECT state FROM records WHERE entity = 'availability' AND id = $1",
                &[(&id).into()],
            )?;
            let Some(row) = rows.first() else {
                return Ok(None);
            };
            let state: MergeState = json(row, 0)?;
            if !state.is_live() {
                return Ok(None);
            }
            let mut fields = serde_json::Map::new();
            fields.insert("status".into(), Value::from("booked"));
            feed::put_server_record_tx(
                tx,
                EntityKind::Availability,
                &id,
                &feed::FeedOwners::default(),
                fields,
                hlc,
            )
            .map(Some)
        })
        .await
    }

    /// Applies a batch of ops in order, in one write transaction (one commit, one disk sync): each op
    /// is decided and recorded exactly as by [`Storage::apply_op`], and later ops see earlier ones. All
    /// or nothing on a database failure, which the device retries (op ids make that harmless).
    pub async fn apply_ops(
        &self,
        ctx: Arc<PushContext>,
        ops: Vec<OutboxOp>,
    ) -> Result<Vec<(OpResult, Option<StoredChange>)>, StorageError> {
        self.write(move |tx| ops.iter().map(|op| apply_op_tx(tx, &ctx, op)).collect())
            .await
    }
}

fn apply_op_tx(
    tx: &mut dyn Tx,
    ctx: &PushContext,
    op: &OutboxOp,
) -> Result<(OpResult, Option<StoredChange>), StorageError> {
    let op_id = op.op_id.to_string();
    let seen = tx.query(
        "SELECT account_id, outcome FROM ops WHERE op_id = $1",
        &[(&op_id).into()],
    )?;
    if let Some(row) = seen.first() {
        let outcome = if text(row, 0)? == ctx.account_id {
            json(row, 1)?
        } else {
            // Someone else's op id: answer without revealing or recording anything.
            OpOutcome::Rejected {
                code: "forbidden".into(),
                reason: "identifiant d'opération déjà utilisé par un autre compte".into(),
            }
        };
        return Ok((
            OpResult {
                op_id: op.op_id,
                outcome,
            },
            None,
        ));
    }
    let entity = op.entity.as_str();
    let id = op.entity_id.to_string();
    let rows = tx.query(
        "SELECT doctor_id, facility_id, account_id, state FROM records WHERE entity = $1 AND id = $2",
        &[entity.into(), (&id).into()],
    )?;
    let current = rows
        .first()
        .map(|r| {
            Ok::<_, StorageError>(Stored {
                doctor_id: opt_text(r, 0)?,
                facility_id: opt_text(r, 1)?,
                account_id: opt_text(r, 2)?,
                state: json(r, 3)?,
            })
        })
        .transpose()?;
    let decision = rules::decide(ctx, op, current.as_ref(), &mut TxLookup(tx))?;
    let mut change = None;
    let outcome = match decision {
        Err(rejection) => OpOutcome::Rejected {
            code: rejection.code.as_str().to_owned(),
            reason: rejection.reason,
        },
        Ok(next) => {
            let unchanged = current.as_ref().is_some_and(|c| c.state == next.state);
            if !unchanged {
                let seq = feed::next_seq(tx)?;
                let hlc = next
                    .state
                    .newest()
                    .map_or_else(|| op.hlc.to_string(), |h| h.to_string());
                tx.execute(
                    "INSERT INTO records (entity, id, doctor_id, facility_id, account_id, state, hlc, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (entity, id) DO UPDATE SET \
                     state = excluded.state, hlc = excluded.hlc, seq = excluded.seq",
                    &[
                        entity.into(),
                        (&id).into(),
                        next.doctor_id.clone().into(),
                        next.facility_id.clone().into(),
                        next.account_id.clone().into(),
                        to_json(&next.state)?.into(),
                        (&hlc).into(),
                        seq.into(),
                    ],
                )?;
                tx.notify(&format!("{entity}/{id}"))?;
                change = Some(StoredChange {
                    seq,
                    entity: op.entity,
                    id,
                    doctor_id: next.doctor_id,
                    facility_id: next.facility_id,
                    account_id: next.account_id,
                    state: next.state,
                    hlc,
                });
            }
            OpOutcome::Applied
        }
    };
    tx.execute(
        "INSERT INTO ops (op_id, account_id, device_id, outcome, applied_ms) VALUES ($1, $2, $3, $4, $5)",
        &[
            op_id.into(),
            (&ctx.account_id).into(),
            (&ctx.device_id).into(),
            to_json(&outcome)?.into(),
            ctx.now_ms.into(),
        ],
    )?;
    Ok((
        OpResult {
            op_id: op.op_id,
            outcome,
        },
        change,
    ))
}
