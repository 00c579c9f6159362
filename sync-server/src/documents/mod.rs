//! The document vault of each doctor (identity, RCP insurance, diplomas, licence de remplacement…) and
//! the doctor verification that rests on the identity document (`verification`).
//!
//! - Uploads are raw bodies (`POST /v1/me/documents?kind=…&name=…[&expires_on=…][&birth_date=…]` with
//!   the file's `Content-Type`): no multipart parser on the hot path, and the query string carries UTF-8
//!   names safely. At most [`MAX_DOCUMENT_BYTES`]; PDF, JPEG and PNG only, checked by content sniffing
//!   (`infer`), so a mislabelled file (an executable sent as `application/pdf`) is refused.
//! - Files are stored **in the database** as base64 text (`document_contents`), in the same transaction
//!   as their metadata: a document and its bytes exist together or not at all, every server instance on
//!   one PostgreSQL sees them without shared storage, and backups hold them. The SHA-256 is stored and
//!   checked again on every read.
//! - Sharing: at acceptance the workflow calls [`share_for_mission_tx`]; the facility of that mission
//!   reads the shared documents for that mission only, every read audited.

pub mod verification;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{NaiveDate, TimeZone};
use rempla_core::domain::Right;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{AppState, no_content};
use crate::audit::{self, AuditEntry};
use crate::auth::{Authed, Caller, sha256_hex};
use crate::error::AppError;
use crate::notify::{self, Notice};
use crate::storage::{Row, Storage, StorageError, Tx, int, opt_text, text};

/// The vault's tables (a part of `storage::schema::PARTS`). Contents are base64 text in their own table
/// so listing never reads them.
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, doctor_id TEXT NOT NULL, \
     account_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL, \
     size BIGINT NOT NULL, sha256 TEXT NOT NULL, expires_on TEXT, expires_ms BIGINT, \
     uploaded_ms BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS documents_doctor ON documents (doctor_id, uploaded_ms)",
    "CREATE INDEX IF NOT EXISTS documents_expiry ON documents (kind, expires_ms)",
    "CREATE INDEX IF NOT EXISTS documents_sha ON documents (sha256)",
    "CREATE TABLE IF NOT EXISTS document_contents (document_id TEXT PRIMARY KEY, content TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS document_shares (mission_id TEXT NOT NULL, document_id TEXT NOT NULL, \
     doctor_id TEXT NOT NULL, facility_id TEXT NOT NULL, shared_ms BIGINT NOT NULL, \
     PRIMARY KEY (mission_id, document_id))",
    "CREATE INDEX IF NOT EXISTS document_shares_doc ON document_shares (document_id)",
    "CREATE TABLE IF NOT EXISTS doctor_identities (doctor_id TEXT PRIMARY KEY, identity_key TEXT NOT NULL, \
     birth_date TEXT NOT NULL, document_id TEXT NOT NULL, document_sha256 TEXT NOT NULL, \
     updated_ms BIGINT NOT NULL, closed_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS doctor_identities_key ON doctor_identities (identity_key)",
    "CREATE TABLE IF NOT EXISTS verification_decisions (id TEXT PRIMARY KEY, doctor_id TEXT NOT NULL, \
     decision TEXT NOT NULL, reason TEXT, staff_account_id TEXT NOT NULL, at_ms BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS verification_decisions_doctor ON verification_decisions (doctor_id, at_ms)",
];

/// Largest accepted document: a scanned certificate fits easily; more is a mistake or an attack.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most documents one doctor keeps at once.
pub const MAX_DOCUMENTS_PER_DOCTOR: i64 = 50;
/// Longest document name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Media types the vault accepts (checked against the sniffed content, not only the declared type).
pub const ACCEPTED_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// Everything that can go wrong with a document, each with a stable code and HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document trop volumineux : 10 Mio au plus")]
    TooLarge,
    /// An empty body.
    #[error("document vide")]
    Empty,
    /// A declared type outside [`ACCEPTED_TYPES`].
    #[error("type de document refusé : PDF, JPEG ou PNG uniquement")]
    UnsupportedType,
    /// The content is not what the declared type says.
    #[error("le contenu du fichier ({found}) ne correspond pas au type déclaré ({declared})")]
    Mislabelled {
        /// Declared `Content-Type`.
        declared: String,
        /// What the bytes are.
        found: String,
    },
    /// The doctor already keeps [`MAX_DOCUMENTS_PER_DOCTOR`] documents.
    #[error("50 documents au plus : supprimez-en avant d'en déposer d'autres")]
    QuotaExceeded,
    /// The same person (name and birth date, or the same identity document) has another account.
    #[error("cette identité est déjà enregistrée pour un autre compte")]
    DuplicateIdentity,
    /// A verified doctor's identity (checked by staff) cannot be changed by a new document.
    #[error("identité vérifiée : contactez l'équipe Rempla pour la modifier")]
    IdentityLocked,
    /// Approval needs an identity document.
    #[error("aucune pièce d'identité déposée : validation impossible")]
    IdentityMissing,
    /// A rejection needs a reason the doctor can act on.
    #[error("un motif est obligatoire pour refuser")]
    ReasonRequired,
    /// Only a pending doctor is in the queue.
    #[error("ce médecin n'est pas en attente de vérification")]
    NotPending,
    /// A chosen document is not the doctor's, or expired.
    #[error("document non partageable : {0}")]
    NotShareable(String),
    /// Stored bytes that no longer match their checksum.
    #[error("document altéré : empreinte SHA-256 différente")]
    Corrupt,
}

impl DocumentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge => "document_too_large",
            Self::Empty => "document_empty",
            Self::UnsupportedType => "unsupported_media_type",
            Self::Mislabelled { .. } => "media_type_mismatch",
            Self::QuotaExceeded => "document_quota",
            Self::DuplicateIdentity => "duplicate_identity",
            Self::IdentityLocked => "identity_locked",
            Self::IdentityMissing => "identity_document_missing",
            Self::ReasonRequired => "reason_required",
            Self::NotPending => "not_pending",
            Self::NotShareable(_) => "document_not_shareable",
            Self::Corrupt => "document_corrupt",
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedType | Self::Mislabelled { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Empty | Self::ReasonRequired | Self::NotShareable(_) => StatusCode::BAD_REQUEST,
            Self::QuotaExceeded
            | Self::DuplicateIdentity
            | Self::IdentityLocked
            | Self::IdentityMissing
            | Self::NotPending => StatusCode::CONFLICT,
            Self::Corrupt => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Kind of document; `identity` is the one verification needs, `insurance` (RCP) the one whose expiry
/// is alerted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Carte d'identité or passport.
    Identity,
    /// Responsabilité civile professionnelle.
    Insurance,
    /// Diploma, thesis certificate.
    Diploma,
    /// Licence de remplacement (interns).
    Licence,
    /// Anything else.
    Other,
}

impl DocumentKind {
    /// Stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Insurance => "insurance",
            Self::Diploma => "diploma",
            Self::Licence => "licence",
            Self::Other => "other",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "identity" => Self::Identity,
            "insurance" => Self::Insurance,
            "diploma" => Self::Diploma,
            "licence" => Self::Licence,
            "other" => Self::Other,
            _ => return None,
        })
    }

    /// Shared by default at acceptance: the professional documents, never the identity document.
    pub const fn shared_by_default(self) -> bool {
        matches!(self, Self::Insurance | Self::Diploma | Self::Licence)
    }
}

/// A document's metadata, as listed and exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentMeta {
    /// Id (UUIDv7).
    pub id: String,
    /// Owning doctor.
    pub doctor_id: String,
    /// Kind.
    pub kind: DocumentKind,
    /// File name given by the doctor.
    pub name: String,
    /// Sniffed media type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Last valid day (local date), if the document expires.
    pub expires_on: Option<String>,
    /// First instant it is no longer valid, Unix ms (midnight Paris time after `expires_on`).
    pub expires_ms: Option<i64>,
    /// Upload time, Unix ms.
    pub uploaded_ms: i64,
}

impl DocumentMeta {
    /// Whether the document is past its expiry at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.expires_ms.is_some_and(|e| e <= now_ms)
    }

    /// The JSON view sent to clients.
    pub fn view(&self, now_ms: i64) -> Value {
        let mut v = json!(self);
        v["expired"] = self.expired(now_ms).into();
        v
    }
}

const META_COLUMNS: &str =
    "id, doctor_id, kind, name, media_type, size, sha256, expires_on, expires_ms, uploaded_ms";
/// The same columns, qualified, for queries that join other tables.
const META_SELECT: &str = "documents.id, documents.doctor_id, documents.kind, documents.name, \
     documents.media_type, documents.size, documents.sha256, documents.expires_on, \
     documents.expires_ms, documents.uploaded_ms";

fn meta_from(row: &Row) -> Result<DocumentMeta, StorageError> {
    let kind = text(row, 2)?;
    Ok(DocumentMeta {
        id: text(row, 0)?,
        doctor_id: text(row, 1)?,
        kind: DocumentKind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("document kind {kind}")))?,
        name: text(row, 3)?,
        media_type: text(row, 4)?,
        size: int(row, 5)?,
        sha256: text(row, 6)?,
        expires_on: opt_text(row, 7)?,
        expires_ms: crate::storage::opt_int(row, 8)?,
        uploaded_ms: int(row, 9)?,
    })
}

/// Checks a body against the declared type: size, accepted type, and the sniffed content.
pub fn check_content(declared: &str, bytes: &[u8]) -> Result<&'static str, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge);
    }
    let declared = declared
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(accepted) = ACCEPTED_TYPES.iter().find(|t| **t == declared) else {
        return Err(DocumentError::UnsupportedType);
    };
    let found = infer::get(bytes).map_or("application/octet-stream", |t| t.mime_type());
    if found != *accepted {
        return Err(DocumentError::Mislabelled {
            declared,
            found: found.to_owned(),
        });
    }
    Ok(accepted)
}

/// The instant a document stops being valid: midnight (Paris time) after its last valid day.
pub fn expiry_ms(last_day: NaiveDate) -> Option<i64> {
    let next = last_day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    chrono_tz::Europe::Paris
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// A document about to be stored.
#[derive(Clone, Debug)]
pub struct NewDocument {
    /// Metadata (id, checksum and size already computed).
    pub meta: DocumentMeta,
    /// Uploading account.
    pub account_id: String,
    /// Uploading device, for the audit trail.
    pub device_id: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// For an identity document: the doctor's birth date, which with the names makes the identity key.
    pub birth_date: Option<NaiveDate>,
}

/// What the workflow passes at acceptance: which documents of the doctor the facility may read for this
/// mission. `document_ids: None` shares the default set: every valid (unexpired) insurance, diploma and
/// licence document; never the identity document unless chosen explicitly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissionShare {
    /// The mission.
    pub mission_id: String,
    /// The doctor whose documents are shared.
    pub doctor_id: String,
    /// The facility that may read them.
    pub facility_id: String,
    /// The doctor's choice, or `None` for the default set.
    pub document_ids: Option<Vec<String>>,
}

/// The documents a share names that may be shared, and the first refusal among the others.
fn shareable_tx(
    tx: &mut dyn Tx,
    share: &MissionShare,
    now_ms: i64,
) -> Result<(Vec<DocumentMeta>, Option<DocumentError>), StorageError> {
    let owned: Vec<DocumentMeta> = tx
        .query(
            &format!("SELECT {META_SELECT} FROM documents WHERE doctor_id = $1 ORDER BY id"),
            &[(&share.doctor_id).into()],
        )?
        .iter()
        .map(meta_from)
        .collect::<Result<_, _>>()?;
    let Some(ids) = &share.document_ids else {
        let docs = owned
            .into_iter()
            .filter(|d| d.kind.shared_by_default() && !d.expired(now_ms))
            .collect();
        return Ok((docs, None));
    };
    let mut chosen: Vec<DocumentMeta> = Vec::new();
    let mut refusal = None;
    for id in ids.iter().take(64) {
        match owned.iter().find(|d| &d.id == id) {
            Some(d) if !d.expired(now_ms) => {
                if !chosen.iter().any(|c| c.id == d.id) {
                    chosen.push(d.clone());
                }
            }
            Some(_) => {
                refusal.get_or_insert(DocumentError::NotShareable(format!("{id} a expiré")));
            }
            None => {
                let shown: String = id.chars().take(40).collect();
                refusal.get_or_insert(DocumentError::NotShareable(format!("{shown} inconnu")));
            }
        }
    }
    if ids.len() > 64 {
        refusal.get_or_insert(DocumentError::NotShareable("64 documents au plus".into()));
    }
    Ok((chosen, refusal))
}

/// Checks the doctor's choice of documents without writing (call it before the acceptance writes, so
/// a forged or expired id is refused with `document_not_shareable` and nothing is written).
pub fn validate_share_tx(
    tx: &mut dyn Tx,
    share: &MissionShare,
    now_ms: i64,
) -> Result<Result<(), DocumentError>, StorageError> {
    Ok(match shareable_tx(tx, share, now_ms)?.1 {
        Some(e) => Err(e),
        None => Ok(()),
    })
}

/// The acceptance hook: lets `share.facility_id` read the chosen (or default) documents for
/// `share.mission_id`, inside the workflow's transaction, with one audit entry. Ids that are not the
/// doctor's or expired are skipped here (validate first with [`validate_share_tx`]). Returns the ids
/// shared. Idempotent.
pub fn share_for_mission_tx(
    tx: &mut dyn Tx,
    share: &MissionShare,
    now_ms: i64,
) -> Result<Vec<String>, StorageError> {
    let (docs, _) = shareable_tx(tx, share, now_ms)?;
    let mut ids = Vec::new();
    for d in &docs {
        tx.execute(
            "INSERT INTO document_shares (mission_id, document_id, doctor_id, facility_id, shared_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                (&share.mission_id).into(),
                (&d.id).into(),
                (&share.doctor_id).into(),
                (&share.facility_id).into(),
                now_ms.into(),
            ],
        )?;
        ids.push(d.id.clone());
    }
    audit::record_tx(
        tx,
        &AuditEntry {
            at_ms: now_ms,
            action: "documents_shared".into(),
            entity: "mission".into(),
            entity_id: share.mission_id.clone(),
            facility_id: Some(share.facility_id.clone()),
            doctor_id: Some(share.doctor_id.clone()),
            detail: json!({"documents": ids}).to_string(),
            ..AuditEntry::default()
        },
    )?;
    Ok(ids)
}

fn decode_checked(meta: &DocumentMeta, b64: &str) -> Result<Vec<u8>, DocumentError> {
    let bytes = STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| DocumentError::Corrupt)?;
    if sha256_hex(&bytes) != meta.sha256 {
        tracing::error!(document = %meta.id, "stored document does not match its checksum");
        return Err(DocumentError::Corrupt);
    }
    Ok(bytes)
}

/// Deletes every document of a doctor with its contents and shares (account closure).
pub fn delete_all_tx(tx: &mut dyn Tx, doctor_id: &str) -> Result<u64, StorageError> {
    tx.execute(
        "DELETE FROM document_contents WHERE document_id IN \
         (SELECT id FROM documents WHERE doctor_id = $1)",
        &[doctor_id.into()],
    )?;
    tx.execute(
        "DELETE FROM document_shares WHERE doctor_id = $1",
        &[doctor_id.into()],
    )?;
    tx.execute(
        "DELETE FROM documents WHERE doctor_id = $1",
        &[doctor_id.into()],
    )
}

impl Storage {
    /// Stores a document with its content in one transaction. For an identity document, also claims
    /// the identity (refused when another live account holds the same identity key or the same file)
    /// and puts a rejected doctor back in the queue. The inner error means nothing was written.
    pub async fn insert_document(
        &self,
        doc: NewDocument,
        now_ms: i64,
    ) -> Result<Result<DocumentMeta, DocumentError>, StorageError> {
        self.write(move |tx| {
            let meta = &doc.meta;
            let count = tx.query(
                "SELECT COUNT(*) FROM documents WHERE doctor_id = $1",
                &[(&meta.doctor_id).into()],
            )?;
            if count.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0)
                >= MAX_DOCUMENTS_PER_DOCTOR
            {
                return Ok(Err(DocumentError::QuotaExceeded));
            }
            if meta.kind == DocumentKind::Identity {
                let birth = doc.birth_date.ok_or(StorageError::Task)?;
                if let Err(e) = verification::claim_identity_tx(tx, meta, birth, now_ms)? {
                    return Ok(Err(e));
                }
            }
            tx.execute(
                &format!(
                    "INSERT INTO documents ({META_COLUMNS}, account_id) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ),
                &[
                    (&meta.id).into(),
                    (&meta.doctor_id).into(),
                    meta.kind.as_str().into(),
                    (&meta.name).into(),
                    (&meta.media_type).into(),
                    meta.size.into(),
                    (&meta.sha256).into(),
                    meta.expires_on.clone().into(),
                    meta.expires_ms.into(),
                    meta.uploaded_ms.into(),
                    (&doc.account_id).into(),
                ],
            )?;
            tx.execute(
                "INSERT INTO document_contents (document_id, content) VALUES ($1, $2)",
                &[(&meta.id).into(), STANDARD.encode(&doc.content).into()],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id: Some(doc.account_id.clone()),
                    device_id: Some(doc.device_id.clone()),
                    action: "document_uploaded".into(),
                    entity: "document".into(),
                    entity_id: meta.id.clone(),
                    doctor_id: Some(meta.doctor_id.clone()),
                    detail: json!({"kind": meta.kind, "sha256": meta.sha256, "size": meta.size})
                        .to_string(),
                    ..AuditEntry::default()
                },
            )?;
            Ok(Ok(doc.meta))
        })
        .await
    }

    /// Every document of a doctor, newest first.
    pub async fn documents_of(&self, doctor_id: &str) -> Result<Vec<DocumentMeta>, StorageError> {
        let d = doctor_id.to_owned();
        self.read(move |tx| {
            tx.query(
                &format!(
                    "SELECT {META_SELECT} FROM documents WHERE doctor_id = $1 \
                     ORDER BY uploaded_ms DESC, id DESC"
                ),
                &[d.into()],
            )?
            .iter()
            .map(meta_from)
            .collect()
        })
        .await
    }

    /// One document of a doctor with its checked content; `None` when it is not theirs.
    pub async fn document_of(
        &self,
        doctor_id: &str,
        document_id: &str,
    ) -> Result<Option<Result<(DocumentMeta, Vec<u8>), DocumentError>>, StorageError> {
        let (d, id) = (doctor_id.to_owned(), document_id.to_owned());
        self.read(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {META_SELECT}, c.content FROM documents JOIN document_contents c \
                     ON c.document_id = documents.id WHERE documents.id = $1 AND doctor_id = $2"
                ),
                &[id.into(), d.into()],
            )?;
            rows.first()
                .map(|r| {
                    let meta = meta_from(r)?;
                    let content = text(r, 10)?;
                    Ok(decode_checked(&meta, &content).map(|b| (meta, b)))
                })
                .transpose()
        })
        .await
    }

    /// Deletes one document of a doctor (with its content and shares), audited; `false` when it is not
    /// theirs.
    pub async fn delete_document(
        &self,
        doctor_id: &str,
        document_id: &str,
        entry: AuditEntry,
    ) -> Result<bool, StorageError> {
        let (d, id) = (doctor_id.to_owned(), document_id.to_owned());
        self.write(move |tx| {
            let gone = tx.execute(
                "DELETE FROM documents WHERE id = $1 AND doctor_id = $2",
                &[(&id).into(), d.into()],
            )?;
            if gone == 0 {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM document_contents WHERE document_id = $1",
                &[(&id).into()],
            )?;
            tx.execute(
                "DELETE FROM document_shares WHERE document_id = $1",
                &[(&id).into()],
            )?;
            audit::record_tx(tx, &entry)?;
            Ok(true)
        })
        .await
    }

    /// Runs [`share_for_mission_tx`] in its own transaction (tests, tools, and the workflow when it
    /// shares after the fact).
    pub async fn share_for_mission(
        &self,
        share: MissionShare,
        now_ms: i64,
    ) -> Result<Result<Vec<String>, DocumentError>, StorageError> {
        self.write(move |tx| {
            if let Err(e) = validate_share_tx(tx, &share, now_ms)? {
                return Ok(Err(e));
            }
            share_for_mission_tx(tx, &share, now_ms).map(Ok)
        })
        .await
    }

    /// The documents shared for a mission and who they were shared with: `(facility_id, doctor_id,
    /// documents)`, or `None` when nothing was shared for it.
    pub async fn mission_documents(
        &self,
        mission_id: &str,
    ) -> Result<Option<(String, String, Vec<DocumentMeta>)>, StorageError> {
        let m = mission_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {META_SELECT}, s.facility_id FROM document_shares s JOIN documents \
                     ON documents.id = s.document_id WHERE s.mission_id = $1 ORDER BY documents.id"
                ),
                &[m.into()],
            )?;
            let Some(first) = rows.first() else {
                return Ok(None);
            };
            let facility = text(first, 10)?;
            let docs = rows.iter().map(meta_from).collect::<Result<Vec<_>, _>>()?;
            let doctor = docs
                .first()
                .map(|d| d.doctor_id.clone())
                .unwrap_or_default();
            Ok(Some((facility, doctor, docs)))
        })
        .await
    }

    /// One document shared for a mission, with its checked content, when the mission's facility is one
    /// of `facilities` (the caller's readable facilities). The read is audited (`entry`, completed with
    /// the facility and doctor) in the same transaction, so no read escapes the trail.
    pub async fn read_shared_document(
        &self,
        mission_id: &str,
        document_id: &str,
        facilities: Vec<String>,
        mut entry: AuditEntry,
    ) -> Result<Option<Result<(DocumentMeta, Vec<u8>), DocumentError>>, StorageError> {
        let (m, id) = (mission_id.to_owned(), document_id.to_owned());
        self.write(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {META_SELECT}, c.content, s.facility_id FROM document_shares s \
                     JOIN documents ON documents.id = s.document_id \
                     JOIN document_contents c ON c.document_id = documents.id \
                     WHERE s.mission_id = $1 AND s.document_id = $2"
                ),
                &[(&m).into(), id.into()],
            )?;
            let Some(r) = rows.first() else {
                return Ok(None);
            };
            let facility = text(r, 11)?;
            if !facilities.contains(&facility) {
                return Ok(None);
            }
            let meta = meta_from(r)?;
            let content = decode_checked(&meta, &text(r, 10)?);
            entry.facility_id = Some(facility);
            entry.doctor_id = Some(meta.doctor_id.clone());
            entry.detail = json!({"mission_id": m, "kind": meta.kind}).to_string();
            audit::record_tx(tx, &entry)?;
            Ok(Some(content.map(|c| (meta, c))))
        })
        .await
    }
}

/// The expiry-alert job: queues one `document_expiring` notice per insurance (RCP) document that
/// expires within `config.document_expiry_alert_days`, once per document and expiry date (the dedupe
/// key makes reruns and concurrent instances harmless). Returns the number of notices newly queued.
pub async fn alert_expiring(state: &AppState) -> Result<usize, StorageError> {
    let now = state.clock.now_ms();
    let within = i64::from(state.config.document_expiry_alert_days) * 86_400_000;
    state
        .storage
        .write(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {META_SELECT}, account_id FROM documents WHERE kind = 'insurance' \
                     AND expires_ms IS NOT NULL AND expires_ms > $1 AND expires_ms <= $2 ORDER BY id"
                ),
                &[now.into(), now.saturating_add(within).into()],
            )?;
            let mut queued = 0;
            for r in &rows {
                let meta = meta_from(r)?;
                let account = text(r, 10)?;
                let day = meta.expires_on.clone().unwrap_or_default();
                let notice = Notice {
                    account_id: account,
                    kind: "document_expiring".into(),
                    title: "Votre assurance RCP arrive à échéance".into(),
                    body: format!(
                        "Votre attestation d'assurance « {} » est valable jusqu'au {day}. \
                         Déposez la nouvelle attestation dans Mon profil › Documents.",
                        meta.name
                    ),
                    payload: json!({"document_id": meta.id, "kind": meta.kind, "expires_on": day}),
                    dedupe_key: format!("document_expiring:{}:{day}", meta.id),
                    not_before_ms: now,
                    urgent: false,
                };
                if notify::enqueue_tx(tx, &notice, now)? {
                    queued += 1;
                }
            }
            Ok(queued)
        })
        .await
}

// ---------------------------------------------------------------- HTTP

/// The vault's endpoints (`docs/api/documents.md`), the verification queue included.
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
        .merge(verification::routes())
}

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

fn parse_day(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::validation(
            "invalid_date",
            format!("{field} : date AAAA-MM-JJ attendue"),
        )
    })
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::validation(
            "invalid_name",
            "nom de document vide ou trop long (200 caractères au plus)",
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(AppError::validation(
            "invalid_name",
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
        AppError::validation(
            "invalid_kind",
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
        return Err(AppError::validation(
            "expiry_required",
            "la date de fin de validité de l'assurance est obligatoire",
        ));
    }
    let birth_date = match (kind, q.birth_date.as_deref()) {
        (DocumentKind::Identity, Some(d)) => Some(verification::check_birth_date(
            parse_day("birth_date", d)?,
            state.clock.now_ms(),
        )?),
        (DocumentKind::Identity, None) => {
            return Err(AppError::validation(
                "birth_date_required",
                "la date de naissance est obligatoire avec la pièce d'identité",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::validation(
                "unexpected_field",
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
) -> Result<Json<Value>, AppError> {
    let doctor_id = doctor_of(&caller)?;
    let now = state.clock.now_ms();
    let docs = state.storage.documents_of(&doctor_id).await?;
    Ok(Json(
        json!({"documents": docs.iter().map(|d| d.view(now)).collect::<Vec<_>>()}),
    ))
}

/// The file as an HTTP answer: its type, a safe `attachment` name, its checksum, never cached.
pub(crate) fn file_response(meta: &DocumentMeta, bytes: Vec<u8>) -> Response {
    let ascii: String = meta
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, meta.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                meta.sha256.clone(),
            ),
        ],
        bytes,
    )
        .into_response()
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
fn readable_facilities(caller: &Caller) -> Vec<String> {
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
) -> Result<Json<Value>, AppError> {
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
    Ok(Json(json!({
        "mission_id": id,
        "facility_id": facility,
        "doctor_id": doctor,
        "documents": docs.iter().map(|d| d.view(now)).collect::<Vec<_>>(),
    })))
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
