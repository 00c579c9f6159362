//! The vault's records and pure checks: document kinds, metadata, the limits of an upload and the check of
//! its content (declared type against the bytes), expiry, and what a mission shares.

use crate::auth::sha256_hex;
use crate::db::{Row, StorageError, int, opt_text, text};
use crate::documents::error::DocumentError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{NaiveDate, TimeZone};

/// Largest accepted document: a scanned certificate fits easily; more is a mistake or an attack.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Most documents one doctor keeps at once.
pub const MAX_DOCUMENTS_PER_DOCTOR: i64 = 50;

/// Longest document name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Media types the vault accepts (checked against the sniffed content, not only the declared type).
pub const ACCEPTED_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// The kinds of document and a document's metadata are the wire types, one definition for the server
/// and the clients.
pub use rempla_core::api::documents::{DocumentKind, DocumentMeta};

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
    check_structure(accepted, bytes)?;
    Ok(accepted)
}

/// The checks after the magic bytes: the format's end marker where the format puts it (PNG ends with
/// its `IEND` chunk, JPEG with the EOI marker, a PDF has `%%EOF` in its last kilobyte), so a real header
/// glued to something else is refused; and no HTML or script markup in the first 4 KiB, where browsers
/// sniff. Why not a full decoder: the server never renders these files, it stores and serves them as
/// attachments (`nosniff`, a sandboxing CSP); these checks refuse the polyglots a browser could be made
/// to run, which is the risk of serving them at all.
fn check_structure(media_type: &str, bytes: &[u8]) -> Result<(), DocumentError> {
    const PNG_END: &[u8] = &[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];
    let (name, whole) = match media_type {
        "image/png" => ("PNG", bytes.ends_with(PNG_END)),
        "image/jpeg" => ("JPEG", bytes.ends_with(&[0xFF, 0xD9])),
        _ => {
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            ("PDF", tail.windows(5).any(|w| w == b"%%EOF"))
        }
    };
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let markup = [
        "<html",
        "<script",
        "<!doctype",
        "<svg",
        "<iframe",
        "<body",
        "javascript:",
    ]
    .iter()
    .any(|m| head.contains(m));
    if whole && !markup {
        Ok(())
    } else {
        Err(DocumentError::Malformed(name))
    }
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

pub(crate) fn decode_checked(meta: &DocumentMeta, b64: &str) -> Result<Vec<u8>, DocumentError> {
    let bytes = STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| DocumentError::Corrupt)?;
    if sha256_hex(&bytes) != meta.sha256 {
        tracing::error!(document = %meta.id, "stored document does not match its checksum");
        return Err(DocumentError::Corrupt);
    }
    Ok(bytes)
}

pub(crate) const META_COLUMNS: &str =
    "id, doctor_id, kind, name, media_type, size, sha256, expires_on, expires_ms, uploaded_ms";

/// The same columns, qualified, for queries that join other tables.
pub(crate) const META_SELECT: &str = "documents.id, documents.doctor_id, documents.kind, documents.name, \
     documents.media_type, documents.size, documents.sha256, documents.expires_on, \
     documents.expires_ms, documents.uploaded_ms";

pub(crate) fn meta_from(row: &Row) -> Result<DocumentMeta, StorageError> {
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
        expires_ms: crate::db::opt_int(row, 8)?,
        uploaded_ms: int(row, 9)?,
    })
}
