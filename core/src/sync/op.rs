//! The outbox operation: one local change, as pushed to the server. Ops are idempotent by
//! [`OutboxOp::op_id`]: the server applies an op id at most once, so a device may resend a batch whose
//! answer it never received.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::SyncError;
use super::hlc::Hlc;
use crate::domain::OpId;
use crate::text::truncate_for_message;

/// The kind of record an op changes; tells the server which table and which invariants apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntityKind {
    /// A doctor's availability (slot or series).
    Availability,
    /// A busy period imported from another calendar.
    BusyPeriod,
    /// The read mark of a notification (the notification itself is server-made).
    NotificationRead,
    /// An in-app notification (inbox message), made by the server; read-only for devices.
    Notification,
    /// A facility's replacement request (written by members with the `post_requests` right).
    Request,
    /// A proposal of a request to a doctor, or a doctor's application (server-made, read-only).
    Proposal,
    /// A mission made by an accepted proposal (server-made, read-only).
    Mission,
}

impl EntityKind {
    /// Stable snake_case name, as stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Availability => "availability",
            Self::BusyPeriod => "busy_period",
            Self::NotificationRead => "notification_read",
            Self::Notification => "notification",
            Self::Request => "request",
            Self::Proposal => "proposal",
            Self::Mission => "mission",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = SyncError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "availability" => Ok(Self::Availability),
            "busy_period" => Ok(Self::BusyPeriod),
            "notification_read" => Ok(Self::NotificationRead),
            "notification" => Ok(Self::Notification),
            "request" => Ok(Self::Request),
            "proposal" => Ok(Self::Proposal),
            "mission" => Ok(Self::Mission),
            _ => Err(SyncError::UnknownKind {
                value: truncate_for_message(s),
            }),
        }
    }
}

/// What an op does to its record. Deletes are tombstones on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Create the record or overwrite the listed fields (per-field last-writer-wins by HLC).
    Upsert,
    /// Delete the record.
    Delete,
}

impl OpKind {
    /// Stable snake_case name, as stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Upsert => "upsert",
            Self::Delete => "delete",
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OpKind {
    type Err = SyncError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "upsert" => Ok(Self::Upsert),
            "delete" => Ok(Self::Delete),
            _ => Err(SyncError::UnknownKind {
                value: truncate_for_message(s),
            }),
        }
    }
}

/// One local change waiting to be pushed: `{op_id, entity, id, changed fields, hlc}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxOp {
    /// Idempotency key: the server applies each op id at most once.
    pub op_id: OpId,
    /// Kind of the changed record.
    pub entity: EntityKind,
    /// Id of the changed record.
    pub entity_id: Uuid,
    /// Upsert or delete.
    pub kind: OpKind,
    /// Changed fields only (all fields for a creation, none for a delete), as JSON values.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// When the change was made, for last-writer-wins.
    pub hlc: Hlc,
}

/// The top-level fields of `new` that differ from `old` (added or changed), for an upsert op. A field
/// present in `old` but missing from `new` is reported as `null`, so the server clears it.
pub fn changed_fields(old: &Map<String, Value>, new: &Map<String, Value>) -> Map<String, Value> {
    let mut changed = Map::new();
    for (key, value) in new {
        if old.get(key) != Some(value) {
            changed.insert(key.clone(), value.clone());
        }
    }
    for key in old.keys() {
        if !new.contains_key(key) {
            changed.insert(key.clone(), Value::Null);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::DeviceId;

    #[test]
    fn op_round_trips_through_json_with_snake_case_kinds() {
        let op = OutboxOp {
            op_id: OpId::new(),
            entity: EntityKind::NotificationRead,
            entity_id: Uuid::now_v7(),
            kind: OpKind::Upsert,
            fields: json!({"read_at": "2026-11-23T00:00:00Z"})
                .as_object()
                .cloned()
                .unwrap(),
            hlc: Hlc::new(42, 1, DeviceId::new()),
        };
        let text = serde_json::to_value(&op).unwrap();
        assert_eq!(text["entity"], "notification_read");
        assert_eq!(text["kind"], "upsert");
        assert_eq!(serde_json::from_value::<OutboxOp>(text).unwrap(), op);
    }

    #[test]
    fn kinds_parse_from_their_stored_names() {
        for e in [
            EntityKind::Availability,
            EntityKind::BusyPeriod,
            EntityKind::NotificationRead,
            EntityKind::Notification,
            EntityKind::Request,
            EntityKind::Proposal,
            EntityKind::Mission,
        ] {
            assert_eq!(e.as_str().parse::<EntityKind>().unwrap(), e);
        }
        for k in [OpKind::Upsert, OpKind::Delete] {
            assert_eq!(k.to_string().parse::<OpKind>().unwrap(), k);
        }
        assert_eq!(
            "spaceship".parse::<EntityKind>().unwrap_err().code(),
            "unknown_op_kind"
        );
    }

    #[test]
    fn changed_fields_lists_only_differences_and_removals() {
        let old = json!({"a": 1, "b": "x", "note": "hi"})
            .as_object()
            .cloned()
            .unwrap();
        let new = json!({"a": 1, "b": "y", "c": true})
            .as_object()
            .cloned()
            .unwrap();
        let diff = changed_fields(&old, &new);
        assert_eq!(
            Value::Object(diff),
            json!({"b": "y", "c": true, "note": null})
        );
        assert!(changed_fields(&new, &new).is_empty());
    }
}
