//! [`EventHub`]: the broadcast of committed changes of one instance. With SQLite (one instance) the push
//! handler publishes after commit; with PostgreSQL every write also does `NOTIFY`, and each instance's
//! listener reloads the record and publishes it, so clients connected to any instance see changes pushed
//! through any other.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc};

use crate::db::{Storage, StoredChange};

/// The broadcast of committed changes of one instance.
#[derive(Clone, Debug)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<StoredChange>>,
    local_fanout: bool,
}

impl EventHub {
    /// Creates the hub and, when the backend announces changes of other instances (PostgreSQL), starts
    /// forwarding them; then local publishing is off, since the instance hears its own NOTIFY too.
    pub fn start(storage: &Storage) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let remote = storage
            .backend()
            .listen(Box::new(move |key| {
                let _ = tx.send(key);
            }))
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "change notifications unavailable");
                false
            });
        if remote {
            let storage = storage.clone();
            let out = sender.clone();
            tokio::spawn(async move {
                while let Some(key) = rx.recv().await {
                    let Some((entity, id)) = key.split_once('/') else {
                        continue;
                    };
                    match storage.change(entity, id).await {
                        Ok(Some(change)) => {
                            let _ = out.send(Arc::new(change));
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "cannot load a notified change"),
                    }
                }
            });
        }
        Self {
            sender,
            local_fanout: !remote,
        }
    }

    /// Publishes a change committed by this instance (no-op when notifications bring it back).
    pub fn publish_local(&self, change: StoredChange) {
        if self.local_fanout {
            let _ = self.sender.send(Arc::new(change));
        }
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredChange>> {
        self.sender.subscribe()
    }
}
