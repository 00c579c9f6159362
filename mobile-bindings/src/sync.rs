//! Sync on [`OfflineCalendar`]: one round now (`sync_now`), the sync banner (`sync_state`), the refused
//! changes to review (`sync_conflicts`). The round is core's (`rempla_client`), the same as
//! `rempla sync`; this file only routes its events to the app's [`EventListener`](crate::EventListener)
//! and keeps what the banner shows.
//!
//! A calendar kept in a file syncs on its own SQLite connection: edits on the calendar's connection do
//! not wait for the network (the store is built for several connections; ops are stamped after the last
//! persisted clock). Its events are delivered live, on the syncing thread. A calendar in memory has one
//! connection, held for the round: its events are delivered when the round ends, after the lock is
//! released, so a listener may always call back.

use std::sync::Mutex;

use rempla_client::service::{self, Connection};
use rempla_client::{SyncEvent, SyncEventSink, SyncPhase};
use rempla_core::domain::OpId;
use rempla_store::{Store, StoredConflict};

use crate::account::client_config;
use crate::calendar::OfflineCalendar;
use crate::convert::{self, utc_text};
use crate::error::RemplaError;
use crate::events::{Listeners, RemplaEvent};
use crate::records::{ConflictRecord, ConnectionState, SyncStateRecord, SyncSummary};
use crate::workflow;

/// Turns core's sync events into [`RemplaEvent`]s: live, or kept until the round ends.
struct Forwarder<'a> {
    listeners: &'a Listeners,
    /// `Some` when the listener must wait for the end of the round (the store lock is held).
    held: Option<Mutex<Vec<RemplaEvent>>>,
    /// (pushed, pending at start, pulled) so far in this round.
    counts: Mutex<(u64, u64, u64)>,
}

impl<'a> Forwarder<'a> {
    fn new(listeners: &'a Listeners, live: bool) -> Self {
        Self {
            listeners,
            held: (!live).then(|| Mutex::new(Vec::new())),
            counts: Mutex::new((0, 0, 0)),
        }
    }

    fn deliver(&self, event: RemplaEvent) {
        match &self.held {
            Some(held) => held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(event),
            None => self.listeners.emit(event),
        }
    }

    /// Delivers the events kept during the round (after the lock was released).
    fn flush(self) {
        if let Some(held) = self.held {
            let events = held
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in events {
                self.listeners.emit(event);
            }
        }
    }
}

impl SyncEventSink for Forwarder<'_> {
    fn on_event(&self, event: &SyncEvent) {
        let progress = {
            let mut counts = self
                .counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match event {
                SyncEvent::Progress {
                    phase: SyncPhase::Push,
                    done,
                    total,
                } => {
                    counts.0 = *done as u64;
                    counts.1 = total.map_or(counts.1, |t| t as u64);
                }
                SyncEvent::Progress {
                    phase: SyncPhase::Pull,
                    done,
                    ..
                } => counts.2 = *done as u64,
                _ => {}
            }
            RemplaEvent::SyncProgress {
                pushed: counts.0,
                pending: counts.1.saturating_sub(counts.0),
                pulled: counts.2,
            }
        };
        match event {
            SyncEvent::Progress { .. } => self.deliver(progress),
            SyncEvent::Conflict {
                entity,
                id,
                code,
                reason,
                ..
            } => self.deliver(RemplaEvent::SyncConflict {
                entity: entity.clone(),
                entity_id: id.to_string(),
                code: code.clone(),
                message: reason.clone(),
            }),
            // The summary is `sync_now`'s answer.
            SyncEvent::Completed(_) => {}
        }
    }
}

fn conflict_record(c: &StoredConflict) -> ConflictRecord {
    ConflictRecord {
        op_id: c.op_id.to_string(),
        entity: c.entity.clone(),
        entity_id: c.entity_id.to_string(),
        code: c.code.clone(),
        message: c.reason.clone(),
        at: utc_text(c.at),
    }
}

/// One round on `store`, and what the banner keeps of its outcome.
fn round(store: &mut Store, sink: &Forwarder<'_>) -> Result<SyncSummary, RemplaError> {
    let report = service::round(store, &client_config(), sink)?;
    // The profile (verification status, base, radius) may have changed on the server.
    crate::account::save_profile(store)?;
    Ok(SyncSummary {
        pushed: report.pushed as u64,
        applied: report.applied as u64,
        rejected: report.rejected as u64,
        pulled: report.pulled as u64,
        conflicts: report.conflicts.iter().map(conflict_record).collect(),
        pending: store.pending_op_count()?,
    })
}

#[uniffi::export]
impl OfflineCalendar {
    /// Runs one sync round now: sends the changes made on this device (in batches), then receives the
    /// server's changes. Emits `SyncProgress` while it works, `SyncConflict` for each refused change
    /// (already rolled back here), `NotificationsChanged` when the round changed the unread count, and
    /// `ProposalsChanged` / `MissionsChanged` when it brought new or changed proposals or missions.
    /// Blocks while the network works: call it from a background thread. `Offline` when the server
    /// cannot be reached (nothing is lost: the changes stay pending); `Auth` when the session is gone.
    pub fn sync_now(&self) -> Result<SyncSummary, RemplaError> {
        let unread_before = self.store().unread_notification_count()?;
        let workflow_before = workflow::snapshot(&self.store())?;
        let result = if let Some(path) = self.path() {
            let sink = Forwarder::new(&self.listeners, true);
            let mut store = Store::open(path)?;
            round(&mut store, &sink)
        } else {
            let sink = Forwarder::new(&self.listeners, false);
            let result = round(&mut self.store(), &sink);
            sink.flush();
            result
        };
        let unread_after = self.store().unread_notification_count()?;
        if unread_after != unread_before {
            self.listeners.emit(RemplaEvent::NotificationsChanged {
                unread: unread_after,
            });
        }
        let workflow_after = workflow::snapshot(&self.store())?;
        for event in workflow::changes(&workflow_before, &workflow_after) {
            self.listeners.emit(event);
        }
        result
    }

    /// What the sync banner shows: session, pending changes, last sync, reachability, conflicts.
    pub fn sync_state(&self) -> Result<SyncStateRecord, RemplaError> {
        let s = service::status(&self.store())?;
        Ok(SyncStateRecord {
            signed_in: s.signed_in,
            server: s.server,
            account_id: s.account_id,
            doctor_id: s.doctor_id,
            pending: s.pending,
            last_sync_at: s.last_sync_at,
            last_attempt_at: s.last_attempt_at,
            last_error_code: s.last_error_code,
            connection: match s.connection {
                Connection::Unknown => ConnectionState::Unknown,
                Connection::Online => ConnectionState::Online,
                Connection::Offline => ConnectionState::Offline,
            },
            cursor: s.cursor,
            conflicts: s.conflicts,
        })
    }

    /// The changes the server refused (rolled back here), oldest first, until dismissed.
    pub fn sync_conflicts(&self) -> Result<Vec<ConflictRecord>, RemplaError> {
        Ok(self
            .store()
            .sync_conflicts()?
            .iter()
            .map(conflict_record)
            .collect())
    }

    /// Dismisses conflicts the user has seen (by `op_id`); returns how many were removed.
    pub fn dismiss_sync_conflicts(&self, op_ids: Vec<String>) -> Result<u64, RemplaError> {
        let ids: Vec<OpId> = op_ids
            .iter()
            .map(|t| convert::id(t))
            .collect::<Result<_, _>>()?;
        Ok(self.store().dismiss_sync_conflicts(&ids)? as u64)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex as StdMutex};

    use rempla_core::domain::OpId;
    use uuid::Uuid;

    use super::*;
    use crate::events::EventListener;

    struct Recorder(Arc<StdMutex<Vec<RemplaEvent>>>);

    impl EventListener for Recorder {
        fn on_event(&self, event: RemplaEvent) {
            self.0.lock().unwrap().push(event);
        }
    }

    fn recorder() -> (Listeners, Arc<StdMutex<Vec<RemplaEvent>>>) {
        let seen = Arc::new(StdMutex::new(Vec::new()));
        let listeners = Listeners::default();
        listeners.set(Some(Arc::new(Recorder(Arc::clone(&seen)))));
        (listeners, seen)
    }

    #[test]
    fn core_events_become_progress_and_conflict_events_held_until_the_round_ends() {
        let (listeners, seen) = recorder();
        let sink = Forwarder::new(&listeners, false);
        sink.on_event(&SyncEvent::Progress {
            phase: SyncPhase::Push,
            done: 2,
            total: Some(5),
        });
        let id = Uuid::now_v7();
        sink.on_event(&SyncEvent::Conflict {
            entity: "availability".into(),
            id,
            op_id: OpId::new(),
            code: "slot_booked".into(),
            reason: "créneau réservé".into(),
        });
        sink.on_event(&SyncEvent::Progress {
            phase: SyncPhase::Pull,
            done: 7,
            total: None,
        });
        assert!(seen.lock().unwrap().is_empty(), "held while the lock is");
        sink.flush();
        assert_eq!(
            *seen.lock().unwrap(),
            [
                RemplaEvent::SyncProgress {
                    pushed: 2,
                    pending: 3,
                    pulled: 0
                },
                RemplaEvent::SyncConflict {
                    entity: "availability".into(),
                    entity_id: id.to_string(),
                    code: "slot_booked".into(),
                    message: "créneau réservé".into(),
                },
                RemplaEvent::SyncProgress {
                    pushed: 2,
                    pending: 3,
                    pulled: 7
                },
            ]
        );
    }

    #[test]
    fn a_device_never_signed_in_is_told_so_and_the_banner_remembers_the_attempt() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let before = cal.sync_state().unwrap();
        assert!(!before.signed_in);
        assert_eq!(before.connection, ConnectionState::Unknown);
        let e = cal.sync_now().unwrap_err();
        assert!(matches!(&e, RemplaError::Auth { code, .. } if code == "not_logged_in"));
        let after = cal.sync_state().unwrap();
        assert_eq!(after.last_error_code.as_deref(), Some("not_logged_in"));
        assert!(after.last_attempt_at.is_some());
        assert_eq!(cal.sync_conflicts().unwrap(), []);
        assert_eq!(
            cal.dismiss_sync_conflicts(vec!["x".into()])
                .unwrap_err()
                .code(),
            "invalid_id"
        );
    }
}
