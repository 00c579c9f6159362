//! Writing to the change feed from inside a write transaction: the next sequence number, and the records
//! the server itself makes (bookings, proposals, missions, notifications). Device edits go through
//! `apply_op_tx` instead; both end in the same `records` row shape, so pulls and live events need no
//! special case for server-made records.

use std::fmt::Write as _;

use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value};

use super::backend::Tx;
use super::error::StorageError;
use super::handle::Storage;
use super::value::{Row, Val, int, json, opt_text, text, to_json};

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

/// Which changes a caller may pull: the scope filter of the change feed (see `authz`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The caller's account (notification read marks).
    pub account_id: String,
    /// The caller's doctor profile: availabilities and busy periods.
    pub doctor_id: Option<String>,
    /// Whether every facility's requests are visible (verified doctors, staff).
    pub all_requests: bool,
    /// Facilities whose requests are visible (their members).
    pub facilities: Vec<String>,
}

/// One row of the change feed, before projection for the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChange {
    /// Position in the feed.
    pub seq: i64,
    /// Kind of record.
    pub entity: EntityKind,
    /// Record id.
    pub id: String,
    /// Owning doctor, if any.
    pub doctor_id: Option<String>,
    /// Owning facility, if any.
    pub facility_id: Option<String>,
    /// Owning account, if any.
    pub account_id: Option<String>,
    /// The merged state.
    pub state: MergeState,
    /// Newest clock merged.
    pub hlc: String,
}

fn change_from(row: &Row) -> Result<StoredChange, StorageError> {
    let entity: EntityKind = text(row, 1)?
        .parse()
        .map_err(|e: rempla_core::sync::SyncError| StorageError::Corrupt(e.to_string()))?;
    Ok(StoredChange {
        seq: int(row, 0)?,
        entity,
        id: text(row, 2)?,
        doctor_id: opt_text(row, 3)?,
        facility_id: opt_text(row, 4)?,
        account_id: opt_text(row, 5)?,
        state: json(row, 6)?,
        hlc: text(row, 7)?,
    })
}

const CHANGE_COLUMNS: &str = "seq, entity, id, doctor_id, facility_id, account_id, state, hlc";

impl Storage {
    /// One page of the change feed after `after` for a scope, oldest first; `limit + 1` rows are read
    /// to tell whether more are waiting.
    pub async fn pull(
        &self,
        scope: Scope,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<StoredChange>, bool), StorageError> {
        self.read(move |tx| {
            let mut params: Vec<Val> = vec![after.into(), (&scope.account_id).into()];
            let mut filter = String::from("(entity IN ('notification_read', 'notification') AND account_id = $2)");
            if let Some(d) = &scope.doctor_id {
                params.push(d.into());
                let _ = write!(
                    filter,
                    " OR (entity IN ('availability', 'busy_period', 'proposal', 'mission') \
                     AND doctor_id = ${})",
                    params.len()
                );
            }
            if scope.all_requests {
                filter.push_str(" OR entity = 'request'");
            } else if !scope.facilities.is_empty() {
                let mut list = Vec::new();
                for f in &scope.facilities {
                    params.push(f.into());
                    list.push(format!("${}", params.len()));
                }
                let _ = write!(
                    filter,
                    " OR (entity = 'request' AND facility_id IN ({}))",
                    list.join(", ")
                );
            }
            if !scope.facilities.is_empty() {
                let mut list = Vec::new();
                for f in &scope.facilities {
                    params.push(f.into());
                    list.push(format!("${}", params.len()));
                }
                let _ = write!(
                    filter,
                    " OR (entity IN ('proposal', 'mission') AND facility_id IN ({}))",
                    list.join(", ")
                );
            }
            params.push(i64::from(limit).saturating_add(1).into());
            let sql = format!(
                "SELECT {CHANGE_COLUMNS} FROM records WHERE seq > $1 AND ({filter}) ORDER BY seq LIMIT ${}",
                params.len()
            );
            let rows = tx.query(&sql, &params)?;
            let mut changes = rows.iter().map(change_from).collect::<Result<Vec<_>, _>>()?;
            let more = changes.len() > usize::try_from(limit).unwrap_or(usize::MAX);
            changes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok((changes, more))
        })
        .await
    }

    /// The current feed row of one record (for changes announced by another instance).
    pub async fn change(
        &self,
        entity: &str,
        id: &str,
    ) -> Result<Option<StoredChange>, StorageError> {
        let (e, i) = (entity.to_owned(), id.to_owned());
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {CHANGE_COLUMNS} FROM records WHERE entity = $1 AND id = $2"),
                &[e.into(), i.into()],
            )?;
            rows.first().map(change_from).transpose()
        })
        .await
    }
}
