//! The staff verification endpoints' bodies (`docs/api/documents.md`, "Verification"), one definition
//! for the server and the staff's clients: the queue of doctors waiting for verification, the decision
//! on one and its answer. Requests refuse unknown fields; answers accept them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::documents::DocumentMeta;
use crate::domain::{DoctorId, DoctorStatus, FacilityId, FacilityKind};

/// A doctor waiting for verification, as `GET /v1/staff/verifications` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingDoctor {
    /// The doctor.
    pub doctor_id: DoctorId,
    /// RPPS number.
    #[serde(default)]
    pub rpps: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Login e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Sign-up time, ms since the epoch.
    #[serde(default)]
    pub registered_ms: Option<i64>,
    /// Birth date read from the identity document (`YYYY-MM-DD`), `null` until one is uploaded.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// The identity document's metadata, `null` until one is uploaded.
    #[serde(default)]
    pub identity_document: Option<DocumentMeta>,
}

/// Answer of `GET /v1/staff/verifications`: pending doctors, oldest registration first (500 at most).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerificationQueue {
    /// The pending doctors.
    #[serde(default)]
    pub pending: Vec<PendingDoctor>,
}

/// Staff decision on a pending doctor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Decision {
    /// Identity and RPPS checked: the doctor becomes `verified` (`identity_document_missing` without
    /// a document on file).
    Approve,
    /// Refused, with a reason the doctor can act on (`reason_required` without one).
    Reject,
}

/// `POST /v1/staff/verifications/{doctor_id}` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationDecision {
    /// Approve or reject.
    pub decision: Decision,
    /// Required to reject (1 000 characters at most); an optional note to approve.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Answer of `POST /v1/staff/verifications/{doctor_id}`: the doctor's record with its new status, its
/// other fields as they are stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecidedDoctor {
    /// The doctor.
    pub id: DoctorId,
    /// `verified` or `rejected`.
    pub status: DoctorStatus,
    /// The rest of the doctor's record (names, RPPS, specialties…).
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub record: Map<String, Value>,
}

/// An administrator of a facility in the queue: whom staff contact about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FacilityAdmin {
    /// Login e-mail.
    pub email: String,
    /// Name shown.
    pub display_name: String,
}

/// A facility in the verification queue (`GET /v1/staff/facility-verifications?status=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingFacility {
    /// The facility.
    pub facility_id: FacilityId,
    /// Legal name.
    pub name: String,
    /// SIRET, to check against the public register.
    pub siret: String,
    /// Kind (`public_hospital`, `clinic`, `practice`…).
    pub kind: FacilityKind,
    /// `pending`, `verified` or `rejected`.
    pub status: String,
    /// Sign-up time, ms since the epoch (0 for facilities older than the queue).
    pub created_ms: i64,
    /// The reason of a rejection.
    #[serde(default)]
    pub reason: Option<String>,
    /// When staff decided.
    #[serde(default)]
    pub decided_ms: Option<i64>,
    /// Its administrators.
    #[serde(default)]
    pub admins: Vec<FacilityAdmin>,
}

/// Answer of `GET /v1/staff/facility-verifications`: oldest sign-up first, 500 at most.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FacilityQueue {
    /// The facilities.
    #[serde(default)]
    pub facilities: Vec<PendingFacility>,
}

/// `POST /v1/staff/facility-verifications/{facility_id}` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityDecision {
    /// Approve or reject.
    pub decision: Decision,
    /// Required to reject (500 characters are kept).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Answer of a facility decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecidedFacility {
    /// The facility.
    pub facility_id: FacilityId,
    /// Its legal name.
    pub name: String,
    /// `verified` or `rejected`.
    pub status: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_read_back_and_the_decision_refuses_unknown_fields() {
        let reject = VerificationDecision {
            decision: Decision::Reject,
            reason: Some("RPPS illisible".into()),
        };
        let json = serde_json::to_value(&reject).unwrap_or_default();
        assert_eq!(
            json,
            json!({"decision": "reject", "reason": "RPPS illisible"})
        );
        assert_eq!(serde_json::from_value(json).ok(), Some(reject));
        assert!(
            serde_json::from_value::<VerificationDecision>(json!({"decision": "approve", "x": 1}))
                .is_err()
        );
        let record = json!({"id": "0193a000-0000-7000-8000-000000000002", "status": "verified",
                            "rpps": "10005000015", "first_name": "Anne"});
        let decided: DecidedDoctor = serde_json::from_value(record.clone()).expect("a record");
        assert_eq!(decided.status, DoctorStatus::Verified);
        assert_eq!(serde_json::to_value(&decided).unwrap_or_default(), record);
        let queue: VerificationQueue = serde_json::from_value(json!({"pending": [{
            "doctor_id": "0193a000-0000-7000-8000-000000000003", "rpps": "10005000023",
            "first_name": "Paul", "last_name": "Durand", "email": "p@example.fr",
            "registered_ms": 2, "birth_date": null, "identity_document": null}]}))
        .expect("a queue");
        assert!(queue.pending[0].identity_document.is_none());
    }

    #[test]
    fn facility_bodies_read_back() {
        let queue: FacilityQueue = serde_json::from_value(json!({"facilities": [{
            "facility_id": "0193a000-0000-7000-8000-000000000009", "name": "Clinique Nouvelle",
            "siret": "73282932000074", "kind": "clinic", "status": "pending", "created_ms": 5,
            "reason": null, "decided_ms": null,
            "admins": [{"email": "a@example.fr", "display_name": "Claire"}]}]}))
        .expect("a queue");
        assert_eq!(queue.facilities[0].admins[0].email, "a@example.fr");
        let decision = FacilityDecision {
            decision: Decision::Reject,
            reason: Some("SIRET inconnu".into()),
        };
        let json = serde_json::to_value(&decision).unwrap_or_default();
        assert_eq!(
            json,
            json!({"decision": "reject", "reason": "SIRET inconnu"})
        );
        assert!(
            serde_json::from_value::<FacilityDecision>(json!({"decision": "approve", "x": 1}))
                .is_err()
        );
    }
}
