//! The members endpoints (`docs/api/members.md`) and [`routes`]: who may act (managers, staff
//! read-only, strangers 404), then the queries. Invitations are in `super::invitations_http`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};
use rempla_core::api::members::{MemberChanged, MemberEntry, MemberList};
use rempla_core::domain::{MemberRole, Right};
use serde_json::Value;

use super::model::{RightsBody, parse_rights};
use super::queries::ChangedBy;
use crate::audit::AuditEntry;
use crate::auth::{Authed, Caller};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::extract::no_content;
use crate::http::state::AppState;

/// The members endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/facilities/{id}/members", get(list))
        .route(
            "/v1/facilities/{id}/members/{member_id}",
            put(change).delete(remove),
        )
}

// ---------------------------------------------------------------- authorization

/// Who is asking about this facility's members.
pub(crate) enum Access {
    /// A member holding the « gérer les membres » right.
    Manager,
    /// Staff: may list, not change.
    Staff,
}

/// Members without the right get 403 (they know the facility); staff get read access; anyone else a
/// 404, so a facility's existence is not revealed.
pub(crate) fn access(caller: &Caller, facility_id: &str) -> Result<Access, AppError> {
    match caller.member_of(facility_id) {
        Some(m) if m.can(Right::ManageMembers, None) => Ok(Access::Manager),
        Some(_) => Err(AppError::Forbidden(
            "droit « gérer les membres » requis dans cet établissement".into(),
        )),
        None if caller.is_staff() => Ok(Access::Staff),
        None => Err(AppError::NotFound),
    }
}

pub(crate) fn manager(caller: &Caller, facility_id: &str) -> Result<(), AppError> {
    match access(caller, facility_id)? {
        Access::Manager => Ok(()),
        Access::Staff => Err(AppError::Forbidden(
            "l'équipe Rempla consulte les membres sans les modifier".into(),
        )),
    }
}

pub(crate) fn audit_entry(
    state: &AppState,
    caller: &Caller,
    facility_id: &str,
    action: &str,
) -> AuditEntry {
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
) -> Result<Json<MemberList>, AppError> {
    access(&caller, &id)?;
    if state.storage.facility(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let members = state.storage.facility_members(&id).await?;
    let you = caller.member_of(&id).map(|m| m.id);
    let members = members
        .into_iter()
        .map(|m| MemberEntry {
            you: you == Some(m.member_id),
            ..m
        })
        .collect();
    Ok(Json(MemberList { members }))
}

/// `PUT /v1/facilities/{id}/members/{member_id}`: replaces a member's role and delegations.
pub async fn change(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, member_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<RightsBody>,
) -> Result<Json<MemberChanged>, AppError> {
    manager(&caller, &id)?;
    let sites = site_ids(&state, &id).await?;
    let (role, delegations) = parse_rights(&body.role, &body.delegations, &sites)?;
    let entry = AuditEntry {
        entity_id: member_id.clone(),
        ..audit_entry(&state, &caller, &id, "member_rights_changed")
    };
    let by = changed_by(&caller, &id);
    let member = state
        .storage
        .change_member(id, member_id, role, delegations, by, entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(Json(MemberChanged { member }))
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
    let by = changed_by(&caller, &id);
    state
        .storage
        .remove_member(id, member_id, by, entry)
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(no_content())
}

/// The caller's standing in the facility for a membership change.
fn changed_by(caller: &Caller, facility_id: &str) -> ChangedBy {
    let own = caller.member_of(facility_id);
    ChangedBy {
        admin: own.is_some_and(|m| m.role == MemberRole::Admin),
        member_id: own.map(|m| m.id.to_string()).unwrap_or_default(),
    }
}

pub(crate) async fn site_ids(state: &AppState, facility_id: &str) -> Result<Vec<String>, AppError> {
    Ok(state
        .storage
        .sites(facility_id)
        .await?
        .iter()
        .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect())
}
