//! The notifications endpoints (`docs/api/notifications.md`): push targets, preferences, the inbox,
//! deliveries, SMS credits and the VAPID public key.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::api::notify as api;
use serde::Deserialize;
use serde_json::Value;

use super::crypto::b64url_decode;
use super::prefs::{Preferences, validate};
use super::queries::{DeliveryFilter, PushTarget};
use crate::auth::Authed;
use crate::authz::{self, Action};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::extract::no_content;
use crate::http::state::AppState;
use crate::outbound::OutboundError;

/// The routes of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/me/push-targets",
            put(put_push_target).get(list_push_targets),
        )
        .route("/v1/me/push-targets/{id}", delete(delete_push_target))
        .route(
            "/v1/me/notification-preferences",
            get(get_preferences).put(put_preferences),
        )
        .route("/v1/notifications", get(inbox))
        .route("/v1/me/deliveries", get(my_deliveries))
        .route("/v1/staff/deliveries", get(staff_deliveries))
        .route(
            "/v1/staff/deliveries/{id}/retry",
            axum::routing::post(staff_retry),
        )
        .route("/v1/facilities/{id}/sms-credits", get(sms_credits))
        .route(
            "/v1/staff/facilities/{id}/sms-credits",
            axum::routing::post(top_up),
        )
        .route("/v1/push/vapid-public-key", get(vapid_public_key))
}

fn invalid(code: ErrorCode, message: &str) -> AppError {
    AppError::invalid(code, message)
}

/// A validated push target: kind, address, p256dh, auth, topic.
type TargetParts = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Checks a push target strictly: HTTPS endpoints on public addresses only, through the outbound guard
/// (plain HTTP on loopback when the server allows it for tests), key lengths of RFC 8291, token
/// alphabets and sizes.
async fn validate_target(state: &AppState, body: api::PushTarget) -> Result<TargetParts, AppError> {
    match body {
        api::PushTarget::WebPush {
            endpoint,
            p256dh,
            auth,
        } => {
            if endpoint.len() > 2048 {
                return Err(invalid(
                    ErrorCode::InvalidEndpoint,
                    "adresse d'abonnement trop longue",
                ));
            }
            state
                .config
                .notify
                .outbound_policy()
                .check_resolved(&endpoint)
                .await
                .map_err(|e| match e {
                    OutboundError::Unreadable | OutboundError::Scheme => invalid(
                        ErrorCode::InvalidEndpoint,
                        &format!("adresse d'abonnement refusée : {e}"),
                    ),
                    OutboundError::Blocked | OutboundError::NotAllowed => invalid(
                        ErrorCode::BlockedDestination,
                        &format!("adresse d'abonnement refusée : {e}"),
                    ),
                })?;
            let key = b64url_decode(&p256dh)
                .map_err(|_| invalid(ErrorCode::InvalidKey, "p256dh n'est pas du base64url"))?;
            if key.len() != 65 || key[0] != 4 || !super::crypto::valid_p256_point(&key) {
                return Err(invalid(
                    ErrorCode::InvalidKey,
                    "p256dh doit être un point P-256 non compressé (65 octets)",
                ));
            }
            let secret = b64url_decode(&auth)
                .map_err(|_| invalid(ErrorCode::InvalidKey, "auth n'est pas du base64url"))?;
            if secret.len() != 16 {
                return Err(invalid(ErrorCode::InvalidKey, "auth doit faire 16 octets"));
            }
            Ok(("webpush".into(), endpoint, Some(p256dh), Some(auth), None))
        }
        api::PushTarget::Fcm { token } => {
            let ok = (20..=4096).contains(&token.len())
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b));
            if !ok {
                return Err(invalid(ErrorCode::InvalidToken, "jeton FCM invalide"));
            }
            Ok(("fcm".into(), token, None, None, None))
        }
        api::PushTarget::Apns { token, topic } => {
            let ok =
                (64..=200).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(invalid(
                    ErrorCode::InvalidToken,
                    "jeton APNs invalide (hexadécimal, 64 caractères au moins)",
                ));
            }
            if let Some(t) = &topic {
                let ok = !t.is_empty()
                    && t.len() <= 255
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !ok {
                    return Err(invalid(ErrorCode::InvalidTopic, "apns-topic invalide"));
                }
            }
            Ok(("apns".into(), token.to_ascii_lowercase(), None, None, topic))
        }
    }
}

/// `PUT /v1/me/push-targets`: registers this device's target of that kind (replacing its previous one).
pub async fn put_push_target(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(body): JsonBody<api::PushTarget>,
) -> Result<Json<api::RegisteredPushTarget>, AppError> {
    let (kind, address, p256dh, auth, topic) = validate_target(&state, body).await?;
    let held = state.storage.push_targets(&caller.account.id).await?;
    let replaces = held
        .iter()
        .any(|t| t.kind == kind && (t.device_id == caller.device_id || t.address == address));
    if !replaces && held.len() >= state.config.notify.max_push_targets {
        return Err(invalid(
            ErrorCode::TooManyPushTargets,
            &format!(
                "{} cibles de notification au plus par compte : supprimez celles des appareils que vous n'utilisez plus",
                state.config.notify.max_push_targets
            ),
        ));
    }
    let target = PushTarget {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: caller.account.id.clone(),
        device_id: caller.device_id.clone(),
        kind,
        address,
        p256dh,
        auth,
        topic,
        created_ms: state.clock.now_ms(),
    };
    Ok(Json(
        state.storage.put_push_target(target).await?.registered(),
    ))
}

/// `GET /v1/me/push-targets`: the caller's targets, every device.
pub async fn list_push_targets(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<api::PushTargets>, AppError> {
    let targets = state.storage.push_targets(&caller.account.id).await?;
    Ok(Json(api::PushTargets {
        targets: targets.iter().map(PushTarget::registered).collect(),
    }))
}

/// `DELETE /v1/me/push-targets/{id}`.
pub async fn delete_push_target(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if state
        .storage
        .delete_push_target(&caller.account.id, &id)
        .await?
    {
        Ok(no_content())
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /v1/me/notification-preferences`.
pub async fn get_preferences(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<Preferences>, AppError> {
    Ok(Json(
        state.storage.notification_prefs(&caller.account.id).await?,
    ))
}

/// `PUT /v1/me/notification-preferences`: replaces them all.
pub async fn put_preferences(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(prefs): JsonBody<Preferences>,
) -> Result<Json<Preferences>, AppError> {
    validate(&prefs).map_err(|(code, message)| AppError::invalid(code, message))?;
    state
        .storage
        .put_notification_prefs(&caller.account.id, prefs.clone(), state.clock.now_ms())
        .await?;
    Ok(Json(prefs))
}

/// Query of `GET /v1/notifications`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Feed position cursor: items older than this.
    pub before: Option<i64>,
    /// Page size (50 by default, 200 at most).
    pub limit: Option<u32>,
}

/// `GET /v1/notifications`: one page of the caller's inbox, newest first.
pub async fn inbox(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<InboxQuery>,
) -> Result<Json<api::InboxPage<Value>>, AppError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = state
        .storage
        .inbox(&caller.account.id, q.before, limit)
        .await?;
    let next = (items.len() == usize::try_from(limit).unwrap_or(usize::MAX))
        .then(|| {
            items
                .last()
                .and_then(|i| i.get("seq"))
                .and_then(Value::as_i64)
        })
        .flatten();
    let unread = state.storage.unread_count(&caller.account.id).await?;
    Ok(Json(api::InboxPage {
        notifications: items,
        next_before: next,
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
    }))
}

/// Query of the deliveries lists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: Option<String>,
    /// Staff only: one recipient.
    pub account_id: Option<String>,
    /// One notice.
    pub notice_id: Option<String>,
    /// Page size (100 by default, 500 at most).
    pub limit: Option<u32>,
}

fn check_state(s: Option<&String>) -> Result<(), AppError> {
    match s.map(String::as_str) {
        None | Some("pending" | "sending" | "sent" | "failed") => Ok(()),
        Some(_) => Err(invalid(
            ErrorCode::InvalidState,
            "état inconnu (pending, sending, sent, failed)",
        )),
    }
}

/// `GET /v1/me/deliveries`: the caller's deliveries (failed ones included, with their code).
pub async fn my_deliveries(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<api::Deliveries>, AppError> {
    check_state(q.state.as_ref())?;
    if q.account_id.is_some() {
        return Err(invalid(
            ErrorCode::ForbiddenFilter,
            "account_id réservé à l'équipe",
        ));
    }
    let list = state
        .storage
        .deliveries(
            DeliveryFilter {
                account_id: Some(caller.account.id),
                state: q.state,
                notice_id: q.notice_id,
            },
            q.limit.unwrap_or(100).clamp(1, 500),
        )
        .await?;
    Ok(Json(api::Deliveries { deliveries: list }))
}

/// `GET /v1/staff/deliveries`: every account's deliveries, for the back office.
pub async fn staff_deliveries(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<api::Deliveries>, AppError> {
    if !caller.is_staff() {
        return Err(AppError::Forbidden("réservé à l'équipe Rempla".into()));
    }
    check_state(q.state.as_ref())?;
    let list = state
        .storage
        .deliveries(
            DeliveryFilter {
                account_id: q.account_id,
                state: q.state,
                notice_id: q.notice_id,
            },
            q.limit.unwrap_or(100).clamp(1, 500),
        )
        .await?;
    Ok(Json(api::Deliveries { deliveries: list }))
}

/// `POST /v1/staff/deliveries/{id}/retry`: a failed delivery goes back to the queue (attempts reset).
pub async fn staff_retry(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !caller.is_staff() {
        return Err(AppError::Forbidden("réservé à l'équipe Rempla".into()));
    }
    if state
        .storage
        .retry_delivery(&id, state.clock.now_ms())
        .await?
    {
        Ok(no_content())
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /v1/facilities/{id}/sms-credits`: balance and moves, for the facility's members and staff.
pub async fn sms_credits(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<api::SmsCredits>, AppError> {
    if !authz::allowed(&caller, Action::ReadFacility(&id)) {
        return Err(AppError::NotFound);
    }
    let credits = state
        .storage
        .sms_credits(&id, state.config.notify.sms_low_credit_threshold)
        .await?;
    Ok(Json(credits))
}

/// `POST /v1/staff/facilities/{id}/sms-credits`: staff add credits.
pub async fn top_up(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<api::TopUp>,
) -> Result<Response, AppError> {
    if !caller.is_staff() {
        return Err(AppError::Forbidden("réservé à l'équipe Rempla".into()));
    }
    if !(1..=1_000_000).contains(&body.amount) {
        return Err(invalid(
            ErrorCode::InvalidAmount,
            "montant entre 1 et 1 000 000 crédits",
        ));
    }
    if state.storage.facility(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let balance = state
        .storage
        .top_up_sms_credits(&id, body.amount, &caller.account.id, state.clock.now_ms())
        .await?;
    Ok((
        StatusCode::OK,
        Json(api::ToppedUp {
            facility_id: id,
            balance,
        }),
    )
        .into_response())
}

/// `GET /v1/push/vapid-public-key`: the application server key web clients subscribe with (`null`
/// when this server has no Web Push key, so clients simply do not offer push).
pub async fn vapid_public_key(State(state): State<AppState>) -> Json<api::VapidKey> {
    Json(api::VapidKey {
        key: state.channels.webpush.as_ref().map(|c| c.public_key()),
    })
}
