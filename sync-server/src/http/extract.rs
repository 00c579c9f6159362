//! The extractors and layers every area's handlers share: [`JsonBody`] (every rejection is an
//! [`AppError`]), the client address and the per-address rate limit, JSON bodies for the framework's own
//! refusals, and the empty 204 answer.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::AppError;
use super::state::AppState;

/// A JSON body whose every rejection (syntax, truncation, types, size) is an [`AppError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
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

/// The per-address rate limit of every request; records the address for handlers with stricter limits.
pub async fn rate_limit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
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
pub async fn json_errors(request: Request, next: Next) -> Response {
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

/// An empty 204 answer.
pub fn no_content() -> Response {
    (StatusCode::NO_CONTENT, Body::empty()).into_response()
}
