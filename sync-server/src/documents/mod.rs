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

pub mod contents;
pub mod download;
pub mod error;
pub mod http;
pub mod jobs;
pub mod model;
pub mod queries;
pub mod verification;

use axum::Router;

pub use error::DocumentError;
pub use jobs::alert_expiring;
pub use model::{DocumentKind, DocumentMeta, MAX_DOCUMENT_BYTES, MissionShare, NewDocument};
pub use queries::{delete_all_tx, share_for_mission_tx, validate_share_tx};

use crate::http::state::AppState;

/// The vault's tables (a part of `crate::areas::SCHEMA`). Contents are base64 text in their own table
/// (`document_chunks`, in slices) so listing never reads them.
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
    // Contents in slices of 256 KiB of base64 (`contents::CHUNK_CHARS`): a reader (the privacy export)
    // takes them one by one instead of materialising a whole 10 MiB value per read. The first
    // statement moves contents stored whole by earlier versions; both are idempotent.
    "CREATE TABLE IF NOT EXISTS document_chunks (document_id TEXT NOT NULL, seq BIGINT NOT NULL, \
     content TEXT NOT NULL, PRIMARY KEY (document_id, seq))",
    "INSERT INTO document_chunks (document_id, seq, content) \
     WITH RECURSIVE parts (document_id, seq, content, rest) AS ( \
       SELECT document_id, 0, substr(content, 1, 262144), substr(content, 262145) FROM document_contents \
       UNION ALL \
       SELECT document_id, seq + 1, substr(rest, 1, 262144), substr(rest, 262145) FROM parts \
       WHERE length(rest) > 0) \
     SELECT document_id, seq, content FROM parts WHERE true ON CONFLICT DO NOTHING",
    "DELETE FROM document_contents",
];

/// The vault's endpoints (`docs/api/documents.md`), the verification queue included.
pub fn routes() -> Router<AppState> {
    http::routes().merge(verification::routes())
}
