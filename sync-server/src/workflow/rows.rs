//! Loading and saving the workflow's rows inside a transaction: requests, doctors, sites, proposals
//! and missions, their change-feed records, the notices that tell the parties, and the audit entries.
//! Every action file builds on these helpers, so they stay in one place.

use rempla_core::domain::{
    Doctor, Facility, Member, Mission, MissionStatus, Request, Right, Site, SiteId,
};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::model::{
    Actor, Cancellation, MissionView, ProposalView, Signature, corrupt, from_ms, ms,
    proposal_payload,
};
use super::refusal::Refusal;
use crate::audit::{self, AuditEntry};
use crate::db::feed::{FeedOwners, put_server_record_tx};
use crate::db::{Row, StorageError, StoredChange, Tx, int, json, opt_int, opt_text, text, to_json};
use crate::notify::{self, Notice};

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

pub(crate) fn load_doctor(
    tx: &mut dyn Tx,
    id: &str,
) -> Result<Option<(String, Doctor)>, StorageError> {
    let rows = tx.query(
        "SELECT account_id, record FROM doctors WHERE id = $1",
        &[id.into()],
    )?;
    rows.first()
        .map(|r| Ok((text(r, 0)?, json(r, 1)?)))
        .transpose()
}

pub(crate) fn load_site(tx: &mut dyn Tx, id: &str) -> Result<Option<Site>, StorageError> {
    let rows = tx.query("SELECT record FROM sites WHERE id = $1", &[id.into()])?;
    rows.first().map(|r| json(r, 0)).transpose()
}

pub(crate) fn load_facility(tx: &mut dyn Tx, id: &str) -> Result<Option<Facility>, StorageError> {
    let rows = tx.query("SELECT record FROM facilities WHERE id = $1", &[id.into()])?;
    rows.first().map(|r| json(r, 0)).transpose()
}

/// The accounts of a facility's members holding `right` (for `site`): who is told about proposals.
pub(crate) fn facility_accounts(
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

pub(crate) const PROPOSAL_COLUMNS: &str =
    "record, facility_id, site_id, shifts, answered_ms, deadline_ms, created_by";

/// One stored proposal.
#[derive(Clone, Debug)]
pub(crate) struct ProposalRow {
    pub view: ProposalView,
    pub deadline_ms: i64,
    pub created_by: String,
}

pub(crate) fn proposal_from(row: &Row) -> Result<ProposalRow, StorageError> {
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

pub(crate) fn fields_of<T: Serialize>(value: &T) -> Result<Map<String, Value>, StorageError> {
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

pub(crate) fn put_feed_proposal(
    tx: &mut dyn Tx,
    view: &ProposalView,
    hlc: Hlc,
) -> Result<StoredChange, StorageError> {
    let mut fields = fields_of(view)?;
    // The doctor's inbox names the facility and the site (offline: the device has no other source).
    add_place_names(tx, &mut fields, &view.facility_id, &view.site_id)?;
    put_server_record_tx(
        tx,
        EntityKind::Proposal,
        &view.proposal.id.to_string(),
        &FeedOwners {
            doctor_id: Some(view.proposal.doctor_id.to_string()),
            facility_id: Some(view.facility_id.clone()),
            account_id: None,
        },
        fields,
        hlc,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn tell(
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
pub(crate) fn audit_tx(
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

#[allow(clippy::too_many_arguments)]
pub(crate) fn notify_other_party(
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
    // The answer's reason, when given, travels with the notice: the other party reads why.
    let why = view
        .proposal
        .answer_reason
        .as_deref()
        .map_or_else(String::new, |r| format!(" Motif : « {r} »"));
    if actor_is_doctor {
        let site = view.site_id.parse().ok();
        for (account, _) in facility_accounts(tx, &view.facility_id, Right::Propose, site)? {
            tell(
                tx,
                &account,
                kind,
                &pid,
                title.into(),
                format!("{doctor_name} {verb}.{why}"),
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
            format!("{facility} {verb}.{why}"),
            proposal_payload(view),
            now_ms,
            false,
        )?;
    }
    Ok(())
}

pub(crate) fn mission_of_proposal(
    tx: &mut dyn Tx,
    proposal_id: &str,
) -> Result<Option<String>, StorageError> {
    let rows = tx.query(
        "SELECT id FROM missions WHERE proposal_id = $1",
        &[proposal_id.into()],
    )?;
    rows.first().map(|r| text(r, 0)).transpose()
}

pub(crate) const MISSION_COLUMNS: &str = "record, status, cancelled_ms, cancelled_side, cancel_reason, \
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

pub(crate) fn mission_from(tx: &mut dyn Tx, row: &Row) -> Result<MissionRow, StorageError> {
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
            doctor_name: None,
            site_name: None,
            facility_name: None,
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

/// Adds `facility_name` and `site_name` to a feed record (left out when unknown).
fn add_place_names(
    tx: &mut dyn Tx,
    fields: &mut Map<String, Value>,
    facility_id: &str,
    site_id: &str,
) -> Result<(), StorageError> {
    if let Some(f) = load_facility(tx, facility_id)? {
        fields.insert("facility_name".into(), Value::String(f.name));
    }
    if let Some(s) = load_site(tx, site_id)? {
        fields.insert("site_name".into(), Value::String(s.name));
    }
    Ok(())
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
    add_place_names(
        tx,
        &mut fields,
        &view.mission.facility_id.to_string(),
        &view.mission.site_id.to_string(),
    )?;
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
pub(crate) fn side(actor: &Actor, m: &MissionRow, right: Right) -> Result<&'static str, Refusal> {
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
