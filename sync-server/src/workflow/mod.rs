//! The workflow area: from a request to a mission. Proposals (a facility offers a request to a doctor)
//! and applications (a doctor offers themself), each with an answer deadline of three business days in
//! the site's territory; answers (a decline is an answer); acceptance, which in one transaction makes
//! the mission, books the doctor's slots, withdraws the doctor's overlapping proposals everywhere and
//! unlocks both parties' contact details for that mission only; cancellation with its lateness; the
//! signing by click of the *contrat de remplacement*; and the periodic jobs (reminders, expiry, tiered
//! alerts, contract reminder). Endpoints: `docs/api/workflow.md`.
//!
//! - [`store`]: the queries (`impl Storage`), each action one write transaction.
//! - [`handlers`]: the HTTP endpoints and [`routes`].
//! - [`jobs`]: the periodic jobs registered in `crate::jobs`.
//! - [`candidates`]: core's matching rules over the stored calendars.

pub(crate) mod candidates;
pub mod handlers;
pub mod jobs;
pub mod store;

use axum::Router;
use axum::routing::{get, post, put};

use crate::app::AppState;
use crate::error::AppError;

/// The workflow tables (a part of `storage::schema::PARTS`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS proposals (id TEXT PRIMARY KEY, request_id TEXT NOT NULL, \
     doctor_id TEXT NOT NULL, facility_id TEXT NOT NULL, site_id TEXT NOT NULL, \
     initiator TEXT NOT NULL, state TEXT NOT NULL, shifts TEXT NOT NULL, sent_ms BIGINT NOT NULL, \
     deadline_ms BIGINT NOT NULL, answered_ms BIGINT, answered_by TEXT, reminded_ms BIGINT, \
     created_by TEXT NOT NULL, record TEXT NOT NULL)",
    // One live proposal per (request, doctor), even under concurrent sends.
    "CREATE UNIQUE INDEX IF NOT EXISTS proposals_live ON proposals (request_id, doctor_id) \
     WHERE state = 'sent'",
    "CREATE INDEX IF NOT EXISTS proposals_doctor ON proposals (doctor_id, state)",
    "CREATE INDEX IF NOT EXISTS proposals_facility ON proposals (facility_id, state)",
    "CREATE INDEX IF NOT EXISTS proposals_due ON proposals (state, deadline_ms)",
    "CREATE TABLE IF NOT EXISTS missions (id TEXT PRIMARY KEY, proposal_id TEXT NOT NULL UNIQUE, \
     request_id TEXT NOT NULL, doctor_id TEXT NOT NULL, facility_id TEXT NOT NULL, \
     site_id TEXT NOT NULL, status TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, \
     created_ms BIGINT NOT NULL, booked TEXT NOT NULL, cancelled_ms BIGINT, cancelled_by TEXT, \
     cancelled_side TEXT, cancel_reason TEXT, lateness_ms BIGINT, contract_reminded_ms BIGINT, \
     record TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS missions_doctor ON missions (doctor_id, status)",
    "CREATE INDEX IF NOT EXISTS missions_facility ON missions (facility_id, status)",
    "CREATE TABLE IF NOT EXISTS contract_signatures (mission_id TEXT NOT NULL, party TEXT NOT NULL, \
     account_id TEXT NOT NULL, device_id TEXT NOT NULL, sha256 TEXT NOT NULL, \
     signed_ms BIGINT NOT NULL, PRIMARY KEY (mission_id, party))",
    "CREATE TABLE IF NOT EXISTS request_alerts (request_id TEXT PRIMARY KEY, round BIGINT NOT NULL, \
     last_ms BIGINT NOT NULL, alerted TEXT NOT NULL, done BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS doctor_match_prefs (doctor_id TEXT PRIMARY KEY, \
     only_when_available BIGINT NOT NULL, updated_ms BIGINT NOT NULL)",
];

/// Why a workflow action is refused: checked before anything is written, so a refusal never leaves
/// half a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing there, or nothing the caller may know about (forged or foreign ids).
    #[error("introuvable")]
    NotFound,
    /// The caller is a party but lacks the right for this action.
    #[error("{0}")]
    Forbidden(String),
    /// A malformed value (stable code, French message).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// A record in a state that does not allow the action (stable code, French message).
    #[error("{1}")]
    State(&'static str, String),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => Self::NotFound,
            Refusal::Forbidden(m) => Self::Forbidden(m),
            Refusal::Invalid(code, m) => Self::validation(code, m),
            Refusal::State(code, m) => Self::WrongState(code, m),
        }
    }
}

/// Shorthand for a state refusal.
pub(crate) fn state(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::State(code, message.into())
}

/// The workflow endpoints, merged into `app::router`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/requests/{id}/proposals", post(handlers::send_proposal))
        .route("/v1/requests/{id}/applications", post(handlers::apply))
        .route("/v1/proposals", get(handlers::list_proposals))
        .route("/v1/proposals/{id}/answer", post(handlers::answer))
        .route("/v1/missions", get(handlers::list_missions))
        .route("/v1/missions/{id}", get(handlers::mission))
        .route("/v1/missions/{id}/cancel", post(handlers::cancel))
        .route("/v1/missions/{id}/contract", get(handlers::contract))
        .route(
            "/v1/missions/{id}/contract.pdf",
            get(handlers::contract_pdf),
        )
        .route("/v1/missions/{id}/contract/sign", post(handlers::sign))
        .route(
            "/v1/me/matching-preferences",
            put(handlers::put_match_prefs).get(handlers::get_match_prefs),
        )
}
