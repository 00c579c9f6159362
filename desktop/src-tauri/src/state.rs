//! What the app holds while it runs: two connections to the one local store (the UI's, and the sync
//! worker's, so a slow network round never blocks a screen), the online flag behind the offline banner,
//! and the channel that wakes the sync worker.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, MutexGuard};

use rempla_store::Store;
use serde::Serialize;

use crate::error::DesktopError;

/// The app's shared state (managed by Tauri).
pub struct AppState {
    ui_store: Mutex<Store>,
    sync_store: Mutex<Store>,
    online: AtomicBool,
    wake_sync: Mutex<Option<Sender<()>>>,
    announcer: Mutex<crate::announce::Announcer>,
    path: PathBuf,
}

/// What the offline banner and the status bar show.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    /// Whether the last contact with the server succeeded.
    pub online: bool,
    /// Local changes not yet accepted by the server.
    pub pending: u64,
    /// Time of the last successful sync round (RFC 3339), if any.
    pub last_sync_at: Option<String>,
    /// Changes refused by the server, kept until seen.
    pub conflicts: usize,
}

impl AppState {
    /// Opens (or creates) the store file at `path` twice: one connection per side.
    pub fn open(path: &Path) -> Result<Self, DesktopError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                DesktopError::new(
                    "io",
                    format!(
                        "Impossible de créer le dossier des données ({}) : {e}",
                        dir.display()
                    ),
                )
            })?;
        }
        Ok(Self {
            ui_store: Mutex::new(Store::open(path)?),
            sync_store: Mutex::new(Store::open(path)?),
            online: AtomicBool::new(true),
            wake_sync: Mutex::new(None),
            announcer: Mutex::new(crate::announce::Announcer::default()),
            path: path.to_owned(),
        })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The UI's connection.
    pub fn ui(&self) -> Result<MutexGuard<'_, Store>, DesktopError> {
        self.ui_store.lock().map_err(|_| {
            DesktopError::new("internal", "Erreur interne : redémarrez l'application.")
        })
    }

    /// The sync worker's connection.
    pub fn sync_side(&self) -> Result<MutexGuard<'_, Store>, DesktopError> {
        self.sync_store.lock().map_err(|_| {
            DesktopError::new("internal", "Erreur interne : redémarrez l'application.")
        })
    }

    /// Records whether the server answered; returns whether that changed.
    pub fn set_online(&self, online: bool) -> bool {
        self.online.swap(online, Ordering::SeqCst) != online
    }

    /// Whether the server answered last time.
    pub fn online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// Which server notifications were already announced (see `announce`).
    pub fn announcer(&self) -> Result<MutexGuard<'_, crate::announce::Announcer>, DesktopError> {
        self.announcer.lock().map_err(|_| {
            DesktopError::new("internal", "Erreur interne : redémarrez l'application.")
        })
    }

    /// Installs the sync worker's wake-up channel.
    pub fn set_waker(&self, tx: Sender<()>) {
        if let Ok(mut w) = self.wake_sync.lock() {
            *w = Some(tx);
        }
    }

    /// Asks the sync worker for a round soon (several asks coalesce).
    pub fn wake_sync(&self) {
        if let Ok(w) = self.wake_sync.lock()
            && let Some(tx) = w.as_ref()
        {
            let _ = tx.send(());
        }
    }

    /// The status shown by the banner.
    pub fn status(&self) -> Result<SyncStatusView, DesktopError> {
        let store = self.ui()?;
        Ok(SyncStatusView {
            online: self.online(),
            pending: store.pending_op_count()?,
            last_sync_at: store.setting(&rempla_store::settings::LAST_SYNC_AT)?,
            conflicts: store.sync_conflicts()?.len(),
        })
    }
}
