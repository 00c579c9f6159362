//! The workflow endpoints' answers (`docs/api/workflow.md`), one definition for the server that writes
//! them and the clients that read them: a proposal and a mission as the API shows them (core's records
//! plus what the server adds), the lists, the outcome of an answer, a mission with the contacts it
//! unlocks, the contract's state. (The request bodies are in [`super::workflow`].)
//!
//! Answers accept unknown fields, so the server may add some without breaking older devices; what the
//! server omits or sends as `null` is kept as it is (`skip_serializing_if` only where the server omits).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{FacilityKind, MemberRole, Mission, MissionStatus, Proposal, RequestShift};

/// A proposal as the API and the change feed show it: core's [`Proposal`] plus where and which shifts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProposalView {
    /// The proposal.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The facility.
    pub facility_id: String,
    /// The site.
    pub site_id: String,
    /// The shifts asked for (the request's shifts at `shift_indexes`).
    #[serde(default)]
    pub shifts: Vec<RequestShift>,
    /// When it was answered (accepted or declined); omitted before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// Who cancelled a mission, when and how late.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Signature {
    /// `doctor` or `facility`.
    pub party: String,
    /// The signing account.
    pub account_id: String,
    /// The signing device.
    #[serde(default)]
    pub device_id: String,
    /// SHA-256 of the contract version signed.
    pub sha256: String,
    /// When.
    pub signed_at: DateTime<Utc>,
}

/// A mission as the API and the change feed show it: core's [`Mission`] plus cancellation and contract
/// facts. Never contact details (those are [`MissionDetail::contacts`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissionView {
    /// The mission.
    #[serde(flatten)]
    pub mission: Mission,
    /// Set when cancelled; omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    /// The contract signatures so far.
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// Who the doctor is (« Dr Prénom Nom »), filled in the lists so screens and exports show names,
    /// never ids; absent in stored records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub doctor_name: Option<String>,
    /// The site's name, filled in the lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub site_name: Option<String>,
    /// The facility's name, filled in the lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub facility_name: Option<String>,
}

/// Answer of `POST /v1/requests/{id}/proposals` and `…/applications` (201, or 200 for a replay).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalMade {
    /// The proposal made (or already made by a first call with the same id).
    pub proposal: ProposalView,
}

/// Most entries one page of `GET /v1/proposals` or `GET /v1/missions` holds (`limit`), and the page
/// size when none is asked: the lists are paged so one request never loads a facility's whole history.
pub const LIST_PAGE_MAX: usize = 200;
/// The page size when the request names none.
pub const LIST_PAGE_DEFAULT: usize = 100;

/// Answer of `GET /v1/proposals` (one page: `?before=` the previous page's `next_before` for the next).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProposalList {
    /// Newest first (by id).
    #[serde(default)]
    pub proposals: Vec<ProposalView>,
    /// The cursor of the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub next_before: Option<String>,
}

/// Answer of `GET /v1/missions` (one page, as [`ProposalList`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissionList {
    /// The caller's missions, newest first (by id).
    #[serde(default)]
    pub missions: Vec<MissionView>,
    /// The cursor of the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub next_before: Option<String>,
}

/// Answer of `POST /v1/proposals/{id}/answer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOutcome {
    /// The proposal after the answer.
    pub proposal: ProposalView,
    /// The mission of an accepted proposal; `null` for a decline.
    #[serde(default)]
    pub mission_id: Option<String>,
    /// The mission the acceptance just made; omitted on a decline and on a replayed answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mission: Option<MissionView>,
}

/// Answer of `POST /v1/missions/{id}/cancel` and `…/contract/sign`: the mission after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissionAnswer {
    /// The mission.
    pub mission: MissionView,
}

/// The facility as a doctor sees it once a mission unlocks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityCard {
    /// Legal name.
    pub name: String,
    /// SIRET.
    pub siret: String,
    /// Kind of structure.
    pub kind: FacilityKind,
}

/// The site of a mission as a doctor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCard {
    /// Name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// INSEE commune code.
    pub commune_code: String,
}

/// One member of the facility a doctor may contact about a mission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPerson {
    /// Name shown.
    pub display_name: String,
    /// Role in the facility.
    pub role: MemberRole,
    /// Login e-mail, `null` when unknown.
    #[serde(default)]
    pub email: Option<String>,
}

/// What the mission unlocks for its doctor: the facility, the site and the members who may propose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityContacts {
    /// The facility (`null` if it is gone).
    pub facility: Option<FacilityCard>,
    /// The site (`null` if it is gone).
    pub site: Option<SiteCard>,
    /// People to contact.
    pub people: Vec<ContactPerson>,
}

/// The doctor as the facility sees them once a mission unlocks their contact details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorCard {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// RPPS number.
    pub rpps: String,
    /// E-mail, `null` when the profile has no contact details.
    pub email: Option<String>,
    /// Phone, `null` when unknown.
    pub phone: Option<String>,
}

/// What the mission unlocks for its facility: the doctor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorContacts {
    /// The doctor (`null` if the profile is gone).
    pub doctor: Option<DoctorCard>,
}

/// Staff read both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BothContacts {
    /// The doctor.
    pub doctor: Option<DoctorCard>,
    /// The facility's side, as its doctor sees it.
    pub facility: FacilityContacts,
}

/// The contacts `GET /v1/missions/{id}` unlocks, which depend on who reads: each shape is a JSON object
/// without a tag (`{facility, site, people}`, `{doctor, facility}` or `{doctor}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MissionContacts {
    /// Read by the mission's doctor.
    ForDoctor(FacilityContacts),
    /// Read by staff.
    ForStaff(BothContacts),
    /// Read by the facility.
    ForFacility(DoctorContacts),
}

/// Answer of `GET /v1/missions/{id}`: the mission and the other party's contacts (every read audited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissionDetail {
    /// The mission.
    pub mission: MissionView,
    /// What the reader may see of the other party.
    pub contacts: MissionContacts,
}

/// Answer of `GET /v1/missions/{id}/contract`: the contract's facts (the server's contract model, as
/// printed in the PDF), the version hash a party signs, the signatures and the mission's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView<Facts> {
    /// Parties, dates, place, fees as agreed.
    pub facts: Facts,
    /// SHA-256 of this version (what `POST …/contract/sign` sends back).
    pub sha256: String,
    /// The signatures so far.
    pub signatures: Vec<Signature>,
    /// The mission's status.
    pub status: MissionStatus,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn mission() -> Value {
        json!({"id": "0193a000-0000-7000-8000-000000000001", "proposal_id": "0193a000-0000-7000-8000-000000000002",
               "request_id": "0193a000-0000-7000-8000-000000000003", "doctor_id": "0193a000-0000-7000-8000-000000000004",
               "facility_id": "0193a000-0000-7000-8000-000000000005", "site_id": "0193a000-0000-7000-8000-000000000006",
               "title": "Remplacement – CH", "location": "Rue de Kergomar", "zone": "Europe/Paris",
               "status": "confirmed", "revision": 0,
               "shifts": [{"kind": "day", "interval": {"start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z"}}],
               "signatures": [{"party": "doctor", "account_id": "a", "device_id": "d", "sha256": "h",
                               "signed_at": "2027-02-01T07:00:00Z"}]})
    }

    #[test]
    fn missions_read_back_and_keep_omitted_fields_omitted() {
        let view: MissionView = serde_json::from_value(mission()).expect("a mission");
        assert_eq!(view.cancellation, None);
        let again = serde_json::to_value(&view).unwrap_or_default();
        assert!(again.get("cancellation").is_none());
        assert_eq!(
            serde_json::from_value::<MissionView>(again).ok(),
            Some(view.clone())
        );
        let outcome = AnswerOutcome {
            proposal: serde_json::from_value(json!({
                "id": "0193a000-0000-7000-8000-000000000002", "request_id": "0193a000-0000-7000-8000-000000000003",
                "doctor_id": "0193a000-0000-7000-8000-000000000004", "initiator": "facility", "shift_indexes": [0],
                "sent_at": "2027-01-05T09:00:00Z", "deadline": "2027-01-08T23:00:00Z", "state": "declined",
                "facility_id": "f", "site_id": "s", "shifts": []
            }))
            .expect("a proposal"),
            mission_id: None,
            mission: None,
        };
        let json = serde_json::to_value(&outcome).unwrap_or_default();
        assert_eq!(json["mission_id"], Value::Null);
        assert!(json.get("mission").is_none() && json["proposal"].get("answered_at").is_none());
    }

    #[test]
    fn contacts_read_as_the_shape_of_their_reader() {
        let people = json!({"facility": {"name": "CH", "siret": "26220001", "kind": "public_hospital"},
                            "site": {"name": "K", "address": "Rue", "postcode": "22300", "commune_code": "22113"},
                            "people": [{"display_name": "C", "role": "admin", "email": null}]});
        let doctor =
            json!({"first_name": "A", "last_name": "M", "rpps": "1", "email": null, "phone": null});
        let for_doctor: MissionContacts =
            serde_json::from_value(people.clone()).expect("doctor side");
        assert!(matches!(for_doctor, MissionContacts::ForDoctor(_)));
        let staff = json!({"doctor": doctor, "facility": people});
        let for_staff: MissionContacts = serde_json::from_value(staff.clone()).expect("staff");
        assert!(matches!(for_staff, MissionContacts::ForStaff(_)));
        assert_eq!(serde_json::to_value(&for_staff).unwrap_or_default(), staff);
        let for_facility: MissionContacts =
            serde_json::from_value(json!({"doctor": null})).expect("facility side");
        assert_eq!(
            for_facility,
            MissionContacts::ForFacility(DoctorContacts { doctor: None })
        );
    }
}
