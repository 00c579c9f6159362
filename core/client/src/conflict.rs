//! What the sync client tells the app while it works: progress, conflicts, completion.
//!
//! A rejected op is rolled back in the store (see `store/sync_apply.rs`) and kept as a
//! [`rempla_store::StoredConflict`] until the user dismisses it; the [`SyncEvent::Conflict`] raised here is
//! the live notice of the same fact, sent after the rollback is committed. The sink is a plain callback
//! trait so the FFI can implement it in Kotlin or Swift (uniffi callback interface).

use uuid::Uuid;

use rempla_core::domain::OpId;
use rempla_store::StoredConflict;

/// Where the round stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncPhase {
    /// Sending the outbox.
    Push,
    /// Receiving changes.
    Pull,
}

/// Counters of one sync round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Ops sent and answered.
    pub pushed: usize,
    /// Ops the server applied.
    pub applied: usize,
    /// Ops the server rejected (rolled back; see `conflicts`).
    pub rejected: usize,
    /// Changes received and applied locally.
    pub pulled: usize,
    /// The rejections of this round.
    pub conflicts: Vec<StoredConflict>,
    /// The pull cursor after the round.
    pub cursor: Option<String>,
}

/// One event of a sync round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncEvent {
    /// Some work was done.
    Progress {
        /// Push or pull.
        phase: SyncPhase,
        /// Ops pushed or changes pulled so far in this round.
        done: usize,
        /// Ops to push at the start of the round (pull totals are unknown).
        total: Option<usize>,
    },
    /// The server rejected a local change; it was rolled back and the user must be told.
    Conflict {
        /// Kind of record (`availability`…).
        entity: String,
        /// The record.
        id: Uuid,
        /// The rejected op.
        op_id: OpId,
        /// The server's stable code (`slot_booked`, `record_deleted`…).
        code: String,
        /// The server's reason, in French.
        reason: String,
    },
    /// The round finished.
    Completed(SyncReport),
}

impl SyncEvent {
    /// The live event for a stored conflict.
    pub fn conflict(c: &StoredConflict) -> Self {
        Self::Conflict {
            entity: c.entity.clone(),
            id: c.entity_id,
            op_id: c.op_id,
            code: c.code.clone(),
            reason: c.reason.clone(),
        }
    }
}

/// Receives sync events (a UI, a log, the FFI callback).
pub trait SyncEventSink: Send + Sync {
    /// Called on the syncing thread; keep it short.
    fn on_event(&self, event: &SyncEvent);
}

/// A sink that ignores events (the conflicts stay in the store and in the report).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoEvents;

impl SyncEventSink for NoEvents {
    fn on_event(&self, _event: &SyncEvent) {}
}

impl<F: Fn(&SyncEvent) + Send + Sync> SyncEventSink for F {
    fn on_event(&self, event: &SyncEvent) {
        self(event);
    }
}
