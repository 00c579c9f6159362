//! The privacy queries (`impl Storage`): a profile correction, the one-transaction read of everything
//! exported, and account closure (erase at once, keep identifiers a year). Refusals are area errors
//! ([`PrivacyError`], `DocumentError`), never the HTTP error.

use rempla_core::domain::{Availability, Doctor, DoctorStatus, MemberRole, Mission};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value, json};

use super::error::PrivacyError;
use super::model::{CLOSED_RETENTION_MS, ExportData, ExportFile, mission_event, zip_name};
use crate::audit::{self, AuditEntry};
use crate::db::{Storage, StorageError, Tx, feed, int, json as json_col, opt_text, text};
use crate::documents::DocumentError;
use crate::documents::{self, verification};
use crate::http::error::AppError;

pub(crate) fn rows_json(
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

/// A correction applied to the doctor record read inside the transaction; returns the changed fields.
pub type DoctorPatch =
    Box<dyn FnOnce(&mut Doctor) -> Result<Vec<&'static str>, AppError> + Send + 'static>;

impl Storage {
    /// Stores a profile correction: display name, doctor record (and, for a doctor whose identity is
    /// on file, the identity key recomputed from the new names; refused as `duplicate_identity` when
    /// it is another account's), with its audit entry, in one transaction.
    pub async fn update_profile(
        &self,
        account_id: String,
        display_name: Option<String>,
        doctor_patch: Option<(String, DoctorPatch)>,
        mut entry: AuditEntry,
    ) -> Result<Result<(), AppError>, StorageError> {
        self.write_or(move |tx| {
            let mut changed: Vec<&'static str> = Vec::new();
            if let Some((id, patch)) = doctor_patch {
                // Read, patch and write in one write transaction (writes are serialised on both
                // backends): a staff decision landing meanwhile is never undone by a stale copy, and
                // only the record's fields the patch names change. The status column is not written.
                let rows = tx.query("SELECT record FROM doctors WHERE id = $1", &[(&id).into()])?;
                let Some(row) = rows.first() else {
                    return Ok(Err(AppError::NotFound));
                };
                let mut d: Doctor = serde_json::from_str(&text(row, 0)?)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                match patch(&mut d) {
                    Ok(fields) => changed.extend(fields),
                    Err(e) => return Ok(Err(e)),
                }
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
                        return Ok(Err(DocumentError::DuplicateIdentity.into()));
                    }
                    tx.execute(
                        "UPDATE doctor_identities SET identity_key = $1 WHERE doctor_id = $2",
                        &[key.into(), (&id).into()],
                    )?;
                }
                tx.execute(
                    "UPDATE doctors SET record = $1 WHERE id = $2",
                    &[crate::db::to_json(&d)?.into(), (&id).into()],
                )?;
                crate::matching::queries::doctor_changed_tx(tx, &id)?;
            }
            if let Some(n) = &display_name {
                tx.execute(
                    "UPDATE accounts SET display_name = $1 WHERE id = $2",
                    &[n.into(), (&account_id).into()],
                )?;
                changed.push("display_name");
            }
            entry.detail = json!({"fields": changed}).to_string();
            audit::record_tx(tx, &entry)?;
            Ok(Ok(()))
        })
        .await
    }

    pub(crate) async fn export_data(
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
                    .map_or(Value::Null, |mut d| {
                        // A rejected registration released its RPPS (the column holds a placeholder);
                        // the number the person claimed is the record's.
                        if d["rpps"].as_str().is_some_and(|r| r.starts_with("released:")) {
                            d["rpps"] = d["record"]["rpps"].clone();
                        }
                        d
                    }),
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
                     d.uploaded_ms FROM documents d WHERE d.doctor_id = $1 ORDER BY d.id",
                    &p(),
                )?;
                let mut metas = Vec::new();
                for r in &rows {
                    let (id, name) = (text(r, 0)?, text(r, 1)?);
                    let file = zip_name(&id, &name);
                    metas.push(json!({"id": id, "name": name, "kind": text(r, 2)?,
                        "media_type": text(r, 3)?, "size": int(r, 4)?, "sha256": text(r, 5)?,
                        "expires_on": opt_text(r, 6)?, "uploaded_ms": int(r, 7)?,
                        "file": format!("documents/{file}")}));
                    files.push(ExportFile {
                        zip_name: file,
                        document_id: id,
                        size: int(r, 4)?,
                    });
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

/// Stored slices of a document read per query while an export streams (16 × 256 KiB of text: 3 MiB of
/// file per read).
pub(crate) const EXPORT_SLICES: i64 = 16;

impl Storage {
    /// [`EXPORT_SLICES`] slices of a document's content from slice `from`, decoded; empty past the end.
    pub(crate) async fn document_slices(
        &self,
        document_id: String,
        from: i64,
    ) -> Result<Vec<u8>, StorageError> {
        self.read(move |tx| {
            documents::contents::content_slices_tx(tx, &document_id, from, EXPORT_SLICES)
        })
        .await
    }
}

/// Writes a tombstone for a feed record (fields erased), so devices drop it and nothing of it stays.
pub(crate) fn tombstone_tx(
    tx: &mut dyn Tx,
    entity: &str,
    id: &str,
    hlc: Hlc,
) -> Result<i64, StorageError> {
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
    /// Closes an account in one transaction (`DELETE /v1/me`); returns the feed changes to
    /// publish. The inner error (last admin) means nothing was written.
    pub async fn close_account(
        &self,
        account_id: String,
        device_id: String,
        doctor_id: Option<String>,
        hlc: Hlc,
        now_ms: i64,
    ) -> Result<Result<Vec<crate::db::StoredChange>, PrivacyError>, StorageError> {
        self.write_or(move |tx| {
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
                    return Ok(Err(PrivacyError::LastAdmin));
                }
            }
            if let Some(d) = &doctor_id {
                let ahead = tx.query(
                    "SELECT COUNT(*) FROM missions WHERE doctor_id = $1 \
                     AND status IN ('confirmed', 'in_progress') AND end_ms > $2",
                    &[d.into(), now_ms.into()],
                )?;
                if ahead.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0) > 0 {
                    return Ok(Err(PrivacyError::MissionsAhead));
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
                    "SELECT record FROM doctors WHERE id = $1",
                    &[d.into()],
                )?;
                if let Some(r) = rows.first() {
                    let record: Value = json_col(r, 0)?;
                    // Identifiers only: what is needed to trace abuse during the retention year (the
                    // RPPS claimed, from the record: a released one's column holds a placeholder).
                    let kept = json!({
                        "id": d, "rpps": record.get("rpps").cloned().unwrap_or(Value::Null),
                        "first_name": "Compte", "last_name": "fermé",
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
