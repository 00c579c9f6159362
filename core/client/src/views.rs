//! Read models of the doctor's workflow screens, built on the device from what the last sync pulled: the
//! proposals inbox (answerable first by deadline), the missions (soonest first) with their contract and
//! cancellation facts, a mission's contacts from `GET /v1/missions/{id}`, and the snapshot that tells
//! after a sync round whether those screens must refresh.
//!
//! Proposals and missions have no table of their own on the device: the store keeps the last server
//! version of every pulled record (`Store::server_records`), in the shape the server's change feed gives
//! (`docs/api/workflow.md`): core's [`Proposal`] / [`Mission`] plus the fields the server adds (where, which
//! shifts, when answered; cancellation, signatures). This file is the one place that reads those extra
//! fields, so every front end (the phones through the FFI, the CLI, the desktop) shows the same thing.
//! Records this build cannot read are left out rather than failing the whole list; an extra field of an
//! unexpected shape reads as absent. (The strict API shapes of the same records are
//! [`crate::facility::ProposalView`] / [`crate::facility::MissionView`], for the facility's calls; these
//! read models stay lenient per field, as the phones always were.)

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rempla_core::api::missions::{
    AnswerOutcome, MissionContacts as ApiContacts, MissionDetail, SiteCard,
};
use rempla_core::domain::{
    Initiator, Mission, MissionId, Proposal, ProposalState, Request, RequestShift,
};
use rempla_store::{ServerRecord, Store, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The entity name of pulled proposals in the change feed.
pub const PROPOSAL_ENTITY: &str = "proposal";
/// The entity name of pulled missions in the change feed.
pub const MISSION_ENTITY: &str = "mission";

/// Reads a field as `T`, or its default when it has another shape (kept lenient: the record was already
/// accepted by the store, and a screen should not lose a proposal over one odd field).
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(serde_json::from_value(Value::deserialize(d)?).unwrap_or_default())
}

/// Reads a list keeping the items that have the shape of `T` and dropping the others.
fn lenient_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let items: Vec<Value> = serde_json::from_value(Value::deserialize(d)?).unwrap_or_default();
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// What the server's feed adds to core's `Proposal` (its `InboxProposal`).
#[derive(Deserialize)]
struct ProposalExtras {
    #[serde(default, deserialize_with = "lenient")]
    facility_id: String,
    #[serde(default, deserialize_with = "lenient")]
    site_id: String,
    #[serde(default, deserialize_with = "lenient")]
    shifts: Vec<RequestShift>,
    #[serde(default, deserialize_with = "lenient")]
    answered_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    places: PlaceNames,
}

/// The facility's and site's names the server adds to proposal and mission records.
#[derive(Default, Deserialize)]
struct PlaceNames {
    #[serde(default, deserialize_with = "lenient")]
    facility_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    site_name: Option<String>,
}

/// What the server's feed adds to core's `Mission` (its `DoctorMission`).
#[derive(Deserialize)]
struct MissionExtras {
    #[serde(default, deserialize_with = "lenient")]
    cancellation: Option<CancellationFacts>,
    #[serde(default, deserialize_with = "lenient_items")]
    signatures: Vec<SignatureFacts>,
    #[serde(flatten)]
    places: PlaceNames,
}

#[derive(Default, Deserialize)]
struct CancellationFacts {
    #[serde(default, deserialize_with = "lenient")]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct SignatureFacts {
    #[serde(default, deserialize_with = "lenient")]
    party: Option<String>,
}

/// The record as one JSON object, for typed reads.
fn object(record: &Map<String, Value>) -> Value {
    Value::Object(record.clone())
}

/// A proposal of the doctor's inbox, read from its pulled record; `overdue` and `answerable` are computed
/// at a given instant, so a screen refreshing every minute sees a deadline pass.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxProposal {
    /// The proposal (request, doctor, initiator, state, sent at, deadline).
    pub proposal: Proposal,
    /// The facility proposing (or applied to); empty when the record does not say.
    pub facility_id: String,
    /// The site of the request; empty when the record does not say.
    pub site_id: String,
    /// The shifts asked for, as the server sent them.
    pub shifts: Vec<RequestShift>,
    /// The facility's name, when the record carries it.
    pub facility_name: Option<String>,
    /// The site's name, when the record carries it.
    pub site_name: Option<String>,
    /// When it was answered (accepted or declined), if it was.
    pub answered_at: Option<DateTime<Utc>>,
    /// Still `sent` but the deadline has passed (the server will mark it expired).
    pub overdue: bool,
    /// The doctor can answer it now ([`Proposal::answerable_by`] the doctor).
    pub answerable: bool,
    /// The request as cached on the device (specialty, place, fee), when known; filled by
    /// [`proposals_inbox`], `None` from [`InboxProposal::from_record`].
    pub request: Option<Request>,
}

impl InboxProposal {
    /// The proposal of a pulled record at `now`; `None` for a record this build cannot read.
    pub fn from_record(record: &ServerRecord, now: DateTime<Utc>) -> Option<Self> {
        let value = object(&record.record);
        let proposal: Proposal = serde_json::from_value(value.clone()).ok()?;
        let extras: ProposalExtras = serde_json::from_value(value).ok()?;
        Some(Self {
            overdue: proposal.is_overdue(now),
            answerable: proposal.answerable_by(Initiator::Doctor, now),
            proposal,
            facility_id: extras.facility_id,
            site_id: extras.site_id,
            shifts: extras.shifts,
            facility_name: extras.places.facility_name,
            site_name: extras.places.site_name,
            answered_at: extras.answered_at,
            request: None,
        })
    }

    /// Whether the proposal came from the facility (else it is the doctor's own application).
    pub fn from_facility(&self) -> bool {
        self.proposal.initiator == Initiator::Facility
    }
}

/// The proposals as last synced, for the inbox: those the doctor can answer first, soonest deadline
/// first; then the others (answered, expired, withdrawn, own applications), newest first. Each carries
/// its cached request when the device has it. Unreadable records are left out.
pub fn proposals_inbox(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<InboxProposal>, StoreError> {
    let mut list = Vec::new();
    for record in store.server_records(PROPOSAL_ENTITY)? {
        let Some(mut view) = InboxProposal::from_record(&record, now) else {
            continue;
        };
        view.request = store.get_request(view.proposal.request_id).ok().flatten();
        list.push(view);
    }
    // Stable: equal keys keep the store's order (by id).
    list.sort_by(|a, b| {
        b.answerable.cmp(&a.answerable).then_with(|| {
            if a.answerable {
                a.proposal.deadline.cmp(&b.proposal.deadline)
            } else {
                b.proposal.sent_at.cmp(&a.proposal.sent_at)
            }
        })
    });
    Ok(list)
}

/// A mission of the doctor, read from its pulled record: shifts by start, the span, and the contract
/// and cancellation facts the server adds.
#[derive(Clone, Debug, PartialEq)]
pub struct DoctorMission {
    /// The mission, its `shifts` sorted by start.
    pub mission: Mission,
    /// Start of the first shift.
    pub starts_at: DateTime<Utc>,
    /// End of the last shift.
    pub ends_at: DateTime<Utc>,
    /// Why it was cancelled, when it was.
    pub cancellation_reason: Option<String>,
    /// The doctor signed the contract.
    pub signed_by_doctor: bool,
    /// The facility signed the contract.
    pub signed_by_facility: bool,
    /// The facility's name, when the record carries it.
    pub facility_name: Option<String>,
    /// The site's name, when the record carries it.
    pub site_name: Option<String>,
}

impl DoctorMission {
    /// The mission of a pulled record; `None` for a record this build cannot read (or without shifts).
    pub fn from_record(record: &ServerRecord) -> Option<Self> {
        let value = object(&record.record);
        let mut mission: Mission = serde_json::from_value(value.clone()).ok()?;
        let extras: MissionExtras = serde_json::from_value(value).ok()?;
        mission.shifts.sort_by_key(|s| s.interval.start());
        let starts_at = mission.shifts.first()?.interval.start();
        let ends_at = mission.shifts.iter().map(|s| s.interval.end()).max()?;
        let signed = |party: &str| {
            extras
                .signatures
                .iter()
                .any(|s| s.party.as_deref() == Some(party))
        };
        Some(Self {
            starts_at,
            ends_at,
            cancellation_reason: extras.cancellation.and_then(|c| c.reason),
            signed_by_doctor: signed("doctor"),
            signed_by_facility: signed("facility"),
            facility_name: extras.places.facility_name,
            site_name: extras.places.site_name,
            mission,
        })
    }
}

/// The doctor's missions as last synced (cancelled ones included), soonest first, then by id.
/// Unreadable records are left out.
pub fn missions(store: &Store) -> Result<Vec<DoctorMission>, StoreError> {
    let mut list: Vec<DoctorMission> = store
        .server_records(MISSION_ENTITY)?
        .iter()
        .filter_map(DoctorMission::from_record)
        .collect();
    list.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then(a.mission.id.cmp(&b.mission.id))
    });
    Ok(list)
}

/// One mission as last synced; `None` when the device has no readable record of it.
pub fn mission(store: &Store, id: MissionId) -> Result<Option<DoctorMission>, StoreError> {
    Ok(store
        .server_record(MISSION_ENTITY, *id.as_uuid())?
        .as_ref()
        .and_then(DoctorMission::from_record))
}

/// One person of the facility the doctor may contact about a mission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPerson {
    /// Name shown.
    pub display_name: String,
    /// Role in the facility (`admin`, `planner`…).
    pub role: String,
    /// E-mail address, when known.
    pub email: Option<String>,
}

/// What the server unlocks for the doctor once a proposal is accepted (`contacts` of
/// `GET /v1/missions/{id}`, read by a doctor).
#[derive(Clone, Debug, PartialEq, Eq)]
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

impl MissionContacts {
    /// The doctor-side contacts of a mission answer (its facility, site and people); `None` when the
    /// answer has other contacts (the facility-side answer names the doctor instead). A facility or a
    /// site the server no longer has reads as empty texts.
    pub fn from_details(answer: &MissionDetail) -> Option<Self> {
        let ApiContacts::ForDoctor(c) = &answer.contacts else {
            return None;
        };
        let facility = c.facility.as_ref();
        let site = c.site.as_ref();
        let site_text =
            |f: fn(&SiteCard) -> &str| site.map(|s| f(s).to_owned()).unwrap_or_default();
        Some(Self {
            facility_name: facility.map(|f| f.name.clone()).unwrap_or_default(),
            facility_siret: facility.map(|f| f.siret.clone()),
            site_name: site_text(|s| &s.name),
            site_address: site_text(|s| &s.address),
            site_postcode: site_text(|s| &s.postcode),
            people: c
                .people
                .iter()
                .map(|p| ContactPerson {
                    display_name: p.display_name.clone(),
                    role: p.role.as_str().to_owned(),
                    email: p.email.clone(),
                })
                .collect(),
        })
    }
}

/// What the server answered to `POST /v1/proposals/{id}/answer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerReply {
    /// The proposal's state on the server after the answer.
    pub state: ProposalState,
    /// The mission an acceptance created.
    pub mission_id: Option<String>,
}

impl AnswerReply {
    /// Reads the answer: the proposal's state and the mission.
    pub fn from_outcome(reply: &AnswerOutcome) -> Self {
        Self {
            state: reply.proposal.proposal.state,
            mission_id: reply.mission_id.clone(),
        }
    }
}

/// What the workflow screens show, to tell after a sync round whether they must refresh: each pulled
/// proposal's state and mission's status (as the records say, readable or not), and the answerable count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowSnapshot {
    proposals: BTreeMap<Uuid, String>,
    missions: BTreeMap<Uuid, String>,
    answerable: u64,
}

fn states(store: &Store, entity: &str, key: &str) -> Result<BTreeMap<Uuid, String>, StoreError> {
    Ok(store
        .server_records(entity)?
        .into_iter()
        .map(|r| {
            let state = r
                .record
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default();
            (r.id, state.to_owned())
        })
        .collect())
}

impl WorkflowSnapshot {
    /// The proposals' and missions' states in `store` at `now`.
    pub fn read(store: &Store, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let answerable = store
            .server_records(PROPOSAL_ENTITY)?
            .iter()
            .filter_map(|r| InboxProposal::from_record(r, now))
            .filter(|p| p.answerable)
            .count() as u64;
        Ok(Self {
            proposals: states(store, PROPOSAL_ENTITY, "state")?,
            missions: states(store, MISSION_ENTITY, "status")?,
            answerable,
        })
    }

    /// Whether a proposal appeared, went or changed state since `before`.
    pub fn proposals_changed(&self, before: &Self) -> bool {
        self.proposals != before.proposals
    }

    /// Whether a mission appeared, went or changed status since `before`.
    pub fn missions_changed(&self, before: &Self) -> bool {
        self.missions != before.missions
    }

    /// Proposals the doctor could answer when the snapshot was read (the badge).
    pub fn answerable(&self) -> u64 {
        self.answerable
    }

    /// Missions on the device (readable or not).
    pub fn mission_count(&self) -> u64 {
        self.missions.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use rempla_core::calendar::ShiftKind;
    use rempla_core::sync::rebase::PulledChange;
    use serde_json::json;

    use super::*;

    fn pulled(entity: &str, id: Uuid, record: &Value) -> PulledChange {
        PulledChange {
            entity: entity.to_owned(),
            entity_id: id,
            record: record.as_object().cloned(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn proposal(id: Uuid, state: &str, deadline: &str, initiator: &str, sent: &str) -> Value {
        json!({
            "id": id, "request_id": Uuid::now_v7(), "doctor_id": Uuid::now_v7(), "initiator": initiator,
            "shift_indexes": [0], "sent_at": sent, "deadline": deadline, "state": state,
            "facility_id": "f", "site_id": "s",
            "shifts": [{"kind": "night", "interval": {"start": "2027-02-01T19:00:00Z", "end": "2027-02-02T07:00:00Z"}}]
        })
    }

    fn mission_record(id: Uuid, start: &str, end: &str, status: &str) -> Value {
        json!({"id": id, "proposal_id": Uuid::now_v7(), "request_id": Uuid::now_v7(), "doctor_id": Uuid::now_v7(),
               "facility_id": Uuid::now_v7(), "site_id": Uuid::now_v7(), "title": "Remplacement – CH",
               "location": "Rue de Kergomar, 22300", "zone": "Europe/Paris", "status": status, "revision": 0,
               "shifts": [{"kind": "day", "interval": {"start": start, "end": end}}],
               "signatures": [{"party": "doctor", "account_id": "a", "device_id": "d", "sha256": "h", "signed_at": start},
                              "not a signature"]})
    }

    #[test]
    fn the_inbox_puts_answerable_proposals_first_by_deadline_then_the_others_newest_first() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-01-06T12:00:00Z");
        let ids: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
        let [late, soon, done, overdue, applied, older_done] = ids[..] else {
            unreachable!()
        };
        let sent = "2026-01-05T09:00:00Z";
        store
            .apply_pulled_page(
                &[
                    pulled(
                        "proposal",
                        late,
                        &proposal(late, "sent", "2099-01-10T23:00:00Z", "facility", sent),
                    ),
                    pulled(
                        "proposal",
                        soon,
                        &proposal(soon, "sent", "2099-01-08T23:00:00Z", "facility", sent),
                    ),
                    pulled(
                        "proposal",
                        done,
                        &proposal(
                            done,
                            "accepted",
                            "2099-01-08T23:00:00Z",
                            "facility",
                            "2026-01-05T10:00:00Z",
                        ),
                    ),
                    pulled(
                        "proposal",
                        overdue,
                        &proposal(overdue, "sent", "2026-01-06T11:00:00Z", "facility", sent),
                    ),
                    pulled(
                        "proposal",
                        applied,
                        &proposal(applied, "sent", "2099-01-08T23:00:00Z", "doctor", sent),
                    ),
                    pulled(
                        "proposal",
                        older_done,
                        &proposal(
                            older_done,
                            "declined",
                            "2099-01-08T23:00:00Z",
                            "facility",
                            "2026-01-01T10:00:00Z",
                        ),
                    ),
                    pulled("proposal", Uuid::now_v7(), &json!({"state": "unreadable"})),
                ],
                "c1",
            )
            .unwrap();
        let inbox = proposals_inbox(&store, now).unwrap();
        assert_eq!(inbox.len(), 6, "the unreadable record is left out");
        let order: Vec<Uuid> = inbox.iter().map(|p| *p.proposal.id.as_uuid()).collect();
        assert_eq!(order[..3], [soon, late, done]);
        assert_eq!(*order.last().unwrap(), older_done);
        assert_eq!(inbox.iter().filter(|p| p.answerable).count(), 2);
        let o = inbox
            .iter()
            .find(|p| *p.proposal.id.as_uuid() == overdue)
            .unwrap();
        assert!(o.overdue && !o.answerable);
        let a = inbox
            .iter()
            .find(|p| *p.proposal.id.as_uuid() == applied)
            .unwrap();
        assert!(!a.from_facility() && !a.answerable && !a.overdue);
        assert_eq!(inbox[0].shifts[0].kind, ShiftKind::Night);
        assert_eq!(
            (inbox[0].facility_id.as_str(), inbox[0].site_id.as_str()),
            ("f", "s")
        );
        assert_eq!(inbox[0].request, None, "no cached request");
    }

    #[test]
    fn odd_extra_fields_read_as_absent_but_an_unreadable_proposal_is_left_out() {
        let id = Uuid::now_v7();
        let mut value = proposal(
            id,
            "accepted",
            "2099-01-08T23:00:00Z",
            "facility",
            "2026-01-05T09:00:00Z",
        );
        value["facility_id"] = json!(42);
        value["shifts"] = json!("many");
        value["answered_at"] = json!("2026-01-05T11:00:00Z");
        let record = ServerRecord {
            id,
            record: value.as_object().cloned().unwrap(),
        };
        let view = InboxProposal::from_record(&record, Utc::now()).unwrap();
        assert_eq!(view.facility_id, "");
        assert!(view.shifts.is_empty());
        assert_eq!(view.answered_at, Some(at("2026-01-05T11:00:00Z")));
        let broken = ServerRecord {
            id,
            record: json!({"state": "sent"}).as_object().cloned().unwrap(),
        };
        assert_eq!(InboxProposal::from_record(&broken, Utc::now()), None);
    }

    #[test]
    fn missions_are_listed_by_start_with_their_signatures_and_cancellation() {
        let mut store = Store::open_in_memory().unwrap();
        let (early, late) = (Uuid::now_v7(), Uuid::now_v7());
        let mut cancelled = mission_record(
            late,
            "2027-03-02T07:00:00Z",
            "2027-03-02T19:00:00Z",
            "cancelled",
        );
        cancelled["cancellation"] = json!({"at": "2027-03-01T07:00:00Z", "by": "facility", "reason": "fermeture", "lateness_ms": 0});
        store
            .apply_pulled_page(
                &[
                    pulled("mission", late, &cancelled),
                    pulled(
                        "mission",
                        early,
                        &mission_record(
                            early,
                            "2027-03-01T07:00:00Z",
                            "2027-03-01T19:00:00Z",
                            "confirmed",
                        ),
                    ),
                    pulled("mission", Uuid::now_v7(), &json!({"status": "confirmed"})),
                ],
                "c1",
            )
            .unwrap();
        let list = missions(&store).unwrap();
        let order: Vec<Uuid> = list.iter().map(|m| *m.mission.id.as_uuid()).collect();
        assert_eq!(order, [early, late], "the unreadable record is left out");
        assert!(list[0].signed_by_doctor && !list[0].signed_by_facility);
        assert_eq!(list[0].starts_at, at("2027-03-01T07:00:00Z"));
        assert_eq!(list[0].ends_at, at("2027-03-01T19:00:00Z"));
        assert_eq!(list[0].cancellation_reason, None);
        assert_eq!(list[1].cancellation_reason.as_deref(), Some("fermeture"));
        assert_eq!(
            mission(&store, MissionId::from_uuid(early))
                .unwrap()
                .as_ref(),
            Some(&list[0])
        );
        assert_eq!(mission(&store, MissionId::new()).unwrap(), None);
    }

    #[test]
    fn doctor_contacts_are_read_from_the_mission_answer() {
        let mut mission = mission_record(
            Uuid::now_v7(),
            "2027-03-01T07:00:00Z",
            "2027-03-01T19:00:00Z",
            "confirmed",
        );
        mission["signatures"] = json!([]);
        let answer = json!({"mission": mission, "contacts": {
            "facility": {"name": "CH de Lannion", "siret": "26220001", "kind": "public_hospital"},
            "site": {"name": "Kergomar", "address": "Rue de Kergomar", "postcode": "22300", "commune_code": "22113"},
            "people": [{"display_name": "Coordination", "role": "admin", "email": "c@ch.fr"},
                       {"display_name": "", "role": "planner"}]}});
        let answer: MissionDetail = serde_json::from_value(answer).unwrap();
        let c = MissionContacts::from_details(&answer).unwrap();
        assert_eq!(c.facility_name, "CH de Lannion");
        assert_eq!(c.facility_siret.as_deref(), Some("26220001"));
        assert_eq!(c.site_postcode, "22300");
        assert_eq!(c.people[0].email.as_deref(), Some("c@ch.fr"));
        assert_eq!(c.people[1].display_name, "");
        let facility_side: MissionDetail =
            serde_json::from_value(json!({"mission": mission, "contacts": {"doctor": null}}))
                .unwrap();
        assert_eq!(MissionContacts::from_details(&facility_side), None);
    }

    #[test]
    fn an_answer_reply_gives_the_state_and_the_mission() {
        let id = Uuid::now_v7();
        let proposal = proposal(
            id,
            "accepted",
            "2099-01-08T23:00:00Z",
            "facility",
            "2026-01-05T09:00:00Z",
        );
        let outcome: AnswerOutcome =
            serde_json::from_value(json!({"proposal": proposal, "mission_id": "m1"})).unwrap();
        let reply = AnswerReply::from_outcome(&outcome);
        assert_eq!(reply.state, ProposalState::Accepted);
        assert_eq!(reply.mission_id.as_deref(), Some("m1"));
        let mut odd = proposal.clone();
        odd["state"] = json!("maybe");
        assert!(
            serde_json::from_value::<AnswerOutcome>(json!({"proposal": odd, "mission_id": 3}))
                .is_err(),
            "an answer of another shape is refused, not read as absent"
        );
    }

    #[test]
    fn the_snapshot_tells_which_screens_changed() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-01-06T12:00:00Z");
        let before = WorkflowSnapshot::read(&store, now).unwrap();
        let (p, m) = (Uuid::now_v7(), Uuid::now_v7());
        store
            .apply_pulled_page(
                &[pulled(
                    "proposal",
                    p,
                    &proposal(
                        p,
                        "sent",
                        "2099-01-10T23:00:00Z",
                        "facility",
                        "2026-01-05T09:00:00Z",
                    ),
                )],
                "c1",
            )
            .unwrap();
        let after = WorkflowSnapshot::read(&store, now).unwrap();
        assert!(after.proposals_changed(&before) && !after.missions_changed(&before));
        assert_eq!(after.answerable(), 1);
        assert!(!after.proposals_changed(&after));
        store
            .apply_pulled_page(
                &[pulled(
                    "mission",
                    m,
                    &mission_record(
                        m,
                        "2027-03-01T07:00:00Z",
                        "2027-03-01T19:00:00Z",
                        "confirmed",
                    ),
                )],
                "c2",
            )
            .unwrap();
        let later = WorkflowSnapshot::read(&store, now).unwrap();
        assert!(later.missions_changed(&after) && !later.proposals_changed(&after));
        assert_eq!(later.mission_count(), 1);
        // The deadline passing changes the badge, not the states.
        let past = WorkflowSnapshot::read(&store, at("2099-01-11T00:00:00Z")).unwrap();
        assert_eq!(past.answerable(), 0);
        assert!(!past.proposals_changed(&later));
    }
}
