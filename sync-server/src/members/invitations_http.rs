//! The invitation endpoints (`docs/api/members.md`, "Invitations"): a facility's managers offer a
//! place (`POST /v1/facilities/{id}/members`), list and withdraw their offers; the invited person
//! accepts or declines, signed in (`/v1/me/invitations`) or, without an account, with the token of the
//! e-mail (`/v1/invitations/accept|decline`, and the page of `crate::members::invitation_page`).

use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use rempla_core::api::members::{
    AcceptInvitation, DeclineInvitation, Invited, Joined, ReceivedInvitations, SentInvitations,
};
use rempla_core::domain::{MemberId, MemberRole};
use serde_json::json;

use super::error::MembersError;
use super::http::{access, audit_entry, manager, site_ids};
use super::invitations::{Answerer, NewInvitation, Offer};
use super::model::{Invite, parse_rights};
use crate::accounts::http::{address, check_text, deliver, parse_email};
use crate::accounts::queries::{Account, AccountKind};
use crate::accounts::throttle;
use crate::audit::AuditEntry;
use crate::auth::{self, Authed, Caller, check_password_policy, random_token, sha256_hex};
use crate::http::error::AppError;
use crate::http::extract::{ClientIp, JsonBody, no_content};
use crate::http::state::AppState;
use crate::mail;

/// The invitation endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/facilities/{id}/members", post(invite))
        .route("/v1/facilities/{id}/invitations", get(sent))
        .route(
            "/v1/facilities/{id}/invitations/{invitation_id}",
            delete(revoke),
        )
        .route("/v1/me/invitations", get(received))
        .route("/v1/me/invitations/{id}/accept", post(accept_signed_in))
        .route("/v1/me/invitations/{id}/decline", post(decline_signed_in))
        .route("/v1/invitations/accept", post(accept_with_token))
        .route("/v1/invitations/decline", post(decline_with_token))
}

/// The French name of a role, as the e-mail and the link's page say it.
pub(crate) fn role_label(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Admin => "administrateur ou administratrice",
        MemberRole::Planner => "chargé·e de planification",
        MemberRole::Viewer => "membre en lecture seule",
    }
}

/// `POST /v1/facilities/{id}/members`: offers a place in the facility to an address (202). No account
/// or membership is made until the person accepts; the answer is the same whether the address has an
/// account or not. Only a verified facility invites, and only an administrator offers the
/// administrator role.
pub async fn invite(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Invite>,
) -> Result<Response, AppError> {
    manager(&caller, &id)?;
    let own = caller.member_of(&id).ok_or(AppError::NotFound)?.to_owned();
    let verified = caller
        .members
        .iter()
        .any(|m| m.member.facility_id == own.facility_id && m.facility_verified);
    if !verified {
        return Err(MembersError::FacilityNotVerified.into());
    }
    let sites = site_ids(&state, &id).await?;
    let (role, delegations) = parse_rights(&body.role, &body.delegations, &sites)?;
    if role == MemberRole::Admin && own.role != MemberRole::Admin {
        return Err(MembersError::AdminOnly.into());
    }
    let email = parse_email(&body.email)?;
    let display_name = check_text("display_name", &body.display_name, 100)?;
    if !state.limits.invitations.check(&id, state.clock.now_ms()) {
        return Err(AppError::RateLimited);
    }
    let token = random_token()?;
    let now = state.clock.now_ms();
    let days = state.config.invitation_ttl_days.max(1);
    let expires_ms = now + i64::from(days) * 86_400_000;
    let invitation_id = uuid::Uuid::now_v7().to_string();
    let entry = AuditEntry {
        entity: "invitation".into(),
        entity_id: invitation_id.clone(),
        detail: json!({"email": email, "role": role, "delegations": delegations}).to_string(),
        ..audit_entry(&state, &caller, &id, "member_invited")
    };
    state
        .storage
        .create_invitation(
            NewInvitation {
                id: invitation_id.clone(),
                facility_id: id.clone(),
                email: email.clone(),
                token_hash: sha256_hex(token.as_bytes()),
                offer: Offer {
                    display_name,
                    role,
                    delegations,
                    invited_by_name: own.display_name.clone(),
                },
                invited_by: caller.account.id.clone(),
                created_ms: now,
                expires_ms,
            },
            entry,
        )
        .await??;
    let facility_name = state
        .storage
        .facility(&id)
        .await?
        .and_then(|f| f.get("name").and_then(|n| n.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let base = state.config.public_url.trim_end_matches('/');
    let message = mail::invitation(
        &email,
        &facility_name,
        role_label(role),
        &format!("{base}/invitation?token={token}"),
        days,
    );
    deliver(&state, message, "invitation").await;
    Ok((
        StatusCode::ACCEPTED,
        Json(Invited {
            invitation_id,
            expires_ms,
        }),
    )
        .into_response())
}

/// `GET /v1/facilities/{id}/invitations`: the offers the facility made and where each stands
/// (managers; staff read-only).
pub async fn sent(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<SentInvitations>, AppError> {
    access(&caller, &id)?;
    if state.storage.facility(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let invitations = state
        .storage
        .sent_invitations(&id, state.clock.now_ms())
        .await?;
    Ok(Json(SentInvitations { invitations }))
}

/// `DELETE /v1/facilities/{id}/invitations/{invitation_id}`: withdraws a pending offer (its link stops
/// working at once).
pub async fn revoke(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, invitation_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    manager(&caller, &id)?;
    let entry = AuditEntry {
        entity: "invitation".into(),
        entity_id: invitation_id.clone(),
        ..audit_entry(&state, &caller, &id, "invitation_revoked")
    };
    state
        .storage
        .revoke_invitation(id, invitation_id, state.clock.now_ms(), entry)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(no_content())
}

/// `GET /v1/me/invitations`: the pending offers made to the signed-in account's address (a facility
/// account; a doctor's list is empty, a doctor's account joins no facility).
pub async fn received(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<ReceivedInvitations>, AppError> {
    if caller.account.kind != AccountKind::Facility {
        return Ok(Json(ReceivedInvitations::default()));
    }
    let invitations = state
        .storage
        .received_invitations(&caller.account.email, state.clock.now_ms())
        .await?;
    Ok(Json(ReceivedInvitations { invitations }))
}

fn signed_in(caller: &Caller, invitation_id: String) -> Result<Answerer, AppError> {
    if caller.account.kind != AccountKind::Facility {
        return Err(MembersError::WrongAccountKind.into());
    }
    Ok(Answerer::Account {
        invitation_id,
        account: caller.account.clone(),
    })
}

/// `POST /v1/me/invitations/{id}/accept`: the signed-in account joins the facility with the role
/// offered.
pub async fn accept_signed_in(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<Joined>, AppError> {
    let by = signed_in(&caller, id)?;
    let joined = state
        .storage
        .accept_invitation(by, MemberId::new(), state.clock.now_ms())
        .await??;
    Ok(Json(joined))
}

/// `POST /v1/me/invitations/{id}/decline`.
pub async fn decline_signed_in(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let by = signed_in(&caller, id)?;
    state
        .storage
        .decline_invitation(by, state.clock.now_ms())
        .await??;
    Ok(no_content())
}

/// Accepts with an e-mail's token for someone without an account: the token is checked first (one
/// indexed read), the password hashed only for a live one, then the account and the membership are
/// made in one transaction that checks everything again.
pub(crate) async fn accept_by_token(
    state: &AppState,
    token: &str,
    display_name: &str,
    password: String,
) -> Result<Joined, AppError> {
    let display_name = check_text("display_name", display_name, 100)?;
    check_password_policy(&password)?;
    let token_hash = sha256_hex(token.as_bytes());
    let now = state.clock.now_ms();
    match state
        .storage
        .invitation_by_token(token_hash.clone(), now)
        .await?
    {
        Some((inv, _)) if inv.status == rempla_core::api::members::InvitationStatus::Pending => {}
        _ => return Err(MembersError::InvitationInvalid.into()),
    }
    let new_account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        email: String::new(),
        password_hash: Some(auth::hash_password(state, password).await?),
        kind: AccountKind::Facility,
        doctor_id: None,
        display_name,
        activated: true,
        created_ms: now,
    };
    Ok(state
        .storage
        .accept_invitation(
            Answerer::Token {
                token_hash,
                new_account: Some(new_account),
            },
            MemberId::new(),
            now,
        )
        .await??)
}

/// Declines with an e-mail's token.
pub(crate) async fn decline_by_token(state: &AppState, token: &str) -> Result<(), AppError> {
    let by = Answerer::Token {
        token_hash: sha256_hex(token.as_bytes()),
        new_account: None,
    };
    Ok(state
        .storage
        .decline_invitation(by, state.clock.now_ms())
        .await??)
}

/// `POST /v1/invitations/accept`: someone without an account accepts the offer of their e-mail; the
/// account is made then, active at once (the token proves the mailbox). An address with an account
/// is refused `sign_in_to_accept` (a doctor's: `wrong_account_kind`).
pub async fn accept_with_token(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<AcceptInvitation>,
) -> Result<(StatusCode, Json<Joined>), AppError> {
    throttle::attempt(&state, &address(ip))?;
    let joined = accept_by_token(&state, &body.token, &body.display_name, body.password).await?;
    Ok((StatusCode::CREATED, Json(joined)))
}

/// `POST /v1/invitations/decline`: the invited person says no from the e-mail's link.
pub async fn decline_with_token(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<DeclineInvitation>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    decline_by_token(&state, &body.token).await?;
    Ok(no_content())
}
