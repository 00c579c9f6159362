//! The members queries (`impl Storage`): list, change and remove a member, each in one transaction
//! with its audit entry, and the last-administrator guard ([`other_admins_tx`]) that account closure
//! uses too.

use rempla_core::api::members::MemberEntry;
use rempla_core::domain::{Delegation, Member, MemberRole};
use serde_json::json;

use super::error::MembersError;
use super::model::effective_rights;
use crate::audit::{self, AuditEntry};
use crate::db::{Storage, StorageError, Tx, int, json as json_col, text};

// ---------------------------------------------------------------- storage

/// The member row of `member_id` in `facility_id`: account id and record.
pub(crate) fn member_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
    member_id: &str,
) -> Result<Option<(String, Member)>, StorageError> {
    let rows = tx.query(
        "SELECT account_id, record FROM members WHERE id = $1 AND facility_id = $2",
        &[member_id.into(), facility_id.into()],
    )?;
    rows.first()
        .map(|r| Ok((text(r, 0)?, json_col(r, 1)?)))
        .transpose()
}

/// How many administrators the facility has besides `member_id` (the last-admin guard of rights changes,
/// removals and account closure).
pub(crate) fn other_admins_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
    member_id: &str,
) -> Result<usize, StorageError> {
    let rows = tx.query(
        "SELECT record FROM members WHERE facility_id = $1 AND id <> $2",
        &[facility_id.into(), member_id.into()],
    )?;
    Ok(rows
        .iter()
        .filter(|r| json_col::<Member>(r, 0).is_ok_and(|m| m.role == MemberRole::Admin))
        .count())
}

/// Who changes a membership: a delegate with « gérer les membres » manages the non-administrators
/// other than themselves; only an administrator touches administrators or their own rights.
#[derive(Clone, Debug)]
pub struct ChangedBy {
    /// Whether the caller is an administrator of the facility.
    pub admin: bool,
    /// The caller's own membership in the facility.
    pub member_id: String,
}

impl Storage {
    /// Every member of a facility with their account's e-mail and activation, by display name.
    pub async fn facility_members(
        &self,
        facility_id: &str,
    ) -> Result<Vec<MemberEntry>, StorageError> {
        let id = facility_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT m.account_id, m.record, a.email, a.activated FROM members m \
                 JOIN accounts a ON a.id = m.account_id WHERE m.facility_id = $1",
                &[id.into()],
            )?;
            let mut out = Vec::new();
            for r in &rows {
                let member: Member = json_col(r, 1)?;
                out.push(MemberEntry {
                    member_id: member.id,
                    account_id: text(r, 0)?,
                    email: text(r, 2)?,
                    rights: effective_rights(&member),
                    display_name: member.display_name,
                    role: member.role,
                    delegations: member.delegations,
                    activated: int(r, 3)? != 0,
                    you: false,
                });
            }
            out.sort_by_cached_key(|m| (m.display_name.to_lowercase(), m.member_id.to_string()));
            Ok(out)
        })
        .await
    }

    /// Replaces a member's role and delegations, refusing to demote the last administrator; audited
    /// with the before and after. `None` when no such member in this facility; the inner error means
    /// nothing was written.
    pub async fn change_member(
        &self,
        facility_id: String,
        member_id: String,
        role: MemberRole,
        delegations: Vec<Delegation>,
        by: ChangedBy,
        entry: AuditEntry,
    ) -> Result<Option<Result<Member, MembersError>>, StorageError> {
        self.write(move |tx| {
            let Some((_, before)) = member_tx(tx, &facility_id, &member_id)? else {
                return Ok(None);
            };
            if !by.admin
                && (before.role == MemberRole::Admin
                    || role == MemberRole::Admin
                    || by.member_id == member_id)
            {
                return Ok(Some(Err(MembersError::AdminOnly)));
            }
            if before.role == MemberRole::Admin
                && role != MemberRole::Admin
                && other_admins_tx(tx, &facility_id, &member_id)? == 0
            {
                return Ok(Some(Err(MembersError::LastAdmin)));
            }
            let after = Member {
                role,
                delegations,
                ..before.clone()
            };
            tx.execute(
                "UPDATE members SET record = $1 WHERE id = $2 AND facility_id = $3",
                &[
                    crate::db::to_json(&after)?.into(),
                    (&member_id).into(),
                    (&facility_id).into(),
                ],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    detail: json!({
                        "before": {"role": before.role, "delegations": before.delegations},
                        "after": {"role": after.role, "delegations": after.delegations},
                    })
                    .to_string(),
                    ..entry
                },
            )?;
            Ok(Some(Ok(after)))
        })
        .await
    }

    /// Removes a member, refusing to remove the last administrator; audited. `None` when no such
    /// member in this facility; the inner error means nothing was written.
    pub async fn remove_member(
        &self,
        facility_id: String,
        member_id: String,
        by: ChangedBy,
        entry: AuditEntry,
    ) -> Result<Option<Result<(), MembersError>>, StorageError> {
        self.write(move |tx| {
            let Some((account_id, before)) = member_tx(tx, &facility_id, &member_id)? else {
                return Ok(None);
            };
            if !by.admin && before.role == MemberRole::Admin {
                return Ok(Some(Err(MembersError::AdminOnly)));
            }
            if before.role == MemberRole::Admin
                && other_admins_tx(tx, &facility_id, &member_id)? == 0
            {
                return Ok(Some(Err(MembersError::LastAdmin)));
            }
            tx.execute(
                "DELETE FROM members WHERE id = $1 AND facility_id = $2",
                &[(&member_id).into(), (&facility_id).into()],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    detail: json!({"account_id": account_id, "display_name": before.display_name,
                                   "role": before.role, "delegations": before.delegations})
                    .to_string(),
                    ..entry
                },
            )?;
            Ok(Some(Ok(())))
        })
        .await
    }
}
