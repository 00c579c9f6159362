//! Live updates: `GET /v1/events`, a Server-Sent Events stream of the changes in the caller's scopes.
//!
//! Every committed change goes into one broadcast channel per instance. With SQLite (one instance) the
//! push handler publishes after commit; with PostgreSQL every write also does `NOTIFY`, and each
//! instance's listener reloads the record and publishes it, so clients connected to any instance see
//! changes pushed through any other. Each subscriber filters with `authz::project`. A client that
//! falls behind gets an `event: resync` and pulls from its cursor, as after any reconnection.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;

use crate::app::AppState;
use crate::auth::authenticate;
use crate::authz;
use crate::error::AppError;
use crate::storage::{Storage, StoredChange};

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

/// `GET /v1/events`.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    let scope = authz::scope(&caller);
    // A forwarding task per client: ends when the client goes away (send fails) or the server shuts
    // down, which ends the response so a graceful shutdown never waits on an open stream.
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(64);
    let mut changes = state.events.subscribe();
    let shutdown = state.shutting_down();
    tokio::spawn(async move {
        tokio::pin!(shutdown);
        loop {
            let event = tokio::select! {
                () = &mut shutdown => break,
                () = tx.closed() => break,
                received = changes.recv() => match received {
                    Ok(change) => {
                        let Some(visible) = authz::project(&scope, &change) else {
                            continue;
                        };
                        let Ok(data) = serde_json::to_string(&visible) else {
                            continue;
                        };
                        Event::default().event("change").data(data)
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        Event::default().event("resync").data("{}")
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            };
            if tx.send(Ok(event)).await.is_err() {
                break;
            }
        }
    });
    let stream = ReceiverStream::new(rx);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
