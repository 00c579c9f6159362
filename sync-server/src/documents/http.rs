//! The vault's endpoints (`docs/api/documents.md`): upload, list, download and remove for the doctor;
//! the documents shared with a mission for its facility.

use super::download::file_response;
use super::error::DocumentError;
use super::model::{
    DocumentKind, DocumentMeta, MAX_DOCUMENT_BYTES, MAX_NAME_CHARS, NewDocument, check_content,
    expiry_ms,
};
use crate::audit::AuditEntry;
use crate::auth::{Authed, Caller, sha256_hex};
use crate::http::error::AppError;
use crate::http::extract::no_content;
use crate::http::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use rempla_core::api::ErrorCode;
use rempla_core::api::documents::{DocumentList, MissionDocuments};
use rempla_core::domain::Right;
use serde::Deserialize;

/// The caller's doctor id, or 403 for anyone else.
pub(crate) fn doctor_of(caller: &Caller) -> Result<String, AppError> {
    caller
        .doctor_id()
        .map(str::to_owned)
        .ok_or_else(|| AppError::Forbidden("réservé aux médecins".into()))
}

/// Query of `POST /v1/me/documents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// `identity`, `insurance`, `diploma`, `licence` or `other`.
    pub kind: String,
    /// File name shown in the vault.
    pub name: String,
    /// Last valid day `YYYY-MM-DD` (required for `insurance`).
    #[serde(default)]
    pub expires_on: Option<String>,
    /// Birth date `YYYY-MM-DD` (required for `identity`).
    #[serde(default)]
    pub birth_date: Option<String>,
}

pub(crate) fn parse_day(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            ErrorCode::InvalidDate,
            format!("{field} : date AAAA-MM-JJ attendue"),
        )
    })
}

pub(crate) fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            ErrorCode::InvalidName,
            "nom de document vide ou trop long (200 caractères au plus)",
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(AppError::invalid(
            ErrorCode::InvalidName,
            "nom de document avec un caractère interdit",
        ));
    }
    Ok(name.to_owned())
}

/// `POST /v1/me/documents`: stores one document of the calling doctor.
pub async fn upload(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let doctor_id = doctor_of(&caller)?;
    let kind = DocumentKind::parse(&q.kind).ok_or_else(|| {
        AppError::invalid(
            ErrorCode::InvalidKind,
            "type inconnu : identity, insurance, diploma, licence ou other",
        )
    })?;
    let name = check_name(&q.name)?;
    let expires_on = q
        .expires_on
        .as_deref()
        .map(|d| parse_day("expires_on", d))
        .transpose()?;
    if kind == DocumentKind::Insurance && expires_on.is_none() {
        return Err(AppError::invalid(
            ErrorCode::ExpiryRequired,
            "la date de fin de validité de l'assurance est obligatoire",
        ));
    }
    let birth_date = match (kind, q.birth_date.as_deref()) {
        (DocumentKind::Identity, Some(d)) => Some(super::verification::check_birth_date(
            parse_day("birth_date", d)?,
            state.clock.now_ms(),
        )?),
        (DocumentKind::Identity, None) => {
            return Err(AppError::invalid(
                ErrorCode::BirthDateRequired,
                "la date de naissance est obligatoire avec la pièce d'identité",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                ErrorCode::UnexpectedField,
                "birth_date ne s'envoie qu'avec la pièce d'identité",
            ));
        }
        (_, None) => None,
    };
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_len.is_some_and(|n| n > MAX_DOCUMENT_BYTES) {
        return Err(DocumentError::TooLarge.into());
    }
    let bytes = axum::body::to_bytes(body, MAX_DOCUMENT_BYTES)
        .await
        .map_err(|_| DocumentError::TooLarge)?;
    let media_type = check_content(&declared, &bytes)?;
    let now = state.clock.now_ms();
    let meta = DocumentMeta {
        id: uuid::Uuid::now_v7().to_string(),
        doctor_id,
        kind,
        name,
        media_type: media_type.to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256_hex(&bytes),
        expires_on: expires_on.map(|d| d.format("%Y-%m-%d").to_string()),
        expires_ms: expires_on.and_then(expiry_ms),
        uploaded_ms: now,
    };
    let stored = state
        .storage
        .insert_document(
            NewDocument {
                meta,
                account_id: caller.account.id.clone(),
                device_id: caller.device_id.clone(),
                content: bytes.to_vec(),
                birth_date,
            },
            now,
        )
        .await??;
    Ok((StatusCode::CREATED, Json(stored.view(now))).into_response())
}

/// `GET /v1/me/documents`: the calling doctor's vault.
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<DocumentList>, AppError> {
    let doctor_id = doctor_of(&caller)?;
    let now = state.clock.now_ms();
    let docs = state.storage.documents_of(&doctor_id).await?;
    Ok(Json(DocumentList {
        documents: docs.iter().map(|d| d.view(now)).collect(),
    }))
}

/// `GET /v1/me/documents/{id}`: one of the caller's documents, checked against its checksum.
pub async fn download(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let doctor_id = doctor_of(&caller)?;
    let (meta, bytes) = state
        .storage
        .document_of(&doctor_id, &id)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(file_response(&meta, bytes))
}

/// `DELETE /v1/me/documents/{id}`: removes a document (and every share of it).
pub async fn remove(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let doctor_id = doctor_of(&caller)?;
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: "document_deleted".into(),
        entity: "document".into(),
        entity_id: id.clone(),
        doctor_id: Some(doctor_id.clone()),
        ..AuditEntry::default()
    };
    if state
        .storage
        .delete_document(&doctor_id, &id, entry)
        .await?
    {
        Ok(no_content())
    } else {
        Err(AppError::NotFound)
    }
}

/// Facilities whose shared documents the caller may read.
pub(crate) fn readable_facilities(caller: &Caller) -> Vec<String> {
    caller
        .members
        .iter()
        .filter(|m| m.member.can(Right::Read, None))
        .map(|m| m.member.facility_id.to_string())
        .collect()
}

/// `GET /v1/missions/{id}/documents`: what the doctor shared for this mission, for the mission's
/// facility (and the doctor); 404 for anyone else. Audited.
pub async fn mission_list(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<MissionDocuments>, AppError> {
    let (facility, doctor, docs) = state
        .storage
        .mission_documents(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_doctor = caller.doctor_id() == Some(doctor.as_str());
    if !is_doctor && !readable_facilities(&caller).contains(&facility) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now_ms();
    state
        .storage
        .record_audit(AuditEntry {
            at_ms: now,
            account_id: Some(caller.account.id.clone()),
            device_id: Some(caller.device_id.clone()),
            action: "shared_documents_listed".into(),
            entity: "mission".into(),
            entity_id: id.clone(),
            facility_id: Some(facility.clone()),
            doctor_id: Some(doctor.clone()),
            detail: String::new(),
        })
        .await?;
    Ok(Json(MissionDocuments {
        mission_id: id,
        facility_id: facility,
        doctor_id: doctor,
        documents: docs.iter().map(|d| d.view(now)).collect(),
    }))
}

/// `GET /v1/missions/{id}/documents/{document_id}`: one shared file, for the mission's facility only;
/// every read audited.
pub async fn mission_download(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, document_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: "document_read".into(),
        entity: "document".into(),
        entity_id: document_id.clone(),
        ..AuditEntry::default()
    };
    let (meta, bytes) = state
        .storage
        .read_shared_document(&id, &document_id, readable_facilities(&caller), entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(file_response(&meta, bytes))
}

/// The vault's own endpoints (the verification queue's are in `super::verification`).
pub fn routes() -> Router<AppState> {
    Router::new()
        // The upload reads its raw body itself with the 10 MiB limit (`to_bytes`), so the router's
        // 1 MiB limit on JSON bodies does not apply to it.
        .route("/v1/me/documents", post(upload).get(list))
        .route("/v1/me/documents/{id}", get(download).delete(remove))
        .route("/v1/missions/{id}/documents", get(mission_list))
        .route(
            "/v1/missions/{id}/documents/{document_id}",
            get(mission_download),
        )
}
