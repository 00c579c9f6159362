//! Writing to the change feed from inside a write transaction: the next sequence number, and the records
//! the server itself makes (bookings, proposals, missions, notifications). Device edits go through
//! `apply_op_tx` instead; both end in the same `records` row shape, so pulls and live events need no
//! special case for server-made records.

use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value};

use super::{StorageError, StoredChange, Tx, int, json, opt_text, to_json};

/// Takes the next position of the change feed. Only valid inside a write transaction, which holds the
/// write lock, so positions become visible in commit order (see `ARCHITECTURE.md`).
pub fn next_seq(tx: &mut dyn Tx) -> Result<i64, StorageError> {
    let rows = tx.query(
        "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value",
        &[],
    )?;
    rows.first()
        .map(|r| int(r, 0))
        .transpose()?
        .ok_or(StorageError::Corrupt("meta.seq".into()))
}

/// Who a feed record belongs to: the pull scope and live events use these columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedOwners {
    /// Owning doctor (their devices pull it).
    pub doctor_id: Option<String>,
    /// Owning facility (its members pull it).
    pub facility_id: Option<String>,
    /// Owning account (that account's devices pull it).
    pub account_id: Option<String>,
}

/// Writes a server-made record into the feed: `fields` replace the stored fields of the same names
/// (others are kept), each stamped with `clock` (raised above the record's newest clock, so a device
/// write merged earlier never wins over the server's). Returns the change to publish after commit.
pub fn put_server_record_tx(
    tx: &mut dyn Tx,
    entity: EntityKind,
    id: &str,
    owners: &FeedOwners,
    fields: Map<String, Value>,
    clock: Hlc,
) -> Result<StoredChange, StorageError> {
    let rows = tx.query(
        "SELECT state, doctor_id, facility_id, account_id FROM records WHERE entity = $1 AND id = $2",
        &[entity.as_str().into(), id.into()],
    )?;
    let (mut state, stored_owners) = match rows.first() {
        Some(row) => (
            json::<MergeState>(row, 0)?,
            Some(FeedOwners {
                doctor_id: opt_text(row, 1)?,
                facility_id: opt_text(row, 2)?,
                account_id: opt_text(row, 3)?,
            }),
        ),
        None => (MergeState::default(), None),
    };
    let owners = stored_owners.unwrap_or_else(|| owners.clone());
    let clock = state.newest().map_or(clock, |newest| newest.max(clock));
    for (name, value) in fields {
        state.clocks.insert(name.clone(), clock);
        state.fields.insert(name, value);
    }
    let seq = next_seq(tx)?;
    let hlc = clock.to_string();
    tx.execute(
        "INSERT INTO records (entity, id, doctor_id, facility_id, account_id, state, hlc, seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (entity, id) DO UPDATE SET \
         state = excluded.state, hlc = excluded.hlc, seq = excluded.seq",
        &[
            entity.as_str().into(),
            id.into(),
            owners.doctor_id.clone().into(),
            owners.facility_id.clone().into(),
            owners.account_id.clone().into(),
            to_json(&state)?.into(),
            (&hlc).into(),
            seq.into(),
        ],
    )?;
    tx.notify(&format!("{entity}/{id}"))?;
    Ok(StoredChange {
        seq,
        entity,
        id: id.to_owned(),
        doctor_id: owners.doctor_id,
        facility_id: owners.facility_id,
        account_id: owners.account_id,
        state,
        hlc,
    })
}
