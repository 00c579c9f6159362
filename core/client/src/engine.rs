//! One sync round: push the outbox in batches, then pull pages until the server has nothing more.
//!
//! Why it never loses an edit:
//! - an op leaves the outbox only when the server answered it (applied, or rejected and rolled back in the
//!   same transaction); a lost answer means the batch is sent again, which the server ignores by op id;
//! - the cursor is saved in the same transaction as the page it ends, so an interruption resumes at the
//!   first page not fully applied;
//! - pulled records are rebased under pending local ops (see `apply`).

use chrono::Utc;
use serde_json::Value;

use rempla_core::sync::protocol::{
    DEFAULT_PULL_LIMIT, MAX_BODY_BYTES, MAX_PULL_LIMIT, MAX_PUSH_OPS, OpOutcome, OpResult,
    PROTOCOL_VERSION, PullRequest, PushRequest, SUPPORTED_PROTOCOLS,
};
use rempla_core::sync::{EntityKind, OpKind, OutboxOp};
use rempla_store::Store;

use crate::conflict::{SyncEvent, SyncEventSink, SyncPhase, SyncReport};
use crate::error::SyncClientError;
use crate::http::ApiClient;

/// Pages of one round before the client gives up on a server that keeps saying `has_more`.
const MAX_PAGES_PER_ROUND: usize = 100_000;

/// Sizes of one round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncOptions {
    /// Ops per push (clamped to 1..=[`MAX_PUSH_OPS`]).
    pub batch_size: usize,
    /// Changes per pull page (clamped to 1..=[`MAX_PULL_LIMIT`]).
    pub pull_limit: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            batch_size: MAX_PUSH_OPS,
            pull_limit: DEFAULT_PULL_LIMIT,
        }
    }
}

/// Runs one round for the signed-in device: push everything pending, then pull everything new.
pub fn sync_once(
    store: &mut Store,
    api: &ApiClient,
    options: SyncOptions,
    sink: &dyn SyncEventSink,
) -> Result<SyncReport, SyncClientError> {
    let mut report = SyncReport::default();
    push_all(store, api, options, sink, &mut report)?;
    pull_all(store, api, options, sink, &mut report)?;
    store.set_sync_state("last_sync_at", &Utc::now().to_rfc3339())?;
    sink.on_event(&SyncEvent::Completed(report.clone()));
    Ok(report)
}

/// The wire form of an outbox op. The store keeps a record's id as the op's `entity_id` only; on the wire
/// an upsert of a whole record (availability, busy period, request) also carries it as its `id` field,
/// because the server validates a creation as a whole record (`docs/sync-protocol.md`: "a device sends
/// whole records at creation") and checks that this `id` equals `entity_id`. Deterministic, so a replayed
/// batch is byte-for-byte the same.
fn wire_op(op: &OutboxOp) -> OutboxOp {
    let mut wire = op.clone();
    if op.kind == OpKind::Upsert
        && matches!(
            op.entity,
            EntityKind::Availability | EntityKind::BusyPeriod | EntityKind::Request
        )
    {
        wire.fields
            .entry("id")
            .or_insert_with(|| Value::String(op.entity_id.to_string()));
    }
    wire
}

/// The body of a push of `ops`, or `None` when it exceeds the server's body limit.
fn encode_push(store: &Store, ops: &[OutboxOp]) -> Result<Option<Vec<u8>>, SyncClientError> {
    let body = serde_json::to_vec(&PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: store.device_id(),
        ops: ops.iter().map(wire_op).collect(),
    })
    .map_err(|e| SyncClientError::Protocol {
        reason: format!("encodage : {e}"),
    })?;
    Ok((body.len() <= MAX_BODY_BYTES).then_some(body))
}

fn push_all(
    store: &mut Store,
    api: &ApiClient,
    options: SyncOptions,
    sink: &dyn SyncEventSink,
    report: &mut SyncReport,
) -> Result<(), SyncClientError> {
    let batch_size = options.batch_size.clamp(1, MAX_PUSH_OPS);
    let total = usize::try_from(store.pending_op_count()?).unwrap_or(usize::MAX);
    // Each batch removes at least one op from the outbox, so this ends; the bound stops a round that
    // another connection keeps feeding with new edits (they go with the next round).
    for _ in 0..=total.saturating_add(1) {
        let mut batch = store.pending_ops(batch_size)?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut body = encode_push(store, &batch)?;
        while body.is_none() && batch.len() > 1 {
            batch.truncate(batch.len() / 2);
            body = encode_push(store, &batch)?;
        }
        let results = if let Some(body) = body {
            let response = api.push_encoded(&body)?;
            if !SUPPORTED_PROTOCOLS.contains(&response.protocol) {
                return Err(SyncClientError::Protocol {
                    reason: format!("version {} dans la réponse", response.protocol),
                });
            }
            store.observe_server_hlc(&response.server_hlc)?;
            response.results
        } else {
            // One op larger than the server accepts can never be sent: reject it here, visibly,
            // instead of blocking every later op behind it.
            vec![OpResult {
                op_id: batch[0].op_id,
                outcome: OpOutcome::Rejected {
                    code: "body_too_large".to_owned(),
                    reason: "modification trop volumineuse pour être envoyée".to_owned(),
                },
            }]
        };
        let resolution = store
            .resolve_push(&batch, &results)
            .map_err(|e| match e.code() {
                "invalid_input" => SyncClientError::Protocol {
                    reason: "les résultats ne correspondent pas au lot envoyé".to_owned(),
                },
                _ => SyncClientError::Store(e),
            })?;
        report.pushed += batch.len();
        report.applied += resolution.applied;
        report.rejected += resolution.conflicts.len();
        for conflict in &resolution.conflicts {
            sink.on_event(&SyncEvent::conflict(conflict));
        }
        report.conflicts.extend(resolution.conflicts);
        sink.on_event(&SyncEvent::Progress {
            phase: SyncPhase::Push,
            done: report.pushed,
            total: Some(total),
        });
    }
    Ok(())
}

fn pull_all(
    store: &mut Store,
    api: &ApiClient,
    options: SyncOptions,
    sink: &dyn SyncEventSink,
    report: &mut SyncReport,
) -> Result<(), SyncClientError> {
    let limit = options.pull_limit.clamp(1, MAX_PULL_LIMIT);
    let mut cursor = store.sync_state("cursor")?;
    for _ in 0..MAX_PAGES_PER_ROUND {
        let page = api.pull(&PullRequest {
            protocol: PROTOCOL_VERSION,
            cursor: cursor.clone(),
            limit: Some(limit),
        })?;
        if !SUPPORTED_PROTOCOLS.contains(&page.protocol) {
            return Err(SyncClientError::Protocol {
                reason: format!("version {} dans la réponse", page.protocol),
            });
        }
        if page.changes.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
            return Err(SyncClientError::Protocol {
                reason: "page plus grande que demandé".to_owned(),
            });
        }
        if page.has_more && page.changes.is_empty() && cursor.as_deref() == Some(&page.cursor) {
            return Err(SyncClientError::Protocol {
                reason: "la pagination n'avance pas".to_owned(),
            });
        }
        report.pulled += store.apply_pulled_page(&page.changes, &page.cursor)?;
        cursor = Some(page.cursor);
        report.cursor.clone_from(&cursor);
        sink.on_event(&SyncEvent::Progress {
            phase: SyncPhase::Pull,
            done: report.pulled,
            total: None,
        });
        if !page.has_more {
            return Ok(());
        }
    }
    Err(SyncClientError::Protocol {
        reason: "trop de pages".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};
    use uuid::Uuid;

    use super::*;
    use rempla_core::domain::{DeviceId, OpId};
    use rempla_core::sync::Hlc;

    fn op(entity: EntityKind, kind: OpKind) -> OutboxOp {
        OutboxOp {
            op_id: OpId::new(),
            entity,
            entity_id: Uuid::now_v7(),
            kind,
            fields: json!({"note": "x"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            hlc: Hlc::new(1, 0, DeviceId::new()),
        }
    }

    #[test]
    fn upserts_of_whole_records_carry_their_id_on_the_wire_only() {
        let a = op(EntityKind::Availability, OpKind::Upsert);
        let wire = wire_op(&a);
        assert_eq!(wire.fields["id"], json!(a.entity_id.to_string()));
        assert_eq!(wire.fields["note"], json!("x"));
        assert_eq!(wire_op(&a), wire, "deterministic");
        let read = op(EntityKind::NotificationRead, OpKind::Upsert);
        assert_eq!(wire_op(&read), read, "a read mark has no id field");
        let mut del = op(EntityKind::Availability, OpKind::Delete);
        del.fields = Map::new();
        assert_eq!(wire_op(&del), del);
    }
}
