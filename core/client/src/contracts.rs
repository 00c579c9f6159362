//! A mission's contract as typed calls of [`ApiClient`], for both parties (`docs/api/workflow.md`):
//! read it (its facts, the version hash a party signs, the signatures), sign that version, fetch the
//! PDF. The facts stay JSON here: their model is the server's (`pdf::contract`), shown as sent.

use rempla_core::api::missions::ContractView;
use rempla_core::api::workflow::SignBody;
use rempla_core::domain::MissionId;

use crate::error::SyncClientError;
use crate::http::ApiClient;

impl ApiClient {
    /// The contract of a mission (`GET /v1/missions/{id}/contract`; the parties and staff).
    pub fn contract(
        &self,
        mission: MissionId,
    ) -> Result<ContractView<serde_json::Value>, SyncClientError> {
        self.get_json(&format!("/v1/missions/{mission}/contract"))
    }

    /// Signs the version `sha256` of the contract (`POST /v1/missions/{id}/contract/sign`);
    /// `stale_contract` when the contract changed since it was read.
    pub fn sign_contract(
        &self,
        mission: MissionId,
        sha256: &str,
    ) -> Result<serde_json::Value, SyncClientError> {
        self.post_json(
            &format!("/v1/missions/{mission}/contract/sign"),
            &SignBody {
                sha256: sha256.to_owned(),
            },
        )
    }

    /// The contract as the PDF both parties sign (`GET /v1/missions/{id}/contract.pdf`).
    pub fn contract_pdf(&self, mission: MissionId) -> Result<Vec<u8>, SyncClientError> {
        self.get_bytes(&format!("/v1/missions/{mission}/contract.pdf"))
    }
}
