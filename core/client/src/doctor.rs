//! The calls a doctor's device makes beside sync — answer a proposal, read a mission's contacts, list
//! the document vault, register push targets, download the privacy export, close the account — as
//! typed methods of
//! [`ApiClient`], so every front end (phones through the FFI, the CLI) sends the same paths and bodies
//! and gets the same error mapping (`docs/api/workflow.md`, `documents.md`, `notifications.md`,
//! `privacy.md`).

use rempla_core::api::documents::DocumentList;
use rempla_core::api::missions::{AnswerOutcome, MissionDetail};
use rempla_core::api::notify::PushTargets;
use rempla_core::api::workflow::{AnswerBody, Reply};
use rempla_core::domain::{MissionId, ProposalId};

use crate::error::SyncClientError;
use crate::http::ApiClient;

/// The answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalAnswer {
    /// Accept: the mission is created and the slots booked.
    Accept,
    /// Decline.
    Decline,
}

pub use rempla_core::api::documents::{DocumentKind, DocumentMeta, VaultDocument};
pub use rempla_core::api::notify::{PushTarget, RegisteredPushTarget};

impl ApiClient {
    /// Answers a proposal (`POST /v1/proposals/{id}/answer`); `document_ids` chooses the documents shared
    /// with the facility on acceptance (`None`: the default set), `reason` says why in the doctor's words
    /// (shown to the facility). Returns the server's answer: the proposal after it, the mission an
    /// acceptance made; replaying the same answer is harmless.
    pub fn answer_proposal(
        &self,
        id: ProposalId,
        answer: ProposalAnswer,
        document_ids: Option<&[String]>,
        reason: Option<&str>,
    ) -> Result<AnswerOutcome, SyncClientError> {
        let body = AnswerBody {
            answer: match answer {
                ProposalAnswer::Accept => Reply::Accept,
                ProposalAnswer::Decline => Reply::Decline,
            },
            document_ids: document_ids.map(<[String]>::to_vec).unwrap_or_default(),
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        };
        self.post_json(&format!("/v1/proposals/{id}/answer"), &body)
    }

    /// A mission with the contacts the caller may see (`GET /v1/missions/{id}`). The server audits every
    /// call (`contact_read`).
    pub fn mission_details(&self, id: MissionId) -> Result<MissionDetail, SyncClientError> {
        self.get_json(&format!("/v1/missions/{id}"))
    }

    /// The doctor's document vault, newest first (`GET /v1/me/documents`).
    pub fn my_documents(&self) -> Result<Vec<VaultDocument>, SyncClientError> {
        self.get_json::<DocumentList>("/v1/me/documents")
            .map(|d| d.documents)
    }

    /// Registers this device's push target of that kind, replacing its previous one.
    pub fn register_push_target(
        &self,
        target: &PushTarget,
    ) -> Result<RegisteredPushTarget, SyncClientError> {
        self.put_json("/v1/me/push-targets", target)
    }

    /// The account's push targets, every device.
    pub fn push_targets(&self) -> Result<Vec<RegisteredPushTarget>, SyncClientError> {
        self.get_json::<PushTargets>("/v1/me/push-targets")
            .map(|t| t.targets)
    }

    /// Removes one push target (`not_found` when the caller has none with this id).
    pub fn remove_push_target(&self, id: &str) -> Result<(), SyncClientError> {
        self.delete(&format!("/v1/me/push-targets/{id}"))
    }

    /// Closes the caller's account (`DELETE /v1/me`), the password checked again by the server
    /// (`wrong_password`, `missions_ahead`, `last_admin` refusals change nothing). Every token of the
    /// account is revoked, this one included.
    pub fn close_account(&self, password: &str) -> Result<(), SyncClientError> {
        self.delete_with_body(
            "/v1/me",
            &rempla_core::api::accounts::CloseAccount {
                password: password.to_owned(),
            },
        )
    }

    /// The privacy export, a ZIP (`GET /v1/me/export`), written into `out` as it arrives (a vault
    /// holds up to 500 MB: never in memory whole). Returns its size.
    pub fn export_my_data_to(&self, out: &mut dyn std::io::Write) -> Result<u64, SyncClientError> {
        self.download("/v1/me/export", out)
    }

    /// Uploads a document to the vault (`POST /v1/me/documents?kind=…&name=…`): the bytes are the raw
    /// body of `upload.media_type`, the description percent-encoded in the query (UTF-8 names).
    pub fn upload_document(
        &self,
        upload: &crate::uploads::DocumentUpload,
        bytes: &[u8],
    ) -> Result<VaultDocument, SyncClientError> {
        self.post_bytes(
            &format!("/v1/me/documents?{}", upload.query()),
            &upload.media_type,
            bytes,
        )
    }

    /// Deletes a document of the vault (`DELETE /v1/me/documents/{id}`); every share of it ends.
    pub fn delete_document(&self, id: uuid::Uuid) -> Result<(), SyncClientError> {
        self.delete(&format!("/v1/me/documents/{id}"))
    }

    /// « Mon profil » as stored (`GET /v1/me/profile`): account, doctor record, memberships.
    pub fn profile(&self) -> Result<serde_json::Value, SyncClientError> {
        self.get_json("/v1/me/profile")
    }

    /// Corrects the fields of `changes` only (`PATCH /v1/me/profile`); the profile after it.
    pub fn update_profile(
        &self,
        changes: &serde_json::Value,
    ) -> Result<serde_json::Value, SyncClientError> {
        self.patch_json("/v1/me/profile", changes)
    }

    /// Applies to a request as the doctor (`POST /v1/requests/{id}/applications`): a proposal of which
    /// the facility is the answering party; `id` makes a retry harmless.
    pub fn apply_to_request(
        &self,
        request: rempla_core::domain::RequestId,
        id: ProposalId,
    ) -> Result<serde_json::Value, SyncClientError> {
        self.post_json(
            &format!("/v1/requests/{request}/applications"),
            &serde_json::json!({ "id": id }),
        )
    }

    /// "Only contact me when I am available" (`GET /v1/me/matching-preferences`).
    pub fn matching_preferences(
        &self,
    ) -> Result<rempla_core::api::workflow::MatchPreferences, SyncClientError> {
        self.get_json("/v1/me/matching-preferences")
    }

    /// Sets it (`PUT /v1/me/matching-preferences`).
    pub fn set_matching_preferences(
        &self,
        preferences: &rempla_core::api::workflow::MatchPreferences,
    ) -> Result<rempla_core::api::workflow::MatchPreferences, SyncClientError> {
        self.put_json("/v1/me/matching-preferences", preferences)
    }

    /// The account's notification preferences, the whole document (`GET /v1/me/notification-preferences`):
    /// channels, per-kind switches, quiet hours, SMS number.
    pub fn notification_preferences(&self) -> Result<serde_json::Value, SyncClientError> {
        self.get_json("/v1/me/notification-preferences")
    }

    /// Replaces them (`PUT /v1/me/notification-preferences`); the server checks every field.
    pub fn set_notification_preferences(
        &self,
        preferences: &serde_json::Value,
    ) -> Result<serde_json::Value, SyncClientError> {
        self.put_json("/v1/me/notification-preferences", preferences)
    }

    /// Who read or changed the caller's data, newest first (`GET /v1/me/audit`).
    pub fn my_audit(&self) -> Result<serde_json::Value, SyncClientError> {
        self.get_json("/v1/me/audit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn push_bodies_follow_the_api_and_debug_hides_addresses() {
        let fcm = PushTarget::Fcm {
            token: "tok:secret".into(),
        };
        assert_eq!(
            serde_json::to_value(&fcm).unwrap(),
            json!({"kind": "fcm", "token": "tok:secret"})
        );
        assert!(!format!("{fcm:?}").contains("secret"));
        let apns = PushTarget::Apns {
            token: "ab".into(),
            topic: None,
        };
        assert_eq!(
            serde_json::to_value(&apns).unwrap(),
            json!({"kind": "apns", "token": "ab"})
        );
        let apns = PushTarget::Apns {
            token: "ab".into(),
            topic: Some("fr.rempla.app".into()),
        };
        assert_eq!(
            serde_json::to_value(&apns).unwrap()["topic"],
            json!("fr.rempla.app")
        );
        let web = PushTarget::WebPush {
            endpoint: "https://push.example/x".into(),
            p256dh: "k".into(),
            auth: "a".into(),
        };
        assert_eq!(
            serde_json::to_value(&web).unwrap(),
            json!({"kind": "webpush", "endpoint": "https://push.example/x", "p256dh": "k", "auth": "a"})
        );
    }

    #[test]
    fn vault_documents_decode_with_optional_fields() {
        let list: DocumentList = serde_json::from_value(json!({"documents": [{
            "id": "d1", "doctor_id": "x", "kind": "insurance", "name": "RCP.pdf", "media_type": "application/pdf",
            "size": 12, "sha256": "ab", "expires_on": "2027-12-31", "expires_ms": 1, "uploaded_ms": 2, "expired": false
        }, {
            "id": "d2", "kind": "diploma", "name": "these.pdf", "media_type": "application/pdf",
            "size": 3, "sha256": "cd", "uploaded_ms": 4
        }]}))
        .unwrap();
        assert_eq!(
            list.documents[0].meta.expires_on.as_deref(),
            Some("2027-12-31")
        );
        assert_eq!(list.documents[1].meta.expires_on, None);
        assert!(!list.documents[1].expired);
    }
}
