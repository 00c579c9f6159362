//! The calls of Rempla's staff (support) beside sync: the queues of doctors and of facilities waiting for
//! verification, the decision on one, and the identity document they check before deciding, as typed methods of
//! [`ApiClient`] (`docs/api/documents.md`). The server checks the caller is staff (`forbidden`).

use rempla_core::domain::{DoctorId, FacilityId};

use crate::error::SyncClientError;
use crate::http::ApiClient;

pub use rempla_core::api::staff::{
    DecidedDoctor, DecidedFacility, Decision, FacilityAdmin, FacilityDecision, FacilityQueue,
    PendingDoctor, PendingFacility, VerificationDecision, VerificationQueue,
};

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

    /// The self-registered facilities waiting for verification (`GET /v1/staff/facility-verifications`).
    pub fn facility_queue(&self) -> Result<FacilityQueue, SyncClientError> {
        self.get_json("/v1/staff/facility-verifications")
    }

    /// Approves or rejects a facility (`POST /v1/staff/facility-verifications/{facility_id}`; a reason
    /// is required to reject).
    pub fn decide_facility(
        &self,
        facility: FacilityId,
        decision: &FacilityDecision,
    ) -> Result<DecidedFacility, SyncClientError> {
        self.post_json(
            &format!("/v1/staff/facility-verifications/{facility}"),
            decision,
        )
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
