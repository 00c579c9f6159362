//! Workflow records and pure rules: who acts ([`Actor`]), the configured rules, the API views of
//! proposals and missions, an action's outcome ([`Done`]), and the small pure helpers (times, dates in
//! a site's zone, shift picking and overlap) that every action shares.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rempla_core::api::ErrorCode;
use rempla_core::domain::{Initiator, Member, ProposalId, Request, RequestShift, Right, SiteId};
use serde_json::{Value, json};

use super::refusal::Refusal;
use crate::db::{StorageError, StoredChange};

/// Who acts, as established from the bearer token.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    /// The account.
    pub account_id: String,
    /// The token's device (kept in audit entries and signature proofs).
    pub device_id: String,
    /// The doctor profile of a doctor account.
    pub doctor_id: Option<String>,
    /// The facility memberships.
    pub members: Vec<Member>,
    /// Platform staff (reads everything, audited).
    pub staff: bool,
}

impl Actor {
    pub(crate) fn member(&self, facility_id: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.facility_id.to_string() == facility_id)
    }

    pub(crate) fn can(&self, facility_id: &str, right: Right, site: Option<SiteId>) -> bool {
        self.member(facility_id).is_some_and(|m| m.can(right, site))
    }

    pub(crate) fn is_doctor(&self, doctor_id: &str) -> bool {
        self.doctor_id.as_deref() == Some(doctor_id)
    }
}

/// The rules the configuration sets.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Business days to answer a proposal.
    pub answer_business_days: u32,
}

/// The API views of proposals and missions (and a mission's cancellation and signatures) are the wire
/// types, one definition for the server and the clients.
pub use rempla_core::api::missions::{Cancellation, MissionView, ProposalView, Signature};

/// The outcome of an action: its value, the feed changes to publish after commit, and whether it did
/// anything (a replay does not).
#[derive(Debug)]
pub struct Done<T> {
    /// The answer.
    pub value: T,
    /// Changes to publish (`events.publish_local`) after commit.
    pub changes: Vec<StoredChange>,
    /// `false` for an idempotent replay.
    pub created: bool,
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

pub(crate) fn local_day(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%d/%m/%Y").to_string()
}

pub(crate) fn shifts_span(shifts: &[RequestShift]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = shifts.iter().map(|s| s.interval.start()).min()?;
    let end = shifts.iter().map(|s| s.interval.end()).max()?;
    Some((start, end))
}

pub(crate) fn dates_text(shifts: &[RequestShift], zone: Tz) -> String {
    match shifts_span(shifts) {
        Some((a, b)) => {
            let (a, b) = (local_day(a, zone), local_day(b, zone));
            if a == b {
                format!("le {a}")
            } else {
                format!("du {a} au {b}")
            }
        }
        None => String::new(),
    }
}

/// The last local day to answer (the deadline is the first instant after it).
pub(crate) fn deadline_text(deadline: DateTime<Utc>, zone: Tz) -> String {
    local_day(deadline - chrono::Duration::seconds(1), zone)
}

pub(crate) fn proposal_payload(view: &ProposalView) -> Value {
    json!({
        "proposal_id": view.proposal.id,
        "request_id": view.proposal.request_id,
        "facility_id": view.facility_id,
    })
}

/// A proposal or application to create.
#[derive(Clone, Debug)]
pub struct NewProposal {
    /// Client-chosen id, so a retried request finds the proposal it already made.
    pub id: Option<ProposalId>,
    /// The request.
    pub request_id: String,
    /// The doctor (the caller's own profile for an application).
    pub doctor_id: String,
    /// The shifts offered; all of them when `None`.
    pub shift_indexes: Option<Vec<u16>>,
    /// Who starts it.
    pub initiator: Initiator,
}

pub(crate) fn pick_shifts(request: &Request, wanted: Option<&[u16]>) -> Result<Vec<u16>, Refusal> {
    let count = request.shifts.len();
    let mut idx: Vec<u16> = match wanted {
        None => (0..count)
            .map(|i| u16::try_from(i).unwrap_or(u16::MAX))
            .collect(),
        Some(list) => list.to_vec(),
    };
    idx.sort_unstable();
    idx.dedup();
    let bad = idx.is_empty()
        || wanted.is_some_and(|w| w.len() != idx.len())
        || idx.iter().any(|i| usize::from(*i) >= count);
    if bad {
        return Err(Refusal::Invalid(
            ErrorCode::InvalidShiftIndexes,
            format!(
                "indices de créneaux invalides : chacun une fois, entre 0 et {}",
                count.saturating_sub(1)
            ),
        ));
    }
    Ok(idx)
}

/// An answer to a proposal: the wire type (`rempla_core::api::workflow::Reply`), one definition.
pub use rempla_core::api::workflow::Reply;

/// What acceptance hands to the other areas' hooks (billing, documents).
#[derive(Clone, Debug)]
pub struct AcceptanceFacts {
    /// The new mission.
    pub mission_id: String,
    /// The accepted proposal.
    pub proposal_id: String,
    /// The request.
    pub request_id: String,
    /// The doctor.
    pub doctor_id: String,
    /// The facility.
    pub facility_id: String,
    /// The site.
    pub site_id: String,
    /// The booked shifts.
    pub shifts: Vec<RequestShift>,
    /// Documents the doctor chose to share with the facility.
    pub document_ids: Vec<String>,
    /// Zone of the site.
    pub zone: Tz,
    /// Unix ms.
    pub now_ms: i64,
}

pub(crate) fn overlaps_any(a: &[RequestShift], b: &[RequestShift]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.interval.overlaps(&y.interval)))
}
