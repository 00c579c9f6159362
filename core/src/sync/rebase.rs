//! Applying pulled changes to the local store: the rule, as pure functions over JSON objects.
//!
//! The store keeps, for every synced record, the last version the server sent (its *shadow*). What the
//! device shows is the shadow with this device's pending ops replayed on top, in the order they were made
//! ([`rebase`]). So:
//!
//! - a pulled record replaces the local copy when the device has no pending op on it;
//! - when it has pending ops, their field values stay on top of the new server version: an unacknowledged
//!   local edit never disappears because another device's change arrived first;
//! - a pulled deletion removes the record, unless a pending op still needs the local copy (the server will
//!   reject that op with `record_deleted`, and the rollback then removes it);
//! - a rejected op is removed from the outbox and the record is rebuilt from the shadow and the remaining
//!   ops, which restores the server version (or removes a creation the server never accepted).
//!
//! The SQL side lives in the store (`rempla-store`, `sync_apply.rs`); this module only decides what the
//! record becomes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::op::{OpKind, OutboxOp};

/// One change of a pull page, decoded leniently: the entity kind stays text, so a server that knows more
/// kinds than this build (e.g. `request`) does not make the whole page unreadable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledChange {
    /// Kind of record (`availability`, `busy_period`, `notification_read`, `request`…).
    pub entity: String,
    /// Record id.
    pub entity_id: Uuid,
    /// The whole record as the caller may see it; `None` for a deletion.
    pub record: Option<Map<String, Value>>,
}

/// One pull page as the client decodes it (same wire form as [`crate::sync::protocol::PullResponse`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledPage {
    /// Protocol version of the answer.
    pub protocol: u16,
    /// Changes, oldest first.
    pub changes: Vec<PulledChange>,
    /// Cursor to resume from.
    pub cursor: String,
    /// Whether more changes wait.
    pub has_more: bool,
}

/// The record the device shows: `base` (the server's version, `None` when absent or deleted) with `ops`
/// replayed in order. An upsert sets its fields (a `null` field is removed, as [`crate::sync::op::changed_fields`]
/// reports removals), a delete removes the record. `None` means "no record".
pub fn rebase(base: Option<Map<String, Value>>, ops: &[OutboxOp]) -> Option<Map<String, Value>> {
    let mut current = base;
    for op in ops {
        match op.kind {
            OpKind::Delete => current = None,
            OpKind::Upsert => {
                let record = current.get_or_insert_with(Map::new);
                for (name, value) in &op.fields {
                    if value.is_null() {
                        record.remove(name);
                    } else {
                        record.insert(name.clone(), value.clone());
                    }
                }
            }
        }
    }
    current
}

/// Removes `null` fields, so a record compares equal whether a missing optional field was sent as `null`
/// or left out.
pub fn canonical(mut record: Map<String, Value>) -> Map<String, Value> {
    record.retain(|_, v| !v.is_null());
    record
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::{DeviceId, OpId};
    use crate::sync::{EntityKind, Hlc};

    fn upsert(fields: &Value) -> OutboxOp {
        OutboxOp {
            op_id: OpId::new(),
            entity: EntityKind::Availability,
            entity_id: Uuid::nil(),
            kind: OpKind::Upsert,
            fields: fields.as_object().cloned().unwrap(),
            hlc: Hlc::new(1, 0, DeviceId::new()),
        }
    }

    #[test]
    fn pending_fields_stay_on_top_of_the_server_version() {
        let base = json!({"a": 1, "b": 2, "note": "x"})
            .as_object()
            .cloned()
            .unwrap();
        let out = rebase(
            Some(base),
            &[upsert(&json!({"b": 9})), upsert(&json!({"note": null}))],
        )
        .unwrap();
        assert_eq!(Value::Object(out), json!({"a": 1, "b": 9}));
    }

    #[test]
    fn a_pending_delete_wins_and_a_creation_needs_no_base() {
        let mut del = upsert(&json!({}));
        del.kind = OpKind::Delete;
        assert_eq!(rebase(Some(Map::new()), &[del]), None);
        let created = rebase(None, &[upsert(&json!({"a": 1}))]).unwrap();
        assert_eq!(Value::Object(created), json!({"a": 1}));
        assert_eq!(rebase(None, &[]), None);
    }

    #[test]
    fn pages_with_unknown_entities_still_decode() {
        let page: PulledPage = serde_json::from_value(json!({
            "protocol": 1,
            "changes": [{"entity": "mission", "entity_id": Uuid::nil(), "record": null, "hlc": "x"}],
            "cursor": "c1",
            "has_more": false
        }))
        .unwrap();
        assert_eq!(page.changes[0].entity, "mission");
        assert_eq!(page.changes[0].record, None);
    }
}
