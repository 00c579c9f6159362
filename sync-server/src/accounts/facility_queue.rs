//! The facilities' verification queries (`impl Storage`): the queue by status, and a staff verdict with
//! its audit entry and notices, in one transaction. Table `facility_verifications` (`db/schema.rs`).

use rempla_core::api::staff::{DecidedFacility, FacilityAdmin, PendingFacility};
use rempla_core::domain::{MemberRole, Right};
use serde_json::json;

use super::facility_verification::Verdict;
use crate::audit::{self, AuditEntry};
use crate::db::{Storage, StorageError, int, json as json_col, opt_int, opt_text, text};
use crate::notify::{self, Notice};

impl Storage {
    /// The facilities with verification `status`, oldest sign-up first (at most 500).
    pub async fn facility_queue(
        &self,
        status: String,
    ) -> Result<Vec<PendingFacility>, StorageError> {
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT f.id, f.record, v.status, v.created_ms, v.reason, v.decided_ms \
                 FROM facility_verifications v JOIN facilities f ON f.id = v.facility_id \
                 WHERE v.status = $1 ORDER BY v.created_ms, f.id LIMIT 500",
                &[status.into()],
            )?;
            let mut out = Vec::new();
            for r in &rows {
                let id = text(r, 0)?;
                let facility: rempla_core::domain::Facility = json_col(r, 1)?;
                let admins = tx.query(
                    "SELECT a.email, a.display_name, m.record FROM members m \
                     JOIN accounts a ON a.id = m.account_id WHERE m.facility_id = $1 ORDER BY m.id",
                    &[(&id).into()],
                )?;
                let mut list = Vec::new();
                for a in &admins {
                    let member: rempla_core::domain::Member = json_col(a, 2)?;
                    if member.role == MemberRole::Admin {
                        list.push(FacilityAdmin {
                            email: text(a, 0)?,
                            display_name: text(a, 1)?,
                        });
                    }
                }
                out.push(PendingFacility {
                    facility_id: facility.id,
                    name: facility.name,
                    siret: facility.siret.to_string(),
                    kind: facility.kind,
                    status: text(r, 2)?,
                    created_ms: int(r, 3)?,
                    reason: opt_text(r, 4)?,
                    decided_ms: opt_int(r, 5)?,
                    admins: list,
                });
            }
            Ok(out)
        })
        .await
    }

    /// Records a staff verdict on a facility with its audit entry and (when `tell`) notices to its
    /// administrators; `None` when the facility does not exist. The demo dataset, whose facilities were
    /// verified long ago, does not `tell`.
    pub async fn decide_facility(
        &self,
        facility_id: String,
        verdict: Verdict,
        reason: Option<String>,
        staff: (String, String),
        now_ms: i64,
        tell: bool,
    ) -> Result<Option<DecidedFacility>, StorageError> {
        self.write(move |tx| {
            let exists = tx.query("SELECT record FROM facilities WHERE id = $1", &[(&facility_id).into()])?;
            let Some(row) = exists.first() else {
                return Ok(None);
            };
            let facility: rempla_core::domain::Facility = json_col(row, 0)?;
            let status = match verdict {
                Verdict::Approve => "verified",
                Verdict::Reject => "rejected",
            };
            tx.execute(
                "INSERT INTO facility_verifications (facility_id, status, reason, decided_ms, \
                 staff_account_id, created_ms) VALUES ($1, $2, $3, $4, $5, $4) \
                 ON CONFLICT (facility_id) DO UPDATE SET status = excluded.status, \
                 reason = excluded.reason, decided_ms = excluded.decided_ms, \
                 staff_account_id = excluded.staff_account_id",
                &[
                    (&facility_id).into(),
                    status.into(),
                    reason.clone().into(),
                    now_ms.into(),
                    (&staff.0).into(),
                ],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: now_ms,
                    account_id: Some(staff.0.clone()),
                    device_id: Some(staff.1.clone()),
                    action: format!("facility_{status}"),
                    entity: "facility".into(),
                    entity_id: facility_id.clone(),
                    facility_id: Some(facility_id.clone()),
                    detail: json!({"reason": reason}).to_string(),
                    ..AuditEntry::default()
                },
            )?;
            let (kind, title, body) = match verdict {
                Verdict::Approve => (
                    "facility_verified",
                    "Établissement vérifié".to_owned(),
                    "L'équipe Rempla a vérifié votre établissement : vous pouvez publier des demandes \
                     de remplacement et proposer des missions."
                        .to_owned(),
                ),
                Verdict::Reject => (
                    "facility_rejected",
                    "Vérification de l'établissement refusée".to_owned(),
                    format!(
                        "Votre établissement n'a pas pu être vérifié : {}. Répondez à l'équipe Rempla \
                         pour compléter votre dossier.",
                        reason.as_deref().unwrap_or_default()
                    ),
                ),
            };
            let admins = if tell {
                tx.query(
                    "SELECT account_id, record FROM members WHERE facility_id = $1",
                    &[(&facility_id).into()],
                )?
            } else {
                Vec::new()
            };
            for a in &admins {
                let member: rempla_core::domain::Member = json_col(a, 1)?;
                if member.can(Right::ManageMembers, None) {
                    notify::enqueue_tx(
                        tx,
                        &Notice {
                            account_id: text(a, 0)?,
                            kind: kind.into(),
                            title: title.clone(),
                            body: body.clone(),
                            payload: json!({"facility_id": facility_id}),
                            dedupe_key: format!("facility-verification:{facility_id}:{now_ms}:{}", text(a, 0)?),
                            not_before_ms: now_ms,
                            urgent: false,
                        },
                        now_ms,
                    )?;
                }
            }
            Ok(Some(DecidedFacility {
                facility_id: facility.id,
                name: facility.name,
                status: status.to_owned(),
            }))
        })
        .await
    }
}
