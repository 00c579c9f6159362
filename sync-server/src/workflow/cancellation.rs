//! Cancelling a mission: who, when, why and how late are kept, the booked slots freed, a filled
//! request reopened and the other party told, in one write transaction.

use rempla_core::api::ErrorCode;
use rempla_core::domain::{MissionStatus, RequestStatus, Right};
use rempla_core::sync::merge::MergeState;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value, json};

use super::flow::{Answer, Flow, refused, write_flow};
use super::model::{Actor, Cancellation, Done, MissionView, dates_text, from_ms};
use super::refusal::{Refusal, state};
use super::rows::{
    audit_tx, facility_accounts, load_doctor, load_mission, load_request, put_feed_mission, side,
    tell,
};
use crate::db::feed::{FeedOwners, put_server_record_tx};
use crate::db::{Storage, Tx, json, to_json};

impl Storage {
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
pub(crate) fn cancel_tx(
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
