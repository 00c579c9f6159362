//! The doctor's proposals and missions in the desktop app, read offline from what the sync worker
//! pulled (the same read models as the phones: `rempla_client::views`), and answering a proposal on
//! the server — accept or decline, with a reason the facility reads — followed by a sync round so the
//! mission and the booked slots arrive at once.

use chrono::Utc;
use rempla_client::doctor::ProposalAnswer;
use rempla_client::nearby;
use rempla_client::views::{self, DoctorMission, InboxProposal};
use rempla_core::domain::ProposalId;
use rempla_core::domain::proposal::MAX_ANSWER_REASON_CHARS;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::commands::{blocking, checked_id, with_api};
use crate::error::DesktopError;
use crate::state::AppState;
use crate::worker;

/// One shift asked for or booked.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ShiftView {
    /// `day`, `night`, `garde_night`…
    pub kind: String,
    /// RFC 3339 UTC.
    pub start: String,
    /// RFC 3339 UTC.
    pub end: String,
}

/// A proposal in the doctor's inbox.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoctorProposalView {
    /// Proposal id.
    pub id: String,
    /// `sent`, `accepted`, `declined`, `expired`, `withdrawn`.
    pub state: String,
    /// A facility's offer (else the doctor's own application).
    pub from_facility: bool,
    /// The facility's name (empty when the server did not send it).
    pub facility_name: String,
    /// The site's name.
    pub site_name: String,
    /// Specialty of the request, when cached.
    pub specialty: Option<String>,
    /// Daily fee offered, in cents, when cached.
    pub fee_cents_per_day: Option<i64>,
    /// IANA zone the shifts are shown in.
    pub zone: String,
    /// The shifts asked for.
    pub shifts: Vec<ShiftView>,
    /// First instant it can no longer be answered (RFC 3339 UTC).
    pub deadline: String,
    /// Answerable now by the doctor.
    pub answerable: bool,
    /// Deadline passed, not yet marked expired by the server.
    pub overdue: bool,
    /// Business days of the site's territory left to answer, today included when it is one (public
    /// holidays of the département counted out); `null` when the request's département is not cached.
    pub business_days_left: Option<u32>,
    /// Why it was accepted or declined.
    pub answer_reason: Option<String>,
}

/// A mission of the doctor.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoctorMissionView {
    /// Mission id.
    pub id: String,
    /// « Remplacement – … ».
    pub title: String,
    /// The facility's name.
    pub facility_name: String,
    /// The site's name.
    pub site_name: String,
    /// IANA zone of the site.
    pub zone: String,
    /// `confirmed`, `in_progress`, `completed`, `cancelled`.
    pub status: String,
    /// The booked shifts.
    pub shifts: Vec<ShiftView>,
    /// Start of the first shift.
    pub starts_at: String,
    /// End of the last shift.
    pub ends_at: String,
    /// The doctor signed the contract.
    pub signed_by_doctor: bool,
    /// The facility signed it.
    pub signed_by_facility: bool,
}

/// What answering did.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AnswerView {
    /// The proposal's state after the answer.
    pub state: String,
    /// The mission an acceptance made.
    pub mission_id: Option<String>,
}

fn shift(kind: String, interval: rempla_core::calendar::Interval) -> ShiftView {
    ShiftView {
        kind,
        start: interval.start().to_rfc3339(),
        end: interval.end().to_rfc3339(),
    }
}

/// Business days from `now`'s local date to the deadline's last day (the deadline is the first instant
/// too late: midnight after it), in the request's zone and département; `None` past it or unknown.
fn business_days_left(
    deadline: chrono::DateTime<Utc>,
    request: &rempla_core::domain::Request,
    now: chrono::DateTime<Utc>,
) -> Option<u32> {
    let department = rempla_core::calendar::Department::parse(&request.department).ok()?;
    let today = now.with_timezone(&request.zone).date_naive();
    let last = (deadline - chrono::Duration::milliseconds(1))
        .with_timezone(&request.zone)
        .date_naive();
    if last < today {
        return None;
    }
    let mut left = 0;
    let mut day = today;
    // A deadline is a few business days away (the server's maximum is 10): a short walk.
    while day <= last && left < 60 {
        if rempla_core::calendar::is_business_day(day, &department).ok()? {
            left += 1;
        }
        day = day.succ_opt()?;
    }
    Some(left)
}

fn proposal_view(v: &InboxProposal) -> DoctorProposalView {
    let p = &v.proposal;
    DoctorProposalView {
        id: p.id.to_string(),
        state: p.state.as_str().to_owned(),
        from_facility: v.from_facility(),
        facility_name: v.facility_name.clone().unwrap_or_default(),
        site_name: v.site_name.clone().unwrap_or_default(),
        specialty: v.request.as_ref().map(|r| r.specialty.clone()),
        fee_cents_per_day: v
            .request
            .as_ref()
            .and_then(|r| r.remuneration_cents_per_day),
        zone: v
            .request
            .as_ref()
            .map_or("Europe/Paris", |r| r.zone.name())
            .to_owned(),
        shifts: v
            .shifts
            .iter()
            .map(|s| shift(s.kind.as_str().to_owned(), s.interval))
            .collect(),
        deadline: p.deadline.to_rfc3339(),
        business_days_left: v
            .request
            .as_ref()
            .and_then(|r| business_days_left(p.deadline, r, Utc::now())),
        answerable: v.answerable,
        overdue: v.overdue,
        answer_reason: p.answer_reason.clone(),
    }
}

fn mission_view(v: &DoctorMission) -> DoctorMissionView {
    let m = &v.mission;
    DoctorMissionView {
        id: m.id.to_string(),
        title: m.title.clone(),
        facility_name: v.facility_name.clone().unwrap_or_default(),
        site_name: v.site_name.clone().unwrap_or_default(),
        zone: m.zone.name().to_owned(),
        status: m.status.as_str().to_owned(),
        shifts: m
            .shifts
            .iter()
            .map(|s| shift(s.kind.as_str().to_owned(), s.interval))
            .collect(),
        starts_at: v.starts_at.to_rfc3339(),
        ends_at: v.ends_at.to_rfc3339(),
        signed_by_doctor: v.signed_by_doctor,
        signed_by_facility: v.signed_by_facility,
    }
}

/// A cached open request the doctor's calendar fits, as « Près de chez moi » lists it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NearbyView {
    /// Request id.
    pub id: String,
    /// Specialty code.
    pub specialty: String,
    /// The commune nearest the site (the cached request carries coordinates, not the facility's name).
    pub commune: String,
    /// Département of the site.
    pub department: String,
    /// IANA zone the shifts are shown in.
    pub zone: String,
    /// The shifts asked for.
    pub shifts: Vec<ShiftView>,
    /// Daily fee offered, in cents.
    pub fee_cents_per_day: Option<i64>,
    /// The doctor's calendar covers every shift.
    pub complete: bool,
    /// Core's score.
    pub score: u32,
    /// Distance from the doctor's base.
    pub distance_km: Option<f64>,
    /// Each criterion in French.
    pub explanations: Vec<String>,
    /// Site coordinates, for the map.
    pub lat: f64,
    /// See `lat`.
    pub lon: f64,
}

/// The cached open requests with shifts in `[from, to)` (RFC 3339) that the doctor's calendar fits,
/// best first (offline; `rempla_client::nearby`, as on the phones).
#[tauri::command]
pub async fn requests_near_me(
    app: AppHandle,
    from: String,
    to: String,
) -> Result<Vec<NearbyView>, DesktopError> {
    blocking(move || {
        let window = rempla_core::calendar::Interval::new(
            crate::calendar::instant(&from)?,
            crate::calendar::instant(&to)?,
        )?;
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let me = store
            .setting(&rempla_store::settings::ME)?
            .ok_or_else(DesktopError::not_signed_in)?;
        let doctor: rempla_core::domain::Doctor = me
            .doctor
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                DesktopError::new(
                    "not_a_doctor",
                    "Cet espace est celui des médecins remplaçants.",
                )
            })?;
        let list = nearby::requests_near_me(&store, &doctor, window).map_err(|e| match e {
            nearby::NearbyError::Store(e) => DesktopError::from(e),
            e => DesktopError::new(e.code(), e.to_string()),
        })?;
        let places = rempla_core::geo::gazetteer().ok();
        Ok(list
            .iter()
            .map(|n| {
                let r = &n.request;
                NearbyView {
                    id: r.id.to_string(),
                    specialty: r.specialty.clone(),
                    commune: places
                        .and_then(|g| g.nearest(r.location))
                        .map(|c| c.name.to_string())
                        .unwrap_or_default(),
                    department: r.department.clone(),
                    zone: r.zone.name().to_owned(),
                    shifts: r
                        .shifts
                        .iter()
                        .map(|s| shift(s.kind.as_str().to_owned(), s.interval))
                        .collect(),
                    fee_cents_per_day: r.remuneration_cents_per_day,
                    complete: n.complete,
                    score: n.score,
                    distance_km: n.distance_km,
                    explanations: n.explanations.clone(),
                    lat: r.location.lat,
                    lon: r.location.lon,
                }
            })
            .collect())
    })
    .await
}

/// Applies to a request (the facility answers); then syncs so the application shows in the inbox.
#[tauri::command]
pub async fn request_apply(app: AppHandle, request_id: String) -> Result<(), DesktopError> {
    let handle = app.clone();
    blocking(move || {
        let id: rempla_core::domain::RequestId = checked_id(&request_id)?;
        let done = with_api(&handle, |api| api.apply_to_request(id, ProposalId::new()))?;
        if !done.available {
            return Err(DesktopError::new(
                "unavailable",
                "Le serveur ne propose pas encore cette action.",
            ));
        }
        if let Err(e) = worker::sync_round(&handle) {
            tracing::warn!(code = %e.code, "sync after the application failed; the worker retries");
        }
        Ok(())
    })
    .await?;
    worker::emit_status(&app);
    Ok(())
}

/// The doctor's proposals as last synced (works offline): answerable first, soonest deadline first.
#[tauri::command]
pub async fn doctor_proposals(app: AppHandle) -> Result<Vec<DoctorProposalView>, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let store = state.ui()?;
        Ok(views::proposals_inbox(&store, Utc::now())?
            .iter()
            .map(proposal_view)
            .collect())
    })
    .await
}

/// The doctor's missions as last synced (works offline), soonest first.
#[tauri::command]
pub async fn doctor_missions(app: AppHandle) -> Result<Vec<DoctorMissionView>, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let store = state.ui()?;
        Ok(views::missions(&store)?.iter().map(mission_view).collect())
    })
    .await
}

/// Accepts or declines a proposal on the server, with an optional reason (shown to the facility),
/// then syncs so the mission and booked slots are on this computer.
#[tauri::command]
pub async fn proposal_answer(
    app: AppHandle,
    proposal_id: String,
    accept: bool,
    reason: Option<String>,
) -> Result<AnswerView, DesktopError> {
    let handle = app.clone();
    let answer = blocking(move || {
        let id: ProposalId = checked_id(&proposal_id)?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_ANSWER_REASON_CHARS)
        {
            return Err(DesktopError::new(
                "too_long",
                format!("Le motif est trop long ({MAX_ANSWER_REASON_CHARS} caractères au plus)."),
            ));
        }
        let answer = if accept {
            ProposalAnswer::Accept
        } else {
            ProposalAnswer::Decline
        };
        let done = with_api(&handle, |api| {
            api.answer_proposal(id, answer, None, reason.as_deref())
        })?;
        let outcome = done.data.ok_or_else(|| {
            DesktopError::new(
                "unavailable",
                "Le serveur ne propose pas encore cette action.",
            )
        })?;
        // The mission and the booked slots come with the next pull: now, not in a minute.
        if let Err(e) = worker::sync_round(&handle) {
            tracing::warn!(code = %e.code, "sync after the answer failed; the worker retries");
        }
        Ok(AnswerView {
            state: outcome.proposal.proposal.state.as_str().to_owned(),
            mission_id: outcome.mission_id.clone(),
        })
    })
    .await?;
    worker::emit_status(&app);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn request(department: &str) -> rempla_core::domain::Request {
        serde_json::from_value(serde_json::json!({
            "id": "0190f5d2-0000-7000-8000-000000000001",
            "facility_id": "0190f5d2-0000-7000-8000-000000000002",
            "site_id": "0190f5d2-0000-7000-8000-000000000003",
            "specialty": "urgences",
            "shifts": [],
            "zone": "Europe/Paris",
            "department": department,
            "location": {"lat": 48.7, "lon": -3.4},
            "doctors_needed": 1,
            "requirements": {"thesed_only": false, "languages": []},
            "status": "open",
            "revision": 0
        }))
        .unwrap()
    }

    fn at(t: &str) -> chrono::DateTime<Utc> {
        t.parse().unwrap()
    }

    #[test]
    fn the_days_left_are_the_territorys_business_days() {
        // Sent Friday 23 April 2027: deadline the end of Wednesday 28 (midnight Paris = 22:00 UTC).
        let deadline = at("2027-04-28T22:00:00Z");
        // On Friday morning: Fri, Mon, Tue, Wed.
        assert_eq!(
            business_days_left(deadline, &request("22"), at("2027-04-23T08:00:00Z")),
            Some(4)
        );
        // On Saturday: Mon, Tue, Wed.
        assert_eq!(
            business_days_left(deadline, &request("22"), at("2027-04-24T08:00:00Z")),
            Some(3)
        );
        // Past the deadline: none.
        assert_eq!(
            business_days_left(deadline, &request("22"), at("2027-04-29T08:00:00Z")),
            None
        );
        // 8 May (a public holiday, Saturday in 2027) and Ascension Thursday 6 May count out.
        let may = at("2027-05-07T22:00:00Z");
        assert_eq!(
            business_days_left(may, &request("22"), at("2027-05-05T08:00:00Z")),
            Some(2)
        );
        assert_eq!(
            business_days_left(deadline, &request("99"), at("2027-04-23T08:00:00Z")),
            None
        );
    }
}
