//! Answering a proposal, and acceptance: the mission is made, the doctor's slots booked, overlapping
//! proposals withdrawn (`withdraw_tx`), the request filled, contacts unlocked and the other areas'
//! hooks (billing, documents) run, all in the answer's transaction; a refusal rolls it all back.

use rempla_core::api::ErrorCode;
use rempla_core::api::missions::AnswerOutcome;
use rempla_core::domain::{
    Doctor, DoctorStatus, Initiator, Mission, MissionId, MissionStatus, ProposalState,
    RequestStatus, Right, SiteId,
};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value};

use super::flow::{Answer, Flow, refused, write_flow};
use super::model::{
    AcceptanceFacts, Actor, Done, MissionView, ProposalView, Reply, corrupt, from_ms, ms,
    overlaps_any, proposal_payload, shifts_span,
};
use super::refusal::{Refusal, state};
use super::rows::{
    PROPOSAL_COLUMNS, audit_tx, facility_accounts, load_doctor, load_facility, load_proposal,
    load_request, load_site, mission_of_proposal, notify_other_party, proposal_from,
    put_feed_mission, save_proposal_tx, tell,
};
use crate::db::feed::{FeedOwners, put_server_record_tx};
use crate::db::{Storage, StorageError, StoredChange, Tx, int, json, text, to_json};

/// The one call site of the other areas' acceptance hooks, inside the acceptance transaction: billing
/// turns the unlock into a charge (`billing::charge_unlock_tx`), documents shares the chosen documents
/// with this facility only (`documents::share_for_mission_tx`). A refusal from either rolls the whole
/// acceptance back.
pub(crate) fn acceptance_hooks_tx(tx: &mut dyn Tx, facts: &AcceptanceFacts) -> Result<(), Flow> {
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
        answer: AnswerFacts,
        now_ms: i64,
        hlc: Hlc,
    ) -> Answer<Done<AnswerOutcome>> {
        write_flow(self, move |tx| {
            answer_tx(tx, &actor, &proposal_id, &answer, now_ms, hlc)
        })
        .await
    }
}

/// What the answering party sent: accept or decline, the documents shared, why.
#[derive(Clone, Debug)]
pub struct AnswerFacts {
    /// Accept or decline.
    pub reply: Reply,
    /// Documents the doctor shares on acceptance (empty: the default set).
    pub document_ids: Vec<String>,
    /// Why, in their words (already checked).
    pub reason: Option<String>,
}

pub(crate) fn answer_tx(
    tx: &mut dyn Tx,
    actor: &Actor,
    proposal_id: &str,
    answer: &AnswerFacts,
    now_ms: i64,
    hlc: Hlc,
) -> Result<Done<AnswerOutcome>, Flow> {
    let (reply, document_ids) = (answer.reply, answer.document_ids.as_slice());
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
    // Which of a doctor's documents a facility may read is the doctor's choice alone: a facility
    // accepting an application gets the default professional set, never a list it picked.
    if !is_doctor && !document_ids.is_empty() {
        return refused(Refusal::Invalid(
            ErrorCode::ForbiddenField,
            "seul le médecin choisit les documents qu'il partage".into(),
        ));
    }
    let target = match reply {
        Reply::Accept => ProposalState::Accepted,
        Reply::Decline => ProposalState::Declined,
    };
    if view.proposal.state == target {
        let mission = mission_of_proposal(tx, proposal_id)?;
        return Ok(Done {
            value: AnswerOutcome {
                proposal: view,
                mission_id: mission,
                mission: None,
            },
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
    view.proposal.answer_reason.clone_from(&answer.reason);
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
            value: AnswerOutcome {
                proposal: view,
                mission_id: None,
                mission: None,
            },
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
        value: AnswerOutcome {
            proposal: view,
            mission_id: Some(mission.mission.id.to_string()),
            mission: Some(mission),
        },
        changes,
        created: true,
    })
}

/// Acceptance: the proposal is `accepted`; the mission is made (feed entity `mission`, owned by the
/// doctor and the facility); the doctor's open slots under the shifts are booked; the doctor's other
/// `sent` proposals overlapping these shifts are withdrawn everywhere (both parties told); the request
/// is `filled` once it has as many missions as doctors needed (its other proposals withdrawn);
/// contact details are unlocked for this mission (served by `GET /v1/missions/{id}`, audited); the
/// billing and documents hooks run; all in the caller's transaction.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub(crate) fn accept_tx(
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
        doctor_name: None,
        site_name: None,
        facility_name: None,
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
