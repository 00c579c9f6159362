//! The workflow endpoints (`docs/api/workflow.md`): thin handlers that authenticate, parse, call one
//! storage action, publish its feed changes after commit and answer.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::api::missions::{
    ContractView, LIST_PAGE_DEFAULT, LIST_PAGE_MAX, MissionAnswer, MissionDetail, MissionList,
    ProposalList, ProposalMade,
};
use rempla_core::domain::proposal::MAX_ANSWER_REASON_CHARS;
use rempla_core::domain::{DoctorStatus, Initiator, ProposalState};
use serde::Deserialize;

use super::acceptance::AnswerFacts;
use super::contract::ContractFacts;
use super::flow::Answer;
use super::model::{Actor, Done, NewProposal, Settings};
use super::views::Page;
use crate::auth::{Authed, Caller};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use rempla_core::api::workflow as api;

fn actor(caller: &Caller) -> Actor {
    Actor {
        account_id: caller.account.id.clone(),
        device_id: caller.device_id.clone(),
        doctor_id: caller.account.doctor_id.clone(),
        members: caller.member_records(),
        staff: caller.is_staff(),
    }
}

fn settings(state: &AppState) -> Settings {
    Settings {
        answer_business_days: state.config.answer_business_days,
    }
}

/// Unwraps an action's answer and publishes its changes.
fn finish<T>(state: &AppState, answer: Answer<Done<T>>) -> Result<(T, bool), AppError> {
    let done = answer??;
    for change in done.changes {
        state.events.publish_local(change);
    }
    Ok((done.value, done.created))
}

fn status(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// `POST /v1/requests/{id}/proposals`: a facility member with the `propose` right offers the request
/// to a verified candidate doctor.
pub async fn send_proposal(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(request_id): Path<String>,
    JsonBody(body): JsonBody<api::NewProposal>,
) -> Result<Response, AppError> {
    let new = NewProposal {
        id: body.id,
        request_id,
        doctor_id: body.doctor_id,
        shift_indexes: body.shift_indexes,
        initiator: Initiator::Facility,
    };
    let answer = state
        .storage
        .create_proposal(
            actor(&caller),
            new,
            settings(&state),
            state.clock.now_ms(),
            state.next_hlc(None),
        )
        .await;
    let (view, created) = finish(&state, answer)?;
    Ok((status(created), Json(ProposalMade { proposal: view })).into_response())
}

/// `POST /v1/requests/{id}/applications`: a verified doctor applies to an open request.
pub async fn apply(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(request_id): Path<String>,
    JsonBody(body): JsonBody<api::NewApplication>,
) -> Result<Response, AppError> {
    let Some(doctor_id) = caller.account.doctor_id.clone() else {
        return Err(AppError::Forbidden("réservé aux médecins".into()));
    };
    if caller.doctor_status != Some(DoctorStatus::Verified) {
        return Err(AppError::WrongState(
            ErrorCode::DoctorNotVerified,
            "votre profil n'est pas encore vérifié : vous ne pouvez pas encore candidater".into(),
        ));
    }
    let new = NewProposal {
        id: body.id,
        request_id,
        doctor_id,
        shift_indexes: body.shift_indexes,
        initiator: Initiator::Doctor,
    };
    let answer = state
        .storage
        .create_proposal(
            actor(&caller),
            new,
            settings(&state),
            state.clock.now_ms(),
            state.next_hlc(None),
        )
        .await;
    let (view, created) = finish(&state, answer)?;
    Ok((status(created), Json(ProposalMade { proposal: view })).into_response())
}

/// Query of `GET /v1/proposals`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// Only proposals in this state.
    #[serde(default)]
    pub state: Option<ProposalState>,
    /// Only proposals of this request.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The previous page's `next_before`.
    #[serde(default)]
    pub before: Option<String>,
    /// Page size (1 to `LIST_PAGE_MAX`; `LIST_PAGE_DEFAULT` when absent).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Query of `GET /v1/missions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The previous page's `next_before`.
    #[serde(default)]
    pub before: Option<String>,
    /// Page size (1 to `LIST_PAGE_MAX`; `LIST_PAGE_DEFAULT` when absent).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The page asked for: a cursor that is an id (else `invalid_cursor`), a size within bounds (else
/// `invalid_query`).
fn page(before: Option<String>, limit: Option<usize>) -> Result<Page, AppError> {
    let limit = limit.unwrap_or(LIST_PAGE_DEFAULT);
    if limit == 0 || limit > LIST_PAGE_MAX {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!("limit : de 1 à {LIST_PAGE_MAX}"),
        ));
    }
    if let Some(b) = &before
        && uuid::Uuid::parse_str(b).is_err()
    {
        return Err(AppError::invalid(
            ErrorCode::InvalidCursor,
            "curseur illisible",
        ));
    }
    Ok(Page {
        before: before.map(|b| b.to_lowercase()),
        limit,
    })
}

/// `GET /v1/proposals`: one page of the caller's proposals (as doctor, and of their facilities).
pub async fn list_proposals(
    State(state): State<AppState>,
    Authed(caller): Authed,
    query: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProposalList>, AppError> {
    let Query(q) = query.map_err(|e| AppError::invalid(ErrorCode::InvalidQuery, e.body_text()))?;
    let page = page(q.before, q.limit)?;
    let (proposals, next_before) = state
        .storage
        .proposals_of(actor(&caller), q.state, q.request_id, page)
        .await??;
    Ok(Json(ProposalList {
        proposals,
        next_before,
    }))
}

/// `POST /v1/proposals/{id}/answer`: the answering party accepts or declines.
pub async fn answer(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<api::AnswerBody>,
) -> Result<Response, AppError> {
    if body.document_ids.len() > 50 {
        return Err(AppError::invalid(
            ErrorCode::TooManyDocuments,
            "50 documents au plus",
        ));
    }
    let reason = answer_reason(body.reason.as_deref())?;
    let answer = state
        .storage
        .answer_proposal(
            actor(&caller),
            id,
            AnswerFacts {
                reply: body.answer,
                document_ids: body.document_ids,
                reason,
            },
            state.clock.now_ms(),
            state.next_hlc(None),
        )
        .await;
    let (value, _) = finish(&state, answer)?;
    Ok((StatusCode::OK, Json(value)).into_response())
}

/// The answer's reason as stored: trimmed, `None` when blank; refused when longer than
/// [`MAX_ANSWER_REASON_CHARS`] or holding control characters (line breaks excepted).
fn answer_reason(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_ANSWER_REASON_CHARS {
        return Err(AppError::invalid(
            ErrorCode::TooLong,
            format!("motif trop long ({MAX_ANSWER_REASON_CHARS} caractères au plus)"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            ErrorCode::InvalidReason,
            "motif illisible (caractères de contrôle)",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// `GET /v1/missions`: one page of the caller's missions, without contact details.
pub async fn list_missions(
    State(state): State<AppState>,
    Authed(caller): Authed,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MissionList>, AppError> {
    let Query(q) = query.map_err(|e| AppError::invalid(ErrorCode::InvalidQuery, e.body_text()))?;
    let page = page(q.before, q.limit)?;
    let (missions, next_before) = state.storage.missions_of(actor(&caller), page).await??;
    Ok(Json(MissionList {
        missions,
        next_before,
    }))
}

/// `GET /v1/missions/{id}`: one mission with the other party's contact details, for its two parties
/// only; every read is audited (`contact_read`).
pub async fn mission(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<MissionDetail>, AppError> {
    let value = state
        .storage
        .mission_with_contacts(actor(&caller), id, state.clock.now_ms())
        .await??;
    Ok(Json(value))
}

/// `POST /v1/missions/{id}/cancel`: either party cancels; lateness is recorded and the other party
/// told.
pub async fn cancel(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<api::CancelBody>,
) -> Result<Json<MissionAnswer>, AppError> {
    let reason = body.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1_000 {
        return Err(AppError::invalid(
            ErrorCode::InvalidReason,
            "un motif d'annulation (1 000 caractères au plus) est requis",
        ));
    }
    let answer = state
        .storage
        .cancel_mission(
            actor(&caller),
            id,
            reason,
            state.clock.now_ms(),
            state.next_hlc(None),
        )
        .await;
    let (view, _) = finish(&state, answer)?;
    Ok(Json(MissionAnswer { mission: view }))
}

/// `GET /v1/missions/{id}/contract`: the contract's facts, version hash (what a party signs) and
/// signatures.
pub async fn contract(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<ContractView<ContractFacts>>, AppError> {
    let (facts, sha, view) = state.storage.contract(actor(&caller), id).await??;
    Ok(Json(ContractView {
        facts,
        sha256: sha,
        signatures: view.signatures,
        status: view.mission.status,
    }))
}

/// `GET /v1/missions/{id}/contract.pdf`: the contract rendered as PDF (`pdf::contract::render`), with
/// its version hash — printed in the document and signed by the parties — in `X-Contract-Sha256`.
pub async fn contract_pdf(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (facts, sha, _) = state.storage.contract(actor(&caller), id).await??;
    // Rendering embeds and subsets a font: CPU work, off the async workers.
    let pdf = tokio::task::spawn_blocking(move || crate::pdf::contract::render(&facts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("{e} [{}]", e.code())))?;
    let mut response = (StatusCode::OK, pdf).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&sha) {
        headers.insert("x-contract-sha256", v);
    }
    Ok(response)
}

/// `POST /v1/missions/{id}/contract/sign`: a party signs the current contract version by click.
pub async fn sign(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<api::SignBody>,
) -> Result<Response, AppError> {
    let answer = state
        .storage
        .sign_contract(
            actor(&caller),
            id,
            body.sha256,
            state.clock.now_ms(),
            state.next_hlc(None),
        )
        .await;
    let (view, created) = finish(&state, answer)?;
    Ok((status(created), Json(MissionAnswer { mission: view })).into_response())
}

/// `PUT /v1/me/matching-preferences`: a doctor's matching-related preference.
pub async fn put_match_prefs(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(body): JsonBody<api::MatchPreferences>,
) -> Result<Json<api::MatchPreferences>, AppError> {
    let Some(doctor) = caller.account.doctor_id.clone() else {
        return Err(AppError::Forbidden("réservé aux médecins".into()));
    };
    state
        .storage
        .set_only_when_available(doctor, body.only_when_available, state.clock.now_ms())
        .await?;
    Ok(Json(body))
}

/// `GET /v1/me/matching-preferences`.
pub async fn get_match_prefs(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<api::MatchPreferences>, AppError> {
    let Some(doctor) = caller.account.doctor_id.clone() else {
        return Err(AppError::Forbidden("réservé aux médecins".into()));
    };
    let on = state.storage.only_when_available(doctor).await?;
    Ok(Json(api::MatchPreferences {
        only_when_available: on,
    }))
}

/// The workflow endpoints, merged into the router by `crate::areas`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/requests/{id}/proposals", post(send_proposal))
        .route("/v1/requests/{id}/applications", post(apply))
        .route("/v1/proposals", get(list_proposals))
        .route("/v1/proposals/{id}/answer", post(answer))
        .route("/v1/missions", get(list_missions))
        .route("/v1/missions/{id}", get(mission))
        .route("/v1/missions/{id}/cancel", post(cancel))
        .route("/v1/missions/{id}/contract", get(contract))
        .route("/v1/missions/{id}/contract.pdf", get(contract_pdf))
        .route("/v1/missions/{id}/contract/sign", post(sign))
        .route(
            "/v1/me/matching-preferences",
            put(put_match_prefs).get(get_match_prefs),
        )
}
