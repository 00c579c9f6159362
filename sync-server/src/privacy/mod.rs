//! "Mon profil" and the data-protection duties (RGPD): see and correct one's data, download all of it
//! in one ZIP, close one's account, see who read or changed one's data; and the jobs that purge what
//! must not be kept (closed accounts' identifiers after one year, booking data after the configured
//! 90/120/240 days).
//!
//! Account closure erases personal data at once (names, phone, password, documents, calendar, pending
//! notices, memberships) and keeps only identifiers (account id, e-mail, RPPS, identity key) for one
//! year, so abuse can still be traced; [`purge_expired`] removes those afterwards.

use rempla_core::api::ErrorCode;
use std::io::Write as _;

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rempla_core::calendar::Interval;
use rempla_core::domain::{
    Availability, ContactDetails, Doctor, DoctorStatus, Email, MemberRole, Mission, MissionStatus,
    PhoneNumber,
};
use rempla_core::ical::{CalendarExport, MissionEvent, export_calendar};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use zip::write::SimpleFileOptions;

use crate::audit::{self, AuditEntry, AuditFilter};
use crate::auth::{self, Authed, AuthedAnyTerms, Caller};
use crate::db::{Storage, StorageError, Tx, feed, int, json as json_col, opt_text, text};
use crate::documents::{self, verification};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::extract::no_content;
use crate::http::state::AppState;

/// The closure table (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS account_closures (account_id TEXT PRIMARY KEY, doctor_id TEXT, \
     closed_ms BIGINT NOT NULL, purge_after_ms BIGINT NOT NULL, purged_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS account_closures_due ON account_closures (purged_ms, purge_after_ms)",
];

/// How long a closed account's identifiers are kept, in ms (one year).
pub const CLOSED_RETENTION_MS: i64 = 365 * 86_400_000;

/// Refusals of the privacy endpoints, each with a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrivacyError {
    /// The password re-check before closure failed.
    #[error("mot de passe incorrect")]
    WrongPassword,
    /// Closing would leave a facility without an administrator.
    #[error(
        "vous êtes le dernier administrateur d'un établissement : nommez-en un autre avant de fermer votre compte"
    )]
    LastAdmin,
    /// A doctor with confirmed or ongoing missions must cancel them first (the facility is told and the
    /// lateness recorded by the workflow), so a closure never silently leaves a shift uncovered.
    #[error("des missions confirmées sont à venir : annulez-les avant de fermer votre compte")]
    MissionsAhead,
    /// A verified doctor's names were checked against the identity document.
    #[error("nom vérifié sur pièce d'identité : contactez l'équipe Rempla pour le corriger")]
    NameLocked,
}

impl PrivacyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::WrongPassword => ErrorCode::WrongPassword,
            Self::LastAdmin => ErrorCode::LastAdmin,
            Self::NameLocked => ErrorCode::NameLocked,
            Self::MissionsAhead => ErrorCode::MissionsAhead,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::LastAdmin | Self::NameLocked | Self::MissionsAhead => StatusCode::CONFLICT,
        }
    }
}

impl crate::http::error::Refuse for PrivacyError {
    fn code(&self) -> ErrorCode {
        PrivacyError::code(self)
    }
    fn status(&self) -> StatusCode {
        PrivacyError::status(self)
    }
}

/// The privacy endpoints (`docs/api/privacy.md`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/me/profile", get(profile).patch(update_profile))
        .route("/v1/me/export", get(export))
        .route("/v1/me/audit", get(my_audit))
        .route("/v1/me", axum::routing::delete(close_account))
}

// ---------------------------------------------------------------- profile

async fn profile_value(state: &AppState, caller: &Caller) -> Result<Value, AppError> {
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
#[derive(Debug, Default, Deserialize)]
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

fn validation(e: &rempla_core::domain::ValidationError) -> AppError {
    AppError::domain(e)
}

/// Applies a patch to a doctor record with the core validators; returns the changed field names.
fn patch_doctor(doctor: &mut Doctor, p: &ProfilePatch) -> Result<Vec<&'static str>, AppError> {
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
    let mut changed: Vec<&'static str> = Vec::new();
    let doctor = if let Some(id) = caller.doctor_id() {
        let row = state.storage.doctor(id).await?.ok_or(AppError::NotFound)?;
        let mut doctor: Doctor =
            serde_json::from_value(row.record).map_err(|e| AppError::Internal(e.to_string()))?;
        changed.extend(patch_doctor(&mut doctor, &patch)?);
        Some(doctor)
    } else {
        {
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
        }
    };
    if display_name.is_some() {
        changed.push("display_name");
    }
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: "profile_updated".into(),
        entity: "account".into(),
        entity_id: caller.account.id.clone(),
        doctor_id: caller.doctor_id().map(str::to_owned),
        detail: json!({"fields": changed}).to_string(),
        ..AuditEntry::default()
    };
    state
        .storage
        .update_profile(caller.account.id.clone(), display_name, doctor, entry)
        .await??;
    Ok(Json(profile_value(&state, &caller).await?))
}

// ---------------------------------------------------------------- audit

/// `GET /v1/me/audit`: who read or changed the caller's data (newest first, at most 500 entries).
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
    Ok(Json(json!({"entries": entries})))
}

// ---------------------------------------------------------------- export

/// Everything exported for one account, read in one transaction.
struct ExportData {
    json: Value,
    availabilities: Vec<Availability>,
    missions: Vec<MissionEvent>,
    files: Vec<(String, Vec<u8>)>,
}

/// `GET /v1/me/export`: one ZIP with `data.json` (every record about the caller), `calendar.ics`
/// (their availabilities) and `documents/` (their files). Audited.
pub async fn export(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
) -> Result<Response, AppError> {
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
    let zip = tokio::task::spawn_blocking(move || build_zip(profile, data, now))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
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
            detail: json!({"bytes": zip.len()}).to_string(),
            ..AuditEntry::default()
        })
        .await?;
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
        Body::from(zip),
    )
        .into_response())
}

fn build_zip(profile: Value, data: ExportData, now_ms: i64) -> Result<Vec<u8>, AppError> {
    let zip_err = |e: zip::result::ZipError| AppError::Internal(e.to_string());
    let io_err = |e: std::io::Error| AppError::Internal(e.to_string());
    let mut json = data.json;
    json["profile"] = profile;
    json["exported_ms"] = now_ms.into();
    let dtstamp = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let horizon = Interval::new(
        dtstamp - chrono::Duration::days(400),
        dtstamp + chrono::Duration::days(800),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let ics = export_calendar(&CalendarExport {
        availabilities: &data.availabilities,
        missions: &data.missions,
        dtstamp,
        horizon,
    });
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("data.json", deflate).map_err(zip_err)?;
    zip.write_all(
        serde_json::to_string_pretty(&json)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .as_bytes(),
    )
    .map_err(io_err)?;
    zip.start_file("calendar.ics", deflate).map_err(zip_err)?;
    zip.write_all(ics.as_bytes()).map_err(io_err)?;
    zip.add_directory("documents/", deflate).map_err(zip_err)?;
    for (name, bytes) in &data.files {
        // PDF, JPEG and PNG are compressed already.
        zip.start_file(format!("documents/{name}"), stored)
            .map_err(zip_err)?;
        zip.write_all(bytes).map_err(io_err)?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}

/// A mission as one calendar event, from its first shift's start to its last shift's end (its UID
/// derives from the mission id, so a re-export updates the event).
fn mission_event(m: &Mission) -> Option<MissionEvent> {
    let start = m.shifts.iter().map(|s| s.interval.start()).min()?;
    let end = m.shifts.iter().map(|s| s.interval.end()).max()?;
    Some(MissionEvent {
        id: m.id,
        interval: Interval::new(start, end).ok()?,
        zone: m.zone,
        summary: m.title.clone(),
        location: m.location.clone(),
        revision: m.revision,
        cancelled: m.status == MissionStatus::Cancelled,
    })
}

/// A safe file name inside the ZIP: `<id>-<name>` with only portable characters.
fn zip_name(id: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id}-{clean}")
}

fn rows_json(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[crate::db::Val],
    columns: &[&str],
) -> Result<Vec<Value>, StorageError> {
    tx.query(sql, params)?
        .iter()
        .map(|r| {
            let mut o = Map::new();
            for (i, c) in columns.iter().enumerate() {
                let v = match r.get(i) {
                    Some(crate::db::Val::Int(n)) => json!(n),
                    Some(crate::db::Val::Text(s)) => serde_json::from_str::<Value>(s)
                        .ok()
                        .filter(|v| v.is_object() || v.is_array())
                        .unwrap_or_else(|| json!(s)),
                    _ => Value::Null,
                };
                o.insert((*c).to_owned(), v);
            }
            Ok(Value::Object(o))
        })
        .collect()
}

impl Storage {
    /// Stores a profile correction: display name, doctor record (and, for a doctor whose identity is
    /// on file, the identity key recomputed from the new names; refused as `duplicate_identity` when
    /// it is another account's), with its audit entry, in one transaction.
    pub async fn update_profile(
        &self,
        account_id: String,
        display_name: Option<String>,
        doctor: Option<Doctor>,
        entry: AuditEntry,
    ) -> Result<Result<(), AppError>, StorageError> {
        self.write(move |tx| {
            if let Some(d) = &doctor {
                let id = d.id.to_string();
                let rows = tx.query(
                    "SELECT birth_date FROM doctor_identities WHERE doctor_id = $1",
                    &[(&id).into()],
                )?;
                if let Some(r) = rows.first() {
                    let birth = chrono::NaiveDate::parse_from_str(&text(r, 0)?, "%Y-%m-%d")
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                    let key = verification::identity_key(&d.last_name, &d.first_name, birth);
                    let taken = tx.query(
                        "SELECT 1 FROM doctor_identities WHERE identity_key = $1 AND doctor_id <> $2 \
                         AND closed_ms IS NULL",
                        &[(&key).into(), (&id).into()],
                    )?;
                    if !taken.is_empty() {
                        return Ok(Err(documents::DocumentError::DuplicateIdentity.into()));
                    }
                    tx.execute(
                        "UPDATE doctor_identities SET identity_key = $1 WHERE doctor_id = $2",
                        &[key.into(), (&id).into()],
                    )?;
                }
                tx.execute(
                    "UPDATE doctors SET record = $1 WHERE id = $2",
                    &[crate::db::to_json(d)?.into(), (&id).into()],
                )?;
                crate::matching::queries::doctor_changed_tx(tx, &id)?;
            }
            if let Some(n) = &display_name {
                tx.execute(
                    "UPDATE accounts SET display_name = $1 WHERE id = $2",
                    &[n.into(), (&account_id).into()],
                )?;
            }
            audit::record_tx(tx, &entry)?;
            Ok(Ok(()))
        })
        .await
    }

    async fn export_data(
        &self,
        account_id: String,
        doctor_id: Option<String>,
        now_ms: i64,
    ) -> Result<ExportData, StorageError> {
        self.read(move |tx| {
            let a = || vec![crate::db::Val::from(&account_id)];
            let mut out = Map::new();
            out.insert(
                "account".into(),
                rows_json(
                    tx,
                    "SELECT id, email, kind, doctor_id, display_name, activated, created_ms \
                     FROM accounts WHERE id = $1",
                    &a(),
                    &[
                        "id",
                        "email",
                        "kind",
                        "doctor_id",
                        "display_name",
                        "activated",
                        "created_ms",
                    ],
                )?
                .into_iter()
                .next()
                .unwrap_or(Value::Null),
            );
            out.insert(
                "memberships".into(),
                rows_json(
                    tx,
                    "SELECT id, facility_id, record FROM members WHERE account_id = $1 ORDER BY id",
                    &a(),
                    &["id", "facility_id", "member"],
                )?
                .into(),
            );
            out.insert(
                "terms_acceptances".into(),
                rows_json(
                    tx,
                    "SELECT version, sha256, device_id, accepted_ms FROM terms_acceptances \
                     WHERE account_id = $1 ORDER BY accepted_ms",
                    &a(),
                    &["version", "sha256", "device_id", "accepted_ms"],
                )?
                .into(),
            );
            out.insert(
                "devices".into(),
                rows_json(
                    tx,
                    "SELECT device_id, device_name, platform, created_ms, expires_ms, revoked_ms \
                     FROM tokens WHERE account_id = $1 ORDER BY created_ms",
                    &a(),
                    &[
                        "device_id",
                        "device_name",
                        "platform",
                        "created_ms",
                        "expires_ms",
                        "revoked_ms",
                    ],
                )?
                .into(),
            );
            out.insert(
                "notifications".into(),
                rows_json(
                    tx,
                    "SELECT id, kind, title, body, payload, created_ms, state FROM notices \
                     WHERE account_id = $1 ORDER BY created_ms",
                    &a(),
                    &[
                        "id",
                        "kind",
                        "title",
                        "body",
                        "payload",
                        "created_ms",
                        "state",
                    ],
                )?
                .into(),
            );
            let mut records: Map<String, Value> = Map::new();
            let mut availabilities = Vec::new();
            let mut missions = Vec::new();
            let rows = tx.query(
                "SELECT entity, id, state FROM records WHERE account_id = $1 \
                 OR (CAST($2 AS TEXT) IS NOT NULL AND doctor_id = $2) ORDER BY seq",
                &[(&account_id).into(), doctor_id.clone().into()],
            )?;
            for r in &rows {
                let entity = text(r, 0)?;
                let state: MergeState = json_col(r, 2)?;
                if !state.is_live() || entity == "request" {
                    continue;
                }
                let mut fields = state.fields;
                fields
                    .entry("id")
                    .or_insert_with(|| Value::String(text(r, 1).unwrap_or_default()));
                if entity == "availability"
                    && let Ok(a) =
                        serde_json::from_value::<Availability>(Value::Object(fields.clone()))
                {
                    availabilities.push(a);
                }
                if entity == "mission"
                    && let Ok(m) = serde_json::from_value::<Mission>(Value::Object(fields.clone()))
                    && let Some(event) = mission_event(&m)
                {
                    missions.push(event);
                }
                if let Some(list) = records
                    .entry(entity)
                    .or_insert_with(|| Value::Array(Vec::new()))
                    .as_array_mut()
                {
                    list.push(Value::Object(fields));
                }
            }
            out.insert("records".into(), Value::Object(records));
            let mut audit_rows = rows_json(
                tx,
                "SELECT at_ms, account_id, device_id, action, entity, entity_id, facility_id, \
                 doctor_id, detail FROM audit_log WHERE account_id = $1 \
                 OR (entity = 'account' AND entity_id = $1) OR (CAST($2 AS TEXT) IS NOT NULL AND doctor_id = $2) \
                 ORDER BY at_ms LIMIT 10000",
                &[(&account_id).into(), doctor_id.clone().into()],
                &[
                    "at_ms",
                    "account_id",
                    "device_id",
                    "action",
                    "entity",
                    "entity_id",
                    "facility_id",
                    "doctor_id",
                    "detail",
                ],
            )?;
            audit_rows.truncate(10_000);
            out.insert("audit".into(), audit_rows.into());
            let mut files = Vec::new();
            if let Some(d) = &doctor_id {
                let p = || vec![crate::db::Val::from(d)];
                out.insert(
                    "doctor".into(),
                    rows_json(
                        tx,
                        "SELECT id, rpps, status, record FROM doctors WHERE id = $1",
                        &p(),
                        &["id", "rpps", "status", "record"],
                    )?
                    .into_iter()
                    .next()
                    .unwrap_or(Value::Null),
                );
                out.insert(
                    "identity".into(),
                    rows_json(
                        tx,
                        "SELECT birth_date, document_id, document_sha256, updated_ms \
                        FROM doctor_identities WHERE doctor_id = $1",
                        &p(),
                        &["birth_date", "document_id", "document_sha256", "updated_ms"],
                    )?
                    .into_iter()
                    .next()
                    .unwrap_or(Value::Null),
                );
                out.insert(
                    "verification_decisions".into(),
                    rows_json(
                        tx,
                        "SELECT decision, reason, at_ms FROM verification_decisions \
                        WHERE doctor_id = $1 ORDER BY at_ms",
                        &p(),
                        &["decision", "reason", "at_ms"],
                    )?
                    .into(),
                );
                out.insert(
                    "document_shares".into(),
                    rows_json(
                        tx,
                        "SELECT mission_id, document_id, facility_id, shared_ms \
                        FROM document_shares WHERE doctor_id = $1 ORDER BY shared_ms",
                        &p(),
                        &["mission_id", "document_id", "facility_id", "shared_ms"],
                    )?
                    .into(),
                );
                let rows = tx.query(
                    "SELECT d.id, d.name, d.kind, d.media_type, d.size, d.sha256, d.expires_on, \
                     d.uploaded_ms, c.content FROM documents d JOIN document_contents c \
                     ON c.document_id = d.id WHERE d.doctor_id = $1 ORDER BY d.id",
                    &p(),
                )?;
                let mut metas = Vec::new();
                for r in &rows {
                    let (id, name) = (text(r, 0)?, text(r, 1)?);
                    let bytes = STANDARD
                        .decode(text(r, 8)?.as_bytes())
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                    let file = zip_name(&id, &name);
                    metas.push(json!({"id": id, "name": name, "kind": text(r, 2)?,
                        "media_type": text(r, 3)?, "size": int(r, 4)?, "sha256": text(r, 5)?,
                        "expires_on": opt_text(r, 6)?, "uploaded_ms": int(r, 7)?,
                        "file": format!("documents/{file}")}));
                    files.push((file, bytes));
                }
                out.insert("documents".into(), metas.into());
            }
            out.insert("format".into(), 1.into());
            let _ = now_ms;
            Ok(ExportData {
                json: Value::Object(out),
                availabilities,
                missions,
                files,
            })
        })
        .await
    }
}

// ---------------------------------------------------------------- closure

/// Body of `DELETE /v1/me`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseAccount {
    /// The current password, checked again: closing is irreversible.
    pub password: String,
}

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
        || !auth::verify_password(hash, body.password).await?
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

/// Writes a tombstone for a feed record (fields erased), so devices drop it and nothing of it stays.
fn tombstone_tx(tx: &mut dyn Tx, entity: &str, id: &str, hlc: Hlc) -> Result<i64, StorageError> {
    let state = MergeState {
        deleted: Some(hlc),
        ..MergeState::default()
    };
    let seq = feed::next_seq(tx)?;
    tx.execute(
        "UPDATE records SET state = $1, hlc = $2, seq = $3 WHERE entity = $4 AND id = $5",
        &[
            crate::db::to_json(&state)?.into(),
            hlc.to_string().into(),
            seq.into(),
            entity.into(),
            id.into(),
        ],
    )?;
    tx.notify(&format!("{entity}/{id}"))?;
    Ok(seq)
}

impl Storage {
    /// Closes an account in one transaction (see [`close_account`]); returns the feed changes to
    /// publish. The inner error (last admin) means nothing was written.
    pub async fn close_account(
        &self,
        account_id: String,
        device_id: String,
        doctor_id: Option<String>,
        hlc: Hlc,
        now_ms: i64,
    ) -> Result<Result<Vec<crate::db::StoredChange>, AppError>, StorageError> {
        self.write(move |tx| {
            let a = || vec![crate::db::Val::from(&account_id)];
            // A facility must keep an administrator.
            let admin_of = tx.query(
                "SELECT facility_id, record FROM members WHERE account_id = $1",
                &a(),
            )?;
            for r in &admin_of {
                let member: rempla_core::domain::Member = json_col(r, 1)?;
                if member.role != MemberRole::Admin {
                    continue;
                }
                // One membership per account and facility: "besides this member" is "besides this account".
                if crate::members::other_admins_tx(tx, &text(r, 0)?, &member.id.to_string())? == 0 {
                    return Ok(Err(PrivacyError::LastAdmin.into()));
                }
            }
            if let Some(d) = &doctor_id {
                let ahead = tx.query(
                    "SELECT COUNT(*) FROM missions WHERE doctor_id = $1 \
                     AND status IN ('confirmed', 'in_progress') AND end_ms > $2",
                    &[d.into(), now_ms.into()],
                )?;
                if ahead.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0) > 0 {
                    return Ok(Err(PrivacyError::MissionsAhead.into()));
                }
            }
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL",
                &[now_ms.into(), (&account_id).into()],
            )?;
            tx.execute("DELETE FROM mail_tokens WHERE account_id = $1", &a())?;
            tx.execute(
                "UPDATE accounts SET password_hash = NULL, display_name = 'Compte fermé', \
                 activated = 0 WHERE id = $1",
                &a(),
            )?;
            tx.execute("DELETE FROM members WHERE account_id = $1", &a())?;
            tx.execute(
                "DELETE FROM notices WHERE account_id = $1 AND state = 'pending'",
                &a(),
            )?;
            let mut changes = Vec::new();
            if let Some(d) = &doctor_id {
                let rows = tx.query(
                    "SELECT rpps, record FROM doctors WHERE id = $1",
                    &[d.into()],
                )?;
                if let Some(r) = rows.first() {
                    let record: Value = json_col(r, 1)?;
                    // Identifiers only: what is needed to trace abuse during the retention year.
                    let kept = json!({
                        "id": d, "rpps": text(r, 0)?, "first_name": "Compte", "last_name": "fermé",
                        "specialties": record.get("specialties").cloned().unwrap_or_else(|| json!([])),
                        "status": DoctorStatus::Suspended.as_str(),
                        "qualification": {"kind": "thesed"},
                    });
                    tx.execute(
                        "UPDATE doctors SET status = 'closed', record = $1 WHERE id = $2",
                        &[crate::db::to_json(&kept)?.into(), d.into()],
                    )?;
                    crate::matching::queries::doctor_changed_tx(tx, d)?;
                }
                tx.execute(
                    "UPDATE doctor_identities SET closed_ms = $1 WHERE doctor_id = $2",
                    &[now_ms.into(), d.into()],
                )?;
                documents::delete_all_tx(tx, d)?;
                // Proposals waiting for an answer are withdrawn (the facility is told why).
                let sent = tx.query(
                    "SELECT id FROM proposals WHERE doctor_id = $1 AND state = 'sent' ORDER BY id",
                    &[d.into()],
                )?;
                for r in &sent {
                    if let Some(p) = crate::workflow::load_proposal(tx, &text(r, 0)?)? {
                        changes.push(crate::workflow::withdraw_tx(
                            tx,
                            p.view,
                            "",
                            "le médecin a fermé son compte",
                            now_ms,
                            hlc,
                        )?);
                    }
                }
                let live = tx.query(
                    "SELECT entity, id FROM records WHERE doctor_id = $1 \
                     AND entity IN ('availability', 'busy_period')",
                    &[d.into()],
                )?;
                for r in &live {
                    let (entity, id) = (text(r, 0)?, text(r, 1)?);
                    let seq = tombstone_tx(tx, &entity, &id, hlc)?;
                    if let Ok(kind) = entity.parse::<EntityKind>() {
                        changes.push(crate::db::StoredChange {
                            seq,
                            entity: kind,
                            id,
                            doctor_id: Some(d.clone()),
                            facility_id: None,
                            account_id: None,
                            state: MergeState {
                                deleted: Some(hlc),
                                ..MergeState::default()
                            },
                            hlc: hlc.to_string(),
                        });
                    }
                }
            }
            tx.execute(
                "INSERT INTO account_closures (account_id, doctor_id, closed_ms, purge_after_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO NOTHING",
                &[
                    (&account_id).into(),
                    doctor_id.clone().into(),
                    now_ms.into(),
                    now_ms.saturating_add(CLOSED_RETENTION_MS).into(),
                ],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id: Some(account_id.clone()),
                    device_id: Some(device_id.clone()),
                    action: "account_closed".into(),
                    entity: "account".into(),
                    entity_id: account_id.clone(),
                    doctor_id: doctor_id.clone(),
                    detail: String::new(),
                    ..AuditEntry::default()
                },
            )?;
            Ok(Ok(changes))
        })
        .await
    }
}

// ---------------------------------------------------------------- purge jobs

/// What one run of [`purge_expired`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Closed accounts whose identifiers were purged.
    pub accounts: usize,
    /// Booking records (availabilities, busy periods, proposals, missions) erased after retention.
    pub bookings: usize,
}

/// The end of a booking record, wherever its entity keeps it: `interval.end`, `end`, `ends_at`, or
/// the latest end among `shifts[]`. `None` for a recurring series (it may go on) or an unknown shape.
pub fn booking_end(fields: &Map<String, Value>) -> Option<DateTime<Utc>> {
    if fields.get("recurrence").is_some_and(|r| !r.is_null()) {
        return None;
    }
    let parse = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.parse::<DateTime<Utc>>().ok())
    };
    let interval_end = |v: &Value| parse(v.get("interval").and_then(|i| i.get("end")));
    let root = Value::Object(fields.clone());
    let mut ends: Vec<DateTime<Utc>> = [
        interval_end(&root),
        parse(fields.get("end")),
        parse(fields.get("ends_at")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(shifts) = fields.get("shifts").and_then(Value::as_array) {
        for s in shifts {
            ends.extend(interval_end(s).or_else(|| parse(s.get("end"))));
        }
    }
    ends.into_iter().max()
}

/// The retention boundary: booking data that ended before this instant (Unix ms) is erased.
pub fn booking_cutoff_ms(state: &AppState) -> i64 {
    state.clock.now_ms() - i64::from(state.config.booking_retention_days) * 86_400_000
}

/// The purge job: (1) closed accounts one year after closure lose their last identifiers (account,
/// doctor profile with RPPS, identity key, terms proofs, tokens, op log, notices, feed rows);
/// (2) booking data (availabilities, busy periods, proposals, missions) that ended more than
/// `config.booking_retention_days` ago becomes a tombstone in the feed. Safe to run on several
/// instances at once (each step is one write transaction, and reruns find nothing left).
pub async fn purge_expired(state: &AppState) -> Result<PurgeReport, StorageError> {
    let now = state.clock.now_ms();
    let cutoff = booking_cutoff_ms(state);
    let hlc = state.next_hlc(None);
    let accounts = state
        .storage
        .write(move |tx| {
            let due = tx.query(
                "SELECT account_id, doctor_id FROM account_closures WHERE purged_ms IS NULL \
                 AND purge_after_ms <= $1",
                &[now.into()],
            )?;
            for r in &due {
                let account = text(r, 0)?;
                let a = || vec![crate::db::Val::from(&account)];
                for sql in [
                    "DELETE FROM tokens WHERE account_id = $1",
                    "DELETE FROM mail_tokens WHERE account_id = $1",
                    "DELETE FROM terms_acceptances WHERE account_id = $1",
                    "DELETE FROM ops WHERE account_id = $1",
                    "DELETE FROM notices WHERE account_id = $1",
                    "DELETE FROM records WHERE account_id = $1",
                    "DELETE FROM accounts WHERE id = $1",
                ] {
                    tx.execute(sql, &a())?;
                }
                if let Some(d) = opt_text(r, 1)? {
                    let p = || vec![crate::db::Val::from(&d)];
                    tx.execute("DELETE FROM records WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM doctor_identities WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM verification_decisions WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM doctors WHERE id = $1", &p())?;
                    crate::matching::queries::doctor_removed_tx(tx, &d, now)?;
                }
                tx.execute(
                    "UPDATE account_closures SET purged_ms = $1, doctor_id = NULL WHERE account_id = $2",
                    &[now.into(), account.into()],
                )?;
            }
            // Removal marks of purged profiles are dropped once no matching index can need them.
            crate::matching::queries::prune_removed_tx(tx, now)?;
            Ok(due.len())
        })
        .await?;
    let bookings = state
        .storage
        .write(move |tx| {
            let rows = tx.query(
                "SELECT entity, id, state FROM records \
                 WHERE entity IN ('availability', 'busy_period', 'proposal', 'mission')",
                &[],
            )?;
            let mut purged = 0;
            for r in &rows {
                let state: MergeState = json_col(r, 2)?;
                if !state.is_live() {
                    continue;
                }
                if booking_end(&state.fields).is_some_and(|end| end.timestamp_millis() < cutoff) {
                    tombstone_tx(tx, &text(r, 0)?, &text(r, 1)?, hlc)?;
                    purged += 1;
                }
            }
            // The workflow's own rows of those bookings go too: missions ended before the cutoff
            // with their signatures and document shares, and answered proposals sent before it that
            // no longer back a mission. Invoices are accounting records (kept ten years) and carry
            // their own copy of what they bill, so they stay.
            for statement in [
                "DELETE FROM contract_signatures WHERE mission_id IN \
                 (SELECT id FROM missions WHERE end_ms < $1)",
                "DELETE FROM document_shares WHERE mission_id IN \
                 (SELECT id FROM missions WHERE end_ms < $1)",
                "DELETE FROM missions WHERE end_ms < $1",
                "DELETE FROM proposals WHERE state <> 'sent' AND sent_ms < $1 \
                 AND id NOT IN (SELECT proposal_id FROM missions)",
            ] {
                tx.execute(statement, &[cutoff.into()])?;
            }
            Ok(purged)
        })
        .await?;
    if accounts + bookings > 0 {
        tracing::info!(accounts, bookings, "purge: expired personal data erased");
    }
    Ok(PurgeReport { accounts, bookings })
}
