//! Doctor verification: the identity claimed with the identity document (one account per person), the
//! staff queue of pending doctors, and the staff decision (approve needs an identity document; reject
//! needs a reason), each decision audited and told to the doctor through the notice queue.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use rempla_core::api::ErrorCode;
use rempla_core::api::staff::{DecidedDoctor, PendingDoctor, VerificationQueue};
use rempla_core::domain::DoctorStatus;
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use super::download::file_response;
use super::error::DocumentError;
use super::model::DocumentMeta;
use super::model::{META_SELECT, meta_from};
use crate::audit::{self, AuditEntry};
use crate::auth::Authed;
use crate::db::{StorageError, Tx, int, json as json_col, text};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::notify::{self, Notice};
use crate::staff::staff_only;

/// Normalises a name for identity comparison: accents removed (NFD without combining marks),
/// lowercase, letters and digits only, words separated by one space (so « Jean-Pierre » and
/// « jean pierre » are the same person).
pub fn normalise_name(name: &str) -> String {
    let plain: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The identity key of a person: normalised last name, first names and birth date.
pub fn identity_key(last_name: &str, first_names: &str, birth: NaiveDate) -> String {
    format!(
        "{}|{}|{}",
        normalise_name(last_name),
        normalise_name(first_names),
        birth.format("%Y-%m-%d")
    )
}

/// A plausible birth date for a practising doctor: in 1900 or later and at least 18 years ago.
pub fn check_birth_date(birth: NaiveDate, now_ms: i64) -> Result<NaiveDate, AppError> {
    let today =
        chrono::DateTime::from_timestamp_millis(now_ms).map_or(NaiveDate::MIN, |t| t.date_naive());
    if birth.year() < 1900 || birth.year() > today.year() - 18 {
        return Err(AppError::invalid(
            ErrorCode::InvalidBirthDate,
            "date de naissance invraisemblable",
        ));
    }
    Ok(birth)
}

fn doctor_row(tx: &mut dyn Tx, doctor_id: &str) -> Result<Option<(String, Value)>, StorageError> {
    let rows = tx.query(
        "SELECT account_id, record FROM doctors WHERE id = $1",
        &[doctor_id.into()],
    )?;
    rows.first()
        .map(|r| Ok((text(r, 0)?, json_col(r, 1)?)))
        .transpose()
}

fn set_status_tx(
    tx: &mut dyn Tx,
    doctor_id: &str,
    mut record: Value,
    status: DoctorStatus,
) -> Result<Value, StorageError> {
    record["status"] = status.as_str().into();
    tx.execute(
        "UPDATE doctors SET status = $1, record = $2 WHERE id = $3",
        &[
            status.as_str().into(),
            crate::db::to_json(&record)?.into(),
            doctor_id.into(),
        ],
    )?;
    // The matching index of every instance reloads this profile at its next query.
    crate::matching::queries::doctor_changed_tx(tx, doctor_id)?;
    Ok(record)
}

/// Claims the identity of an identity document for its doctor, inside the upload's transaction:
/// refused (`duplicate_identity`, nothing written) when another open account holds the same identity
/// key or the same identity file; a rejected doctor goes back to `pending` (a new document is the way
/// back into the queue).
pub fn claim_identity_tx(
    tx: &mut dyn Tx,
    meta: &DocumentMeta,
    birth: NaiveDate,
    now_ms: i64,
) -> Result<Result<(), DocumentError>, StorageError> {
    let Some((_, record)) = doctor_row(tx, &meta.doctor_id)? else {
        return Err(StorageError::Corrupt("doctor of a document".into()));
    };
    let field = |name: &str| record.get(name).and_then(Value::as_str).unwrap_or_default();
    let key = identity_key(field("last_name"), field("first_name"), birth);
    if field("status") == DoctorStatus::Verified.as_str() {
        let current = tx.query(
            "SELECT identity_key FROM doctor_identities WHERE doctor_id = $1",
            &[(&meta.doctor_id).into()],
        )?;
        if current
            .first()
            .map(|r| text(r, 0))
            .transpose()?
            .is_some_and(|k| k != key)
        {
            return Ok(Err(DocumentError::IdentityLocked));
        }
    }
    let same_person = tx.query(
        "SELECT 1 FROM doctor_identities WHERE doctor_id <> $1 AND closed_ms IS NULL \
         AND (identity_key = $2 OR document_sha256 = $3)",
        &[
            (&meta.doctor_id).into(),
            (&key).into(),
            (&meta.sha256).into(),
        ],
    )?;
    // The same file held by another doctor counts unless that doctor's claim was released (rejected
    // or closed): a refused sign-up must not keep the real person out.
    let same_file = tx.query(
        "SELECT 1 FROM documents d WHERE d.kind = 'identity' AND d.sha256 = $1 AND d.doctor_id <> $2 \
         AND NOT EXISTS (SELECT 1 FROM doctor_identities i WHERE i.doctor_id = d.doctor_id \
         AND i.closed_ms IS NOT NULL)",
        &[(&meta.sha256).into(), (&meta.doctor_id).into()],
    )?;
    if !same_person.is_empty() || !same_file.is_empty() {
        return Ok(Err(DocumentError::DuplicateIdentity));
    }
    // A rejected doctor coming back takes their RPPS back, unless a real doctor has it now.
    let claimed_rpps = field("rpps");
    let held = tx.query(
        "SELECT rpps FROM doctors WHERE id = $1",
        &[(&meta.doctor_id).into()],
    )?;
    if held
        .first()
        .map(|r| text(r, 0))
        .transpose()?
        .is_some_and(|r| r != claimed_rpps)
    {
        let taken = tx.query(
            "SELECT 1 FROM doctors WHERE rpps = $1 AND id <> $2",
            &[claimed_rpps.into(), (&meta.doctor_id).into()],
        )?;
        if !taken.is_empty() {
            return Ok(Err(DocumentError::DuplicateIdentity));
        }
        tx.execute(
            "UPDATE doctors SET rpps = $1 WHERE id = $2",
            &[claimed_rpps.into(), (&meta.doctor_id).into()],
        )?;
    }
    tx.execute(
        "INSERT INTO doctor_identities (doctor_id, identity_key, birth_date, document_id, \
         document_sha256, updated_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (doctor_id) DO UPDATE \
         SET identity_key = excluded.identity_key, birth_date = excluded.birth_date, \
         document_id = excluded.document_id, document_sha256 = excluded.document_sha256, \
         updated_ms = excluded.updated_ms, closed_ms = NULL",
        &[
            (&meta.doctor_id).into(),
            key.into(),
            birth.format("%Y-%m-%d").to_string().into(),
            (&meta.id).into(),
            (&meta.sha256).into(),
            now_ms.into(),
        ],
    )?;
    if field("status") == DoctorStatus::Rejected.as_str() {
        set_status_tx(tx, &meta.doctor_id, record.clone(), DoctorStatus::Pending)?;
    }
    Ok(Ok(()))
}

/// The doctor's current identity document, if one is on file.
fn identity_document_tx(
    tx: &mut dyn Tx,
    doctor_id: &str,
) -> Result<Option<(DocumentMeta, String)>, StorageError> {
    let rows = tx.query(
        &format!(
            "SELECT {META_SELECT}, i.birth_date FROM doctor_identities i JOIN documents \
             ON documents.id = i.document_id WHERE i.doctor_id = $1"
        ),
        &[doctor_id.into()],
    )?;
    rows.first()
        .map(|r| Ok((meta_from(r)?, text(r, 10)?)))
        .transpose()
}

/// The decision and its body are the wire types, one definition for the server and the clients.
pub use rempla_core::api::staff::{Decision, VerificationDecision as DecisionBody};

impl crate::db::Storage {
    /// Pending doctors, oldest registration first, with their identity document metadata (`null` until
    /// uploaded).
    pub async fn verification_queue(&self, limit: u32) -> Result<Vec<PendingDoctor>, StorageError> {
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT d.id, d.record, a.created_ms, a.email FROM doctors d JOIN accounts a \
                 ON a.id = d.account_id WHERE d.status = 'pending' ORDER BY a.created_ms, d.id LIMIT $1",
                &[i64::from(limit).into()],
            )?;
            let mut out = Vec::new();
            for r in &rows {
                let id = text(r, 0)?;
                let record: Value = json_col(r, 1)?;
                let identity = identity_document_tx(tx, &id)?;
                let field = |name: &str| record.get(name).and_then(Value::as_str).map(str::to_owned);
                out.push(PendingDoctor {
                    doctor_id: id
                        .parse()
                        .map_err(|_| StorageError::Corrupt(format!("doctor id {id}")))?,
                    rpps: field("rpps"),
                    first_name: field("first_name"),
                    last_name: field("last_name"),
                    email: Some(text(r, 3)?),
                    registered_ms: Some(int(r, 2)?),
                    birth_date: identity.as_ref().map(|(_, b)| b.clone()),
                    identity_document: identity.map(|(m, _)| m),
                });
            }
            Ok(out)
        })
        .await
    }

    /// Applies a staff decision in one transaction: status, decision row, audit entry, notice to the
    /// doctor. `None` when the doctor does not exist; the inner error means nothing was written.
    pub async fn decide_verification(
        &self,
        doctor_id: &str,
        decision: Decision,
        reason: Option<String>,
        staff: (String, String),
        now_ms: i64,
    ) -> Result<Option<Result<DecidedDoctor, DocumentError>>, StorageError> {
        let doctor_id = doctor_id.to_owned();
        self.write(move |tx| {
            let Some((account_id, record)) = doctor_row(tx, &doctor_id)? else {
                return Ok(None);
            };
            if record.get("status").and_then(Value::as_str) != Some(DoctorStatus::Pending.as_str())
            {
                return Ok(Some(Err(DocumentError::NotPending)));
            }
            let status = match decision {
                Decision::Approve => {
                    if identity_document_tx(tx, &doctor_id)?.is_none() {
                        return Ok(Some(Err(DocumentError::IdentityMissing)));
                    }
                    DoctorStatus::Verified
                }
                Decision::Reject => {
                    // A refused registration keeps nobody out: its identity key and its RPPS are
                    // released (the record keeps what was claimed, for the audit), so the real person
                    // can register; the rejected account reclaims them with a new document if still
                    // free (`claim_identity_tx`).
                    tx.execute(
                        "UPDATE doctor_identities SET closed_ms = $1 WHERE doctor_id = $2",
                        &[now_ms.into(), (&doctor_id).into()],
                    )?;
                    tx.execute(
                        "UPDATE doctors SET rpps = $1 WHERE id = $2",
                        &[format!("released:{doctor_id}").into(), (&doctor_id).into()],
                    )?;
                    DoctorStatus::Rejected
                }
            };
            let record = set_status_tx(tx, &doctor_id, record, status)?;
            let decision_id = uuid::Uuid::now_v7().to_string();
            let verb = if decision == Decision::Approve {
                "approve"
            } else {
                "reject"
            };
            tx.execute(
                "INSERT INTO verification_decisions (id, doctor_id, decision, reason, \
                 staff_account_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    (&decision_id).into(),
                    (&doctor_id).into(),
                    verb.into(),
                    reason.clone().into(),
                    (&staff.0).into(),
                    now_ms.into(),
                ],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id: Some(staff.0.clone()),
                    device_id: Some(staff.1.clone()),
                    action: format!("doctor_{}", status.as_str()),
                    entity: "doctor".into(),
                    entity_id: doctor_id.clone(),
                    doctor_id: Some(doctor_id.clone()),
                    detail: json!({"decision": verb, "reason": reason}).to_string(),
                    ..AuditEntry::default()
                },
            )?;
            let (kind, title, body) = match decision {
                Decision::Approve => (
                    "doctor_verified",
                    "Votre compte est vérifié".to_owned(),
                    "Votre identité et votre numéro RPPS ont été vérifiés : vous pouvez recevoir \
                     des propositions de remplacement."
                        .to_owned(),
                ),
                Decision::Reject => (
                    "doctor_rejected",
                    "Vérification refusée".to_owned(),
                    format!(
                        "Votre inscription n'a pas pu être validée : {}. Déposez une nouvelle pièce \
                         d'identité pour une nouvelle vérification.",
                        reason.as_deref().unwrap_or_default()
                    ),
                ),
            };
            notify::enqueue_tx(
                tx,
                &Notice {
                    account_id,
                    kind: kind.into(),
                    title,
                    body,
                    payload: json!({"doctor_id": doctor_id}),
                    dedupe_key: format!("verification:{decision_id}"),
                    not_before_ms: now_ms,
                    urgent: false,
                },
                now_ms,
            )?;
            let decided = serde_json::from_value(record)
                .map_err(|e| StorageError::Corrupt(format!("doctor record: {e}")))?;
            Ok(Some(Ok(decided)))
        })
        .await
    }

    /// Whether the doctor has an identity document on file (what approval requires).
    pub async fn has_identity_document(&self, doctor_id: &str) -> Result<bool, StorageError> {
        let d = doctor_id.to_owned();
        self.read(move |tx| Ok(identity_document_tx(tx, &d)?.is_some()))
            .await
    }

    /// A doctor's identity document with its checked content, for staff; the read audited with it.
    pub async fn identity_document_for_staff(
        &self,
        doctor_id: &str,
        entry: AuditEntry,
    ) -> Result<Option<Result<(DocumentMeta, Vec<u8>), DocumentError>>, StorageError> {
        let d = doctor_id.to_owned();
        self.write(move |tx| {
            let Some((meta, _)) = identity_document_tx(tx, &d)? else {
                return Ok(None);
            };
            let stored = super::contents::content_tx(tx, &meta.id)?;
            if stored.is_empty() {
                return Ok(None);
            }
            let content = super::model::decode_checked(&meta, &stored);
            audit::record_tx(
                tx,
                &AuditEntry {
                    entity_id: meta.id.clone(),
                    doctor_id: Some(d.clone()),
                    ..entry
                },
            )?;
            Ok(Some(content.map(|c| (meta, c))))
        })
        .await
    }
}

/// The verification endpoints (staff only).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/staff/verifications", get(queue))
        .route("/v1/staff/verifications/{id}", post(decide))
        .route("/v1/staff/verifications/{id}/document", get(identity_file))
}

/// `GET /v1/staff/verifications`: the queue of pending doctors, oldest first (at most 500).
pub async fn queue(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<VerificationQueue>, AppError> {
    staff_only(&caller)?;
    let pending = state.storage.verification_queue(500).await?;
    Ok(Json(VerificationQueue { pending }))
}

/// `POST /v1/staff/verifications/{id}`: approve or reject a pending doctor.
pub async fn decide(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> Result<Json<DecidedDoctor>, AppError> {
    staff_only(&caller)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if body.decision == Decision::Reject && reason.is_none() {
        return Err(DocumentError::ReasonRequired.into());
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 1_000) {
        return Err(AppError::invalid(
            ErrorCode::TooLong,
            "motif trop long (1 000 caractères au plus)",
        ));
    }
    let record = state
        .storage
        .decide_verification(
            &id,
            body.decision,
            reason,
            (caller.account.id.clone(), caller.device_id.clone()),
            state.clock.now_ms(),
        )
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(Json(record))
}

/// `GET /v1/staff/verifications/{id}/document`: the identity document staff check, audited.
pub async fn identity_file(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<axum::response::Response, AppError> {
    staff_only(&caller)?;
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: "identity_document_read".into(),
        entity: "document".into(),
        ..AuditEntry::default()
    };
    let (meta, bytes) = state
        .storage
        .identity_document_for_staff(&id, entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(file_response(&meta, bytes))
}
