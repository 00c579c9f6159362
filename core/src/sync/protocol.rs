//! Sync protocol v1: the JSON bodies exchanged between a device and the sync server.
//!
//! - `POST /v1/sync/push` with a [`PushRequest`] → [`PushResponse`]: one [`OpResult`] per op, in order.
//!   Ops are idempotent by op id: a replayed op gets the outcome recorded the first time.
//! - `POST /v1/sync/pull` with a [`PullRequest`] → [`PullResponse`]: the changes in the caller's scopes
//!   after a cursor, oldest first, paginated; the cursor is opaque and resumable.
//! - Every error is an [`ApiError`] body with a stable code.
//!
//! The server and the client both use these types, so the wire format has one definition.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::hlc::Hlc;
use super::op::{EntityKind, OutboxOp};
use crate::domain::{DeviceId, OpId};

/// The protocol version this build speaks by default.
pub const PROTOCOL_VERSION: u16 = 1;
/// Versions this build understands; a request outside is refused with `unsupported_protocol`.
pub const SUPPORTED_PROTOCOLS: RangeInclusive<u16> = 1..=1;
/// Most ops in one push batch.
pub const MAX_PUSH_OPS: usize = 500;
/// Largest request body the server reads, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 1_000;
/// Page size when the client does not ask for one.
pub const DEFAULT_PULL_LIMIT: u32 = 200;

/// A batch of outbox ops from one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Protocol version the client speaks.
    pub protocol: u16,
    /// The pushing device (must match the device of the bearer token).
    pub device_id: DeviceId,
    /// Ops in the order they were made on the device.
    pub ops: Vec<OutboxOp>,
}

/// The server's answer to a push: one result per op, same order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Protocol version of the answer.
    pub protocol: u16,
    /// One result per pushed op.
    pub results: Vec<OpResult>,
    /// The server's clock after the batch; the device observes it to keep its HLC ahead.
    pub server_hlc: Hlc,
}

/// What happened to one op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpResult {
    /// The op.
    pub op_id: OpId,
    /// Its outcome.
    #[serde(flatten)]
    pub outcome: OpOutcome,
}

/// Outcome of one op. Both are final: the device removes the op from its outbox; a rejection is rolled
/// back locally and shown to the user as a conflict, never dropped silently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpOutcome {
    /// Merged into the server state (possibly with no visible effect when newer writes won every field).
    Applied,
    /// Refused; nothing of the op was stored.
    Rejected {
        /// Stable code, e.g. `slot_booked`, `forbidden`, `clock_drift`, `record_deleted`.
        code: String,
        /// Human-readable reason, in French.
        reason: String,
    },
}

/// A request for the changes after a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// Protocol version the client speaks.
    pub protocol: u16,
    /// Where the previous pull stopped; `None` for a full download.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (at most [`MAX_PULL_LIMIT`]).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Protocol version of the answer.
    pub protocol: u16,
    /// Changes, oldest first.
    pub changes: Vec<Change>,
    /// Cursor to resume from (pass it to the next pull).
    pub cursor: String,
    /// Whether more changes are waiting after this page.
    pub has_more: bool,
}

/// The current server state of one record the caller may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Kind of record.
    pub entity: EntityKind,
    /// Record id.
    pub entity_id: Uuid,
    /// The whole record as the caller may see it; `None` when it was deleted.
    pub record: Option<Value>,
    /// Newest write merged into the record.
    pub hlc: Hlc,
}

/// Body of every error response (HTTP 4xx/5xx): defined with the error-code registry.
pub use crate::api::ApiError;

/// Checks a protocol version against [`SUPPORTED_PROTOCOLS`].
pub fn check_protocol(version: u16) -> Result<(), super::error::SyncError> {
    if SUPPORTED_PROTOCOLS.contains(&version) {
        Ok(())
    } else {
        Err(super::error::SyncError::UnsupportedProtocol {
            requested: version,
            min: *SUPPORTED_PROTOCOLS.start(),
            max: *SUPPORTED_PROTOCOLS.end(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::OpKind;

    #[test]
    fn outcomes_have_a_flat_wire_form() {
        let r = OpResult {
            op_id: OpId::new(),
            outcome: OpOutcome::Rejected {
                code: "slot_booked".into(),
                reason: "créneau pourvu".into(),
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], "rejected");
        assert_eq!(v["code"], "slot_booked");
        assert_eq!(serde_json::from_value::<OpResult>(v).unwrap(), r);
        let ok = serde_json::to_value(OpResult {
            op_id: r.op_id,
            outcome: OpOutcome::Applied,
        })
        .unwrap();
        assert_eq!(ok["status"], "applied");
    }

    #[test]
    fn push_requests_refuse_unknown_fields_and_versions() {
        let device = DeviceId::new();
        let op = OutboxOp {
            op_id: OpId::new(),
            entity: EntityKind::Availability,
            entity_id: Uuid::now_v7(),
            kind: OpKind::Delete,
            fields: serde_json::Map::new(),
            hlc: Hlc::new(1, 0, device),
        };
        let req = PushRequest {
            protocol: 1,
            device_id: device,
            ops: vec![op],
        };
        let mut v = serde_json::to_value(&req).unwrap();
        assert_eq!(
            serde_json::from_value::<PushRequest>(v.clone()).unwrap(),
            req
        );
        v["admin"] = Value::Bool(true);
        assert!(serde_json::from_value::<PushRequest>(v).is_err());
        assert!(check_protocol(1).is_ok());
        assert_eq!(
            check_protocol(0).unwrap_err().code(),
            "unsupported_protocol"
        );
        assert_eq!(
            check_protocol(2).unwrap_err().code(),
            "unsupported_protocol"
        );
    }
}
