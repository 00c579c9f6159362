//! The vault's queries (`impl Storage`) and the transaction helpers other areas call: sharing with a
//! mission at acceptance, deleting a doctor's documents at closure.

use super::contents::{content_tx, write_content_tx};
use super::error::DocumentError;
use super::model::{
    DocumentKind, DocumentMeta, MAX_DOCUMENTS_PER_DOCTOR, MissionShare, NewDocument,
};
use super::model::{META_COLUMNS, META_SELECT, decode_checked, meta_from};
use crate::audit::{self, AuditEntry};
use crate::db::{Storage, StorageError, Tx, int, text};
use serde_json::json;

/// The documents a share names that may be shared, and the first refusal among the others.
pub(crate) fn shareable_tx(
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

/// Deletes every document of a doctor with its contents and shares (account closure).
pub fn delete_all_tx(tx: &mut dyn Tx, doctor_id: &str) -> Result<u64, StorageError> {
    tx.execute(
        "DELETE FROM document_chunks WHERE document_id IN \
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
    /// and puts a rejected doctor back in the queue. The inner error means nothing was written
    /// (`write_or` rolls the transaction back).
    pub async fn insert_document(
        &self,
        doc: NewDocument,
        now_ms: i64,
    ) -> Result<Result<DocumentMeta, DocumentError>, StorageError> {
        self.write_or(move |tx| {
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
                if let Err(e) = super::verification::claim_identity_tx(tx, meta, birth, now_ms)? {
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
            write_content_tx(tx, &meta.id, &doc.content)?;
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
                    "SELECT {META_SELECT} FROM documents WHERE documents.id = $1 AND doctor_id = $2"
                ),
                &[(&id).into(), d.into()],
            )?;
            rows.first()
                .map(|r| {
                    let meta = meta_from(r)?;
                    let content = content_tx(tx, &id)?;
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
                "DELETE FROM document_chunks WHERE document_id = $1",
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
        self.write_or(move |tx| {
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
                    "SELECT {META_SELECT}, s.facility_id FROM document_shares s \
                     JOIN documents ON documents.id = s.document_id \
                     WHERE s.mission_id = $1 AND s.document_id = $2"
                ),
                &[(&m).into(), (&id).into()],
            )?;
            let Some(r) = rows.first() else {
                return Ok(None);
            };
            let facility = text(r, 10)?;
            if !facilities.contains(&facility) {
                return Ok(None);
            }
            let meta = meta_from(r)?;
            let content = decode_checked(&meta, &content_tx(tx, &id)?);
            entry.facility_id = Some(facility);
            entry.doctor_id = Some(meta.doctor_id.clone());
            entry.detail = json!({"mission_id": m, "kind": meta.kind}).to_string();
            audit::record_tx(tx, &entry)?;
            Ok(Some(content.map(|c| (meta, c))))
        })
        .await
    }
}
