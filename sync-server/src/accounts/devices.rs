//! The account's own sessions and password, signed in (`docs/sync-protocol.md`, "Accounts"): the
//! devices signed in (`GET /v1/me/devices`), ending one of them (`DELETE /v1/me/devices/{device_id}`),
//! and changing the password with the current one (`POST /v1/me/password`), which ends every other
//! session. Each change is audited.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::api::accounts::{ChangePassword, DeviceList, DeviceView, PasswordChanged};

use super::throttle;
use crate::audit::{self, AuditEntry};
use crate::auth::{self, Authed, Caller, check_password_policy};
use crate::db::{Storage, StorageError, int, text};
use crate::http::error::AppError;
use crate::http::extract::{JsonBody, no_content};
use crate::http::state::AppState;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/me/devices", get(list))
        .route("/v1/me/devices/{device_id}", delete(sign_out_device))
        .route("/v1/me/password", post(change_password))
}

impl Storage {
    /// The account's live sessions (not revoked, not lapsed), newest first, one per device.
    pub async fn devices(
        &self,
        account_id: &str,
        now_ms: i64,
    ) -> Result<Vec<(String, String, String, i64, i64)>, StorageError> {
        let id = account_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT device_id, device_name, platform, created_ms, expires_ms FROM tokens \
                 WHERE account_id = $1 AND revoked_ms IS NULL AND expires_ms > $2 \
                 ORDER BY created_ms DESC",
                &[id.into(), now_ms.into()],
            )?;
            let mut out: Vec<(String, String, String, i64, i64)> = Vec::new();
            for r in &rows {
                let device = text(r, 0)?;
                if out.iter().any(|d| d.0 == device) {
                    continue;
                }
                out.push((device, text(r, 1)?, text(r, 2)?, int(r, 3)?, int(r, 4)?));
            }
            Ok(out)
        })
        .await
    }

    /// Ends every session of `device_id` for the account; how many were live.
    pub async fn revoke_device(
        &self,
        account_id: String,
        device_id: String,
        entry: AuditEntry,
    ) -> Result<u64, StorageError> {
        self.write(move |tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND device_id = $3 \
                 AND revoked_ms IS NULL",
                &[
                    entry.at_ms.into(),
                    (&account_id).into(),
                    (&device_id).into(),
                ],
            )?;
            if n > 0 {
                audit::record_tx(tx, &entry)?;
            }
            Ok(n)
        })
        .await
    }

    /// Sets a new password and ends every session but `keep_token_hash`'s, in one transaction with its
    /// audit entry; how many sessions ended.
    pub async fn change_password(
        &self,
        account_id: String,
        password_hash: String,
        keep_token_hash: String,
        entry: AuditEntry,
    ) -> Result<u64, StorageError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE accounts SET password_hash = $1 WHERE id = $2",
                &[password_hash.into(), (&account_id).into()],
            )?;
            let n = tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND hash <> $3 \
                 AND revoked_ms IS NULL",
                &[
                    entry.at_ms.into(),
                    (&account_id).into(),
                    keep_token_hash.into(),
                ],
            )?;
            audit::record_tx(tx, &entry)?;
            Ok(n)
        })
        .await
    }
}

fn entry(state: &AppState, caller: &Caller, action: &str, entity_id: &str) -> AuditEntry {
    AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: action.to_owned(),
        entity: "account".into(),
        entity_id: entity_id.to_owned(),
        doctor_id: caller.account.doctor_id.clone(),
        ..AuditEntry::default()
    }
}

/// `GET /v1/me/devices`: the devices signed in to the caller's account.
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<DeviceList>, AppError> {
    let devices = state
        .storage
        .devices(&caller.account.id, state.clock.now_ms())
        .await?
        .into_iter()
        .map(
            |(device_id, device_name, platform, signed_in_ms, expires_ms)| DeviceView {
                this_device: device_id == caller.device_id,
                device_id,
                device_name,
                platform,
                signed_in_ms,
                expires_ms,
            },
        )
        .collect();
    Ok(Json(DeviceList { devices }))
}

/// `DELETE /v1/me/devices/{device_id}`: signs that device out (its live events end with its token).
pub async fn sign_out_device(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(device_id): Path<String>,
) -> Result<Response, AppError> {
    if device_id.len() > 100 {
        return Err(AppError::NotFound);
    }
    let n = state
        .storage
        .revoke_device(
            caller.account.id.clone(),
            device_id.clone(),
            entry(&state, &caller, "device_signed_out", &device_id),
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(no_content())
}

/// `POST /v1/me/password`: a new password, given the current one; every other session ends. A wrong
/// current password counts as a failed login for the account's address (the same throttle).
pub async fn change_password(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(body): JsonBody<ChangePassword>,
) -> Result<Json<PasswordChanged>, AppError> {
    check_password_policy(&body.new_password)?;
    let email = caller.account.email.clone();
    let ip = format!("account:{}", caller.account.id);
    throttle::may_try_login(&state, &email, &ip)?;
    let Some(current) = caller.account.password_hash.clone() else {
        return Err(AppError::Forbidden(
            "ce compte n'a pas de mot de passe".into(),
        ));
    };
    if !auth::verify_password(&state, current, body.current_password).await? {
        throttle::login_failed(&state, &email, &ip);
        return Err(AppError::Refused {
            code: ErrorCode::WrongPassword,
            status: axum::http::StatusCode::FORBIDDEN,
            message: "mot de passe actuel incorrect".into(),
        });
    }
    let hash = auth::hash_password(&state, body.new_password).await?;
    let ended = state
        .storage
        .change_password(
            caller.account.id.clone(),
            hash,
            caller.token_hash.clone(),
            entry(&state, &caller, "password_changed", &caller.account.id),
        )
        .await?;
    Ok(Json(PasswordChanged {
        sessions_ended: u32::try_from(ended).unwrap_or(u32::MAX),
    }))
}
