//! The composition root: the router with its layers (body limit, rate limit, tracing, JSON errors for
//! everything the framework itself refuses) over the routes of every area listed in `crate::areas`, and
//! graceful serving with the periodic jobs.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use rempla_core::sync::protocol::MAX_BODY_BYTES;
use tower_http::trace::TraceLayer;

use crate::areas;
use crate::http::extract::{json_errors, rate_limit};
use crate::http::headers::{request_span, security_headers};
use crate::http::state::AppState;
use crate::jobs;

/// The whole API.
pub fn router(state: AppState) -> Router {
    areas::routes()
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// Serves the API on `listener` (HTTPS when `[tls]` is configured) until SIGTERM or Ctrl-C, letting
/// requests in flight finish and ending live-event streams.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let router = router(state.clone());
    let _jobs = jobs::spawn(state.clone(), areas::JOBS);
    if let Some(tls) = &state.config.tls {
        let acceptor = crate::tls::acceptor(tls).map_err(std::io::Error::other)?;
        let shutdown = {
            let state = state.clone();
            async move {
                shutdown_signal().await;
                state.begin_shutdown();
            }
        };
        return crate::tls::serve(listener, acceptor, router, shutdown).await;
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        state.begin_shutdown();
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
