//! The sync service every front end runs: one round with its bookkeeping ([`round`]: when it was tried, why
//! it failed), the status a banner shows ([`status`]), and a background worker that runs rounds when woken
//! and periodically ([`SyncWorker`]).
//!
//! Why here: the desktop's worker thread and the FFI's `sync_now`/`sync_state` each kept their own notion
//! of "last attempt", "last error" and "online", under their own keys. The phones schedule rounds with the
//! platform (WorkManager, BGTaskScheduler) and call [`round`]; the desktop and the CLI's daemon-like uses
//! start a [`SyncWorker`].

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use rempla_store::{Store, StoreError, settings};

use crate::SyncClient;
use crate::conflict::{SyncEventSink, SyncReport};
use crate::error::SyncClientError;
use crate::http::ClientConfig;

/// Whether the server answered the last attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// No round tried on this device yet.
    Unknown,
    /// The last attempt reached the server.
    Online,
    /// The last attempt could not reach it (no network, server down or overloaded): changes wait.
    Offline,
}

/// What a sync banner shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    /// Whether this device holds a session.
    pub signed_in: bool,
    /// The server of the session (kept after sign-out).
    pub server: Option<String>,
    /// The account of the session.
    pub account_id: Option<String>,
    /// The doctor of the session.
    pub doctor_id: Option<String>,
    /// Local changes waiting to be sent.
    pub pending: u64,
    /// End of the last successful round, RFC 3339.
    pub last_sync_at: Option<String>,
    /// Last attempt, successful or not, RFC 3339.
    pub last_attempt_at: Option<String>,
    /// The code of the last failed round (`offline`, `token_revoked`…).
    pub last_error_code: Option<String>,
    /// Whether the server answered the last attempt.
    pub connection: Connection,
    /// The pull cursor (opaque; for support).
    pub cursor: Option<String>,
    /// Refused changes not dismissed yet.
    pub conflicts: u64,
}

/// One sync round on `store`, recording when it was tried and, if it failed, its code (what
/// [`status`] reports). Its events go to `sink`.
pub fn round(
    store: &mut Store,
    config: &ClientConfig,
    sink: &dyn SyncEventSink,
) -> Result<SyncReport, SyncClientError> {
    store.set_setting(&settings::LAST_ATTEMPT_AT, &Utc::now().to_rfc3339())?;
    let outcome = SyncClient::from_store(store, config).and_then(|client| client.sync(store, sink));
    let code = match &outcome {
        Ok(_) => String::new(),
        Err(SyncClientError::Store(e)) => e.code().to_owned(),
        Err(e) => e.precise_code().to_owned(),
    };
    store.set_setting(&settings::LAST_ERROR, &code)?;
    outcome
}

/// The status of `store`'s sync, read from the store alone (works offline and instantly).
pub fn status(store: &Store) -> Result<SyncStatus, StoreError> {
    let session = store.sync_session()?;
    let last_error = store
        .setting(&settings::LAST_ERROR)?
        .filter(|code| !code.is_empty());
    let last_attempt = store.setting(&settings::LAST_ATTEMPT_AT)?;
    let connection = match (&last_attempt, last_error.as_deref()) {
        (None, _) => Connection::Unknown,
        (Some(_), Some(code)) if is_unreachable(code) => Connection::Offline,
        (Some(_), _) => Connection::Online,
    };
    Ok(SyncStatus {
        signed_in: session.is_some(),
        server: match &session {
            Some(s) => Some(s.server.clone()),
            None => store.setting(&settings::SESSION_SERVER)?,
        },
        account_id: session.as_ref().map(|s| s.account_id.clone()),
        doctor_id: session.as_ref().and_then(|s| s.doctor_id.clone()),
        pending: store.pending_op_count()?,
        last_sync_at: store.setting(&settings::LAST_SYNC_AT)?,
        last_attempt_at: last_attempt,
        last_error_code: last_error,
        connection,
        cursor: store.setting(&settings::CURSOR)?,
        conflicts: store.sync_conflicts()?.len() as u64,
    })
}

/// Whether a round's error code means the server was not reached (so the device is offline).
pub fn is_unreachable(code: &str) -> bool {
    matches!(code, "offline" | "server_unavailable" | "rate_limited")
}

/// A background thread that runs `round` when woken (a local change, a live event) and every `period`
/// otherwise; wake-ups that arrive during a round coalesce into one more round. It stops when the last
/// [`SyncWorker`] handle is dropped.
#[derive(Debug)]
pub struct SyncWorker {
    wake: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl SyncWorker {
    /// Starts the worker thread (named `name`), which runs `round` at once and then as described.
    pub fn start(
        name: &str,
        period: Duration,
        round: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (wake, woken) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                loop {
                    round();
                    match woken.recv_timeout(period) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {
                            while woken.try_recv().is_ok() {}
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })?;
        Ok(Self {
            wake,
            thread: Some(thread),
        })
    }

    /// Asks for a round soon (several asks coalesce).
    pub fn wake(&self) {
        let _ = self.wake.send(());
    }

    /// A sender that wakes the worker, for code that only holds a channel.
    pub fn waker(&self) -> Sender<()> {
        self.wake.clone()
    }

    /// Stops the worker after its current round and waits for it. Every [`SyncWorker::waker`] clone must
    /// be dropped first: the thread ends when no sender is left.
    pub fn stop(mut self) {
        let (closed, _) = mpsc::channel();
        self.wake = closed;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::conflict::NoEvents;

    #[test]
    fn a_round_without_session_is_recorded_as_not_logged_in() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(status(&store).unwrap().connection, Connection::Unknown);
        let err = round(&mut store, &ClientConfig::default(), &NoEvents).unwrap_err();
        assert_eq!(err.code(), "not_logged_in");
        let s = status(&store).unwrap();
        assert_eq!(s.last_error_code.as_deref(), Some("not_logged_in"));
        assert!(s.last_attempt_at.is_some());
        assert_eq!(s.connection, Connection::Online, "not a network failure");
        store
            .set_setting(&settings::LAST_ERROR, &"offline".to_owned())
            .unwrap();
        assert_eq!(status(&store).unwrap().connection, Connection::Offline);
        assert!(!s.signed_in);
    }

    #[test]
    fn the_worker_runs_at_start_when_woken_and_stops() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let worker = SyncWorker::start("test-sync", Duration::from_hours(1), move || {
            counted.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        worker.wake();
        while runs.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(runs.load(Ordering::SeqCst) >= 2);
        worker.stop();
        let after = runs.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(runs.load(Ordering::SeqCst), after, "no round after stop");
    }
}
