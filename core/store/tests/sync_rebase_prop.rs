//! Property: whatever the interleaving of local edits, pulls of other devices' changes, pushes and
//! server rejections, a pending local edit is never lost — the device always shows, for every record with
//! pending ops, the values of its latest pending writes — and once everything is pushed and pulled the
//! device equals the server.
//!
//! The server is modelled in-process with the real merge rule (`sync::merge`), so the property runs fast
//! and without a network; the HTTP path is covered by `sync_client.rs` and the e2e suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use proptest::prelude::*;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, DeviceId, DoctorId, OpId,
};
use rempla_core::sync::merge::{MergeState, merge};
use rempla_core::sync::protocol::{OpOutcome, OpResult};
use rempla_core::sync::rebase::{PulledChange, canonical};
use rempla_core::sync::{Hlc, OpKind, OutboxOp};
use rempla_store::Store;
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Clone, Debug)]
enum Step {
    /// This device edits (or creates) record `slot` with a note.
    Local(usize, u8),
    /// This device deletes record `slot`.
    LocalDelete(usize),
    /// Another device writes record `slot` on the server.
    Remote(usize, u8, bool),
    /// Another device deletes record `slot` on the server.
    RemoteDelete(usize),
    /// Push up to `n` ops; ops whose bit is set in `reject` are refused.
    Push(usize, u8),
    /// Pull everything new.
    Pull,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..4, any::<u8>()).prop_map(|(s, n)| Step::Local(s, n)),
        1 => (0usize..4).prop_map(Step::LocalDelete),
        3 => (0usize..4, any::<u8>(), any::<bool>()).prop_map(|(s, n, k)| Step::Remote(s, n, k)),
        1 => (0usize..4).prop_map(Step::RemoteDelete),
        3 => (1usize..4, any::<u8>()).prop_map(|(n, r)| Step::Push(n, r)),
        3 => Just(Step::Pull),
    ]
}

#[derive(Default)]
struct Server {
    records: BTreeMap<Uuid, MergeState>,
    changed: BTreeMap<Uuid, u64>,
    seq: u64,
    clock: u64,
}

impl Server {
    fn apply(&mut self, op: &OutboxOp) -> OpOutcome {
        let state = self.records.get(&op.entity_id).cloned().unwrap_or_default();
        // Like the real server: an edit of a record it never had is not a valid creation.
        if state == MergeState::default()
            && op.kind == OpKind::Upsert
            && !op.fields.contains_key("interval")
        {
            return OpOutcome::Rejected {
                code: "validation".into(),
                reason: "enregistrement incomplet".into(),
            };
        }
        match merge(&state, op) {
            Ok(next) => {
                self.records.insert(op.entity_id, next);
                self.seq += 1;
                self.changed.insert(op.entity_id, self.seq);
                OpOutcome::Applied
            }
            Err(_) => OpOutcome::Rejected {
                code: "record_deleted".into(),
                reason: "supprimé".into(),
            },
        }
    }

    fn changes_after(&self, cursor: u64) -> Vec<PulledChange> {
        let mut feed: Vec<(u64, Uuid)> = self
            .changed
            .iter()
            .filter(|(_, s)| **s > cursor)
            .map(|(id, s)| (*s, *id))
            .collect();
        feed.sort();
        feed.into_iter()
            .map(|(_, id)| {
                let st = &self.records[&id];
                PulledChange {
                    entity: "availability".into(),
                    entity_id: id,
                    record: st.is_live().then(|| st.fields.clone()),
                }
            })
            .collect()
    }
}

fn slot(id: Uuid, note: u8) -> Availability {
    Availability {
        id: AvailabilityId::from_uuid(id),
        doctor_id: DoctorId::from_uuid(Uuid::from_u128(1)),
        interval: Interval::new(
            Utc.with_ymd_and_hms(2027, 5, 3, 7, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 5, 3, 19, 0, 0).unwrap(),
        )
        .unwrap(),
        zone: Paris,
        kind: ShiftKind::Day,
        recurrence: None,
        status: AvailabilityStatus::Open,
        note: Some(format!("n{note}")),
        revision: 0,
    }
}

/// What pending ops of a record demand of the local copy.
enum Expect {
    /// No pending op: nothing to check.
    Nothing,
    /// The latest pending op is a delete: no local copy.
    Absent,
    /// These fields with these values.
    Fields(Map<String, Value>),
}

/// The latest pending value of each field, or `None` when the latest pending op of the record is a delete.
fn expected_pending(ops: &[OutboxOp], id: Uuid) -> Expect {
    let mine: Vec<&OutboxOp> = ops.iter().filter(|o| o.entity_id == id).collect();
    if mine.is_empty() {
        return Expect::Nothing;
    }
    let mut fields = Map::new();
    for op in mine {
        match op.kind {
            OpKind::Delete => fields = Map::new(),
            OpKind::Upsert => {
                for (k, v) in &op.fields {
                    fields.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let last_is_delete = ops
        .iter()
        .rev()
        .find(|o| o.entity_id == id)
        .is_some_and(|o| o.kind == OpKind::Delete);
    if last_is_delete {
        Expect::Absent
    } else {
        Expect::Fields(fields)
    }
}

/// Runs one interleaving and checks the property after every step and after the final drain.
fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    {
        let mut store = Store::open_in_memory().unwrap();
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let other = DeviceId::from_uuid(Uuid::from_u128(99));
        let mut server = Server {
            clock: 1_000,
            ..Server::default()
        };
        // The cursor lives in the store (the client may reset it to force a full download).
        let cursor_of = |store: &Store| -> u64 {
            store
                .sync_state("cursor")
                .unwrap()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0)
        };
        for step in steps {
            match step {
                Step::Local(s, n) => {
                    let id = AvailabilityId::from_uuid(ids[s]);
                    match store.get_availability(id).unwrap() {
                        Some(mut a) if a.status != AvailabilityStatus::Booked => {
                            a.note = Some(format!("local{n}"));
                            store.update_availability(&a).unwrap();
                        }
                        Some(_) => {}
                        None => {
                            // Ids are never reused after a server delete (tombstones are permanent).
                            if server
                                .records
                                .get(&ids[s])
                                .is_none_or(|r| r.deleted.is_none())
                            {
                                let _ = store.add_availability(&slot(ids[s], n));
                            }
                        }
                    }
                }
                Step::LocalDelete(s) => {
                    let _ = store.remove_availability(AvailabilityId::from_uuid(ids[s]));
                }
                Step::Remote(s, n, move_kind) => {
                    server.clock += 1;
                    let mut fields = serde_json::to_value(slot(ids[s], n))
                        .unwrap()
                        .as_object()
                        .cloned()
                        .unwrap();
                    fields.remove("id");
                    if !server.records.contains_key(&ids[s]) || move_kind {
                        fields.insert(
                            "kind".into(),
                            Value::from(if move_kind { "night" } else { "day" }),
                        );
                    } else {
                        fields = Map::from_iter([(
                            "note".to_owned(),
                            Value::from(format!("remote{n}")),
                        )]);
                    }
                    server.apply(&OutboxOp {
                        op_id: OpId::new(),
                        entity: rempla_core::sync::EntityKind::Availability,
                        entity_id: ids[s],
                        kind: OpKind::Upsert,
                        fields,
                        hlc: Hlc::new(server.clock, 0, other),
                    });
                }
                Step::RemoteDelete(s) => {
                    if server.records.contains_key(&ids[s]) {
                        server.clock += 1;
                        server.apply(&OutboxOp {
                            op_id: OpId::new(),
                            entity: rempla_core::sync::EntityKind::Availability,
                            entity_id: ids[s],
                            kind: OpKind::Delete,
                            fields: Map::new(),
                            hlc: Hlc::new(server.clock, 0, other),
                        });
                    }
                }
                Step::Push(n, reject) => {
                    let batch = store.pending_ops(n).unwrap();
                    let results: Vec<OpResult> = batch
                        .iter()
                        .enumerate()
                        .map(|(i, op)| OpResult {
                            op_id: op.op_id,
                            outcome: if reject & (1 << i) != 0 {
                                OpOutcome::Rejected {
                                    code: "forbidden".into(),
                                    reason: "non".into(),
                                }
                            } else {
                                server.apply(op)
                            },
                        })
                        .collect();
                    store.resolve_push(&batch, &results).unwrap();
                }
                Step::Pull => {
                    let changes = server.changes_after(cursor_of(&store));
                    store
                        .apply_pulled_page(&changes, &server.seq.to_string())
                        .unwrap();
                }
            }
            // The invariant, after every step.
            let pending = store.pending_ops(1_000).unwrap();
            for id in &ids {
                let local = store
                    .get_availability(AvailabilityId::from_uuid(*id))
                    .unwrap();
                match expected_pending(&pending, *id) {
                    Expect::Nothing => {}
                    Expect::Absent => {
                        prop_assert!(local.is_none(), "pending delete of {id} undone");
                    }
                    Expect::Fields(fields) => {
                        let local = local.expect("a pending edit's record vanished");
                        let shown = serde_json::to_value(&local).unwrap();
                        for (k, v) in fields {
                            if !v.is_null() {
                                prop_assert_eq!(&shown[&k], &v, "field {} of {} lost", k, id);
                            }
                        }
                    }
                }
            }
        }
        // Drain: push everything (no rejections), pull, and compare with the server.
        loop {
            let batch = store.pending_ops(10).unwrap();
            if batch.is_empty() {
                break;
            }
            let results: Vec<OpResult> = batch
                .iter()
                .map(|op| OpResult {
                    op_id: op.op_id,
                    outcome: server.apply(op),
                })
                .collect();
            store.resolve_push(&batch, &results).unwrap();
        }
        let changes = server.changes_after(cursor_of(&store));
        store
            .apply_pulled_page(&changes, &server.seq.to_string())
            .unwrap();
        for id in &ids {
            let local = store
                .get_availability(AvailabilityId::from_uuid(*id))
                .unwrap();
            let remote = server.records.get(id).filter(|r| r.is_live());
            match (local, remote) {
                (None, None) => {}
                (Some(local), Some(remote)) => {
                    let mut l = serde_json::to_value(&local)
                        .unwrap()
                        .as_object()
                        .cloned()
                        .unwrap();
                    l.remove("id");
                    prop_assert_eq!(canonical(l), canonical(remote.fields.clone()));
                }
                (l, r) => prop_assert!(false, "device {:?} vs server {:?}", l, r),
            }
        }
    }
    Ok(())
}

/// 256 interleavings per run; `PROPTEST_CASES=N` for a deeper search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    #[test]
    fn pending_local_edits_are_never_lost(steps in prop::collection::vec(step(), 1..40)) {
        run(steps)?;
    }
}

/// Interleavings the property once found wrong, replayed on every run (proptest's own regression file is
/// not read for integration tests here: it looks for `lib.rs`).
#[test]
fn known_interleavings_hold() {
    use Step::{Local, LocalDelete, Pull, Push, Remote};
    // A record created, deleted and created again before any push, with pushes refused in between:
    // the device kept a record the server never had.
    run(vec![
        Local(0, 0),
        Remote(3, 0, false),
        Local(2, 0),
        Pull,
        Local(0, 0),
        Local(1, 0),
        LocalDelete(1),
        Local(1, 0),
        Push(2, 61),
        Push(1, 137),
        Push(2, 55),
    ])
    .unwrap();
}
