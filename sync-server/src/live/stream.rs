//! `GET /v1/events`: the Server-Sent Events stream of the changes in the caller's scopes. Each subscriber
//! filters the hub's broadcast with `authz::project`; a client that falls behind gets an `event: resync`
//! and pulls from its cursor, as after any reconnection.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;

use crate::auth::authenticate;
use crate::authz;
use crate::http::error::AppError;
use crate::http::state::AppState;

/// `GET /v1/events`.
pub async fn stream(
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
