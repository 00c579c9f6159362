//! Events pushed from Rust to the app through a callback interface: the inbox changed, sync progressed,
//! a change was refused by the server. Screens observe them instead of polling.
//!
//! The inbox functions and sync rounds emit [`RemplaEvent::NotificationsChanged`]; a sync round emits
//! [`RemplaEvent::SyncProgress`] and [`RemplaEvent::SyncConflict`] as it goes, and, once it ends,
//! [`RemplaEvent::ProposalsChanged`] / [`RemplaEvent::MissionsChanged`] when it changed them.

use std::sync::{Arc, RwLock};

/// Something the app should react to; delivered to [`EventListener::on_event`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RemplaEvent {
    /// The notifications inbox changed (a notification arrived or was read): refresh the list and badge.
    NotificationsChanged {
        /// Unread notifications now in the inbox (the badge).
        unread: u64,
    },
    /// A sync round made progress (emitted by the sync client).
    SyncProgress {
        /// Local changes the server has acknowledged in this round.
        pushed: u64,
        /// Local changes still waiting to be sent.
        pending: u64,
        /// Server changes received in this round.
        pulled: u64,
    },
    /// A sync round brought new or changed proposals (a facility proposed, a deadline expired, an
    /// answer was recorded): refresh the proposals inbox.
    ProposalsChanged {
        /// Proposals the doctor can answer now (the badge).
        answerable: u64,
    },
    /// A sync round brought new or changed missions (an acceptance, a cancellation).
    MissionsChanged {
        /// Missions on the device now.
        count: u64,
    },
    /// The server refused a local change, which was rolled back on this device (emitted by the sync
    /// client): the user must see it, nothing is dropped silently.
    SyncConflict {
        /// Kind of record (`availability`, `busy_period`…).
        entity: String,
        /// Id of the record.
        entity_id: String,
        /// The server's stable reason code (e.g. `slot_booked`).
        code: String,
        /// French explanation for the user.
        message: String,
    },
}

/// Implemented by the app (Kotlin, Swift) to receive events. Called on the thread that made the change,
/// after the change is committed and without any lock held, so the listener may call back into Rempla.
#[uniffi::export(callback_interface)]
pub trait EventListener: Send + Sync {
    /// One event; must return quickly (post it to the UI thread).
    fn on_event(&self, event: RemplaEvent);
}

/// The listener slot of one object: at most one listener, replaceable at any time.
#[derive(Default)]
pub(crate) struct Listeners {
    slot: RwLock<Option<Arc<dyn EventListener>>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listeners")
    }
}

impl Listeners {
    /// Installs (or, with `None`, removes) the listener.
    pub(crate) fn set(&self, listener: Option<Arc<dyn EventListener>>) {
        match self.slot.write() {
            Ok(mut slot) => *slot = listener,
            Err(poisoned) => *poisoned.into_inner() = listener,
        }
    }

    /// Delivers `event` to the listener, if any. The slot lock is released before the call.
    pub(crate) fn emit(&self, event: RemplaEvent) {
        let listener = match self.slot.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(listener) = listener {
            listener.on_event(event);
        }
    }
}
