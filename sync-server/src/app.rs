//! The HTTP application: shared state, the router with its layers (body limit, rate limit, tracing,
//! JSON errors for everything the framework itself refuses), and graceful serving.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rempla_core::domain::DeviceId;
use rempla_core::sync::protocol::MAX_BODY_BYTES;
use rempla_core::sync::{Hlc, HlcClock};
use tower_http::trace::TraceLayer;

use crate::auth::terms::Terms;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::events::EventHub;
use crate::mail::Mailer;
use crate::ratelimit::RateLimiter;
use crate::storage::Storage;
use crate::{api, billing, documents, events, jobs, notify, openapi, privacy, sync, workflow};

/// The rate limiters of one instance.
#[derive(Debug)]
pub struct Limits {
    /// Every request, per client address.
    pub per_ip: RateLimiter,
    /// Authenticated requests, per account.
    pub per_account: RateLimiter,
    /// Login and lost-password attempts, per client address.
    pub login_ip: RateLimiter,
    /// Login and lost-password attempts, per e-mail.
    pub login_email: RateLimiter,
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database.
    pub storage: Storage,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Wall clock (adjustable in tests).
    pub clock: Arc<Clock>,
    /// Rate limits.
    pub limits: Arc<Limits>,
    /// Live-update broadcast.
    pub events: EventHub,
    /// Terms in force.
    pub terms: Arc<Terms>,
    /// Notification channels (e-mail, push services, SMS gateway), built from the configuration.
    pub channels: Arc<notify::Channels>,
    /// The in-memory matching index of this instance.
    pub matching: Arc<crate::matching::MatchingService>,
    hlc: Arc<Mutex<HlcClock>>,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state; must run inside a tokio runtime (it starts the change listener).
    pub fn new(config: Config, storage: Storage, mailer: Arc<dyn Mailer>, terms: Terms) -> Self {
        let clock = Arc::new(Clock::default());
        let time = Arc::clone(&clock);
        // The server's own clock identity: a fresh device id per process, so two instances never tie.
        let hlc = HlcClock::with_time_source(
            DeviceId::new(),
            Box::new(move || u64::try_from(time.now_ms()).unwrap_or(0)),
        );
        let limits = Limits {
            per_ip: RateLimiter::new(config.rate_per_ip_per_minute),
            per_account: RateLimiter::new(config.rate_per_account_per_minute),
            login_ip: RateLimiter::new(config.login_per_minute.saturating_mul(3)),
            login_email: RateLimiter::new(config.login_per_minute),
        };
        let events = EventHub::start(&storage);
        let channels = Arc::new(notify::Channels::from_config(&config, Arc::clone(&mailer)));
        Self {
            config: Arc::new(config),
            storage,
            mailer,
            clock,
            limits: Arc::new(limits),
            events,
            terms: Arc::new(terms),
            channels,
            matching: Arc::new(crate::matching::MatchingService::new()),
            hlc: Arc::new(Mutex::new(hlc)),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// Tells long-lived responses (SSE streams) to end, so a graceful shutdown does not wait forever.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves when the server starts shutting down.
    pub fn shutting_down(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|down| *down).await;
        }
    }

    /// The server clock after observing the newest accepted op clock of a batch.
    pub fn next_hlc(&self, observed: Option<Hlc>) -> Hlc {
        let Ok(mut clock) = self.hlc.lock() else {
            return Hlc::new(
                u64::try_from(self.clock.now_ms()).unwrap_or(0),
                0,
                DeviceId::from_uuid(uuid::Uuid::nil()),
            );
        };
        match observed {
            Some(h) => clock.observe(&h).unwrap_or_else(|_| clock.now()),
            None => clock.now(),
        }
    }
}

/// The client address used for rate limits.
fn client_ip(state: &AppState, request: &Request) -> String {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return forwarded.trim().to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "local".to_owned(), |c| c.0.ip().to_string())
}

async fn rate_limit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let ip = client_ip(&state, &request);
    if !state.limits.per_ip.check(&ip, state.clock.now_ms()) {
        return AppError::RateLimited.into_response();
    }
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// The client address, set by the rate-limit layer for handlers with stricter limits (login).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Turns the framework's own plain-text refusals (unknown route, wrong method, body too large…) into
/// JSON errors with stable codes, so every 4xx has the same shape.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::BodyTooLarge,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
        s if s.is_client_error() => AppError::MalformedJson(format!("requête refusée ({s})")),
        s => AppError::Internal(format!("statut {s}")),
    };
    error.into_response()
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(api::health))
        .route("/v1/ready", get(api::ready))
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/v1/accounts/doctors", post(api::sign_up_doctor))
        .route("/v1/accounts/facilities", post(api::sign_up_facility))
        .route(
            "/v1/accounts/activate",
            post(api::activate).get(api::activate_link),
        )
        .route("/v1/auth/login", post(api::login))
        .route("/v1/auth/logout", post(api::logout))
        .route("/v1/auth/lost-password", post(api::lost_password))
        .route("/v1/auth/reset-password", post(api::reset_password))
        .route("/v1/terms/current", get(api::terms_current))
        .route("/v1/terms/accept", post(api::terms_accept))
        .route("/v1/me", get(api::me))
        .route("/v1/doctors/{id}", get(api::doctor))
        .route(
            "/v1/staff/doctors/{id}/status",
            post(api::set_doctor_status),
        )
        .route("/v1/facilities/{id}", get(api::facility))
        .route("/v1/facilities/{id}/sites", post(api::put_site))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/sync/pull", post(sync::pull))
        .route("/v1/events", get(events::events))
        .merge(notify::api::routes())
        .merge(workflow::routes())
        .merge(crate::matching::api::routes())
        .merge(billing::routes())
        .merge(documents::routes())
        .merge(privacy::routes())
        .merge(crate::members::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn(json_errors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the API on `listener` until SIGTERM or Ctrl-C, letting requests in flight finish and ending
/// live-event streams.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let router = router(state.clone());
    let _jobs = jobs::spawn(state.clone());
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

/// An empty 204 answer.
pub fn no_content() -> Response {
    (StatusCode::NO_CONTENT, Body::empty()).into_response()
}
