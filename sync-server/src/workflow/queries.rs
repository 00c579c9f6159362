//! The workflow queries: each action is one write transaction that checks everything first, then
//! writes its rows, its change-feed records, its audit entries and its notices together, so an action
//! either happened entirely (and everybody is told) or not at all. A refusal rolls the transaction back.

use rempla_core::api::ErrorCode;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rempla_core::calendar::{Department, answer_deadline};
use rempla_core::domain::{
    Doctor, DoctorStatus, Facility, Initiator, Member, Mission, MissionId, MissionStatus, Proposal,
    ProposalId, ProposalState, Request, RequestShift, RequestStatus, Right, Site, SiteId,
};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::candidates::candidates_tx;
use super::refusal::{Refusal, state};
use crate::audit::{self, AuditEntry};
use crate::db::feed::{FeedOwners, put_server_record_tx};
use crate::db::{
    Row, Storage, StorageError, StoredChange, Tx, int, json, opt_int, opt_text, text, to_json,
};
use crate::notify::{self, Notice};

/// Control flow inside a workflow transaction: a refusal (rolls back, answered 4xx) or a database
/// failure.
pub(crate) enum Flow {
    /// The action is refused.
    Refused(Refusal),
    /// The database failed.
    Db(StorageError),
}

impl From<StorageError> for Flow {
    fn from(e: StorageError) -> Self {
        Self::Db(e)
    }
}

impl From<Refusal> for Flow {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// What a workflow action answers: a refusal, or its value.
pub type Answer<T> = Result<Result<T, Refusal>, StorageError>;

fn refused<T>(r: Refusal) -> Result<T, Flow> {
    Err(Flow::Refused(r))
}

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
    fn member(&self, facility_id: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.facility_id.to_string() == facility_id)
    }

    fn can(&self, facility_id: &str, right: Right, site: Option<SiteId>) -> bool {
        self.member(facility_id).is_some_and(|m| m.can(right, site))
    }

    fn is_doctor(&self, doctor_id: &str) -> bool {
        self.doctor_id.as_deref() == Some(doctor_id)
    }
}

/// The rules the configuration sets.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Business days to answer a proposal.
    pub answer_business_days: u32,
}

/// A proposal as the API and the change feed show it: core's `Proposal` plus where and which shifts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProposalView {
    /// The proposal.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The facility.
    pub facility_id: String,
    /// The site.
    pub site_id: String,
    /// The shifts asked for (the request's shifts at `shift_indexes`).
    pub shifts: Vec<RequestShift>,
    /// When it was answered (accepted or declined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// A mission as the API and the change feed show it: core's `Mission` plus cancellation and
/// contract facts. Never contact details.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MissionView {
    /// The mission.
    #[serde(flatten)]
    pub mission: Mission,
    /// Cancellation, when cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    /// The contract signatures so far.
    pub signatures: Vec<Signature>,
}

/// Who cancelled a mission, when and how late.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cancellation {
    /// When.
    pub at: DateTime<Utc>,
    /// `doctor` or `facility`.
    pub by: String,
    /// The reason given.
    pub reason: String,
    /// Time left before the start of the mission, ms (negative once started).
    pub lateness_ms: i64,
}

/// The proof of one party's signature of the contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// `doctor` or `facility`.
    pub party: String,
    /// The signing account.
    pub account_id: String,
    /// The signing device.
    pub device_id: String,
    /// SHA-256 of the contract version signed.
    pub sha256: String,
    /// When.
    pub signed_at: DateTime<Utc>,
}

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

/// Runs `body` in a write transaction; a [`Flow::Refused`] rolls it back and comes out as the refusal.
pub(crate) async fn write_flow<T: Send + 'static>(
    storage: &Storage,
    body: impl FnOnce(&mut dyn Tx) -> Result<T, Flow> + Send + 'static,
) -> Answer<T> {
    let slot: Arc<Mutex<Option<Refusal>>> = Arc::new(Mutex::new(None));
    let inner = Arc::clone(&slot);
    let result = storage
        .write(move |tx| {
            body(tx).map_err(|f| match f {
                Flow::Db(e) => e,
                Flow::Refused(r) => {
                    if let Ok(mut s) = inner.lock() {
                        *s = Some(r);
                    }
                    // Any error rolls back; the refusal itself travels in `slot`.
                    StorageError::Unsupported("refus")
                }
            })
        })
        .await;
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e) => match slot.lock().ok().and_then(|mut s| s.take()) {
            Some(r) => Ok(Err(r)),
            None => Err(e),
        },
    }
}

/// Runs `body` in a read transaction, with refusals.
pub(crate) async fn read_flow<T: Send + 'static>(
    storage: &Storage,
    body: impl FnOnce(&mut dyn Tx) -> Result<T, Flow> + Send + 'static,
) -> Answer<T> {
    let slot: Arc<Mutex<Option<Refusal>>> = Arc::new(Mutex::new(None));
    let inner = Arc::clone(&slot);
    let result = storage
        .read(move |tx| {
            body(tx).map_err(|f| match f {
                Flow::Db(e) => e,
                Flow::Refused(r) => {
                    if let Ok(mut s) = inner.lock() {
                        *s = Some(r);
                    }
                    StorageError::Unsupported("refus")
                }
            })
        })
        .await;
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e) => match slot.lock().ok().and_then(|mut s| s.take()) {
            Some(r) => Ok(Err(r)),
            None => Err(e),
        },
    }
}

// ------------------------------------------------------------------------------------------ loading

fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

/// A live request record, with its owning facility.
pub(crate) fn load_request(tx: &mut dyn Tx, id: &str) -> Result<Option<Request>, StorageError> {
    let rows = tx.query(
        "SELECT state FROM records WHERE entity = 'request' AND id = $1",
        &[id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let state: MergeState = json(row, 0)?;
    if !state.is_live() {
        return Ok(None);
    }
    let mut fields = state.fields;
    fields.insert("id".into(), Value::String(id.to_owned()));
    serde_json::from_value(Value::Object(fields))
        .map(Some)
        .map_err(corrupt)
}

fn load_doctor(tx: &mut dyn Tx, id: &str) -> Result<Option<(String, Doctor)>, StorageError> {
    let rows = tx.query(
        "SELECT account_id, record FROM doctors WHERE id = $1",
        &[id.into()],
    )?;
    rows.first()
        .map(|r| Ok((text(r, 0)?, json(r, 1)?)))
        .transpose()
}

fn load_site(tx: &mut dyn Tx, id: &str) -> Result<Option<Site>, StorageError> {
    let rows = tx.query("SELECT record FROM sites WHERE id = $1", &[id.into()])?;
    rows.first().map(|r| json(r, 0)).transpose()
}

fn load_facility(tx: &mut dyn Tx, id: &str) -> Result<Option<Facility>, StorageError> {
    let rows = tx.query("SELECT record FROM facilities WHERE id = $1", &[id.into()])?;
    rows.first().map(|r| json(r, 0)).transpose()
}

/// The accounts of a facility's members holding `right` (for `site`): who is told about proposals.
fn facility_accounts(
    tx: &mut dyn Tx,
    facility_id: &str,
    right: Right,
    site: Option<SiteId>,
) -> Result<Vec<(String, Member)>, StorageError> {
    let mut out = Vec::new();
    for r in tx.query(
        "SELECT account_id, record FROM members WHERE facility_id = $1 ORDER BY id",
        &[facility_id.into()],
    )? {
        let m: Member = json(&r, 1)?;
        if m.can(right, site) {
            out.push((text(&r, 0)?, m));
        }
    }
    Ok(out)
}

/// Whether the doctor asked to be contacted only for dates they opened.
pub(crate) fn only_when_available(tx: &mut dyn Tx, doctor_id: &str) -> Result<bool, StorageError> {
    let rows = tx.query(
        "SELECT only_when_available FROM doctor_match_prefs WHERE doctor_id = $1",
        &[doctor_id.into()],
    )?;
    Ok(rows.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0) != 0)
}

const PROPOSAL_COLUMNS: &str =
    "record, facility_id, site_id, shifts, answered_ms, deadline_ms, created_by";

/// One stored proposal.
#[derive(Clone, Debug)]
pub(crate) struct ProposalRow {
    pub view: ProposalView,
    pub deadline_ms: i64,
    pub created_by: String,
}

fn proposal_from(row: &Row) -> Result<ProposalRow, StorageError> {
    Ok(ProposalRow {
        view: ProposalView {
            proposal: json(row, 0)?,
            facility_id: text(row, 1)?,
            site_id: text(row, 2)?,
            shifts: json(row, 3)?,
            answered_at: opt_int(row, 4)?.map(from_ms),
        },
        deadline_ms: int(row, 5)?,
        created_by: text(row, 6)?,
    })
}

pub(crate) fn load_proposal(
    tx: &mut dyn Tx,
    id: &str,
) -> Result<Option<ProposalRow>, StorageError> {
    let rows = tx.query(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1"),
        &[id.into()],
    )?;
    rows.first().map(proposal_from).transpose()
}

fn fields_of<T: Serialize>(value: &T) -> Result<Map<String, Value>, StorageError> {
    match serde_json::to_value(value).map_err(corrupt)? {
        Value::Object(m) => Ok(m),
        _ => Err(corrupt("record is not an object")),
    }
}

/// Stores a proposal's new state (row and feed record).
pub(crate) fn save_proposal_tx(
    tx: &mut dyn Tx,
    view: &ProposalView,
    answered_by: Option<&str>,
    hlc: Hlc,
) -> Result<StoredChange, StorageError> {
    tx.execute(
        "UPDATE proposals SET state = $1, answered_ms = $2, \
         answered_by = COALESCE($3, answered_by), record = $4 WHERE id = $5",
        &[
            view.proposal.state.as_str().into(),
            view.answered_at.map(ms).into(),
            answered_by.map(str::to_owned).into(),
            to_json(&view.proposal)?.into(),
            view.proposal.id.to_string().into(),
        ],
    )?;
    put_feed_proposal(tx, view, hlc)
}

fn put_feed_proposal(
    tx: &mut dyn Tx,
    view: &ProposalView,
    hlc: Hlc,
) -> Result<StoredChange, StorageError> {
    put_server_record_tx(
        tx,
        EntityKind::Proposal,
        &view.proposal.id.to_string(),
        &FeedOwners {
            doctor_id: Some(view.proposal.doctor_id.to_string()),
            facility_id: Some(view.facility_id.clone()),
            account_id: None,
        },
        fields_of(view)?,
        hlc,
    )
}

fn local_day(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%d/%m/%Y").to_string()
}

fn shifts_span(shifts: &[RequestShift]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = shifts.iter().map(|s| s.interval.start()).min()?;
    let end = shifts.iter().map(|s| s.interval.end()).max()?;
    Some((start, end))
}

fn dates_text(shifts: &[RequestShift], zone: Tz) -> String {
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
fn deadline_text(deadline: DateTime<Utc>, zone: Tz) -> String {
    local_day(deadline - chrono::Duration::seconds(1), zone)
}

fn proposal_payload(view: &ProposalView) -> Value {
    json!({
        "proposal_id": view.proposal.id,
        "request_id": view.proposal.request_id,
        "facility_id": view.facility_id,
    })
}

#[allow(clippy::too_many_arguments)]
fn tell(
    tx: &mut dyn Tx,
    account_id: &str,
    kind: &str,
    key: &str,
    title: String,
    body: String,
    payload: Value,
    now_ms: i64,
    urgent: bool,
) -> Result<(), StorageError> {
    notify::enqueue_tx(
        tx,
        &Notice {
            account_id: account_id.to_owned(),
            kind: kind.to_owned(),
            title,
            body,
            payload,
            dedupe_key: format!("{kind}:{key}:{account_id}"),
            not_before_ms: now_ms,
            urgent,
        },
        now_ms,
    )
    .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
fn audit_tx(
    tx: &mut dyn Tx,
    actor: Option<&Actor>,
    now_ms: i64,
    action: &str,
    entity: &str,
    entity_id: &str,
    facility_id: &str,
    doctor_id: &str,
    detail: String,
) -> Result<(), StorageError> {
    audit::record_tx(
        tx,
        &AuditEntry {
            at_ms: now_ms,
            account_id: actor.map(|a| a.account_id.clone()),
            device_id: actor.map(|a| a.device_id.clone()),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            facility_id: Some(facility_id.to_owned()),
            doctor_id: Some(doctor_id.to_owned()),
            detail,
        },
    )
}

// ------------------------------------------------------------------------------------------ proposals

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

fn pick_shifts(request: &Request, wanted: Option<&[u16]>) -> Result<Vec<u16>, Refusal> {
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

impl Storage {
    /// Sends a proposal (facility → doctor) or an application (doctor → request), checked against the
    /// request's state, the doctor's trust status and core's matching rules; its deadline is the end of
    /// the `answer_business_days`-th business day in the site's territory.
    pub async fn create_proposal(
        &self,
        actor: Actor,
        new: NewProposal,
        settings: Settings,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<ProposalView>> {
        write_flow(self, move |tx| {
            create_proposal_tx(tx, &actor, &new, settings, now_ms, hlc)
        })
        .await
    }
}

fn create_proposal_tx(
    tx: &mut dyn Tx,
    actor: &Actor,
    new: &NewProposal,
    settings: Settings,
    now_ms: i64,
    hlc: Hlc,
) -> Result<Done<ProposalView>, Flow> {
    let Some(request) = load_request(tx, &new.request_id)? else {
        return refused(Refusal::NotFound);
    };
    let facility_id = request.facility_id.to_string();
    match new.initiator {
        Initiator::Facility => {
            if actor.member(&facility_id).is_none() {
                return refused(Refusal::NotFound);
            }
            if !actor.can(&facility_id, Right::Propose, Some(request.site_id)) {
                return refused(Refusal::Forbidden(
                    "droit « proposer » requis pour ce site".into(),
                ));
            }
        }
        Initiator::Doctor => {
            if !actor.is_doctor(&new.doctor_id) {
                return refused(Refusal::Forbidden(
                    "seul un médecin candidate pour lui-même".into(),
                ));
            }
        }
    }
    // A replay of the same creation answers what the first one made.
    if let Some(id) = new.id
        && let Some(existing) = load_proposal(tx, &id.to_string())?
    {
        let p = &existing.view.proposal;
        let same = p.request_id == request.id
            && p.doctor_id.to_string() == new.doctor_id
            && p.initiator == new.initiator
            && existing.created_by == actor.account_id;
        if same {
            return Ok(Done {
                value: existing.view,
                changes: Vec::new(),
                created: false,
            });
        }
        return refused(state(
            ErrorCode::ProposalIdTaken,
            "cet identifiant de proposition est déjà utilisé",
        ));
    }
    if request.status != RequestStatus::Open {
        return refused(state(
            ErrorCode::RequestNotOpen,
            "cette demande n'est plus ouverte",
        ));
    }
    let indexes = pick_shifts(&request, new.shift_indexes.as_deref())?;
    let Some((_, doctor)) = load_doctor(tx, &new.doctor_id)? else {
        return refused(Refusal::NotFound);
    };
    if doctor.status != DoctorStatus::Verified {
        return refused(state(
            ErrorCode::DoctorNotVerified,
            "ce médecin n'est pas encore vérifié : il ne peut être ni proposé ni répondre",
        ));
    }
    let taken = tx.query(
        "SELECT state FROM proposals WHERE request_id = $1 AND doctor_id = $2 \
         AND state IN ('sent', 'accepted')",
        &[request.id.to_string().into(), (&new.doctor_id).into()],
    )?;
    if !taken.is_empty() {
        return refused(state(
            ErrorCode::ProposalExists,
            "une proposition est déjà en cours ou acceptée pour ce médecin et cette demande",
        ));
    }
    match new.initiator {
        Initiator::Facility => {
            let candidates = candidates_tx(tx, &request, Some(&new.doctor_id))?;
            let Some(c) = candidates.first() else {
                return refused(state(
                    ErrorCode::NotACandidate,
                    "ce médecin ne correspond pas à la demande (spécialité, zone, disponibilités, refus)",
                ));
            };
            let strict = only_when_available(tx, &new.doctor_id)?;
            let fits = indexes.iter().all(|i| {
                c.coverage
                    .shifts
                    .get(usize::from(*i))
                    .is_some_and(|s| !s.covered.is_empty() && (!strict || s.uncovered.is_empty()))
            });
            if !fits {
                return refused(state(
                    ErrorCode::DoctorNotAvailable,
                    "ce médecin n'a pas ouvert ces créneaux",
                ));
            }
        }
        Initiator::Doctor => {
            let specialty = rempla_core::domain::Specialty::parse(&request.specialty).ok();
            if !specialty.is_some_and(|s| doctor.specialties.contains(&s)) {
                return refused(state(
                    ErrorCode::SpecialtyMismatch,
                    "cette demande n'est pas dans vos spécialités",
                ));
            }
        }
    }
    let dept = Department::parse(&request.department).map_err(corrupt)?;
    let sent = from_ms(now_ms);
    let deadline = answer_deadline(sent, &dept, settings.answer_business_days)
        .map_err(corrupt)?
        .with_timezone(&Utc);
    let shifts: Vec<RequestShift> = indexes
        .iter()
        .filter_map(|i| request.shifts.get(usize::from(*i)).copied())
        .collect();
    let proposal = Proposal {
        id: new.id.unwrap_or_default(),
        request_id: request.id,
        doctor_id: doctor.id,
        initiator: new.initiator,
        shift_indexes: indexes,
        sent_at: sent,
        deadline,
        state: ProposalState::Sent,
    };
    let view = ProposalView {
        proposal,
        facility_id: facility_id.clone(),
        site_id: request.site_id.to_string(),
        shifts,
        answered_at: None,
    };
    let id = view.proposal.id.to_string();
    let inserted = tx.execute(
        "INSERT INTO proposals (id, request_id, doctor_id, facility_id, site_id, initiator, state, \
         shifts, sent_ms, deadline_ms, created_by, record) \
         VALUES ($1, $2, $3, $4, $5, $6, 'sent', $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
        &[
            (&id).into(),
            request.id.to_string().into(),
            (&new.doctor_id).into(),
            (&facility_id).into(),
            (&view.site_id).into(),
            match new.initiator {
                Initiator::Facility => "facility",
                Initiator::Doctor => "doctor",
            }
            .into(),
            to_json(&view.shifts)?.into(),
            now_ms.into(),
            ms(deadline).into(),
            (&actor.account_id).into(),
            to_json(&view.proposal)?.into(),
        ],
    )?;
    if inserted == 0 {
        return refused(state(
            ErrorCode::ProposalExists,
            "une proposition est déjà en cours pour ce médecin et cette demande",
        ));
    }
    let change = put_feed_proposal(tx, &view, hlc)?;
    let (action, kind) = match new.initiator {
        Initiator::Facility => ("proposal_sent", "proposal_received"),
        Initiator::Doctor => ("application_sent", "application_received"),
    };
    audit_tx(
        tx,
        Some(actor),
        now_ms,
        action,
        "proposal",
        &id,
        &facility_id,
        &new.doctor_id,
        format!("demande {}", request.id),
    )?;
    let site = load_site(tx, &view.site_id)?;
    let place = site.as_ref().map_or_else(String::new, |s| s.name.clone());
    let when = dates_text(&view.shifts, request.zone);
    let until = deadline_text(deadline, request.zone);
    match new.initiator {
        Initiator::Facility => {
            let (account, _) = load_doctor(tx, &new.doctor_id)?.ok_or(Refusal::NotFound)?;
            tell(
                tx,
                &account,
                kind,
                &id,
                "Nouvelle proposition de remplacement".into(),
                format!(
                    "{place} vous propose un remplacement {when}. Répondez au plus tard le {until}."
                ),
                proposal_payload(&view),
                now_ms,
                false,
            )?;
        }
        Initiator::Doctor => {
            for (account, _) in
                facility_accounts(tx, &facility_id, Right::Propose, Some(request.site_id))?
            {
                tell(
                    tx,
                    &account,
                    kind,
                    &id,
                    "Nouvelle candidature".into(),
                    format!(
                        "Dr {} {} candidate à votre demande {when} ({place}). Répondez au plus tard le {until}.",
                        doctor.first_name, doctor.last_name
                    ),
                    proposal_payload(&view),
                    now_ms,
                    false,
                )?;
            }
        }
    }
    Ok(Done {
        value: view,
        changes: vec![change],
        created: true,
    })
}

// ------------------------------------------------------------------------------------------ answers

/// An answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// Accept: the mission is made.
    Accept,
    /// Decline (an answer, final).
    Decline,
}

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

/// The one call site of the other areas' acceptance hooks, inside the acceptance transaction: billing
/// turns the unlock into a charge (`billing::charge_unlock_tx`), documents shares the chosen documents
/// with this facility only (`documents::share_for_mission_tx`). A refusal from either rolls the whole
/// acceptance back.
fn acceptance_hooks_tx(tx: &mut dyn Tx, facts: &AcceptanceFacts) -> Result<(), Flow> {
    // Documents: no choice given (an empty list) shares the default set, the doctor's valid
    // professional documents. The choice is checked before anything is written.
    let share = crate::documents::MissionShare {
        mission_id: facts.mission_id.clone(),
        doctor_id: facts.doctor_id.clone(),
        facility_id: facts.facility_id.clone(),
        document_ids: (!facts.document_ids.is_empty()).then(|| facts.document_ids.clone()),
    };
    if let Err(e) = crate::documents::validate_share_tx(tx, &share, facts.now_ms)? {
        return Err(Flow::Refused(Refusal::Invalid(e.code(), e.to_string())));
    }
    let outcome = crate::billing::charge_unlock_tx(
        tx,
        &crate::billing::UnlockFacts {
            mission_id: facts.mission_id.clone(),
            facility_id: facts.facility_id.clone(),
            doctor_id: facts.doctor_id.clone(),
            shifts: facts.shifts.iter().map(|s| (s.kind, s.interval)).collect(),
            zone: facts.zone,
            at_ms: facts.now_ms,
        },
    )?;
    tracing::debug!(mission = %facts.mission_id, ?outcome, "contact unlock charged");
    crate::documents::share_for_mission_tx(tx, &share, facts.now_ms)?;
    Ok(())
}

impl Storage {
    /// Answers a proposal. Accepting makes the mission in the same transaction (see
    /// [`accept_tx`]). Replaying the answer already given changes nothing and answers the same.
    pub async fn answer_proposal(
        &self,
        actor: Actor,
        proposal_id: String,
        reply: Reply,
        document_ids: Vec<String>,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<Value>> {
        write_flow(self, move |tx| {
            answer_tx(tx, &actor, &proposal_id, reply, &document_ids, now_ms, hlc)
        })
        .await
    }
}

fn answer_tx(
    tx: &mut dyn Tx,
    actor: &Actor,
    proposal_id: &str,
    reply: Reply,
    document_ids: &[String],
    now_ms: i64,
    hlc: Hlc,
) -> Result<Done<Value>, Flow> {
    let Some(row) = load_proposal(tx, proposal_id)? else {
        return refused(Refusal::NotFound);
    };
    let mut view = row.view.clone();
    let doctor_id = view.proposal.doctor_id.to_string();
    let site: Option<SiteId> = view.site_id.parse().ok();
    let is_doctor = actor.is_doctor(&doctor_id);
    let is_member = actor.member(&view.facility_id).is_some();
    if !is_doctor && !is_member {
        return refused(Refusal::NotFound);
    }
    let answers = match view.proposal.initiator {
        Initiator::Facility => is_doctor,
        Initiator::Doctor => actor.can(&view.facility_id, Right::Propose, site),
    };
    if !answers {
        return refused(Refusal::Forbidden(
            "cette proposition attend la réponse de l'autre partie".into(),
        ));
    }
    let target = match reply {
        Reply::Accept => ProposalState::Accepted,
        Reply::Decline => ProposalState::Declined,
    };
    if view.proposal.state == target {
        let mission = mission_of_proposal(tx, proposal_id)?;
        return Ok(Done {
            value: json!({"proposal": view, "mission_id": mission}),
            changes: Vec::new(),
            created: false,
        });
    }
    match view.proposal.state {
        ProposalState::Sent => {}
        ProposalState::Expired => {
            return refused(state(
                ErrorCode::ProposalExpired,
                "le délai de réponse est dépassé",
            ));
        }
        ProposalState::Withdrawn => {
            return refused(state(
                ErrorCode::ProposalWithdrawn,
                "cette proposition a été retirée",
            ));
        }
        ProposalState::Accepted | ProposalState::Declined => {
            return refused(state(
                ErrorCode::ProposalAnswered,
                "une autre réponse a déjà été donnée à cette proposition",
            ));
        }
    }
    if now_ms >= row.deadline_ms {
        return refused(state(
            ErrorCode::ProposalExpired,
            "le délai de réponse est dépassé",
        ));
    }
    let Some((doctor_account, doctor)) = load_doctor(tx, &doctor_id)? else {
        return refused(Refusal::NotFound);
    };
    if doctor.status != DoctorStatus::Verified {
        return refused(state(
            ErrorCode::DoctorNotVerified,
            "ce médecin n'est pas vérifié : la proposition ne peut pas aboutir",
        ));
    }
    view.proposal.state = target;
    view.answered_at = Some(from_ms(now_ms));
    let pid = view.proposal.id.to_string();
    if reply == Reply::Decline {
        let change = save_proposal_tx(tx, &view, Some(&actor.account_id), hlc)?;
        audit_tx(
            tx,
            Some(actor),
            now_ms,
            "proposal_declined",
            "proposal",
            &pid,
            &view.facility_id,
            &doctor_id,
            String::new(),
        )?;
        notify_other_party(
            tx,
            &view,
            &doctor_account,
            is_doctor,
            "proposal_declined",
            "Proposition déclinée",
            &format!("Dr {} {}", doctor.first_name, doctor.last_name),
            "a décliné la proposition",
            now_ms,
        )?;
        return Ok(Done {
            value: json!({"proposal": view, "mission_id": Value::Null}),
            changes: vec![change],
            created: true,
        });
    }
    let (mission, changes) = accept_tx(
        tx,
        actor,
        &view,
        &doctor_account,
        &doctor,
        document_ids,
        now_ms,
        hlc,
    )?;
    Ok(Done {
        value: json!({"proposal": view, "mission_id": mission.mission.id, "mission": mission}),
        changes,
        created: true,
    })
}

#[allow(clippy::too_many_arguments)]
fn notify_other_party(
    tx: &mut dyn Tx,
    view: &ProposalView,
    doctor_account: &str,
    actor_is_doctor: bool,
    kind: &str,
    title: &str,
    doctor_name: &str,
    verb: &str,
    now_ms: i64,
) -> Result<(), StorageError> {
    let pid = view.proposal.id.to_string();
    if actor_is_doctor {
        let site = view.site_id.parse().ok();
        for (account, _) in facility_accounts(tx, &view.facility_id, Right::Propose, site)? {
            tell(
                tx,
                &account,
                kind,
                &pid,
                title.into(),
                format!("{doctor_name} {verb}."),
                proposal_payload(view),
                now_ms,
                false,
            )?;
        }
    } else {
        let facility = load_facility(tx, &view.facility_id)?
            .map_or_else(|| "L'établissement".to_owned(), |f| f.name);
        tell(
            tx,
            doctor_account,
            kind,
            &pid,
            title.into(),
            format!("{facility} {verb}."),
            proposal_payload(view),
            now_ms,
            false,
        )?;
    }
    Ok(())
}

fn mission_of_proposal(tx: &mut dyn Tx, proposal_id: &str) -> Result<Option<String>, StorageError> {
    let rows = tx.query(
        "SELECT id FROM missions WHERE proposal_id = $1",
        &[proposal_id.into()],
    )?;
    rows.first().map(|r| text(r, 0)).transpose()
}

fn overlaps_any(a: &[RequestShift], b: &[RequestShift]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.interval.overlaps(&y.interval)))
}

/// Acceptance: the proposal is `accepted`; the mission is made (feed entity `mission`, owned by the
/// doctor and the facility); the doctor's open slots under the shifts are booked; the doctor's other
/// `sent` proposals overlapping these shifts are withdrawn everywhere (both parties told); the request
/// is `filled` once it has as many missions as doctors needed (its other proposals withdrawn);
/// contact details are unlocked for this mission (served by `GET /v1/missions/{id}`, audited); the
/// billing and documents hooks run; all in the caller's transaction.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn accept_tx(
    tx: &mut dyn Tx,
    actor: &Actor,
    view: &ProposalView,
    doctor_account: &str,
    doctor: &Doctor,
    document_ids: &[String],
    now_ms: i64,
    hlc: Hlc,
) -> Result<(MissionView, Vec<StoredChange>), Flow> {
    let pid = view.proposal.id.to_string();
    let doctor_id = doctor.id.to_string();
    let Some(request) = load_request(tx, &view.proposal.request_id.to_string())? else {
        return refused(state(
            ErrorCode::RequestNotOpen,
            "cette demande n'existe plus",
        ));
    };
    if request.status != RequestStatus::Open {
        return refused(state(
            ErrorCode::RequestNotOpen,
            "cette demande n'est plus ouverte",
        ));
    }
    // The doctor may not be booked twice at the same time.
    for r in tx.query(
        "SELECT record FROM missions WHERE doctor_id = $1 AND status = 'confirmed'",
        &[(&doctor_id).into()],
    )? {
        let m: Mission = json(&r, 0)?;
        if overlaps_any(&m.shifts, &view.shifts) {
            return refused(state(
                ErrorCode::DoctorUnavailable,
                "ce médecin a déjà une mission sur ces créneaux",
            ));
        }
    }
    let mut changes = vec![save_proposal_tx(tx, view, Some(&actor.account_id), hlc)?];
    let site = load_site(tx, &view.site_id)?;
    let facility = load_facility(tx, &view.facility_id)?;
    let mission = Mission {
        id: MissionId::new(),
        proposal_id: view.proposal.id,
        request_id: request.id,
        doctor_id: doctor.id,
        facility_id: request.facility_id,
        site_id: request.site_id,
        title: format!(
            "Remplacement – {}",
            site.as_ref()
                .map(|s| s.name.clone())
                .or_else(|| facility.as_ref().map(|f| f.name.clone()))
                .unwrap_or_default()
        ),
        location: site
            .as_ref()
            .map(|s| format!("{}, {}", s.address, s.postcode)),
        zone: request.zone,
        shifts: view.shifts.clone(),
        status: MissionStatus::Confirmed,
        started_at: None,
        ended_at: None,
        revision: 0,
    };
    let mid = mission.id.to_string();
    let (start, end) =
        shifts_span(&mission.shifts).ok_or_else(|| corrupt("mission sans créneau"))?;
    // Book the doctor's open single slots under the shifts (a series stays open: its occurrences are
    // blocked by the mission itself in matching).
    let mut booked = Vec::new();
    for r in tx.query(
        "SELECT id, state FROM records WHERE entity = 'availability' AND doctor_id = $1",
        &[(&doctor_id).into()],
    )? {
        let id = text(&r, 0)?;
        let st: MergeState = json(&r, 1)?;
        if !st.is_live() {
            continue;
        }
        let mut fields = st.fields.clone();
        fields.insert("id".into(), Value::String(id.clone()));
        let Ok(a) =
            serde_json::from_value::<rempla_core::domain::Availability>(Value::Object(fields))
        else {
            continue;
        };
        let under = a.recurrence.is_none()
            && a.status == rempla_core::domain::AvailabilityStatus::Open
            && mission
                .shifts
                .iter()
                .any(|s| s.interval.overlaps(&a.interval));
        if under {
            let mut f = Map::new();
            f.insert("status".into(), Value::from("booked"));
            changes.push(put_server_record_tx(
                tx,
                EntityKind::Availability,
                &id,
                &FeedOwners::default(),
                f,
                hlc,
            )?);
            booked.push(id);
        }
    }
    let mview = MissionView {
        mission: mission.clone(),
        cancellation: None,
        signatures: Vec::new(),
    };
    tx.execute(
        "INSERT INTO missions (id, proposal_id, request_id, doctor_id, facility_id, site_id, status, \
         start_ms, end_ms, created_ms, booked, record) \
         VALUES ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $8, $9, $10, $11)",
        &[
            (&mid).into(),
            (&pid).into(),
            request.id.to_string().into(),
            (&doctor_id).into(),
            (&view.facility_id).into(),
            (&view.site_id).into(),
            ms(start).into(),
            ms(end).into(),
            now_ms.into(),
            to_json(&booked)?.into(),
            to_json(&mission)?.into(),
        ],
    )?;
    changes.push(put_feed_mission(tx, &mview, hlc)?);
    // Withdraw the doctor's other live proposals that overlap, everywhere.
    let others = tx.query(
        &format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE doctor_id = $1 AND state = 'sent' AND id <> $2"
        ),
        &[(&doctor_id).into(), (&pid).into()],
    )?;
    for r in &others {
        let other = proposal_from(r)?;
        if overlaps_any(&other.view.shifts, &mission.shifts) {
            changes.push(withdraw_tx(
                tx,
                other.view,
                doctor_account,
                "le médecin a accepté une autre mission sur ces dates",
                now_ms,
                hlc,
            )?);
        }
    }
    // Fill the request once it has its doctors.
    let active = tx.query(
        "SELECT COUNT(*) FROM missions WHERE request_id = $1 AND status = 'confirmed'",
        &[request.id.to_string().into()],
    )?;
    let active = active.first().map(|r| int(r, 0)).transpose()?.unwrap_or(0);
    if active >= i64::from(request.doctors_needed) {
        let mut f = Map::new();
        f.insert("status".into(), Value::from("filled"));
        changes.push(put_server_record_tx(
            tx,
            EntityKind::Request,
            &request.id.to_string(),
            &FeedOwners::default(),
            f,
            hlc,
        )?);
        let rest = tx.query(
            &format!(
                "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE request_id = $1 AND state = 'sent'"
            ),
            &[request.id.to_string().into()],
        )?;
        for r in &rest {
            let other = proposal_from(r)?;
            let account = load_doctor(tx, &other.view.proposal.doctor_id.to_string())?
                .map(|d| d.0)
                .unwrap_or_default();
            changes.push(withdraw_tx(
                tx,
                other.view,
                &account,
                "la demande est pourvue",
                now_ms,
                hlc,
            )?);
        }
    }
    let facts = AcceptanceFacts {
        mission_id: mid.clone(),
        proposal_id: pid.clone(),
        request_id: request.id.to_string(),
        doctor_id: doctor_id.clone(),
        facility_id: view.facility_id.clone(),
        site_id: view.site_id.clone(),
        shifts: mission.shifts.clone(),
        document_ids: document_ids.to_vec(),
        zone: mission.zone,
        now_ms,
    };
    acceptance_hooks_tx(tx, &facts)?;
    for (action, entity, id) in [
        ("proposal_accepted", "proposal", &pid),
        ("mission_created", "mission", &mid),
        ("contact_unlocked", "mission", &mid),
    ] {
        audit_tx(
            tx,
            Some(actor),
            now_ms,
            action,
            entity,
            id,
            &view.facility_id,
            &doctor_id,
            String::new(),
        )?;
    }
    notify_other_party(
        tx,
        view,
        doctor_account,
        actor.is_doctor(&doctor_id),
        "proposal_accepted",
        "Proposition acceptée : mission confirmée",
        &format!("Dr {} {}", doctor.first_name, doctor.last_name),
        "a accepté : la mission est confirmée et les coordonnées sont débloquées",
        now_ms,
    )?;
    Ok((mview, changes))
}

/// Withdraws a `sent` proposal and tells both parties why.
pub(crate) fn withdraw_tx(
    tx: &mut dyn Tx,
    mut view: ProposalView,
    doctor_account: &str,
    why: &str,
    now_ms: i64,
    hlc: Hlc,
) -> Result<StoredChange, StorageError> {
    view.proposal.state = ProposalState::Withdrawn;
    let change = save_proposal_tx(tx, &view, None, hlc)?;
    let pid = view.proposal.id.to_string();
    audit_tx(
        tx,
        None,
        now_ms,
        "proposal_withdrawn",
        "proposal",
        &pid,
        &view.facility_id,
        &view.proposal.doctor_id.to_string(),
        why.to_owned(),
    )?;
    let body = format!("Une proposition a été retirée : {why}.");
    if !doctor_account.is_empty() {
        tell(
            tx,
            doctor_account,
            "proposal_withdrawn",
            &pid,
            "Proposition retirée".into(),
            body.clone(),
            proposal_payload(&view),
            now_ms,
            false,
        )?;
    }
    let site = view.site_id.parse().ok();
    for (account, _) in facility_accounts(tx, &view.facility_id, Right::Propose, site)? {
        tell(
            tx,
            &account,
            "proposal_withdrawn",
            &pid,
            "Proposition retirée".into(),
            body.clone(),
            proposal_payload(&view),
            now_ms,
            false,
        )?;
    }
    Ok(change)
}

// ------------------------------------------------------------------------------------------ missions

const MISSION_COLUMNS: &str = "record, status, cancelled_ms, cancelled_side, cancel_reason, \
     lateness_ms, start_ms, booked, facility_id, doctor_id, contract_reminded_ms";

/// One stored mission.
#[derive(Clone, Debug)]
pub(crate) struct MissionRow {
    pub view: MissionView,
    pub start_ms: i64,
    pub booked: Vec<String>,
    pub facility_id: String,
    pub doctor_id: String,
}

fn mission_from(tx: &mut dyn Tx, row: &Row) -> Result<MissionRow, StorageError> {
    let mut mission: Mission = json(row, 0)?;
    let status = text(row, 1)?;
    if status == "cancelled" {
        mission.status = MissionStatus::Cancelled;
    }
    let cancellation = match opt_int(row, 2)? {
        Some(at) => Some(Cancellation {
            at: from_ms(at),
            by: opt_text(row, 3)?.unwrap_or_default(),
            reason: opt_text(row, 4)?.unwrap_or_default(),
            lateness_ms: opt_int(row, 5)?.unwrap_or(0),
        }),
        None => None,
    };
    let signatures = tx
        .query(
            "SELECT party, account_id, device_id, sha256, signed_ms FROM contract_signatures \
             WHERE mission_id = $1 ORDER BY party",
            &[mission.id.to_string().into()],
        )?
        .iter()
        .map(|r| {
            Ok(Signature {
                party: text(r, 0)?,
                account_id: text(r, 1)?,
                device_id: text(r, 2)?,
                sha256: text(r, 3)?,
                signed_at: from_ms(int(r, 4)?),
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(MissionRow {
        view: MissionView {
            mission,
            cancellation,
            signatures,
        },
        start_ms: int(row, 6)?,
        booked: json(row, 7)?,
        facility_id: text(row, 8)?,
        doctor_id: text(row, 9)?,
    })
}

pub(crate) fn load_mission(tx: &mut dyn Tx, id: &str) -> Result<Option<MissionRow>, StorageError> {
    let rows = tx.query(
        &format!("SELECT {MISSION_COLUMNS} FROM missions WHERE id = $1"),
        &[id.into()],
    )?;
    match rows.first() {
        Some(r) => mission_from(tx, r).map(Some),
        None => Ok(None),
    }
}

pub(crate) fn put_feed_mission(
    tx: &mut dyn Tx,
    view: &MissionView,
    hlc: Hlc,
) -> Result<StoredChange, StorageError> {
    let mut fields = fields_of(view)?;
    if !fields.contains_key("cancellation") {
        fields.insert("cancellation".into(), Value::Null);
    }
    put_server_record_tx(
        tx,
        EntityKind::Mission,
        &view.mission.id.to_string(),
        &FeedOwners {
            doctor_id: Some(view.mission.doctor_id.to_string()),
            facility_id: Some(view.mission.facility_id.to_string()),
            account_id: None,
        },
        fields,
        hlc,
    )
}

/// Which side of a mission the actor is on; `None` for a stranger (answered as not found).
fn side(actor: &Actor, m: &MissionRow, right: Right) -> Result<&'static str, Refusal> {
    let site = Some(m.view.mission.site_id);
    if actor.is_doctor(&m.doctor_id) {
        return Ok("doctor");
    }
    match actor.member(&m.facility_id) {
        Some(member) if member.can(right, site) => Ok("facility"),
        Some(_) => Err(Refusal::Forbidden(
            "droit « proposer » requis pour ce site".into(),
        )),
        None => Err(Refusal::NotFound),
    }
}

/// The other party's contact details, unlocked by the mission.
fn contacts_tx(tx: &mut dyn Tx, m: &MissionRow, for_side: &str) -> Result<Value, StorageError> {
    if for_side == "doctor" {
        let facility = load_facility(tx, &m.facility_id)?;
        let site = load_site(tx, &m.view.mission.site_id.to_string())?;
        let mut people = Vec::new();
        for (account, member) in facility_accounts(
            tx,
            &m.facility_id,
            Right::Propose,
            Some(m.view.mission.site_id),
        )? {
            let email = tx
                .query(
                    "SELECT email FROM accounts WHERE id = $1",
                    &[account.into()],
                )?
                .first()
                .map(|r| text(r, 0))
                .transpose()?;
            people.push(
                json!({"display_name": member.display_name, "role": member.role, "email": email}),
            );
        }
        Ok(json!({
            "facility": facility.map(|f| json!({"name": f.name, "siret": f.siret, "kind": f.kind})),
            "site": site.map(|s| json!({"name": s.name, "address": s.address, "postcode": s.postcode,
                                         "commune_code": s.commune_code})),
            "people": people,
        }))
    } else {
        let doctor = load_doctor(tx, &m.doctor_id)?.map(|d| d.1);
        Ok(json!({
            "doctor": doctor.map(|d| json!({
                "first_name": d.first_name, "last_name": d.last_name, "rpps": d.rpps,
                "email": d.contact.as_ref().map(|c| c.email.clone()),
                "phone": d.contact.as_ref().and_then(|c| c.phone.clone()),
            })),
        }))
    }
}

impl Storage {
    /// One mission for one of its parties (or staff), with the other party's contact details; the read
    /// is written to the audit trail (`contact_read`) in the same transaction, before answering.
    pub async fn mission_with_contacts(
        &self,
        actor: Actor,
        id: String,
        now_ms: i64,
    ) -> Answer<Value> {
        write_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let reader = if actor.staff {
                "staff"
            } else if actor.is_doctor(&m.doctor_id) {
                "doctor"
            } else if actor.can(&m.facility_id, Right::Read, Some(m.view.mission.site_id)) {
                "facility"
            } else {
                return refused(Refusal::NotFound);
            };
            let contacts = if reader == "staff" {
                json!({
                    "doctor": contacts_tx(tx, &m, "facility")?["doctor"].clone(),
                    "facility": contacts_tx(tx, &m, "doctor")?,
                })
            } else {
                contacts_tx(tx, &m, reader)?
            };
            audit_tx(
                tx,
                Some(&actor),
                now_ms,
                "contact_read",
                "mission",
                &id,
                &m.facility_id,
                &m.doctor_id,
                format!("coordonnées lues par : {reader}"),
            )?;
            Ok(json!({"mission": m.view, "contacts": contacts}))
        })
        .await
    }

    /// The caller's missions (as doctor, and of every facility where they may read), newest first.
    pub async fn missions_of(&self, actor: Actor) -> Answer<Vec<MissionView>> {
        read_flow(self, move |tx| {
            let mut ids: Vec<String> = Vec::new();
            if let Some(d) = &actor.doctor_id {
                for r in tx.query("SELECT id FROM missions WHERE doctor_id = $1", &[d.into()])? {
                    ids.push(text(&r, 0)?);
                }
            }
            for m in &actor.members {
                if !m.can(Right::Read, None) {
                    continue;
                }
                for r in tx.query(
                    "SELECT id FROM missions WHERE facility_id = $1",
                    &[m.facility_id.to_string().into()],
                )? {
                    ids.push(text(&r, 0)?);
                }
            }
            ids.sort_unstable();
            ids.dedup();
            ids.reverse();
            let mut out = Vec::new();
            for id in ids {
                if let Some(m) = load_mission(tx, &id)? {
                    out.push(m.view);
                }
            }
            Ok(out)
        })
        .await
    }

    /// The caller's proposals (as doctor, and of every facility where they may read), newest first,
    /// optionally only those in `state`.
    pub async fn proposals_of(
        &self,
        actor: Actor,
        only_state: Option<ProposalState>,
    ) -> Answer<Vec<ProposalView>> {
        read_flow(self, move |tx| {
            let mut rows = Vec::new();
            if let Some(d) = &actor.doctor_id {
                rows.extend(tx.query(
                    &format!("SELECT {PROPOSAL_COLUMNS}, id FROM proposals WHERE doctor_id = $1"),
                    &[d.into()],
                )?);
            }
            for m in &actor.members {
                if m.can(Right::Read, None) {
                    rows.extend(tx.query(
                        &format!(
                            "SELECT {PROPOSAL_COLUMNS}, id FROM proposals WHERE facility_id = $1"
                        ),
                        &[m.facility_id.to_string().into()],
                    )?);
                }
            }
            let mut out: Vec<ProposalView> = rows
                .iter()
                .map(|r| proposal_from(r).map(|p| p.view))
                .collect::<Result<_, _>>()?;
            out.sort_by_key(|p| std::cmp::Reverse(p.proposal.id));
            out.dedup_by(|a, b| a.proposal.id == b.proposal.id);
            if let Some(s) = only_state {
                out.retain(|p| p.proposal.state == s);
            }
            Ok(out)
        })
        .await
    }

    /// Cancels a mission for one of its parties: who, when, why and how late (time left before the
    /// start) are kept; the booked slots are freed; a filled request reopens; the other party is told
    /// (urgently when the mission starts within 48 hours). Cancelling again by the same side is a
    /// replay.
    pub async fn cancel_mission(
        &self,
        actor: Actor,
        id: String,
        reason: String,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<MissionView>> {
        write_flow(self, move |tx| {
            cancel_tx(tx, &actor, &id, &reason, now_ms, hlc)
        })
        .await
    }
}

#[allow(clippy::too_many_lines)]
fn cancel_tx(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: &str,
    reason: &str,
    now_ms: i64,
    hlc: Hlc,
) -> Result<Done<MissionView>, Flow> {
    let Some(m) = load_mission(tx, id)? else {
        return refused(Refusal::NotFound);
    };
    let by = side(actor, &m, Right::Propose)?;
    if let Some(c) = &m.view.cancellation {
        if c.by == by {
            return Ok(Done {
                value: m.view,
                changes: Vec::new(),
                created: false,
            });
        }
        return refused(state(
            ErrorCode::MissionCancelled,
            "cette mission est déjà annulée",
        ));
    }
    if m.view.mission.status != MissionStatus::Confirmed {
        return refused(state(
            ErrorCode::MissionNotActive,
            "seule une mission confirmée peut être annulée",
        ));
    }
    let lateness = m.start_ms - now_ms;
    tx.execute(
        "UPDATE missions SET status = 'cancelled', cancelled_ms = $1, cancelled_by = $2, \
         cancelled_side = $3, cancel_reason = $4, lateness_ms = $5 WHERE id = $6",
        &[
            now_ms.into(),
            (&actor.account_id).into(),
            by.into(),
            reason.into(),
            lateness.into(),
            id.into(),
        ],
    )?;
    let mut view = m.view.clone();
    view.mission.status = MissionStatus::Cancelled;
    view.mission.revision = view.mission.revision.saturating_add(1);
    view.cancellation = Some(Cancellation {
        at: from_ms(now_ms),
        by: by.to_owned(),
        reason: reason.to_owned(),
        lateness_ms: lateness,
    });
    tx.execute(
        "UPDATE missions SET record = $1 WHERE id = $2",
        &[to_json(&view.mission)?.into(), id.into()],
    )?;
    let mut changes = vec![put_feed_mission(tx, &view, hlc)?];
    // Billing credits the unlock of a mission cancelled before its start (idempotent per mission).
    let credit = crate::billing::credit_cancellation_tx(
        tx,
        &crate::billing::CancellationFacts {
            mission_id: id.to_owned(),
            mission_start_ms: m.start_ms,
            at_ms: now_ms,
        },
    )?;
    tracing::debug!(mission = %id, ?credit, "cancellation billed");
    for slot in &m.booked {
        let rows = tx.query(
            "SELECT state FROM records WHERE entity = 'availability' AND id = $1",
            &[slot.into()],
        )?;
        let live = rows
            .first()
            .map(|r| json::<MergeState>(r, 0))
            .transpose()?
            .is_some_and(|s| s.is_live());
        if live {
            let mut f = Map::new();
            f.insert("status".into(), Value::from("open"));
            changes.push(put_server_record_tx(
                tx,
                EntityKind::Availability,
                slot,
                &FeedOwners::default(),
                f,
                hlc,
            )?);
        }
    }
    let request_id = view.mission.request_id.to_string();
    if let Some(request) = load_request(tx, &request_id)?
        && request.status == RequestStatus::Filled
    {
        let mut f = Map::new();
        f.insert("status".into(), Value::from("open"));
        changes.push(put_server_record_tx(
            tx,
            EntityKind::Request,
            &request_id,
            &FeedOwners::default(),
            f,
            hlc,
        )?);
    }
    audit_tx(
        tx,
        Some(actor),
        now_ms,
        "mission_cancelled",
        "mission",
        id,
        &m.facility_id,
        &m.doctor_id,
        format!("par : {by}, {lateness} ms avant le début ; motif : {reason}"),
    )?;
    let hours = lateness / 3_600_000;
    let urgent = lateness < 48 * 3_600_000;
    let body = format!(
        "La mission « {} » ({}) est annulée par {}, {} h avant son début. Motif : {reason}",
        view.mission.title,
        dates_text(&view.mission.shifts, view.mission.zone),
        if by == "doctor" {
            "le médecin"
        } else {
            "l'établissement"
        },
        hours
    );
    let payload = json!({"mission_id": id});
    if by == "doctor" {
        let site = Some(view.mission.site_id);
        for (account, _) in facility_accounts(tx, &m.facility_id, Right::Propose, site)? {
            tell(
                tx,
                &account,
                "mission_cancelled",
                id,
                "Mission annulée".into(),
                body.clone(),
                payload.clone(),
                now_ms,
                urgent,
            )?;
        }
    } else if let Some((account, _)) = load_doctor(tx, &m.doctor_id)? {
        tell(
            tx,
            &account,
            "mission_cancelled",
            id,
            "Mission annulée".into(),
            body,
            payload,
            now_ms,
            urgent,
        )?;
    }
    Ok(Done {
        value: view,
        changes,
        created: true,
    })
}

// ------------------------------------------------------------------------------------------ contract

/// The *contrat de remplacement*'s facts (parties, dates, place, fees as agreed) are billing's
/// `pdf::contract::ContractFacts`: the PDF prints its `version_hash`, which is what a party signs, so the
/// hash on paper and the hash of the signature proof are the same.
pub use crate::pdf::contract::ContractFacts;
use crate::pdf::contract::{Fees, ReplacedParty, ReplacingParty, place_of};

fn contract_facts_tx(tx: &mut dyn Tx, m: &MissionRow) -> Result<ContractFacts, Flow> {
    let mission = &m.view.mission;
    let missing = |what: &str| Flow::Db(corrupt(format!("contrat : {what} introuvable")));
    let (_, doctor) = load_doctor(tx, &m.doctor_id)?.ok_or_else(|| missing("médecin"))?;
    let facility = load_facility(tx, &m.facility_id)?.ok_or_else(|| missing("établissement"))?;
    let site = load_site(tx, &mission.site_id.to_string())?.ok_or_else(|| missing("site"))?;
    let request = load_request(tx, &mission.request_id.to_string())?;
    // Only what was agreed goes in the contract: a request without a stated fee cannot make one.
    let Some(cents_per_day) = request.and_then(|r| r.remuneration_cents_per_day) else {
        return refused(state(
            ErrorCode::FeesNotAgreed,
            "la demande n'indique pas la rémunération convenue : renseignez-la pour établir le contrat",
        ));
    };
    let created = tx
        .query(
            "SELECT created_ms FROM missions WHERE id = $1",
            &[mission.id.to_string().into()],
        )?
        .first()
        .map(|r| int(r, 0))
        .transpose()?
        .unwrap_or(0);
    // The doctor's Ordre département is not in the profile yet: the site's stands in for it.
    let ordre = doctor
        .departments
        .first()
        .cloned()
        .unwrap_or_else(|| site.department.clone());
    Ok(ContractFacts::from_mission(
        mission,
        ReplacedParty::from_facility(&facility, &site, None),
        ReplacingParty::from_doctor(&doctor, Some(ordre)),
        place_of(&site),
        Fees::PerDay { cents_per_day },
        Some(from_ms(created)),
    ))
}

impl Storage {
    /// The contract of a mission for one of its parties: its facts, version hash and signatures.
    pub async fn contract(
        &self,
        actor: Actor,
        id: String,
    ) -> Answer<(ContractFacts, String, MissionView)> {
        read_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let party = actor.is_doctor(&m.doctor_id)
                || actor.can(&m.facility_id, Right::Read, Some(m.view.mission.site_id))
                || actor.staff;
            if !party {
                return refused(Refusal::NotFound);
            }
            let facts = contract_facts_tx(tx, &m)?;
            let sha = facts.version_hash();
            Ok((facts, sha, m.view))
        })
        .await
    }

    /// Signs the contract by click for the actor's side, with the proof kept (time, version hash,
    /// account, device). A hash that is not the current version is refused (`stale_contract`); signing
    /// the same version again is a replay.
    pub async fn sign_contract(
        &self,
        actor: Actor,
        id: String,
        sha256: String,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<MissionView>> {
        write_flow(self, move |tx| {
            let Some(m) = load_mission(tx, &id)? else {
                return refused(Refusal::NotFound);
            };
            let party = side(&actor, &m, Right::Propose)?;
            if m.view.mission.status == MissionStatus::Cancelled {
                return refused(state(ErrorCode::MissionCancelled, "cette mission est annulée"));
            }
            let facts = contract_facts_tx(tx, &m)?;
            let current = facts.version_hash();
            if let Some(s) = m.view.signatures.iter().find(|s| s.party == party)
                && s.sha256 == sha256
                && s.sha256 == current
            {
                return Ok(Done {
                    value: m.view,
                    changes: Vec::new(),
                    created: false,
                });
            }
            if sha256.trim().to_ascii_lowercase() != current {
                return refused(state(
                    ErrorCode::StaleContract,
                    "ce n'est pas la version en vigueur du contrat : rechargez-le avant de signer",
                ));
            }
            tx.execute(
                "INSERT INTO contract_signatures (mission_id, party, account_id, device_id, sha256, \
                 signed_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mission_id, party) DO UPDATE \
                 SET account_id = excluded.account_id, device_id = excluded.device_id, \
                 sha256 = excluded.sha256, signed_ms = excluded.signed_ms",
                &[
                    (&id).into(),
                    party.into(),
                    (&actor.account_id).into(),
                    (&actor.device_id).into(),
                    (&current).into(),
                    now_ms.into(),
                ],
            )?;
            audit_tx(
                tx,
                Some(&actor),
                now_ms,
                "contract_signed",
                "mission",
                &id,
                &m.facility_id,
                &m.doctor_id,
                format!("partie : {party}, version {current}"),
            )?;
            let m = load_mission(tx, &id)?.ok_or(Refusal::NotFound)?;
            let change = put_feed_mission(tx, &m.view, hlc)?;
            let payload = json!({"mission_id": id});
            let body = format!(
                "Le contrat de remplacement « {} » a été signé par {}.",
                m.view.mission.title,
                if party == "doctor" { "le médecin" } else { "l'établissement" }
            );
            if party == "doctor" {
                let site = Some(m.view.mission.site_id);
                for (account, _) in facility_accounts(tx, &m.facility_id, Right::Propose, site)? {
                    tell(tx, &account, "contract_signed", &id, "Contrat signé".into(), body.clone(), payload.clone(), now_ms, false)?;
                }
            } else if let Some((account, _)) = load_doctor(tx, &m.doctor_id)? {
                tell(tx, &account, "contract_signed", &id, "Contrat signé".into(), body, payload, now_ms, false)?;
            }
            Ok(Done {
                value: m.view,
                changes: vec![change],
                created: true,
            })
        })
        .await
    }

    /// Sets a doctor's "only contact me when I am available" preference.
    pub async fn set_only_when_available(
        &self,
        doctor_id: String,
        on: bool,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO doctor_match_prefs (doctor_id, only_when_available, updated_ms) \
                 VALUES ($1, $2, $3) ON CONFLICT (doctor_id) DO UPDATE SET \
                 only_when_available = excluded.only_when_available, updated_ms = excluded.updated_ms",
                &[doctor_id.into(), on.into(), now_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// A doctor's "only contact me when I am available" preference (off by default).
    pub async fn only_when_available(&self, doctor_id: String) -> Result<bool, StorageError> {
        self.read(move |tx| only_when_available(tx, &doctor_id))
            .await
    }
}
