//! The privacy endpoints (`docs/api/privacy.md`): see and correct one's profile, download one's data,
//! read one's audit trail, close one's account; and [`routes`].

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::domain::{ContactDetails, Doctor, DoctorStatus, Email, PhoneNumber};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::PrivacyError;
use super::export;
use super::queries::DoctorPatch;
use crate::audit::{AuditEntry, AuditFilter};
use crate::auth::{self, Authed, AuthedAnyTerms, Caller};
use crate::concurrency::GateRefusal;
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::extract::no_content;
use crate::http::state::AppState;

/// The privacy endpoints (`docs/api/privacy.md`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/me/profile", get(profile).patch(update_profile))
        .route("/v1/me/export", get(export))
        .route("/v1/me/audit", get(my_audit))
        .route("/v1/me", axum::routing::delete(close_account))
}

// ---------------------------------------------------------------- profile

pub(crate) async fn profile_value(state: &AppState, caller: &Caller) -> Result<Value, AppError> {
    let account = state
        .storage
        .account(&caller.account.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let doctor = match caller.doctor_id() {
        Some(id) => state.storage.doctor(id).await?.map(|d| d.record),
        None => None,
    };
    let memberships: Vec<Value> = caller
        .members
        .iter()
        .map(|m| {
            json!({"facility_id": m.member.facility_id, "facility_name": m.facility_name,
                   "member_id": m.member.id, "role": m.member.role, "display_name": m.member.display_name})
        })
        .collect();
    Ok(json!({
        "account": {
            "id": account.id,
            "email": account.email,
            "kind": account.kind,
            "display_name": account.display_name,
            "created_ms": account.created_ms,
        },
        "doctor": doctor,
        "memberships": memberships,
    }))
}

/// `GET /v1/me/profile`: everything the account holds about its user, as stored.
pub async fn profile(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
) -> Result<Json<Value>, AppError> {
    Ok(Json(profile_value(&state, &caller).await?))
}

/// Body of `PATCH /v1/me/profile`: only the fields sent change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Name shown in e-mails and to facilities' colleagues.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Doctor's given names (not once verified).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Doctor's family name (not once verified).
    #[serde(default)]
    pub last_name: Option<String>,
    /// Contact e-mail shown after unlock (the login e-mail does not change).
    #[serde(default)]
    pub contact_email: Option<String>,
    /// Mobile number; `""` removes it.
    #[serde(default)]
    pub phone: Option<String>,
    /// Travel radius in km (0–1 000).
    #[serde(default)]
    pub travel_radius_km: Option<u16>,
    /// Départements accepted regardless of distance.
    #[serde(default)]
    pub departments: Option<Vec<String>>,
    /// Languages spoken besides French (ISO 639-1).
    #[serde(default)]
    pub languages: Option<Vec<String>>,
}

pub(crate) fn validation(e: &rempla_core::domain::ValidationError) -> AppError {
    AppError::domain(e)
}

/// Applies a patch to a doctor record with the core validators; returns the changed field names.
pub(crate) fn patch_doctor(
    doctor: &mut Doctor,
    p: &ProfilePatch,
) -> Result<Vec<&'static str>, AppError> {
    let mut changed = Vec::new();
    if p.first_name.is_some() || p.last_name.is_some() {
        if doctor.status == DoctorStatus::Verified {
            return Err(PrivacyError::NameLocked.into());
        }
        if let Some(v) = &p.first_name {
            v.trim().clone_into(&mut doctor.first_name);
            changed.push("first_name");
        }
        if let Some(v) = &p.last_name {
            v.trim().clone_into(&mut doctor.last_name);
            changed.push("last_name");
        }
    }
    if p.contact_email.is_some() || p.phone.is_some() {
        let current = doctor.contact.clone();
        let email = match &p.contact_email {
            Some(e) => Email::parse(e.trim()).map_err(|e| validation(&e))?,
            None => match &current {
                Some(c) => c.email.clone(),
                None => {
                    return Err(AppError::invalid(
                        ErrorCode::Empty,
                        "contact_email requis pour un premier contact",
                    ));
                }
            },
        };
        let phone = match p.phone.as_deref().map(str::trim) {
            Some("") => None,
            Some(ph) => Some(PhoneNumber::parse(ph).map_err(|e| validation(&e))?),
            None => current.and_then(|c| c.phone),
        };
        doctor.contact = Some(ContactDetails { email, phone });
        changed.push("contact");
    }
    if let Some(r) = p.travel_radius_km {
        doctor.travel_radius_km = r;
        changed.push("travel_radius_km");
    }
    if let Some(d) = &p.departments {
        if d.len() > 101 {
            return Err(AppError::invalid(
                ErrorCode::TooLong,
                "101 départements au plus",
            ));
        }
        doctor.departments = d
            .iter()
            .map(|code| {
                rempla_core::calendar::Department::parse(code)
                    .map(|dep| dep.to_string())
                    .map_err(|e| AppError::domain(&e))
            })
            .collect::<Result<_, _>>()?;
        changed.push("departments");
    }
    if let Some(l) = &p.languages {
        if l.len() > 20
            || l.iter()
                .any(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(AppError::invalid(
                ErrorCode::InvalidLanguage,
                "langues : codes ISO 639-1 en minuscules (20 au plus)",
            ));
        }
        doctor.languages.clone_from(l);
        changed.push("languages");
    }
    doctor.validate().map_err(|e| validation(&e))?;
    Ok(changed)
}

/// `PATCH /v1/me/profile`: corrects the caller's data (validated with the core validators, audited
/// with the names of the changed fields, never their values).
pub async fn update_profile(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(patch): JsonBody<ProfilePatch>,
) -> Result<Json<Value>, AppError> {
    let display_name = patch
        .display_name
        .as_deref()
        .map(|n| {
            let n = n.trim();
            if n.is_empty() || n.chars().count() > 100 {
                Err(AppError::invalid(
                    ErrorCode::InvalidName,
                    "nom affiché vide ou trop long (100 caractères au plus)",
                ))
            } else {
                Ok(n.to_owned())
            }
        })
        .transpose()?;
    let doctor_patch = if let Some(id) = caller.doctor_id() {
        let patch = patch.clone();
        let apply: DoctorPatch = Box::new(move |doctor| patch_doctor(doctor, &patch));
        Some((id.to_owned(), apply))
    } else {
        if patch.first_name.is_some()
            || patch.last_name.is_some()
            || patch.contact_email.is_some()
            || patch.phone.is_some()
            || patch.travel_radius_km.is_some()
            || patch.departments.is_some()
            || patch.languages.is_some()
        {
            return Err(AppError::invalid(
                ErrorCode::NotADoctor,
                "ces champs n'existent que pour un médecin",
            ));
        }
        None
    };
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: "profile_updated".into(),
        entity: "account".into(),
        entity_id: caller.account.id.clone(),
        doctor_id: caller.doctor_id().map(str::to_owned),
        ..AuditEntry::default()
    };
    state
        .storage
        .update_profile(caller.account.id.clone(), display_name, doctor_patch, entry)
        .await??;
    Ok(Json(profile_value(&state, &caller).await?))
}

// ---------------------------------------------------------------- audit

/// `GET /v1/me/audit`: who read or changed the caller's data (newest first, at most 500 entries), each
/// entry naming the facility it concerns (`facility_name`) so « Qui a lu mes données » shows names.
pub async fn my_audit(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
) -> Result<Json<Value>, AppError> {
    let mut entries = state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("account".into(), caller.account.id.clone())),
                ..AuditFilter::default()
            },
            500,
        )
        .await?;
    if let Some(d) = caller.doctor_id() {
        entries.extend(
            state
                .storage
                .audit_trail(
                    AuditFilter {
                        doctor_id: Some(d.to_owned()),
                        ..AuditFilter::default()
                    },
                    500,
                )
                .await?,
        );
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.at_ms));
    entries.dedup();
    entries.truncate(500);
    let ids: std::collections::BTreeSet<String> = entries
        .iter()
        .filter_map(|e| e.facility_id.clone())
        .collect();
    let mut names = std::collections::BTreeMap::new();
    for id in ids {
        let name = state
            .storage
            .facility(&id)
            .await?
            .and_then(|f| f.get("name").and_then(Value::as_str).map(str::to_owned));
        names.insert(id, name);
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let name = e
                .facility_id
                .as_ref()
                .and_then(|id| names.get(id).cloned().flatten());
            let mut v = serde_json::to_value(&e).unwrap_or(Value::Null);
            if let (Some(name), Some(map)) = (name, v.as_object_mut()) {
                map.insert("facility_name".into(), Value::String(name));
            }
            v
        })
        .collect();
    Ok(Json(json!({"entries": entries})))
}

/// `GET /v1/me/export`: one ZIP with `data.json` (every record about the caller), `calendar.ics`
/// (their availabilities) and `documents/` (their files), streamed as it is written (see
/// [`super::export`]). One export at a time per account (`409 export_in_progress`), and
/// `max_concurrent_exports` on the instance (a request waits up to `export_wait_secs` for a place,
/// then `503`).
/// Audited before the first byte leaves.
pub async fn export(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
) -> Result<Response, AppError> {
    let pass = match state.gates.exports.enter(&caller.account.id).await {
        Ok(pass) => pass,
        Err(GateRefusal::KeyBusy) => {
            return Err(AppError::WrongState(
                ErrorCode::ExportInProgress,
                "un export de vos données est déjà en cours de téléchargement".into(),
            ));
        }
        Err(GateRefusal::Saturated) => {
            return Err(AppError::Unavailable(
                ErrorCode::Unavailable,
                "trop d'exports en cours : réessayez dans une minute".into(),
            ));
        }
    };
    let now = state.clock.now_ms();
    let data = state
        .storage
        .export_data(
            caller.account.id.clone(),
            caller.doctor_id().map(str::to_owned),
            now,
        )
        .await?;
    let profile = profile_value(&state, &caller).await?;
    let head = export::head(profile, &data, now).map_err(AppError::Internal)?;
    let vault_bytes: i64 = data.files.iter().map(|f| f.size).sum();
    state
        .storage
        .record_audit(AuditEntry {
            at_ms: now,
            account_id: Some(caller.account.id.clone()),
            device_id: Some(caller.device_id.clone()),
            action: "data_exported".into(),
            entity: "account".into(),
            entity_id: caller.account.id.clone(),
            doctor_id: caller.doctor_id().map(str::to_owned),
            detail: json!({"documents": data.files.len(), "document_bytes": vault_bytes})
                .to_string(),
            ..AuditEntry::default()
        })
        .await?;
    let (tx, rx) = tokio::sync::mpsc::channel(export::CHANNEL_CHUNKS);
    let storage = state.storage.clone();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let sent = export::write_zip(&head, &data, &storage, &handle, tx, pass);
        tracing::debug!(sent, "export streamed");
    });
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rempla-mes-donnees.zip\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)),
    )
        .into_response())
}

pub use rempla_core::api::accounts::CloseAccount;

/// `DELETE /v1/me`: closes the caller's account after a password re-check. Every token is revoked,
/// personal data is erased at once, identifiers are kept one year (then purged by
/// [`purge_expired`]).
pub async fn close_account(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
    JsonBody(body): JsonBody<CloseAccount>,
) -> Result<Response, AppError> {
    let Some(hash) = caller.account.password_hash.clone() else {
        return Err(PrivacyError::WrongPassword.into());
    };
    if body.password.len() > auth::MAX_PASSWORD_BYTES
        || !auth::verify_password(&state, hash, body.password).await?
    {
        return Err(PrivacyError::WrongPassword.into());
    }
    let now = state.clock.now_ms();
    let hlc = state.next_hlc(None);
    let changes = state
        .storage
        .close_account(
            caller.account.id.clone(),
            caller.device_id.clone(),
            caller.doctor_id().map(str::to_owned),
            hlc,
            now,
        )
        .await??;
    for change in changes {
        state.events.publish_local(change);
    }
    Ok(no_content())
}
