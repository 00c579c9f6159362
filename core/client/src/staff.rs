//! The calls of Rempla's staff (support) beside sync: the queue of doctors waiting for verification,
//! the decision on one, and the identity document they check before deciding, as typed methods of
//! [`ApiClient`] (`docs/api/documents.md`). The server checks the caller is staff (`forbidden`).

use serde::{Deserialize, Serialize};

use rempla_core::domain::{DoctorId, DoctorStatus};

use crate::doctor::VaultDocument;
use crate::error::SyncClientError;
use crate::http::ApiClient;

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
    pub identity_document: Option<VaultDocument>,
}

/// `GET /v1/staff/verifications`: pending doctors, oldest registration first (500 at most).
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerificationDecision {
    /// Approve or reject.
    pub decision: Decision,
    /// Required to reject (1 000 characters at most); an optional note to approve.
    pub reason: Option<String>,
}

/// The doctor record the decision answers, with its new status (other fields ignored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecidedDoctor {
    /// The doctor.
    pub id: DoctorId,
    /// `verified` or `rejected`.
    pub status: DoctorStatus,
}

impl ApiClient {
    /// The doctors waiting for verification (`GET /v1/staff/verifications`).
    pub fn verification_queue(&self) -> Result<VerificationQueue, SyncClientError> {
        self.get_json("/v1/staff/verifications")
    }

    /// Approves or rejects a pending doctor (`POST /v1/staff/verifications/{doctor_id}`; `not_pending`
    /// once decided).
    pub fn decide_verification(
        &self,
        doctor: DoctorId,
        decision: &VerificationDecision,
    ) -> Result<DecidedDoctor, SyncClientError> {
        self.post_json(&format!("/v1/staff/verifications/{doctor}"), decision)
    }

    /// A pending doctor's identity document, as bytes (`GET /v1/staff/verifications/{doctor_id}/document`;
    /// the server audits the read).
    pub fn identity_document(&self, doctor: DoctorId) -> Result<Vec<u8>, SyncClientError> {
        self.get_bytes(&format!("/v1/staff/verifications/{doctor}/document"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facility::{body, decode};
    use serde_json::json;

    #[test]
    fn the_queue_decodes_with_and_without_a_document() {
        let queue: VerificationQueue = decode(json!({"pending": [{
            "doctor_id": "0193a000-0000-7000-8000-000000000002", "rpps": "10005000015",
            "first_name": "Anne", "last_name": "Martin", "email": "anne@example.fr",
            "registered_ms": 1_795_000_000_000_i64, "birth_date": "1985-04-12",
            "identity_document": {"id": "d", "name": "cni.pdf", "media_type": "application/pdf",
                                  "size": 48211, "sha256": "ab", "uploaded_ms": 1, "kind": "identity",
                                  "doctor_id": "x"}
        }, {
            "doctor_id": "0193a000-0000-7000-8000-000000000003", "rpps": "10005000023",
            "first_name": "Paul", "last_name": "Durand", "email": "p@example.fr",
            "registered_ms": 2, "birth_date": null, "identity_document": null
        }]}))
        .unwrap();
        assert_eq!(
            queue.pending[0]
                .identity_document
                .as_ref()
                .map(|d| d.kind.as_str()),
            Some("identity")
        );
        assert!(queue.pending[1].identity_document.is_none());
    }

    #[test]
    fn decisions_send_the_documented_body() {
        let reject = VerificationDecision {
            decision: Decision::Reject,
            reason: Some("RPPS illisible".into()),
        };
        assert_eq!(
            body(&reject).unwrap(),
            json!({"decision": "reject", "reason": "RPPS illisible"})
        );
        let approve = VerificationDecision {
            decision: Decision::Approve,
            reason: None,
        };
        assert_eq!(
            body(&approve).unwrap(),
            json!({"decision": "approve", "reason": null})
        );
    }
}
