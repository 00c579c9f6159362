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

/// The client address used for rate limits. Behind the operator's own reverse proxy
/// (`trust_forwarded_for`), the **last** `X-Forwarded-For` entry: the one that proxy appended; earlier
/// entries come from the client and could name anyone. An IPv6 address counts as its /64, the block one
/// subscriber gets, so rotating addresses inside it does not open new buckets.
fn client_ip(state: &AppState, request: &Request) -> String {
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
                .and_then(|v| v.parse::<std::net::IpAddr>().ok())
        })
        .flatten();
    let ip = forwarded.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    });
    match ip {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(String::new, |v4| v4.to_string()),
        Some(ip) => ip.to_string(),
        None => "local".to_owned(),
    }
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
/// JSON errors with stable codes, so every 4xx has the same shape. The server's own HTML pages (the
/// e-mail links', `super::page`) keep their refusals: a browser shows them to a person.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let chosen = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if chosen || !(status.is_client_error() || status.is_server_error()) {
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
