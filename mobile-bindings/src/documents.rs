//! The doctor's document vault on [`OfflineCalendar`]: the list the server holds (core's
//! `ApiClient::my_documents`), kept in the store after each successful read so the screen still shows
//! it offline, marked as such. Uploading takes the bytes the shell read from the file picker or the
//! camera and the type it declared; the client's checks (`rempla_client::uploads`) refuse a wrong file
//! before anything is sent, with the server's codes.

use chrono::{DateTime, Utc};
use rempla_client::uploads::DocumentUpload;
use rempla_client::{SyncClient, SyncClientError, VaultDocument};
use serde_json::json;

use crate::account::client_config;
use crate::calendar::OfflineCalendar;
use crate::convert::utc_text;
use crate::error::RemplaError;

/// One document of the vault.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentRecord {
    /// Id (UUID).
    pub id: String,
    /// `identity`, `insurance`, `diploma`, `licence` or `other`.
    pub kind: String,
    /// File name.
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Last valid day (`YYYY-MM-DD`) of a document that expires.
    pub expires_on: Option<String>,
    /// Upload time, RFC 3339 UTC.
    pub uploaded_at: String,
    /// Expired when the server answered.
    pub expired: bool,
}

/// The vault as shown: from the server now, or the copy kept from the last read when offline.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentList {
    /// The documents, newest first.
    pub documents: Vec<DocumentRecord>,
    /// `true` when the server could not be reached and this is the copy of `fetched_at`.
    pub from_cache: bool,
    /// When the list was read from the server, RFC 3339 UTC.
    pub fetched_at: String,
}

fn document_record(d: &VaultDocument) -> DocumentRecord {
    let meta = &d.meta;
    DocumentRecord {
        id: meta.id.clone(),
        kind: meta.kind.as_str().to_owned(),
        name: meta.name.clone(),
        media_type: meta.media_type.clone(),
        size: u64::try_from(meta.size).unwrap_or_default(),
        sha256: meta.sha256.clone(),
        expires_on: meta.expires_on.clone(),
        uploaded_at: DateTime::<Utc>::from_timestamp_millis(meta.uploaded_ms)
            .map(utc_text)
            .unwrap_or_default(),
        expired: d.expired,
    }
}

#[uniffi::export]
impl OfflineCalendar {
    /// The doctor's document vault, newest first. Read from the server and kept here; when the server
    /// cannot be reached, the list kept from the last read (`from_cache`, `fetched_at`). `Offline` when
    /// there is none yet; `Auth` without a session; `Sync` (`forbidden`) for an account that is not a
    /// doctor's.
    pub fn documents(&self) -> Result<DocumentList, RemplaError> {
        // The client is made under the store lock, the request runs without it.
        let client = SyncClient::from_store(&self.store(), &client_config());
        let online = client.and_then(|c| c.api().my_documents());
        match online {
            Ok(documents) => {
                let at = utc_text(Utc::now());
                let cached = json!({"at": at, "documents": documents});
                self.store()
                    .set_setting(&rempla_store::settings::DOCUMENTS, &cached)?;
                Ok(DocumentList {
                    documents: documents.iter().map(document_record).collect(),
                    from_cache: false,
                    fetched_at: at,
                })
            }
            Err(
                e @ (SyncClientError::Offline { .. } | SyncClientError::ServerUnavailable { .. }),
            ) => {
                let cached = self.store().setting(&rempla_store::settings::DOCUMENTS)?;
                let Some(cached) = cached else {
                    return Err(e.into());
                };
                let documents: Vec<VaultDocument> = cached
                    .get("documents")
                    .cloned()
                    .and_then(|d| serde_json::from_value(d).ok())
                    .unwrap_or_default();
                Ok(DocumentList {
                    documents: documents.iter().map(document_record).collect(),
                    from_cache: true,
                    fetched_at: cached
                        .get("at")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Uploads a document: `bytes` from the picker or the camera, `declared_type` what it said
    /// (`application/pdf`, `image/jpeg`, `image/png`), `kind` (`identity`, `insurance`, `diploma`,
    /// `licence`, `other`), the file `name`, `expires_on` (required for `insurance`) and `birth_date`
    /// (for `identity`) as `YYYY-MM-DD`. A wrong file is `Invalid` (`document_empty`,
    /// `document_too_large`, `unsupported_media_type`, `media_type_mismatch`, `invalid_kind`,
    /// `invalid_name`, `invalid_date`) before anything is sent; then the server's codes.
    #[allow(clippy::too_many_arguments)]
    pub fn upload_document(
        &self,
        bytes: Vec<u8>,
        declared_type: String,
        kind: String,
        name: String,
        expires_on: Option<String>,
        birth_date: Option<String>,
    ) -> Result<DocumentRecord, RemplaError> {
        let upload = DocumentUpload::checked(
            &kind,
            &name,
            Some(&declared_type),
            expires_on.as_deref(),
            birth_date.as_deref(),
            &bytes,
        )
        .map_err(|e| RemplaError::invalid(e.code, e.message))?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        let stored = client.api().upload_document(&upload, &bytes)?;
        Ok(document_record(&stored))
    }

    /// Deletes a document of the vault (every share of it ends).
    pub fn delete_document(&self, id: String) -> Result<(), RemplaError> {
        let id: uuid::Uuid = crate::convert::uuid(&id)?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        client.api().delete_document(id)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rempla_client::doctor::{DocumentKind, DocumentMeta};

    #[test]
    fn a_wrong_file_is_refused_before_the_network() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let upload = |bytes: &[u8], declared: &str, kind: &str| {
            cal.upload_document(
                bytes.to_vec(),
                declared.into(),
                kind.into(),
                "a.pdf".into(),
                None,
                None,
            )
            .unwrap_err()
        };
        assert_eq!(
            upload(b"MZ\x90", "application/pdf", "other").code(),
            "unsupported_media_type"
        );
        assert_eq!(
            upload(b"%PDF-1.4", "image/png", "other").code(),
            "media_type_mismatch"
        );
        assert_eq!(
            upload(b"%PDF-1.4", "application/pdf", "passport").code(),
            "invalid_kind"
        );
        // A good file without a session: the auth code, nothing sent.
        let e = upload(b"%PDF-1.4", "application/pdf", "other");
        assert!(
            matches!(&e, RemplaError::Auth { code, .. } if code == "not_logged_in"),
            "{e:?}"
        );
    }

    #[test]
    fn a_device_never_signed_in_gets_the_auth_code() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let e = cal.documents().unwrap_err();
        assert!(matches!(&e, RemplaError::Auth { code, .. } if code == "not_logged_in"));
    }

    #[test]
    fn records_show_the_upload_time_as_utc_text() {
        let d = VaultDocument {
            meta: DocumentMeta {
                id: "d".into(),
                doctor_id: String::new(),
                kind: DocumentKind::Insurance,
                name: "RCP.pdf".into(),
                media_type: "application/pdf".into(),
                size: 3,
                sha256: "ab".into(),
                expires_on: Some("2027-12-31".into()),
                expires_ms: None,
                uploaded_ms: 1_795_000_000_000,
            },
            expired: false,
        };
        let r = document_record(&d);
        assert_eq!(r.uploaded_at, "2026-11-18T11:06:40Z");
        assert_eq!(r.expires_on.as_deref(), Some("2027-12-31"));
    }
}
