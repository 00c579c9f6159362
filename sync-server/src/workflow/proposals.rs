//! Sending a proposal (facility → doctor) or an application (doctor → request): one write transaction
//! that checks the request, the doctor's trust status and core's matching rules, then stores the
//! proposal with its deadline, feed record, audit entry and notices.

use chrono::Utc;
use rempla_core::api::ErrorCode;
use rempla_core::calendar::{Department, answer_deadline};
use rempla_core::domain::{
    DoctorStatus, Initiator, Proposal, ProposalState, RequestShift, RequestStatus, Right,
};
use rempla_core::sync::Hlc;

use super::candidates::candidates_tx;
use super::flow::{Answer, Flow, refused, write_flow};
use super::model::{
    Actor, Done, NewProposal, ProposalView, Settings, corrupt, dates_text, deadline_text, from_ms,
    ms, pick_shifts, proposal_payload,
};
use super::refusal::{Refusal, state};
use super::rows::{
    audit_tx, facility_accounts, load_doctor, load_proposal, load_request, load_site,
    only_when_available, put_feed_proposal, tell,
};
use crate::db::{Storage, Tx, to_json};

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

pub(crate) fn create_proposal_tx(
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
        answer_reason: None,
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
