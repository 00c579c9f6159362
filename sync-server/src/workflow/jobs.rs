//! The workflow's periodic jobs, registered in `crate::jobs::JOBS`: reminders 24 h before a proposal's
//! deadline, expiry of unanswered proposals, tiered alerts of a request's candidates, and the reminder
//! to send the signed contract to the conseil départemental de l'Ordre. Each run claims its rows in one
//! write transaction (the global write lock serialises instances), and every notice has a dedupe key,
//! so two instances or a rerun never alert twice.

use rempla_core::calendar::CoverageStatus;
use rempla_core::domain::{Initiator, ProposalState, RequestId, RequestStatus, Right};
use rempla_core::matching::match_request;
use rempla_core::sync::merge::MergeState;
use serde_json::{Value, json};

use super::acceptance::withdraw_tx;
use super::model::{ProposalView, from_ms};
use super::rows::{
    load_mission, load_proposal, load_request, only_when_available, save_proposal_tx,
};
use crate::audit::{self, AuditEntry};
use crate::db::{StorageError, StoredChange, Tx, int, json, opt_int, text, to_json};
use crate::http::error::AppError;
use crate::http::state::AppState;
use crate::notify::{self, Notice};

#[allow(clippy::too_many_arguments)]
fn notice(
    tx: &mut dyn Tx,
    account: &str,
    kind: &str,
    key: &str,
    title: &str,
    body: String,
    payload: Value,
    now_ms: i64,
    urgent: bool,
) -> Result<(), StorageError> {
    notify::enqueue_tx(
        tx,
        &Notice {
            account_id: account.to_owned(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            body,
            payload,
            dedupe_key: format!("{kind}:{key}:{account}"),
            not_before_ms: now_ms,
            urgent,
        },
        now_ms,
    )
    .map(|_| ())
}

fn doctor_account(tx: &mut dyn Tx, doctor_id: &str) -> Result<Option<String>, StorageError> {
    let rows = tx.query(
        "SELECT account_id FROM doctors WHERE id = $1",
        &[doctor_id.into()],
    )?;
    rows.first().map(|r| text(r, 0)).transpose()
}

fn facility_accounts(
    tx: &mut dyn Tx,
    facility_id: &str,
    site: Option<rempla_core::domain::SiteId>,
) -> Result<Vec<String>, StorageError> {
    let mut out = Vec::new();
    for r in tx.query(
        "SELECT account_id, record FROM members WHERE facility_id = $1 ORDER BY id",
        &[facility_id.into()],
    )? {
        let m: rempla_core::domain::Member = json(&r, 1)?;
        if m.can(Right::Propose, site) {
            out.push(text(&r, 0)?);
        }
    }
    Ok(out)
}

/// The accounts that answer a proposal: the doctor for a facility's proposal, the facility's
/// proposers for an application.
fn answering_accounts(tx: &mut dyn Tx, view: &ProposalView) -> Result<Vec<String>, StorageError> {
    match view.proposal.initiator {
        Initiator::Facility => Ok(doctor_account(tx, &view.proposal.doctor_id.to_string())?
            .into_iter()
            .collect()),
        Initiator::Doctor => facility_accounts(tx, &view.facility_id, view.site_id.parse().ok()),
    }
}

fn payload(view: &ProposalView) -> Value {
    json!({"proposal_id": view.proposal.id, "request_id": view.proposal.request_id,
           "facility_id": view.facility_id})
}

fn publish(state: &AppState, changes: Vec<StoredChange>) {
    for c in changes {
        state.events.publish_local(c);
    }
}

/// Reminds the answering party of every `sent` proposal whose deadline is within the configured hours.
pub async fn remind_proposals(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_ms();
    let before = i64::from(state.config.reminder_hours) * 3_600_000;
    let n = state
        .storage
        .write(move |tx| {
            let due = tx.query(
                "SELECT id FROM proposals WHERE state = 'sent' AND reminded_ms IS NULL \
                 AND deadline_ms > $1 AND deadline_ms <= $2 ORDER BY deadline_ms",
                &[now.into(), now.saturating_add(before).into()],
            )?;
            let mut n = 0;
            for r in &due {
                let id = text(r, 0)?;
                let Some(p) = load_proposal(tx, &id)? else {
                    continue;
                };
                tx.execute(
                    "UPDATE proposals SET reminded_ms = $1 WHERE id = $2 AND reminded_ms IS NULL",
                    &[now.into(), (&id).into()],
                )?;
                let zone = load_request(tx, &p.view.proposal.request_id.to_string())?
                    .map_or(chrono_tz::Europe::Paris, |r| r.zone);
                let until = from_ms(p.deadline_ms - 1_000)
                    .with_timezone(&zone)
                    .format("%d/%m/%Y à %H:%M");
                for account in answering_accounts(tx, &p.view)? {
                    notice(
                        tx,
                        &account,
                        "proposal_reminder",
                        &id,
                        "Proposition en attente de réponse",
                        format!("Une proposition attend votre réponse jusqu'au {until}."),
                        payload(&p.view),
                        now,
                        true,
                    )?;
                }
                n += 1;
            }
            Ok(n)
        })
        .await?;
    Ok(n)
}

/// Marks every `sent` proposal past its deadline `expired` and tells both parties.
pub async fn expire_proposals(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_ms();
    let hlc = state.next_hlc(None);
    let changes = state
        .storage
        .write(move |tx| {
            let due = tx.query(
                "SELECT id FROM proposals WHERE state = 'sent' AND deadline_ms <= $1 ORDER BY deadline_ms",
                &[now.into()],
            )?;
            let mut changes = Vec::new();
            for r in &due {
                let id = text(r, 0)?;
                let Some(p) = load_proposal(tx, &id)? else {
                    continue;
                };
                let mut view = p.view;
                view.proposal.state = ProposalState::Expired;
                changes.push(save_proposal_tx(tx, &view, None, hlc)?);
                let doctor_id = view.proposal.doctor_id.to_string();
                audit::record_tx(
                    tx,
                    &AuditEntry {
                        at_ms: now,
                        action: "proposal_expired".into(),
                        entity: "proposal".into(),
                        entity_id: id.clone(),
                        facility_id: Some(view.facility_id.clone()),
                        doctor_id: Some(doctor_id.clone()),
                        ..AuditEntry::default()
                    },
                )?;
                let mut to = facility_accounts(tx, &view.facility_id, view.site_id.parse().ok())?;
                to.extend(doctor_account(tx, &doctor_id)?);
                for account in to {
                    notice(
                        tx,
                        &account,
                        "proposal_expired",
                        &id,
                        "Proposition expirée",
                        "Une proposition n'a pas reçu de réponse dans le délai : elle a expiré.".into(),
                        payload(&view),
                        now,
                        false,
                    )?;
                }
            }
            Ok(changes)
        })
        .await?;
    let n = changes.len();
    publish(state, changes);
    Ok(n)
}

/// Withdraws the `sent` proposals of requests that are no longer open (cancelled or closed by their
/// facility through sync, or deleted), telling both parties: nobody should answer a request that is
/// gone. (Filled requests withdraw theirs at acceptance.)
pub async fn withdraw_for_closed_requests(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_ms();
    let hlc = state.next_hlc(None);
    let changes = state
        .storage
        .write(move |tx| {
            let sent = tx.query(
                "SELECT DISTINCT request_id FROM proposals WHERE state = 'sent' ORDER BY request_id",
                &[],
            )?;
            let mut changes = Vec::new();
            for r in &sent {
                let request_id = text(r, 0)?;
                let open = load_request(tx, &request_id)?
                    .is_some_and(|q| q.status == RequestStatus::Open);
                if open {
                    continue;
                }
                let ids = tx.query(
                    "SELECT id, doctor_id FROM proposals WHERE request_id = $1 AND state = 'sent' \
                     ORDER BY id",
                    &[(&request_id).into()],
                )?;
                for row in &ids {
                    let Some(p) = load_proposal(tx, &text(row, 0)?)? else {
                        continue;
                    };
                    let account = doctor_account(tx, &text(row, 1)?)?.unwrap_or_default();
                    changes.push(withdraw_tx(
                        tx,
                        p.view,
                        &account,
                        "la demande a été annulée ou clôturée par l'établissement",
                        now,
                        hlc,
                    )?);
                }
            }
            Ok(changes)
        })
        .await?;
    let n = changes.len();
    publish(state, changes);
    Ok(n)
}

/// Tiered alerts: the first time an open request is seen, its best-ranked candidates (a tier of
/// `tier_size`) are alerted; while nobody applies or accepts, every `tier_wait_minutes` the next tier
/// is. A doctor who asked to be contacted only when available is alerted only when their open
/// availabilities cover every shift.
///
/// The ranking comes from the matching service's index (outside any transaction, so the write lock is
/// not held while ranking); each request's tier is then claimed in its own write transaction, which
/// re-checks that the round is still the one ranked for, so two instances never send the same tier.
pub async fn alert_tiers(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_ms();
    let size = usize::try_from(state.config.tier_size.max(1)).unwrap_or(5);
    let wait = i64::from(state.config.tier_wait_minutes) * 60_000;
    // 1. The open requests whose next tier is due, with the round they are at.
    let due: Vec<(String, Option<i64>)> = state
        .storage
        .read(move |tx| {
            let rows = tx.query(
                "SELECT r.id, r.state, a.round, a.last_ms FROM records r \
                 LEFT JOIN request_alerts a ON a.request_id = r.id \
                 WHERE r.entity = 'request' AND (a.done IS NULL OR a.done = 0) ORDER BY r.seq",
                &[],
            )?;
            let mut due = Vec::new();
            for r in &rows {
                let st: MergeState = json(r, 1)?;
                if !st.is_live() || st.fields.get("status").and_then(Value::as_str) != Some("open")
                {
                    continue;
                }
                let round = opt_int(r, 2)?;
                let last = opt_int(r, 3)?.unwrap_or(0);
                if round.is_none() || now >= last.saturating_add(wait) {
                    due.push((text(r, 0)?, round));
                }
            }
            Ok(due)
        })
        .await?;
    let mut alerted_now = 0;
    for (id, round) in due {
        // 2. The ranking, from the fresh index.
        let ranked: Vec<(String, bool)> = {
            let Ok(request_id) = id.parse::<RequestId>() else {
                continue;
            };
            let guard = state.matching.fresh(&state.storage, now).await?;
            let Some(loaded) = guard.as_ref() else {
                continue;
            };
            match match_request(&loaded.index, request_id) {
                Ok(m) => m
                    .candidates
                    .iter()
                    .map(|c| (c.doctor.to_string(), c.status == CoverageStatus::Complete))
                    .collect(),
                Err(_) => continue,
            }
        };
        // 3. Claim and send this tier in one transaction.
        let id2 = id.clone();
        alerted_now += state
            .storage
            .write(move |tx| claim_tier(tx, &id2, round, &ranked, size, now))
            .await?;
    }
    Ok(alerted_now)
}

/// Sends the next tier of one request if `round` is still its current round (else another run did).
fn claim_tier(
    tx: &mut dyn Tx,
    id: &str,
    round: Option<i64>,
    ranked: &[(String, bool)],
    size: usize,
    now: i64,
) -> Result<usize, StorageError> {
    let current = tx.query(
        "SELECT round, alerted, done FROM request_alerts WHERE request_id = $1",
        &[id.into()],
    )?;
    let (stored_round, mut alerted) = match current.first() {
        Some(r) => {
            if int(r, 2)? != 0 {
                return Ok(0);
            }
            let list: Vec<String> = serde_json::from_str(&text(r, 1)?)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            (Some(int(r, 0)?), list)
        }
        None => (None, Vec::new()),
    };
    if stored_round != round {
        return Ok(0);
    }
    let answered = tx.query(
        "SELECT COUNT(*) FROM proposals WHERE request_id = $1 \
         AND (initiator = 'doctor' OR state = 'accepted')",
        &[id.into()],
    )?;
    if answered
        .first()
        .map(|r| int(r, 0))
        .transpose()?
        .unwrap_or(0)
        > 0
    {
        tx.execute(
            "INSERT INTO request_alerts (request_id, round, last_ms, alerted, done) \
             VALUES ($1, 0, $2, '[]', 1) ON CONFLICT (request_id) DO UPDATE SET done = 1",
            &[id.into(), now.into()],
        )?;
        return Ok(0);
    }
    let Some(request) = load_request(tx, id)? else {
        return Ok(0);
    };
    if request.status != RequestStatus::Open {
        return Ok(0);
    }
    let mut tier = Vec::new();
    for (doctor, complete) in ranked {
        if tier.len() >= size {
            break;
        }
        if alerted.contains(doctor) || (!complete && only_when_available(tx, doctor)?) {
            continue;
        }
        tier.push(doctor.clone());
    }
    for doctor in &tier {
        if let Some(account) = doctor_account(tx, doctor)? {
            notice(
                tx,
                &account,
                "request_alert",
                id,
                "Une demande de remplacement vous correspond",
                format!(
                    "Une demande ({}) correspond à vos disponibilités : consultez-la et candidatez.",
                    request.specialty
                ),
                json!({"request_id": id, "facility_id": request.facility_id}),
                now,
                false,
            )?;
        }
    }
    let n = tier.len();
    alerted.extend(tier);
    tx.execute(
        "INSERT INTO request_alerts (request_id, round, last_ms, alerted, done) \
         VALUES ($1, 1, $2, $3, 0) ON CONFLICT (request_id) DO UPDATE SET \
         round = request_alerts.round + 1, last_ms = excluded.last_ms, alerted = excluded.alerted",
        &[id.into(), now.into(), to_json(&alerted)?.into()],
    )?;
    Ok(n)
}

/// Reminds both parties of a confirmed mission, `contract_reminder_days` before its start, to send the
/// signed contract to the conseil départemental de l'Ordre.
pub async fn remind_contracts(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now_ms();
    let ahead = i64::from(state.config.contract_reminder_days) * 86_400_000;
    let n = state
        .storage
        .write(move |tx| {
            let due = tx.query(
                "SELECT id FROM missions WHERE status = 'confirmed' AND contract_reminded_ms IS NULL \
                 AND start_ms > $1 AND start_ms <= $2",
                &[now.into(), now.saturating_add(ahead).into()],
            )?;
            let mut n = 0;
            for r in &due {
                let id = text(r, 0)?;
                let Some(m) = load_mission(tx, &id)? else {
                    continue;
                };
                tx.execute(
                    "UPDATE missions SET contract_reminded_ms = $1 WHERE id = $2",
                    &[now.into(), (&id).into()],
                )?;
                let mut to = facility_accounts(tx, &m.facility_id, Some(m.view.mission.site_id))?;
                to.extend(doctor_account(tx, &m.doctor_id)?);
                let signed = m.view.signatures.len() == 2;
                let body = format!(
                    "La mission « {} » commence bientôt. {}Envoyez le contrat de remplacement signé au \
                     conseil départemental de l'Ordre des médecins avant le début du remplacement.",
                    m.view.mission.title,
                    if signed {
                        ""
                    } else {
                        "Le contrat n'est pas encore signé par les deux parties. "
                    }
                );
                for account in to {
                    notice(
                        tx,
                        &account,
                        "contract_reminder",
                        &id,
                        "Contrat à transmettre à l'Ordre",
                        body.clone(),
                        json!({"mission_id": id}),
                        now,
                        false,
                    )?;
                }
                n += 1;
            }
            Ok(n)
        })
        .await?;
    Ok(n)
}
