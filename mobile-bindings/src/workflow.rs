//! Proposals and missions on [`OfflineCalendar`]: the inbox of proposals with their answer deadlines,
//! answering one, and the doctor's missions.
//!
//! Proposals and missions are made by the server and reach the device through the sync change feed
//! (entities `proposal` and `mission`, `docs/api/workflow.md`); the store keeps their last server version
//! (`Store::server_records`), so the inbox and the missions show offline. Answering and a mission's
//! contacts need the server (core's `ApiClient::answer_proposal`, `mission_details`).
//!
//! What the screens show (the inbox order, who may answer, the mission's facts, the contacts) is
//! `rempla_client::views`; this file converts those views into uniffi records.

use chrono::Utc;
use rempla_client::views::{self, AnswerReply, DoctorMission, InboxProposal, WorkflowSnapshot};
use rempla_client::{ProposalAnswer, SyncClient};
use rempla_core::domain::proposal::MAX_ANSWER_REASON_CHARS;
use rempla_core::domain::{MissionId, ProposalId, RequestShift};
use rempla_store::Store;

use crate::account::client_config;
use crate::calendar::OfflineCalendar;
use crate::convert::{self, utc_text};
use crate::error::RemplaError;
use crate::events::RemplaEvent;
use crate::records::{CachedRequest, ProposalState, RequestShiftRecord};
use crate::requests::cached_request;

/// Most document ids one answer may name (the vault holds at most 50).
const MAX_SHARED_DOCUMENTS: usize = 50;

/// A proposal in the doctor's inbox.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProposalRecord {
    /// Id (UUID).
    pub id: String,
    /// The request proposed.
    pub request_id: String,
    /// The facility proposing.
    pub facility_id: String,
    /// The site of the request.
    pub site_id: String,
    /// `true` when the facility proposed, `false` for the doctor's own application.
    pub from_facility: bool,
    /// State as last synced.
    pub state: ProposalState,
    /// When it was sent, RFC 3339 UTC.
    pub sent_at: String,
    /// First instant it can no longer be answered, RFC 3339 UTC (end of the third business day).
    pub deadline: String,
    /// When it was answered, if it was.
    pub answered_at: Option<String>,
    /// The shifts asked for.
    pub shifts: Vec<RequestShiftRecord>,
    /// Still `sent` but the deadline has passed (the server will mark it expired).
    pub overdue: bool,
    /// The doctor can answer it now: a facility's proposal, `sent`, deadline not passed.
    pub answerable: bool,
    /// The request as cached on the device (specialty, place, fee), when known.
    pub request: Option<CachedRequest>,
    /// The facility's name, when the server sent it.
    pub facility_name: Option<String>,
    /// The site's name, when the server sent it.
    pub site_name: Option<String>,
    /// Why it was accepted or declined, in the answering party's words.
    pub answer_reason: Option<String>,
}

/// A mission of the doctor (an accepted proposal), as synced.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MissionRecord {
    /// Id (UUID).
    pub id: String,
    /// The accepted proposal.
    pub proposal_id: String,
    /// The request it fills.
    pub request_id: String,
    /// The facility.
    pub facility_id: String,
    /// The site.
    pub site_id: String,
    /// Title, e.g. « Remplacement – CH de Lannion ».
    pub title: String,
    /// Address shown in calendars.
    pub location: Option<String>,
    /// IANA zone of the site.
    pub zone: String,
    /// The booked shifts, by start.
    pub shifts: Vec<RequestShiftRecord>,
    /// `confirmed`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    /// Start of the first shift, RFC 3339 UTC.
    pub starts_at: String,
    /// End of the last shift, RFC 3339 UTC.
    pub ends_at: String,
    /// Why it was cancelled, when it was.
    pub cancellation_reason: Option<String>,
    /// Whether each party signed the contract: the doctor…
    pub signed_by_doctor: bool,
    /// …and the facility.
    pub signed_by_facility: bool,
    /// The facility's name, when the server sent it.
    pub facility_name: Option<String>,
    /// The site's name, when the server sent it.
    pub site_name: Option<String>,
}

/// One person of the facility the doctor may contact about a mission.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContactPerson {
    /// Name shown.
    pub display_name: String,
    /// Role in the facility (`admin`, `planner`…).
    pub role: String,
    /// E-mail address, when known.
    pub email: Option<String>,
}

/// What the server unlocks for the doctor once a proposal is accepted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MissionContacts {
    /// The facility's name.
    pub facility_name: String,
    /// Its SIRET.
    pub facility_siret: Option<String>,
    /// The site's name.
    pub site_name: String,
    /// The site's street address.
    pub site_address: String,
    /// The site's postcode.
    pub site_postcode: String,
    /// People to contact (members who may propose).
    pub people: Vec<ContactPerson>,
}

/// A mission with the contacts the server gives the doctor (read online; `None` offline).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MissionDetails {
    /// The mission as synced.
    pub mission: MissionRecord,
    /// Facility, site and people to contact; `None` when the server could not be reached.
    pub contacts: Option<MissionContacts>,
    /// Why `contacts` is missing (`offline`, `server_unavailable`…), `None` when present.
    pub contacts_error: Option<String>,
}

/// What answering a proposal did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnswerOutcome {
    /// The proposal's state on the server after the answer.
    pub state: ProposalState,
    /// The mission created by an acceptance.
    pub mission_id: Option<String>,
    /// Whether the sync round after the answer succeeded (the mission and the booked slots are then
    /// on the device); when `false` the answer still counts, the next sync brings them.
    pub synced: bool,
}

fn shift_record(s: &RequestShift) -> RequestShiftRecord {
    RequestShiftRecord {
        kind: s.kind,
        start: utc_text(s.interval.start()),
        end: utc_text(s.interval.end()),
    }
}

fn proposal_record(v: &InboxProposal) -> ProposalRecord {
    let p = &v.proposal;
    ProposalRecord {
        id: p.id.to_string(),
        request_id: p.request_id.to_string(),
        facility_id: v.facility_id.clone(),
        site_id: v.site_id.clone(),
        from_facility: v.from_facility(),
        state: p.state,
        sent_at: utc_text(p.sent_at),
        deadline: utc_text(p.deadline),
        answered_at: v.answered_at.map(utc_text),
        shifts: v.shifts.iter().map(shift_record).collect(),
        overdue: v.overdue,
        answerable: v.answerable,
        request: v.request.as_ref().map(cached_request),
        facility_name: v.facility_name.clone(),
        site_name: v.site_name.clone(),
        answer_reason: p.answer_reason.clone(),
    }
}

fn mission_record(v: &DoctorMission) -> MissionRecord {
    let m = &v.mission;
    MissionRecord {
        id: m.id.to_string(),
        proposal_id: m.proposal_id.to_string(),
        request_id: m.request_id.to_string(),
        facility_id: m.facility_id.to_string(),
        site_id: m.site_id.to_string(),
        title: m.title.clone(),
        location: m.location.clone(),
        zone: m.zone.name().to_owned(),
        shifts: m.shifts.iter().map(shift_record).collect(),
        status: m.status.as_str().to_owned(),
        starts_at: utc_text(v.starts_at),
        ends_at: utc_text(v.ends_at),
        cancellation_reason: v.cancellation_reason.clone(),
        signed_by_doctor: v.signed_by_doctor,
        signed_by_facility: v.signed_by_facility,
        facility_name: v.facility_name.clone(),
        site_name: v.site_name.clone(),
    }
}

fn contacts_record(c: views::MissionContacts) -> MissionContacts {
    MissionContacts {
        facility_name: c.facility_name,
        facility_siret: c.facility_siret,
        site_name: c.site_name,
        site_address: c.site_address,
        site_postcode: c.site_postcode,
        people: c
            .people
            .into_iter()
            .map(|p| ContactPerson {
                display_name: p.display_name,
                role: p.role,
                email: p.email,
            })
            .collect(),
    }
}

/// The proposals' and missions' states now (see [`WorkflowSnapshot`]).
pub(crate) fn snapshot(store: &Store) -> Result<WorkflowSnapshot, RemplaError> {
    Ok(WorkflowSnapshot::read(store, Utc::now())?)
}

/// The events a change between two snapshots calls for.
pub(crate) fn changes(before: &WorkflowSnapshot, after: &WorkflowSnapshot) -> Vec<RemplaEvent> {
    let mut events = Vec::new();
    if after.proposals_changed(before) {
        events.push(RemplaEvent::ProposalsChanged {
            answerable: after.answerable(),
        });
    }
    if after.missions_changed(before) {
        events.push(RemplaEvent::MissionsChanged {
            count: after.mission_count(),
        });
    }
    events
}

impl OfflineCalendar {
    fn mission_from_store(&self, id: MissionId) -> Result<MissionRecord, RemplaError> {
        views::mission(&self.store(), id)?
            .as_ref()
            .map(mission_record)
            .ok_or_else(|| RemplaError::NotFound {
                code: "not_found".to_owned(),
                reason: format!("mission introuvable sur cet appareil : {id}"),
            })
    }
}

#[uniffi::export]
impl OfflineCalendar {
    /// The proposals as last synced: those the doctor can answer first, soonest deadline first; then
    /// the others (answered, expired, withdrawn, own applications), newest first. Works offline;
    /// `overdue` and `answerable` are computed at the call, so a screen refreshing every minute sees a
    /// deadline pass.
    pub fn proposals_inbox(&self) -> Result<Vec<ProposalRecord>, RemplaError> {
        Ok(views::proposals_inbox(&self.store(), Utc::now())?
            .iter()
            .map(proposal_record)
            .collect())
    }

    /// Answers a facility's proposal (accept or decline) on the server, then syncs so the mission and
    /// the booked slots arrive. `document_ids` chooses the vault documents shared on acceptance (`None`
    /// or empty: the default set — insurance, diplomas, licence). Offline: `Offline`, and nothing
    /// changes here. The server's refusals keep their codes (`proposal_expired`, `proposal_withdrawn`,
    /// `proposal_answered`, `doctor_unavailable`… as `Conflict`). An id that is not a proposal of this
    /// device's inbox is `NotFound` before anything is sent. `reason` says why in the doctor's words
    /// (shown to the facility; at most 500 characters, else `too_long` before anything is sent).
    pub fn answer_proposal(
        &self,
        proposal_id: String,
        accept: bool,
        document_ids: Option<Vec<String>>,
        reason: Option<String>,
    ) -> Result<AnswerOutcome, RemplaError> {
        let id: ProposalId = convert::id(&proposal_id)?;
        if reason
            .as_deref()
            .is_some_and(|r| r.trim().chars().count() > MAX_ANSWER_REASON_CHARS)
        {
            return Err(RemplaError::invalid(
                "too_long",
                format!("motif trop long ({MAX_ANSWER_REASON_CHARS} caractères au plus)"),
            ));
        }
        let documents = match document_ids.filter(|ids| !ids.is_empty()) {
            Some(ids) if ids.len() > MAX_SHARED_DOCUMENTS => {
                return Err(RemplaError::invalid(
                    "too_many_documents",
                    format!("{MAX_SHARED_DOCUMENTS} documents au plus"),
                ));
            }
            Some(ids) => Some(
                ids.iter()
                    .map(|d| convert::uuid(d).map(|u| u.to_string()))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let client = {
            let store = self.store();
            if store
                .server_record(views::PROPOSAL_ENTITY, *id.as_uuid())?
                .is_none()
            {
                return Err(RemplaError::NotFound {
                    code: "not_found".to_owned(),
                    reason: format!("proposition introuvable sur cet appareil : {id}"),
                });
            }
            SyncClient::from_store(&store, &client_config())?
        };
        let answer = if accept {
            ProposalAnswer::Accept
        } else {
            ProposalAnswer::Decline
        };
        let reply = AnswerReply::from_outcome(&client.api().answer_proposal(
            id,
            answer,
            documents.as_deref(),
            reason.as_deref(),
        )?);
        let state = reply.state;
        let mission_id = reply.mission_id;
        let synced = self.sync_now().is_ok();
        Ok(AnswerOutcome {
            state,
            mission_id,
            synced,
        })
    }

    /// The doctor's missions as last synced (cancelled ones included), soonest first. Works offline.
    pub fn missions(&self) -> Result<Vec<MissionRecord>, RemplaError> {
        Ok(views::missions(&self.store())?
            .iter()
            .map(mission_record)
            .collect())
    }

    /// One mission with its contacts (facility, site address, people), which the server serves only to
    /// the parties and audits on every read. Offline the synced mission comes back with `contacts` set
    /// to `None` and `contacts_error` saying why. Unknown here: `NotFound`.
    pub fn mission(&self, id: String) -> Result<MissionDetails, RemplaError> {
        let id: MissionId = convert::id(&id)?;
        let mission = self.mission_from_store(id)?;
        // The client is made under the store lock, the request runs without it.
        let client = SyncClient::from_store(&self.store(), &client_config());
        let online = client.and_then(|c| c.api().mission_details(id));
        let (contacts, contacts_error) = match online {
            Ok(answer) => match views::MissionContacts::from_details(&answer) {
                Some(c) => (Some(contacts_record(c)), None),
                None => (None, Some("contacts_unavailable".to_owned())),
            },
            Err(e) => (None, Some(RemplaError::from(e).code().to_owned())),
        };
        Ok(MissionDetails {
            mission,
            contacts,
            contacts_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use rempla_core::sync::rebase::PulledChange;
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::*;

    fn pulled(entity: &str, id: Uuid, record: &Value) -> PulledChange {
        PulledChange {
            entity: entity.to_owned(),
            entity_id: id,
            record: record.as_object().cloned(),
        }
    }

    fn proposal(state: &str, deadline: &str, initiator: &str) -> Value {
        json!({
            "request_id": Uuid::now_v7(), "doctor_id": Uuid::now_v7(), "initiator": initiator,
            "shift_indexes": [0], "sent_at": "2026-01-05T09:00:00Z", "deadline": deadline, "state": state,
            "facility_id": "f", "site_id": "s",
            "shifts": [{"kind": "night", "interval": {"start": "2027-02-01T19:00:00Z", "end": "2027-02-02T07:00:00Z"}}]
        })
    }

    #[test]
    fn the_inbox_puts_answerable_proposals_first_by_deadline_and_marks_the_others() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let (late, soon, done, overdue, applied) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let before = snapshot(&cal.store()).unwrap();
        cal.store()
            .apply_pulled_page(
                &[
                    pulled(
                        "proposal",
                        late,
                        &proposal("sent", "2099-01-10T23:00:00Z", "facility"),
                    ),
                    pulled(
                        "proposal",
                        soon,
                        &proposal("sent", "2099-01-08T23:00:00Z", "facility"),
                    ),
                    pulled(
                        "proposal",
                        done,
                        &proposal("accepted", "2099-01-08T23:00:00Z", "facility"),
                    ),
                    pulled(
                        "proposal",
                        overdue,
                        &proposal("sent", "2020-01-08T23:00:00Z", "facility"),
                    ),
                    pulled(
                        "proposal",
                        applied,
                        &proposal("sent", "2099-01-08T23:00:00Z", "doctor"),
                    ),
                    pulled("proposal", Uuid::now_v7(), &json!({"state": "unreadable"})),
                ],
                "c1",
            )
            .unwrap();
        let inbox = cal.proposals_inbox().unwrap();
        let ids: Vec<String> = inbox.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids[..2], [soon.to_string(), late.to_string()]);
        assert_eq!(inbox.len(), 5, "the unreadable record is left out");
        assert_eq!(inbox.iter().filter(|p| p.answerable).count(), 2);
        let o = inbox.iter().find(|p| p.id == overdue.to_string()).unwrap();
        assert!(o.overdue && !o.answerable);
        let a = inbox.iter().find(|p| p.id == applied.to_string()).unwrap();
        assert!(!a.from_facility && !a.answerable);
        assert_eq!(inbox[0].shifts[0].kind, crate::records::ShiftKind::Night);
        assert_eq!(inbox[0].deadline, "2099-01-08T23:00:00Z");

        let after = snapshot(&cal.store()).unwrap();
        assert_eq!(
            changes(&before, &after),
            [RemplaEvent::ProposalsChanged { answerable: 2 }]
        );
        assert_eq!(changes(&after, &after), []);
    }

    #[test]
    fn answering_checks_its_input_and_the_inbox_before_the_network() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let e = cal
            .answer_proposal("nope".into(), true, None, None)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_id");
        let e = cal
            .answer_proposal(Uuid::now_v7().to_string(), true, None, None)
            .unwrap_err();
        assert!(matches!(&e, RemplaError::NotFound { code, .. } if code == "not_found"));
        let e = cal
            .answer_proposal(
                Uuid::now_v7().to_string(),
                true,
                Some(vec!["pas-un-id".into()]),
                None,
            )
            .unwrap_err();
        assert_eq!(e.code(), "invalid_id");
        let e = cal
            .answer_proposal(
                Uuid::now_v7().to_string(),
                false,
                None,
                Some("x".repeat(501)),
            )
            .unwrap_err();
        assert_eq!(e.code(), "too_long");
        // Known proposal, no session: the answer cannot be sent, nothing changes.
        let id = Uuid::now_v7();
        cal.store()
            .apply_pulled_page(
                &[pulled(
                    "proposal",
                    id,
                    &proposal("sent", "2099-01-10T23:00:00Z", "facility"),
                )],
                "c1",
            )
            .unwrap();
        let e = cal
            .answer_proposal(id.to_string(), true, None, None)
            .unwrap_err();
        assert_eq!(e.code(), "not_logged_in");
        assert_eq!(cal.proposals_inbox().unwrap()[0].state, ProposalState::Sent);
    }

    #[test]
    fn missions_are_listed_by_start_and_details_say_why_contacts_are_missing() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let (early, late) = (Uuid::now_v7(), Uuid::now_v7());
        let mission = |start: &str, end: &str| {
            json!({"proposal_id": Uuid::now_v7(), "request_id": Uuid::now_v7(), "doctor_id": Uuid::now_v7(),
                   "facility_id": Uuid::now_v7(), "site_id": Uuid::now_v7(), "title": "Remplacement – CH",
                   "location": "Rue de Kergomar, 22300", "zone": "Europe/Paris", "status": "confirmed", "revision": 0,
                   "shifts": [{"kind": "day", "interval": {"start": start, "end": end}}],
                   "signatures": [{"party": "doctor", "account_id": "a", "device_id": "d", "sha256": "h", "signed_at": start}]})
        };
        cal.store()
            .apply_pulled_page(
                &[
                    pulled(
                        "mission",
                        late,
                        &mission("2027-03-02T07:00:00Z", "2027-03-02T19:00:00Z"),
                    ),
                    pulled(
                        "mission",
                        early,
                        &mission("2027-03-01T07:00:00Z", "2027-03-01T19:00:00Z"),
                    ),
                ],
                "c1",
            )
            .unwrap();
        let list = cal.missions().unwrap();
        assert_eq!(
            list.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            [early.to_string(), late.to_string()]
        );
        assert!(list[0].signed_by_doctor && !list[0].signed_by_facility);
        assert_eq!(list[0].ends_at, "2027-03-01T19:00:00Z");
        let details = cal.mission(early.to_string()).unwrap();
        assert_eq!(details.mission, list[0]);
        assert_eq!(details.contacts, None);
        assert_eq!(details.contacts_error.as_deref(), Some("not_logged_in"));
        assert_eq!(
            cal.mission(Uuid::now_v7().to_string()).unwrap_err().code(),
            "not_found"
        );
        assert_eq!(cal.mission("x".into()).unwrap_err().code(), "invalid_id");
    }

    #[test]
    fn doctor_contacts_of_the_mission_answer_become_a_record() {
        let mission = json!({"id": Uuid::now_v7(), "proposal_id": Uuid::now_v7(), "request_id": Uuid::now_v7(),
               "doctor_id": Uuid::now_v7(), "facility_id": Uuid::now_v7(), "site_id": Uuid::now_v7(),
               "title": "Remplacement – CH", "zone": "Europe/Paris", "status": "confirmed", "revision": 0,
               "shifts": [{"kind": "day", "interval": {"start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z"}}]});
        let answer = json!({"mission": mission, "contacts": {
            "facility": {"name": "CH de Lannion", "siret": "26220001", "kind": "public_hospital"},
            "site": {"name": "Kergomar", "address": "Rue de Kergomar", "postcode": "22300", "commune_code": "22113"},
            "people": [{"display_name": "Coordination", "role": "admin", "email": "c@ch.fr"}]}});
        let answer = serde_json::from_value(answer).unwrap();
        let c = contacts_record(views::MissionContacts::from_details(&answer).unwrap());
        assert_eq!(c.facility_name, "CH de Lannion");
        assert_eq!(c.site_postcode, "22300");
        assert_eq!(c.people[0].email.as_deref(), Some("c@ch.fr"));
    }
}
