//! The document vault's bodies (`docs/api/documents.md`), one definition for the server that writes them
//! and the clients that read them: the kinds of document, a document's metadata, the vault list and
//! what a doctor shared for a mission. (Uploads are raw bytes with query parameters, not JSON; the
//! server checks their content.) Answers accept unknown fields.

use serde::{Deserialize, Serialize};

/// Kind of document; `identity` is the one verification needs, `insurance` (RCP) the one whose expiry
/// is alerted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

    /// The kind of a stored or sent name; `None` for a name that is none of them.
    pub fn parse(s: &str) -> Option<Self> {
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

/// A document's metadata, as stored, exported and shown to staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DocumentMeta {
    /// Id (UUIDv7).
    pub id: String,
    /// Owning doctor (absent from lists a device kept before it was sent).
    #[serde(default)]
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
    /// Last valid day (local date, `YYYY-MM-DD`), if the document expires; `null` otherwise.
    #[serde(default)]
    pub expires_on: Option<String>,
    /// First instant it is no longer valid, Unix ms (midnight Paris time after `expires_on`).
    #[serde(default)]
    pub expires_ms: Option<i64>,
    /// Upload time, Unix ms.
    pub uploaded_ms: i64,
}

impl DocumentMeta {
    /// Whether the document is past its expiry at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.expires_ms.is_some_and(|e| e <= now_ms)
    }

    /// The document as listed to clients at `now_ms`, with whether it has expired.
    pub fn view(&self, now_ms: i64) -> VaultDocument {
        VaultDocument {
            meta: self.clone(),
            expired: self.expired(now_ms),
        }
    }
}

/// A document as `GET /v1/me/documents` and the upload answer show it: its metadata and whether it had
/// expired when the server answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VaultDocument {
    /// The metadata.
    #[serde(flatten)]
    pub meta: DocumentMeta,
    /// Whether it had expired when the server answered.
    #[serde(default)]
    pub expired: bool,
}

/// Answer of `GET /v1/me/documents`: the calling doctor's vault, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentList {
    /// The documents.
    #[serde(default)]
    pub documents: Vec<VaultDocument>,
}

/// Answer of `GET /v1/missions/{id}/documents`: what the doctor shared for a mission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissionDocuments {
    /// The mission.
    pub mission_id: String,
    /// Its facility.
    pub facility_id: String,
    /// Its doctor.
    pub doctor_id: String,
    /// The documents shared.
    #[serde(default)]
    pub documents: Vec<VaultDocument>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn documents_read_back_and_an_old_kept_list_still_reads() {
        let meta = DocumentMeta {
            id: "d1".into(),
            doctor_id: "x".into(),
            kind: DocumentKind::Insurance,
            name: "RCP.pdf".into(),
            media_type: "application/pdf".into(),
            size: 12,
            sha256: "ab".into(),
            expires_on: Some("2027-12-31".into()),
            expires_ms: Some(10),
            uploaded_ms: 2,
        };
        let view = meta.view(10);
        let json = serde_json::to_value(&view).unwrap_or_default();
        assert_eq!(json["expired"], true);
        assert_eq!(json["kind"], "insurance");
        assert_eq!(
            serde_json::from_value::<VaultDocument>(json).ok(),
            Some(view)
        );
        // A list a phone kept before doctor_id and expires_ms were read.
        let kept: VaultDocument = serde_json::from_value(json!({"id": "d2", "kind": "diploma",
            "name": "these.pdf", "media_type": "application/pdf", "size": 3, "sha256": "cd",
            "expires_on": null, "uploaded_ms": 4, "expired": false}))
        .expect("an old kept document");
        assert_eq!(kept.meta.expires_ms, None);
        assert_eq!(DocumentKind::parse("licence"), Some(DocumentKind::Licence));
        assert_eq!(DocumentKind::parse("selfie"), None);
    }
}
