//! The sync endpoints: `POST /v1/sync/push` and `POST /v1/sync/pull`, with the decoding of their bodies
//! and cursors (fuzzed: `sync-server/fuzz`).

use rempla_core::api::ErrorCode;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rempla_core::domain::DeviceId;
use rempla_core::sync::protocol::{
    DEFAULT_PULL_LIMIT, MAX_BODY_BYTES, MAX_PULL_LIMIT, MAX_PUSH_OPS, PROTOCOL_VERSION,
    PullRequest, PullResponse, PushRequest, PushResponse, check_protocol,
};
use serde_json::Value;

use super::rules;
use crate::auth::authenticate;
use crate::authz;
use crate::http::error::AppError;
use crate::http::state::AppState;

/// Decodes and validates a push body: size, JSON shape, protocol version (checked before the shape,
/// so a newer client gets `unsupported_protocol` rather than `malformed_json`), batch size, and the
/// device matching the token's device. Pure: no I/O, never panics.
pub fn decode_push(body: &[u8], token_device: &str) -> Result<PushRequest, AppError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::BodyTooLarge);
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    check_version(&value)?;
    let request: PushRequest =
        serde_json::from_value(value).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    if request.ops.len() > MAX_PUSH_OPS {
        return Err(AppError::BatchTooLarge(request.ops.len()));
    }
    if request.device_id.to_string() != token_device {
        return Err(AppError::Forbidden(
            "device_id ne correspond pas à l'appareil du jeton".into(),
        ));
    }
    Ok(request)
}

/// Decodes and validates a pull body, returning the cursor position and page size.
pub fn decode_pull(body: &[u8]) -> Result<(i64, u32), AppError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::BodyTooLarge);
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    check_version(&value)?;
    let request: PullRequest =
        serde_json::from_value(value).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    let after = match &request.cursor {
        None => 0,
        Some(c) => decode_cursor(c)?,
    };
    let limit = request
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    Ok((after, limit))
}

fn check_version(value: &Value) -> Result<(), AppError> {
    match value.get("protocol").map(Value::as_u64) {
        Some(Some(v)) => {
            let v = u16::try_from(v).unwrap_or(u16::MAX);
            check_protocol(v).map_err(|e| AppError::UnsupportedProtocol(e.to_string()))
        }
        Some(None) => Err(AppError::MalformedJson(
            "protocol doit être un entier".into(),
        )),
        None => Err(AppError::MalformedJson("champ protocol manquant".into())),
    }
}

/// Opaque cursor for a feed position.
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

/// Reads a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Result<i64, AppError> {
    let bad = || AppError::invalid(ErrorCode::InvalidCursor, "curseur illisible");
    if cursor.len() > 64 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let seq: i64 = text
        .strip_prefix("v1:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)?;
    if seq < 0 {
        return Err(bad());
    }
    Ok(seq)
}

/// `POST /v1/sync/push`.
pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PushResponse>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    let request = decode_push(&body, &caller.device_id)?;
    let device: DeviceId = caller
        .device_id
        .parse()
        .map_err(|_| AppError::Internal("device id".into()))?;
    let ctx = Arc::new(rules::PushContext {
        account_id: caller.account.id.clone(),
        device_id: caller.device_id.clone(),
        device,
        doctor_id: caller.doctor_id().map(str::to_owned),
        members: caller.member_records(),
        now_ms: state.clock.now_ms(),
        max_drift_ms: state.config.max_drift_ms,
    });
    let limit = u64::try_from(ctx.now_ms)
        .unwrap_or(0)
        .saturating_add(ctx.max_drift_ms);
    let newest = request
        .ops
        .iter()
        .map(|op| op.hlc)
        .filter(|h| h.physical_ms() <= limit)
        .max();
    let applied = state.storage.apply_ops(ctx, request.ops).await?;
    let mut results = Vec::with_capacity(applied.len());
    for (result, change) in applied {
        if let Some(change) = change {
            state.events.publish_local(change);
        }
        results.push(result);
    }
    let server_hlc = state.next_hlc(newest);
    Ok(Json(PushResponse {
        protocol: PROTOCOL_VERSION,
        results,
        server_hlc,
    }))
}

/// `POST /v1/sync/pull`.
pub async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PullResponse>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    let (after, limit) = decode_pull(&body)?;
    let scope = authz::scope(&caller);
    let (rows, has_more) = state.storage.pull(scope.clone(), after, limit).await?;
    let last = rows.last().map_or(after, |r| r.seq);
    let changes = rows
        .iter()
        .filter_map(|r| authz::project(&scope, r))
        .collect();
    Ok(Json(PullResponse {
        protocol: PROTOCOL_VERSION,
        changes,
        cursor: encode_cursor(last),
        has_more,
    }))
}

/// The sync endpoints, merged into the router by `crate::areas`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", post(pull))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
        assert_eq!(
            decode_cursor("nope").unwrap_err().code(),
            ErrorCode::Validation
        );
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode("v1:-3"))
                .unwrap_err()
                .code(),
            ErrorCode::Validation
        );
    }

    #[test]
    fn push_decoding_checks_version_shape_batch_and_device() {
        let device = DeviceId::new().to_string();
        let ok = format!(r#"{{"protocol":1,"device_id":"{device}","ops":[]}}"#);
        assert!(decode_push(ok.as_bytes(), &device).is_ok());
        let code = |b: &str| decode_push(b.as_bytes(), &device).unwrap_err().code();
        assert_eq!(code(&ok[..ok.len() - 3]), ErrorCode::MalformedJson);
        assert_eq!(
            code(r#"{"protocol":99,"whatever":true}"#),
            ErrorCode::UnsupportedProtocol
        );
        assert_eq!(code(r#"{"protocol":"1"}"#), ErrorCode::MalformedJson);
        assert_eq!(code("[]"), ErrorCode::MalformedJson);
        let other = format!(
            r#"{{"protocol":1,"device_id":"{}","ops":[]}}"#,
            DeviceId::new()
        );
        assert_eq!(code(&other), ErrorCode::Forbidden);
        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            decode_push(&huge, &device).unwrap_err().code(),
            ErrorCode::BodyTooLarge
        );
    }

    #[test]
    fn every_truncation_of_a_valid_push_is_refused_with_a_code() {
        let device = DeviceId::new();
        let op = rempla_core::sync::OutboxOp {
            op_id: rempla_core::domain::OpId::new(),
            entity: rempla_core::sync::EntityKind::Availability,
            entity_id: uuid::Uuid::now_v7(),
            kind: rempla_core::sync::OpKind::Upsert,
            fields: serde_json::json!({"note": "é😀"})
                .as_object()
                .cloned()
                .unwrap(),
            hlc: rempla_core::sync::Hlc::new(1, 0, device),
        };
        let body = serde_json::to_vec(&PushRequest {
            protocol: 1,
            device_id: device,
            ops: vec![op],
        })
        .unwrap();
        let device = device.to_string();
        assert_eq!(decode_push(&body, &device).unwrap().ops.len(), 1);
        for cut in 0..body.len() {
            let err = decode_push(&body[..cut], &device).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MalformedJson, "cut at {cut}");
        }
    }

    #[test]
    fn pull_decoding_clamps_the_page() {
        assert_eq!(
            decode_pull(br#"{"protocol":1}"#).unwrap(),
            (0, DEFAULT_PULL_LIMIT)
        );
        assert_eq!(
            decode_pull(br#"{"protocol":1,"limit":100000}"#).unwrap().1,
            MAX_PULL_LIMIT
        );
        assert_eq!(
            decode_pull(br#"{"protocol":1,"cursor":"zz"}"#)
                .unwrap_err()
                .code(),
            ErrorCode::Validation
        );
    }
}
