//! The merge rule of the sync server: per-field last-writer-wins by HLC, with permanent tombstones.
//!
//! Pure functions over values, so the server (every storage backend) and the property tests share one
//! definition. Business invariants (a booked slot cannot move) are checked by the caller before merging;
//! this module only decides which write wins.
//!
//! Rules:
//! - an upsert sets each of its fields whose stored clock is older than the op's HLC; fields written later
//!   by someone else keep their value (per-field LWW, so two devices editing different fields both win);
//! - a delete turns the record into a tombstone; tombstones are permanent: a later upsert of the same id is
//!   rejected (`record_deleted`) so the device shows a conflict instead of resurrecting half a record;
//! - applying the same op twice changes nothing (idempotence), and applying a set of ops in any order
//!   gives the same record (convergence), which the property tests below check.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::hlc::Hlc;
use super::op::{OpKind, OutboxOp};

/// Server-side state of one synced record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeState {
    /// Current field values.
    pub fields: Map<String, Value>,
    /// Clock of the write that set each field.
    pub clocks: BTreeMap<String, Hlc>,
    /// Set when the record was deleted, with the delete's clock.
    pub deleted: Option<Hlc>,
}

/// Why an op could not be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeRejection {
    /// The record was deleted; upserts of a tombstone are refused.
    RecordDeleted,
}

impl MergeState {
    /// The newest clock merged into this record (for change feeds).
    pub fn newest(&self) -> Option<Hlc> {
        self.clocks.values().copied().chain(self.deleted).max()
    }

    /// Whether the record is live (not deleted and has at least one field).
    pub fn is_live(&self) -> bool {
        self.deleted.is_none() && !self.fields.is_empty()
    }
}

/// Merges one op into a record's state (a new record starts from `MergeState::default()`), returning
/// the new state. Returns the state unchanged for an op older than every field it touches.
pub fn merge(state: &MergeState, op: &OutboxOp) -> Result<MergeState, MergeRejection> {
    match op.kind {
        OpKind::Delete => {
            let mut next = state.clone();
            next.deleted = Some(next.deleted.map_or(op.hlc, |d| d.max(op.hlc)));
            Ok(next)
        }
        OpKind::Upsert => {
            if state.deleted.is_some() {
                return Err(MergeRejection::RecordDeleted);
            }
            let mut next = state.clone();
            for (name, value) in &op.fields {
                let newer = next.clocks.get(name).is_none_or(|clock| *clock < op.hlc);
                if newer {
                    next.fields.insert(name.clone(), value.clone());
                    next.clocks.insert(name.clone(), op.hlc);
                }
            }
            Ok(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DeviceId, OpId};
    use crate::sync::EntityKind;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn op(kind: OpKind, fields: &[(&str, i64)], physical: u64, device: DeviceId) -> OutboxOp {
        OutboxOp {
            op_id: OpId::new(),
            entity: EntityKind::Availability,
            entity_id: Uuid::nil(),
            kind,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect(),
            hlc: Hlc::new(physical, 0, device),
        }
    }

    #[test]
    fn per_field_last_writer_wins() {
        let (a, b) = (DeviceId::new(), DeviceId::new());
        let s = merge(
            &MergeState::default(),
            &op(OpKind::Upsert, &[("start", 1), ("note", 1)], 10, a),
        )
        .unwrap();
        // b edits `note` later, a edits `start` even later: both survive.
        let s = merge(&s, &op(OpKind::Upsert, &[("note", 2)], 20, b)).unwrap();
        let s = merge(&s, &op(OpKind::Upsert, &[("start", 3)], 30, a)).unwrap();
        // a stale write of `note` loses.
        let s = merge(&s, &op(OpKind::Upsert, &[("note", 9)], 15, a)).unwrap();
        assert_eq!(s.fields["start"], 3);
        assert_eq!(s.fields["note"], 2);
        assert_eq!(s.newest().unwrap().physical_ms(), 30);
    }

    #[test]
    fn tombstones_are_permanent() {
        let a = DeviceId::new();
        let s = merge(
            &MergeState::default(),
            &op(OpKind::Upsert, &[("x", 1)], 10, a),
        )
        .unwrap();
        let s = merge(&s, &op(OpKind::Delete, &[], 20, a)).unwrap();
        assert!(!s.is_live());
        assert_eq!(
            merge(&s, &op(OpKind::Upsert, &[("x", 2)], 30, a)),
            Err(MergeRejection::RecordDeleted)
        );
    }

    fn arb_op() -> impl Strategy<Value = OutboxOp> {
        let devices: Vec<DeviceId> = (0..3)
            .map(|i| DeviceId::from_uuid(Uuid::from_u128(i + 1)))
            .collect();
        (
            prop::bool::weighted(0.15),
            prop::collection::btree_map("[abc]", 0i64..5, 1..3),
            0u64..40,
            0usize..3,
        )
            .prop_map(move |(delete, fields, physical, device)| OutboxOp {
                op_id: OpId::new(),
                entity: EntityKind::Availability,
                entity_id: Uuid::nil(),
                kind: if delete {
                    OpKind::Delete
                } else {
                    OpKind::Upsert
                },
                fields: if delete {
                    Map::new()
                } else {
                    fields
                        .into_iter()
                        .map(|(k, v)| (k, Value::from(v)))
                        .collect()
                },
                hlc: Hlc::new(physical, 0, devices[device]),
            })
    }

    fn apply_all(ops: &[OutboxOp]) -> MergeState {
        ops.iter()
            .fold(MergeState::default(), |s, o| merge(&s, o).unwrap_or(s))
    }

    /// What a replica must end with: deleted if any delete was seen, otherwise for every field the value
    /// of the write with the greatest clock.
    fn expected(ops: &[OutboxOp]) -> (bool, BTreeMap<String, Value>) {
        let deleted = ops.iter().any(|o| o.kind == OpKind::Delete);
        let mut best: BTreeMap<String, (Hlc, Value)> = BTreeMap::new();
        for o in ops.iter().filter(|o| o.kind == OpKind::Upsert) {
            for (k, v) in &o.fields {
                if best.get(k).is_none_or(|(h, _)| *h < o.hlc) {
                    best.insert(k.clone(), (o.hlc, v.clone()));
                }
            }
        }
        (
            deleted,
            best.into_iter().map(|(k, (_, v))| (k, v)).collect(),
        )
    }

    proptest! {
        #[test]
        fn merge_converges_in_any_order(ops in prop::collection::vec(arb_op(), 0..12), seed in any::<u64>()) {
            // Distinct clocks per op, as HLCs from distinct (device, counter) pairs are.
            let ops: Vec<OutboxOp> = ops.into_iter().enumerate().map(|(i, mut o)| {
                o.hlc = Hlc::new(o.hlc.physical_ms(), u32::try_from(i).unwrap(), o.hlc.device());
                o
            }).collect();
            let mut shuffled = ops.clone();
            // A deterministic permutation from the seed.
            let n = shuffled.len();
            let mut x = seed;
            for i in (1..n).rev() {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let j = usize::try_from(x >> 33).unwrap() % (i + 1);
                shuffled.swap(i, j);
            }
            let (a, b) = (apply_all(&ops), apply_all(&shuffled));
            prop_assert_eq!(a.deleted.is_some(), b.deleted.is_some());
            if a.deleted.is_none() {
                prop_assert_eq!(&a.fields, &b.fields);
                let (_, want) = expected(&ops);
                let got: BTreeMap<String, Value> = a.fields.clone().into_iter().collect();
                prop_assert_eq!(got, want);
            }
        }

        #[test]
        fn merge_is_idempotent(ops in prop::collection::vec(arb_op(), 1..8)) {
            let once = apply_all(&ops);
            let twice = ops.iter().fold(once.clone(), |s, o| merge(&s, o).unwrap_or(s));
            prop_assert_eq!(once, twice);
        }
    }
}
