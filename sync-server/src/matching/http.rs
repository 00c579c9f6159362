//! The two matching endpoints: request → candidates (facility members with the `read` right on the
//! request's site, and staff) and doctor → requests (the verified doctor themself).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use rempla_core::api::ErrorCode;
use rempla_core::api::matching::{Candidate, CandidateProfile, Candidates};
use rempla_core::domain::{
    Doctor, DoctorId, DoctorStatus, Request, RequestId, RequestStatus, Right,
};
use rempla_core::matching::{
    Cluster, MatchingError, RequestFit, cluster_requests, match_request, requests_for_doctor,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{Authed, Caller};
use crate::http::error::AppError;
use crate::http::state::AppState;

/// The routes of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/requests/{id}/candidates", get(candidates))
        .route("/v1/me/requests", get(my_requests))
}

/// What a facility sees of a candidate before any unlock: no contact details.
fn public_profile(d: Doctor) -> CandidateProfile {
    CandidateProfile {
        id: d.id,
        first_name: d.first_name,
        last_name: d.last_name,
        specialties: d.specialties.iter().map(|s| s.code().to_owned()).collect(),
        qualification: serde_json::to_value(d.qualification).unwrap_or(Value::Null),
    }
}

fn matching_error(e: MatchingError) -> AppError {
    match e {
        MatchingError::UnknownRequest { .. } | MatchingError::UnknownDoctor { .. } => {
            AppError::NotFound
        }
        other => AppError::Internal(other.to_string()),
    }
}

/// Whether the caller may see the candidates of `request`.
fn may_see_candidates(caller: &Caller, request: &Request) -> bool {
    let facility = request.facility_id.to_string();
    caller.is_staff()
        || caller.members.iter().any(|m| {
            m.facility_verified
                && m.member.facility_id.to_string() == facility
                && m.member.can(Right::Read, Some(request.site_id))
        })
}

/// `GET /v1/requests/{id}/candidates`: who can take the request, completely or in part, ranked with
/// explanations, and the split coverage when nobody covers it all.
pub async fn candidates(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<Candidates>, AppError> {
    let request_id: RequestId = id.parse().map_err(|_| AppError::NotFound)?;
    let change = state
        .storage
        .change("request", &request_id.to_string())
        .await?
        .filter(|c| c.state.is_live())
        .ok_or(AppError::NotFound)?;
    let request: Request = serde_json::from_value(Value::Object(change.state.fields.clone()))
        .map_err(|e| AppError::Internal(format!("demande illisible : {e}")))?;
    // Not a member of its facility: the request does not exist for this caller.
    if !may_see_candidates(&caller, &request) {
        return Err(AppError::NotFound);
    }
    if request.status != RequestStatus::Open {
        return Err(AppError::Conflict(
            "la demande n'est plus ouverte : pas de candidats".into(),
        ));
    }
    let matches = {
        let guard = state
            .matching
            .fresh(&state.storage, state.clock.now_ms())
            .await?;
        let loaded = guard.as_ref().ok_or(AppError::Internal("index".into()))?;
        match_request(&loaded.index, request_id).map_err(matching_error)?
    };
    let ids = matches
        .candidates
        .iter()
        .map(|c| c.doctor.to_string())
        .collect();
    let mut profiles: std::collections::HashMap<DoctorId, Doctor> = state
        .storage
        .doctors_by_ids(ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let candidates: Vec<Candidate> = matches
        .candidates
        .into_iter()
        .filter_map(|c| {
            let doctor = profiles.remove(&c.doctor)?;
            Some(Candidate::new(public_profile(doctor), c))
        })
        .collect();
    Ok(Json(Candidates::new(request_id, candidates, matches.split)))
}

/// Query of `GET /v1/me/requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyRequestsQuery {
    /// With a map zoom (0–20), the fits are also grouped into clusters for the map.
    pub zoom: Option<u8>,
}

/// Answer of `GET /v1/me/requests`.
#[derive(Debug, Serialize)]
pub struct MyRequestsView {
    /// The open requests the doctor's calendar fits, best first.
    pub requests: Vec<RequestFit>,
    /// Map clusters of those requests at the asked zoom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<Cluster>>,
}

/// `GET /v1/me/requests`: the open requests the calling doctor can take, completely or in part.
pub async fn my_requests(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(query): Query<MyRequestsQuery>,
) -> Result<Json<MyRequestsView>, AppError> {
    let doctor_id: DoctorId = caller
        .doctor_id()
        .ok_or_else(|| AppError::Forbidden("réservé aux médecins".into()))?
        .parse()
        .map_err(|_| AppError::Internal("identifiant de médecin".into()))?;
    if caller.doctor_status != Some(DoctorStatus::Verified) {
        return Err(AppError::Forbidden(
            "votre profil doit être vérifié pour voir les demandes".into(),
        ));
    }
    if query.zoom.is_some_and(|z| z > 20) {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            "zoom : entre 0 et 20",
        ));
    }
    let requests = {
        let guard = state
            .matching
            .fresh(&state.storage, state.clock.now_ms())
            .await?;
        let loaded = guard.as_ref().ok_or(AppError::Internal("index".into()))?;
        requests_for_doctor(&loaded.index, doctor_id).map_err(matching_error)?
    };
    let clusters = query
        .zoom
        .map(|z| cluster_requests(requests.iter().map(|r| (r.request, r.location)), z));
    Ok(Json(MyRequestsView { requests, clusters }))
}
