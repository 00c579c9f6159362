//! Members and rights of a facility (`docs/api/members.md`): list, invite, change a member's role and
//! delegated rights, remove a member. Only members holding the « gérer les membres » right act; staff may
//! list (read-only, for support); anyone else learns nothing (404). A facility always keeps an
//! administrator (`last_admin`), and every change writes an audit entry in its own transaction.
//!
//! Members are not synced records: devices learn their own memberships from `POST /v1/auth/login` and
//! `GET /v1/me`, and the server reads them again at every request, so a change applies at once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::domain::{Delegation, Member, MemberId, MemberRole, Right, SiteId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::http::{check_text, parse_email, send_link, storage_conflict};
use crate::accounts::queries::{Account, AccountKind};
use crate::audit::{self, AuditEntry};
use crate::auth::{Authed, Caller};
use crate::db::{Storage, StorageError, Tx, int, json as json_col, text};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::extract::no_content;
use crate::http::state::AppState;

/// Most delegations a member may hold (one per right and site is already plenty).
pub const MAX_DELEGATIONS: usize = 50;

/// Refusals of the members endpoints, each with a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MembersError {
    /// A role other than `admin`, `planner` or `viewer`.
    #[error("rôle inconnu « {0} » : admin, planner ou viewer")]
    UnknownRole(String),
    /// A right that does not exist.
    #[error("droit inconnu « {0} » : read, post_requests, propose, billing ou manage_members")]
    UnknownRight(String),
    /// A delegation limited to a site that is not one of this facility's.
    #[error("site inconnu dans cet établissement")]
    UnknownSite,
    /// More than [`MAX_DELEGATIONS`] delegations.
    #[error("trop de droits délégués (50 au plus)")]
    TooManyDelegations,
    /// The change would leave the facility without an administrator.
    #[error("l'établissement doit garder au moins un administrateur : nommez-en un autre d'abord")]
    LastAdmin,
}

impl MembersError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownRole(_) => ErrorCode::UnknownRole,
            Self::UnknownRight(_) => ErrorCode::UnknownRight,
            Self::UnknownSite => ErrorCode::UnknownSite,
            Self::TooManyDelegations => ErrorCode::TooManyDelegations,
            Self::LastAdmin => ErrorCode::LastAdmin,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::LastAdmin => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl crate::http::error::Refuse for MembersError {
    fn code(&self) -> ErrorCode {
        MembersError::code(self)
    }
    fn status(&self) -> StatusCode {
        MembersError::status(self)
    }
}

/// The members endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/facilities/{id}/members", get(list).post(invite))
        .route(
            "/v1/facilities/{id}/members/{member_id}",
            put(change).delete(remove),
        )
}

// ---------------------------------------------------------------- input

/// A delegated right as sent by a client (checked by [`parse_rights`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegationBody {
    /// Right name (`read`, `post_requests`, `propose`, `billing`, `manage_members`).
    pub right: String,
    /// Site the right is limited to; absent for the whole facility.
    #[serde(default)]
    pub site_id: Option<String>,
}

/// Body of `PUT /v1/facilities/{id}/members/{member_id}`: the member's new role and delegations
/// (the whole set, replacing the previous one).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsBody {
    /// `admin`, `planner` or `viewer`.
    pub role: String,
    /// Rights beyond the role.
    #[serde(default)]
    pub delegations: Vec<DelegationBody>,
}

/// Body of `POST /v1/facilities/{id}/members`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    /// E-mail of the invited person.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `admin`, `planner` or `viewer`.
    pub role: String,
    /// Rights beyond the role.
    #[serde(default)]
    pub delegations: Vec<DelegationBody>,
}

fn parse_role(role: &str) -> Result<MemberRole, MembersError> {
    serde_json::from_value(Value::String(role.to_owned()))
        .map_err(|_| MembersError::UnknownRole(role.chars().take(40).collect()))
}

fn parse_right(right: &str) -> Result<Right, MembersError> {
    serde_json::from_value(Value::String(right.to_owned()))
        .map_err(|_| MembersError::UnknownRight(right.chars().take(40).collect()))
}

/// Checks a role and delegations against the facility's sites; duplicates and rights the role already
/// grants are dropped, so the stored set is the smallest equivalent one.
pub fn parse_rights(
    role: &str,
    delegations: &[DelegationBody],
    sites: &[String],
) -> Result<(MemberRole, Vec<Delegation>), MembersError> {
    let role = parse_role(role)?;
    if delegations.len() > MAX_DELEGATIONS {
        return Err(MembersError::TooManyDelegations);
    }
    let mut out: Vec<Delegation> = Vec::new();
    for d in delegations {
        let right = parse_right(&d.right)?;
        let site_id = match &d.site_id {
            None => None,
            Some(s) if sites.iter().any(|known| known == s) => {
                Some(s.parse::<SiteId>().map_err(|_| MembersError::UnknownSite)?)
            }
            Some(_) => return Err(MembersError::UnknownSite),
        };
        if role.rights().contains(&right) || out.contains(&Delegation { right, site_id }) {
            continue;
        }
        out.push(Delegation { right, site_id });
    }
    // A facility-wide delegation makes the same right limited to a site redundant.
    let wide: Vec<Right> = out
        .iter()
        .filter(|d| d.site_id.is_none())
        .map(|d| d.right)
        .collect();
    out.retain(|d| d.site_id.is_none() || !wide.contains(&d.right));
    Ok((role, out))
}

// ---------------------------------------------------------------- authorization

/// Who is asking about this facility's members.
enum Access {
    /// A member holding the « gérer les membres » right.
    Manager,
    /// Staff: may list, not change.
    Staff,
}

/// Members without the right get 403 (they know the facility); staff get read access; anyone else a
/// 404, so a facility's existence is not revealed.
fn access(caller: &Caller, facility_id: &str) -> Result<Access, AppError> {
    match caller.member_of(facility_id) {
        Some(m) if m.can(Right::ManageMembers, None) => Ok(Access::Manager),
        Some(_) => Err(AppError::Forbidden(
            "droit « gérer les membres » requis dans cet établissement".into(),
        )),
        None if caller.is_staff() => Ok(Access::Staff),
        None => Err(AppError::NotFound),
    }
}

fn manager(caller: &Caller, facility_id: &str) -> Result<(), AppError> {
    match access(caller, facility_id)? {
        Access::Manager => Ok(()),
        Access::Staff => Err(AppError::Forbidden(
            "l'équipe Rempla consulte les membres sans les modifier".into(),
        )),
    }
}

fn audit_entry(state: &AppState, caller: &Caller, facility_id: &str, action: &str) -> AuditEntry {
    AuditEntry {
        at_ms: state.clock.now_ms(),
        account_id: Some(caller.account.id.clone()),
        device_id: Some(caller.device_id.clone()),
        action: action.to_owned(),
        entity: "member".into(),
        facility_id: Some(facility_id.to_owned()),
        ..AuditEntry::default()
    }
}

// ---------------------------------------------------------------- handlers

/// `GET /v1/facilities/{id}/members`: every member with their account e-mail, role, delegations and
/// effective facility-wide rights.
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    access(&caller, &id)?;
    if state.storage.facility(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let members = state.storage.facility_members(&id).await?;
    let you = caller.member_of(&id).map(|m| m.id.to_string());
    let members: Vec<Value> = members
        .into_iter()
        .map(|mut m| {
            m["you"] = json!(you.as_deref() == m["member_id"].as_str());
            m
        })
        .collect();
    Ok(Json(json!({"members": members})))
}

/// `POST /v1/facilities/{id}/members`: invite a member; a new account gets an activation link and
/// chooses its password at activation.
pub async fn invite(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Invite>,
) -> Result<Response, AppError> {
    manager(&caller, &id)?;
    let sites = site_ids(&state, &id).await?;
    let (role, delegations) = parse_rights(&body.role, &body.delegations, &sites)?;
    let member = Member {
        id: MemberId::new(),
        facility_id: id.parse().map_err(|_| AppError::NotFound)?,
        display_name: check_text("display_name", &body.display_name, 100)?,
        role,
        delegations,
    };
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        email: parse_email(&body.email)?,
        password_hash: None,
        kind: AccountKind::Facility,
        doctor_id: None,
        display_name: member.display_name.clone(),
        activated: false,
        created_ms: state.clock.now_ms(),
    };
    let member_id = member.id;
    let entry = AuditEntry {
        entity_id: member_id.to_string(),
        detail: json!({"role": member.role, "delegations": member.delegations}).to_string(),
        ..audit_entry(&state, &caller, &id, "member_invited")
    };
    let (owner, new) = state
        .storage
        .invite_member(account, member, Some(entry))
        .await
        .map_err(storage_conflict)?;
    if new {
        send_link(&state, &owner, "activate").await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({"account_id": owner.id, "member_id": member_id})),
    )
        .into_response())
}

/// `PUT /v1/facilities/{id}/members/{member_id}`: replaces a member's role and delegations.
pub async fn change(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, member_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<RightsBody>,
) -> Result<Json<Value>, AppError> {
    manager(&caller, &id)?;
    let sites = site_ids(&state, &id).await?;
    let (role, delegations) = parse_rights(&body.role, &body.delegations, &sites)?;
    let entry = AuditEntry {
        entity_id: member_id.clone(),
        ..audit_entry(&state, &caller, &id, "member_rights_changed")
    };
    let member = state
        .storage
        .change_member(id, member_id, role, delegations, entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(Json(json!({"member": member})))
}

/// `DELETE /v1/facilities/{id}/members/{member_id}`: removes a member from the facility (the account
/// stays, with its other memberships).
pub async fn remove(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, member_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    manager(&caller, &id)?;
    let entry = AuditEntry {
        entity_id: member_id.clone(),
        ..audit_entry(&state, &caller, &id, "member_removed")
    };
    state
        .storage
        .remove_member(id, member_id, entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(no_content())
}

async fn site_ids(state: &AppState, facility_id: &str) -> Result<Vec<String>, AppError> {
    Ok(state
        .storage
        .sites(facility_id)
        .await?
        .iter()
        .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect())
}

// ---------------------------------------------------------------- storage

/// The member row of `member_id` in `facility_id`: account id and record.
fn member_tx(
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

/// Effective facility-wide rights of a member (role plus facility-wide delegations), in catalogue
/// order, so a client need not know the role table.
fn effective_rights(m: &Member) -> Vec<Right> {
    Right::ALL.into_iter().filter(|r| m.can(*r, None)).collect()
}

impl Storage {
    /// Every member of a facility with their account's e-mail and activation, by display name.
    pub async fn facility_members(&self, facility_id: &str) -> Result<Vec<Value>, StorageError> {
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
                out.push(json!({
                    "member_id": member.id,
                    "account_id": text(r, 0)?,
                    "email": text(r, 2)?,
                    "display_name": member.display_name,
                    "role": member.role,
                    "delegations": member.delegations,
                    "rights": effective_rights(&member),
                    "activated": int(r, 3)? != 0,
                }));
            }
            out.sort_by(|a, b| {
                let key = |v: &Value| {
                    (
                        v["display_name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_lowercase(),
                        v["member_id"].as_str().unwrap_or_default().to_owned(),
                    )
                };
                key(a).cmp(&key(b))
            });
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
        entry: AuditEntry,
    ) -> Result<Option<Result<Member, MembersError>>, StorageError> {
        self.write(move |tx| {
            let Some((_, before)) = member_tx(tx, &facility_id, &member_id)? else {
                return Ok(None);
            };
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
        entry: AuditEntry,
    ) -> Result<Option<Result<(), MembersError>>, StorageError> {
        self.write(move |tx| {
            let Some((account_id, before)) = member_tx(tx, &facility_id, &member_id)? else {
                return Ok(None);
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(right: &str, site: Option<&str>) -> DelegationBody {
        DelegationBody {
            right: right.into(),
            site_id: site.map(str::to_owned),
        }
    }

    #[test]
    fn rights_are_checked_and_reduced() {
        let site = SiteId::new().to_string();
        let sites = vec![site.clone()];
        let (role, out) = parse_rights(
            "viewer",
            &[
                d("read", None),
                d("billing", Some(&site)),
                d("billing", None),
                d("propose", Some(&site)),
                d("propose", Some(&site)),
            ],
            &sites,
        )
        .unwrap();
        assert_eq!(role, MemberRole::Viewer);
        // `read` comes with the role; the site-limited billing is covered by the wide one; duplicates go.
        assert_eq!(
            out,
            vec![
                Delegation {
                    right: Right::Billing,
                    site_id: None
                },
                Delegation {
                    right: Right::Propose,
                    site_id: Some(site.parse().unwrap())
                },
            ]
        );
        assert_eq!(
            parse_rights("boss", &[], &sites).unwrap_err().code(),
            ErrorCode::UnknownRole
        );
        assert_eq!(
            parse_rights("viewer", &[d("fly", None)], &sites)
                .unwrap_err()
                .code(),
            ErrorCode::UnknownRight
        );
        assert_eq!(
            parse_rights("viewer", &[d("read", Some("elsewhere"))], &sites)
                .unwrap_err()
                .code(),
            ErrorCode::UnknownSite
        );
        let many: Vec<_> = (0..=MAX_DELEGATIONS).map(|_| d("read", None)).collect();
        assert_eq!(
            parse_rights("viewer", &many, &sites).unwrap_err().code(),
            ErrorCode::TooManyDelegations
        );
    }
}
