//! The feed endpoints (`docs/calendar-sync.md`): an account manages its feeds (`/v1/me/feeds`), and
//! calendar programs fetch one by its secret address (`GET /feeds/{id}/{secret}.ics`), with
//! conditional requests answered `304`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use rempla_core::api::ErrorCode;
use rempla_core::api::feeds::{FeedList, FeedView, NewFeed};
use rempla_core::domain::Right;

use super::queries::{FeedRow, FeedScope};
use super::render::{render, window};
use crate::accounts::queries::AccountKind;
use crate::audit::AuditEntry;
use crate::auth::{Authed, Caller};
use crate::http::error::AppError;
use crate::http::extract::{JsonBody, no_content};
use crate::http::state::AppState;
use crate::server_key::ServerKey;

/// What the server key signs for a feed address.
const PURPOSE: &str = "calendar-feed";

/// The feed endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/me/feeds", get(list).post(create))
        .route("/v1/me/feeds/{id}/rotate", post(rotate))
        .route("/v1/me/feeds/{id}", delete(revoke))
        .route("/feeds/{id}/{secret}", get(fetch))
}

fn key(state: &AppState) -> Result<&ServerKey, AppError> {
    state.server_key.as_deref().ok_or_else(|| {
        AppError::Unavailable(
            ErrorCode::Unavailable,
            "abonnements d'agenda indisponibles sur ce serveur (clé du serveur absente)".into(),
        )
    })
}

fn secret(key: &ServerKey, feed: &FeedRow) -> String {
    key.sign(PURPOSE, &format!("{}:{}", feed.id, feed.generation))
}

/// The name calendar programs show.
async fn name_of(state: &AppState, feed: &FeedRow) -> Result<String, AppError> {
    Ok(match &feed.scope {
        FeedScope::Doctor { .. } => "Rempla – mes missions".to_owned(),
        FeedScope::Facility {
            facility_id,
            site_id,
        } => {
            let facility = state
                .storage
                .facility(facility_id)
                .await?
                .and_then(|f| f.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                .unwrap_or_default();
            let site = match site_id {
                Some(s) => state
                    .storage
                    .sites(facility_id)
                    .await?
                    .into_iter()
                    .find(|v| v.get("id").and_then(|i| i.as_str()) == Some(s.as_str()))
                    .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned)),
                None => None,
            };
            match site {
                Some(site) => format!("Rempla – {facility} – {site}"),
                None => format!("Rempla – {facility}"),
            }
        }
    })
}

async fn view(state: &AppState, feed: &FeedRow) -> Result<FeedView, AppError> {
    let base = state.config.public_url.trim_end_matches('/');
    let url = format!("{base}/feeds/{}/{}.ics", feed.id, secret(key(state)?, feed));
    let webcal_url = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    let (scope, facility_id, site_id, include_availabilities) = match &feed.scope {
        FeedScope::Doctor {
            include_availabilities,
            ..
        } => ("doctor", None, None, *include_availabilities),
        FeedScope::Facility {
            facility_id,
            site_id,
        } => (
            "facility",
            facility_id.parse().ok(),
            site_id.as_deref().and_then(|s| s.parse().ok()),
            false,
        ),
    };
    Ok(FeedView {
        id: feed.id.clone(),
        scope: scope.into(),
        facility_id,
        site_id,
        include_availabilities,
        name: name_of(state, feed).await?,
        url,
        webcal_url,
        created_ms: feed.created_ms,
        rotated_ms: feed.rotated_ms,
        last_read_ms: feed.last_read_ms,
    })
}

fn entry(state: &AppState, caller: &Caller, feed: &FeedRow, action: &str) -> AuditEntry {
    let (doctor_id, facility_id) = match &feed.scope {
        FeedScope::Doctor { doctor_id, .. } => (Some(doctor_id.clone()), None),
        FeedScope::Facility { facility_id, .. } => (None, Some(facility_id.clone())),
    };
    AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: action.to_owned(),
        entity: "calendar_feed".into(),
        entity_id: feed.id.clone(),
        doctor_id,
        facility_id,
        ..AuditEntry::default()
    }
}

/// Whether `caller` may have a feed of `scope` (the same rule is checked again at every fetch).
fn may_read(caller: &Caller, scope: &FeedScope) -> bool {
    match scope {
        FeedScope::Doctor { doctor_id, .. } => caller.doctor_id() == Some(doctor_id.as_str()),
        FeedScope::Facility {
            facility_id,
            site_id,
        } => caller
            .member_of(facility_id)
            .is_some_and(|m| m.can(Right::Read, site_id.as_deref().and_then(|s| s.parse().ok()))),
    }
}

/// `GET /v1/me/feeds`: the caller's feeds, with their secret addresses.
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<FeedList>, AppError> {
    key(&state)?;
    let mut feeds = Vec::new();
    for feed in state.storage.feeds_of(&caller.account.id).await? {
        feeds.push(view(&state, &feed).await?);
    }
    Ok(Json(FeedList { feeds }))
}

/// `POST /v1/me/feeds`: a new feed (201). A doctor makes their own; a facility member with the read
/// right makes the facility's, or one site's.
pub async fn create(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(body): JsonBody<NewFeed>,
) -> Result<Response, AppError> {
    key(&state)?;
    let scope = match (caller.account.kind, body.facility_id) {
        (AccountKind::Doctor, None) => FeedScope::Doctor {
            doctor_id: caller.doctor_id().unwrap_or_default().to_owned(),
            include_availabilities: body.include_availabilities,
        },
        (AccountKind::Doctor, Some(_)) => {
            return Err(AppError::invalid(
                ErrorCode::UnexpectedField,
                "un médecin publie son propre agenda : pas d'établissement à indiquer",
            ));
        }
        (_, Some(facility)) => {
            if body.include_availabilities {
                return Err(AppError::invalid(
                    ErrorCode::UnexpectedField,
                    "les disponibilités sont celles d'un médecin, pas d'un établissement",
                ));
            }
            let facility_id = facility.to_string();
            if let Some(site) = body.site_id {
                let sites = state.storage.sites(&facility_id).await?;
                if !sites.iter().any(|s| {
                    s.get("id").and_then(|i| i.as_str()) == Some(site.to_string().as_str())
                }) {
                    return Err(AppError::NotFound);
                }
            }
            FeedScope::Facility {
                facility_id,
                site_id: body.site_id.map(|s| s.to_string()),
            }
        }
        (_, None) => {
            return Err(AppError::invalid(
                ErrorCode::Empty,
                "indiquez l'établissement dont publier l'agenda",
            ));
        }
    };
    if !may_read(&caller, &scope) {
        return Err(AppError::NotFound);
    }
    let feed = FeedRow {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: caller.account.id.clone(),
        scope,
        generation: 0,
        created_ms: state.clock.now_ms(),
        rotated_ms: None,
        last_read_ms: None,
    };
    let made = state
        .storage
        .create_feed(
            feed.clone(),
            entry(&state, &caller, &feed, "calendar_feed_created"),
        )
        .await?;
    if !made {
        return Err(AppError::WrongState(
            ErrorCode::TooManyFeeds,
            format!(
                "{} abonnements d'agenda au plus : supprimez-en un d'abord",
                super::queries::MAX_FEEDS_PER_ACCOUNT
            ),
        ));
    }
    Ok((StatusCode::CREATED, Json(view(&state, &feed).await?)).into_response())
}

async fn own_feed(state: &AppState, caller: &Caller, id: &str) -> Result<FeedRow, AppError> {
    state
        .storage
        .feed(id)
        .await?
        .filter(|f| f.account_id == caller.account.id)
        .ok_or(AppError::NotFound)
}

/// `POST /v1/me/feeds/{id}/rotate`: a new secret address; the old one stops at once.
pub async fn rotate(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<FeedView>, AppError> {
    key(&state)?;
    let feed = own_feed(&state, &caller, &id).await?;
    let rotated = state
        .storage
        .rotate_feed(
            caller.account.id.clone(),
            id,
            state.clock.now_ms(),
            entry(&state, &caller, &feed, "calendar_feed_rotated"),
        )
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(view(&state, &rotated).await?))
}

/// `DELETE /v1/me/feeds/{id}`: the feed stops for good.
pub async fn revoke(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let feed = own_feed(&state, &caller, &id).await?;
    state
        .storage
        .revoke_feed(
            caller.account.id.clone(),
            id,
            state.clock.now_ms(),
            entry(&state, &caller, &feed, "calendar_feed_revoked"),
        )
        .await?;
    Ok(no_content())
}

/// Whether the feed's owner may still read what it publishes (a removed member's or a closed
/// account's feed stops).
async fn still_allowed(state: &AppState, feed: &FeedRow) -> Result<bool, AppError> {
    if state.storage.account_closed(&feed.account_id).await? {
        return Ok(false);
    }
    Ok(match &feed.scope {
        FeedScope::Doctor { doctor_id, .. } => state
            .storage
            .account(&feed.account_id)
            .await?
            .is_some_and(|a| a.doctor_id.as_deref() == Some(doctor_id.as_str())),
        FeedScope::Facility {
            facility_id,
            site_id,
        } => state
            .storage
            .memberships(&feed.account_id)
            .await?
            .iter()
            .any(|m| {
                m.member.facility_id.to_string() == *facility_id
                    && m.member
                        .can(Right::Read, site_id.as_deref().and_then(|s| s.parse().ok()))
            }),
    })
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "introuvable\n").into_response()
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether the client's copy is current: `If-None-Match` decides when sent (RFC 9110 §13.2.2), else
/// `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, etag: &str, last_modified: DateTime<Utc>) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*");
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| last_modified <= since.with_timezone(&Utc))
}

/// `GET /feeds/{id}/{secret}.ics`: the feed, for whoever holds its address. Anything wrong — unknown
/// feed, bad or rotated secret, revoked feed, owner no longer allowed — is the same plain 404.
pub async fn fetch(
    State(state): State<AppState>,
    Path((id, secret_part)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let key = key(&state)?;
    let given = secret_part.strip_suffix(".ics").unwrap_or(&secret_part);
    if id.len() > 64 || given.len() > 64 {
        return Ok(not_found());
    }
    let Some(feed) = state.storage.feed(&id).await? else {
        return Ok(not_found());
    };
    if !key.verify(PURPOSE, &format!("{}:{}", feed.id, feed.generation), given) {
        return Ok(not_found());
    }
    if !state
        .limits
        .feed_reads
        .check(&feed.id, state.clock.now_ms())
    {
        return Err(AppError::RateLimited);
    }
    if !still_allowed(&state, &feed).await? {
        return Ok(not_found());
    }
    let now = state.clock.now_ms();
    let content = state
        .storage
        .feed_content(feed.scope.clone(), window(now))
        .await?;
    let name = name_of(&state, &feed).await?;
    let rendered = render(&content, &feed.scope, &name, now);
    let mut response = if not_modified(&headers, &rendered.etag, rendered.last_modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (doctor_id, facility_id) = match &feed.scope {
            FeedScope::Doctor { doctor_id, .. } => (Some(doctor_id.clone()), None),
            FeedScope::Facility { facility_id, .. } => (None, Some(facility_id.clone())),
        };
        state
            .storage
            .feed_read(
                feed.id.clone(),
                AuditEntry {
                    at_ms: now,
                    account_id: Some(feed.account_id.clone()),
                    action: "calendar_feed_read".into(),
                    entity: "calendar_feed".into(),
                    entity_id: feed.id.clone(),
                    doctor_id,
                    facility_id,
                    detail: format!(
                        "{} mission(s), {} demande(s) ouverte(s), {} disponibilité(s)",
                        content.missions.len(),
                        content.requests.len(),
                        content.availabilities.len()
                    ),
                    ..AuditEntry::default()
                },
            )
            .await?;
        let mut r = rendered.body.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        r.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline; filename=\"rempla.ics\""),
        );
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rendered.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(rendered.last_modified)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_requests_follow_rfc_9110() {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, "\"a\"", t));
        h.insert(header::IF_MODIFIED_SINCE, http_date(t).parse().unwrap());
        assert!(not_modified(&h, "\"a\"", t));
        // An ETag sent decides, whatever the date says.
        h.insert(header::IF_NONE_MATCH, "\"b\", W/\"c\"".parse().unwrap());
        assert!(!not_modified(&h, "\"a\"", t));
        assert!(not_modified(&h, "\"c\"", t));
        h.insert(header::IF_NONE_MATCH, "*".parse().unwrap());
        assert!(not_modified(&h, "\"z\"", t));
        assert_eq!(http_date(t), "Fri, 15 Jan 2027 08:00:00 GMT");
    }
}
