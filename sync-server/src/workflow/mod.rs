//! The workflow area: from a request to a mission. Proposals (a facility offers a request to a doctor)
//! and applications (a doctor offers themself), each with an answer deadline of three business days in
//! the site's territory; answers (a decline is an answer); acceptance, which in one transaction makes
//! the mission, books the doctor's slots, withdraws the doctor's overlapping proposals everywhere and
//! unlocks both parties' contact details for that mission only; cancellation with its lateness; the
//! signing by click of the *contrat de remplacement*; and the periodic jobs (reminders, expiry, tiered
//! alerts, contract reminder). Endpoints: `docs/api/workflow.md`.
//!
//! - [`model`]: the records and pure rules ([`Actor`], the views, [`Done`]).
//! - [`flow`]: how an action runs in one transaction, a refusal rolling it back.
//! - [`rows`]: loading and saving rows, feed records, notices and audit entries.
//! - [`proposals`], [`acceptance`], [`cancellation`], [`contract`]: the actions (`impl Storage`), each
//!   one write transaction; [`views`]: the read models.
//! - [`http`]: the HTTP endpoints and [`http::routes`].
//! - [`refusal`]: [`refusal::Refusal`], why an action is refused, before anything is written.
//! - [`jobs`]: the periodic jobs registered in `crate::areas::JOBS`.
//! - [`candidates`]: core's matching rules over the stored calendars.

pub mod acceptance;
pub mod cancellation;
pub(crate) mod candidates;
pub mod contract;
pub mod flow;
pub mod http;
pub mod jobs;
pub mod model;
pub mod proposals;
pub mod refusal;
pub mod rows;
pub mod views;

/// The workflow tables (a part of `crate::areas::SCHEMA`).
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

pub(crate) use acceptance::withdraw_tx;
pub use contract::ContractFacts;
pub use flow::Answer;
pub use model::{
    AcceptanceFacts, Actor, Cancellation, Done, MissionView, NewProposal, ProposalView, Reply,
    Settings, Signature,
};
pub use refusal::Refusal;
pub(crate) use rows::load_proposal;
