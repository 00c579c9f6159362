//! The facilities' verification queue: staff check a self-registered facility (its SIRET against the
//! public register, its name and kind) before it may post requests, see candidates or read any doctor
//! profile. The same decision shape as the doctors' queue (`documents::verification`): approve, or
//! reject with a reason the facility can act on; both are audited and notified to its administrators
//! (the queries are in `facility_queue.rs`).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use rempla_core::api::ErrorCode;
pub use rempla_core::api::staff::Decision as Verdict;
use rempla_core::api::staff::{DecidedFacility, FacilityDecision, FacilityQueue};
use serde::Deserialize;

use crate::auth::Authed;
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::staff::{decision_reason, staff_only};

/// The queue's routes (staff only).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/staff/facility-verifications", get(queue))
        .route("/v1/staff/facility-verifications/{id}", post(decide))
}

/// `?status=` of the queue: `pending` (default), `verified` or `rejected`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Which decisions to list.
    pub status: Option<String>,
}

/// `GET /v1/staff/facility-verifications?status=pending`: facilities with their SIRET, kind, sign-up
/// time and administrators, oldest first.
pub async fn queue(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<QueueQuery>,
) -> Result<Json<FacilityQueue>, AppError> {
    staff_only(&caller)?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    if !["pending", "verified", "rejected"].contains(&status.as_str()) {
        return Err(AppError::invalid(
            ErrorCode::InvalidState,
            "statut : pending, verified ou rejected",
        ));
    }
    let facilities = state.storage.facility_queue(status).await?;
    Ok(Json(FacilityQueue { facilities }))
}

/// `POST /v1/staff/facility-verifications/{id}`: approves or rejects a facility (a reason is required
/// to reject). Audited; its administrators are told.
pub async fn decide(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FacilityDecision>,
) -> Result<Json<DecidedFacility>, AppError> {
    staff_only(&caller)?;
    let reason = decision_reason(body.decision, body.reason.as_deref(), 500)?;
    let decided = state
        .storage
        .decide_facility(
            id,
            body.decision,
            reason,
            (caller.account.id.clone(), caller.device_id.clone()),
            state.clock.now_ms(),
            true,
        )
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(decided))
}
