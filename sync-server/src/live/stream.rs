//! `GET /v1/events`: the Server-Sent Events stream of the changes in the caller's scopes. Each subscriber
//! filters the hub's broadcast with `authz::project`; a client that falls behind gets an `event: resync`
//! and pulls from its cursor, as after any reconnection. The stream re-checks its token every
//! `live_recheck_ms` and ends with an `event: end` (`{"code": "token_revoked"}`…) once the token or the
//! scope it opened is gone; an account holds at most `max_streams_per_account` streams.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use rempla_core::api::ErrorCode;
use rempla_core::domain::DoctorStatus;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;

use crate::auth::authenticate;
use crate::authz;
use crate::concurrency::GateRefusal;
use crate::db::Scope;
use crate::http::error::AppError;
use crate::http::state::AppState;

/// `GET /v1/events`.
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    let pass = match state.gates.streams.enter(&caller.account.id).await {
        Ok(pass) => pass,
        Err(GateRefusal::KeyBusy) => {
            return Err(AppError::Refused {
                code: ErrorCode::RateLimited,
                status: StatusCode::TOO_MANY_REQUESTS,
                message: format!(
                    "{} connexions temps réel au plus par compte : fermez l'application sur un autre appareil",
                    state.config.max_streams_per_account
                ),
            });
        }
        Err(GateRefusal::Saturated) => {
            return Err(AppError::Unavailable(
                ErrorCode::Unavailable,
                "trop de connexions temps réel : l'application se mettra à jour à la prochaine synchronisation".into(),
            ));
        }
    };
    let scope = authz::scope(&caller);
    let status = caller.doctor_status;
    let recheck = std::time::Duration::from_millis(state.config.live_recheck_ms.max(50));
    // A forwarding task per client: ends when the client goes away (send fails) or the server shuts
    // down, which ends the response so a graceful shutdown never waits on an open stream.
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(64);
    let mut changes = state.events.subscribe();
    let shutdown = state.shutting_down();
    let checker = state.clone();
    tokio::spawn(async move {
        let _pass = pass;
        tokio::pin!(shutdown);
        let mut ticks = tokio::time::interval(recheck);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            let event = tokio::select! {
                () = &mut shutdown => break,
                () = tx.closed() => break,
                _ = ticks.tick() => match still_allowed(&checker, &headers, &scope, status).await {
                    Ok(()) => continue,
                    Err(code) => {
                        let _ = tx
                            .send(Ok(Event::default().event("end").data(format!("{{\"code\":\"{code}\"}}"))))
                            .await;
                        break;
                    }
                },
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

/// Whether the stream's token still opens the same scope: a token revoked (logout, password reset,
/// closure) or expired ends the stream, and so does a changed scope or doctor status (a member
/// removed, a doctor suspended): the client reconnects and gets what it may see now, or a 401. A passing failure
/// (database busy, rate limit) keeps the stream.
async fn still_allowed(
    state: &AppState,
    headers: &HeaderMap,
    scope: &Scope,
    status: Option<DoctorStatus>,
) -> Result<(), ErrorCode> {
    match authenticate(state, headers, true).await {
        Ok(caller) if authz::scope(&caller) == *scope && caller.doctor_status == status => Ok(()),
        Ok(_) => Err(ErrorCode::Forbidden),
        Err(AppError::RateLimited | AppError::Storage(_)) => Ok(()),
        Err(e) => Err(e.code()),
    }
}
