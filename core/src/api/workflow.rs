//! The workflow endpoints' request bodies (`docs/api/workflow.md`), one definition for the server that
//! reads them and the clients that send them: proposals and applications, answers, cancellation, the
//! contract signature, the doctor's matching preference. Requests refuse unknown fields.

use serde::{Deserialize, Serialize};

use crate::domain::ProposalId;

/// `POST /v1/requests/{id}/proposals`: a facility offers the request to a candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    /// Client-chosen id (UUID), so a retried call answers the proposal already made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ProposalId>,
    /// The doctor proposed (checked by the server: a verified candidate).
    pub doctor_id: String,
    /// Indexes of the request's shifts offered; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_indexes: Option<Vec<u16>>,
}

/// `POST /v1/requests/{id}/applications`: a verified doctor applies to an open request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// Client-chosen id (UUID), for retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ProposalId>,
    /// Indexes of the request's shifts the doctor offers to cover; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_indexes: Option<Vec<u16>>,
}

/// The answer to a proposal or an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// Accept: the mission is made, the slots booked.
    Accept,
    /// Decline (an answer, final).
    Decline,
}

/// `POST /v1/proposals/{id}/answer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// `accept` or `decline`.
    pub answer: Reply,
    /// On acceptance by the doctor: documents of their vault shared with this facility only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_ids: Vec<String>,
    /// Why, in the answering party's words (optional; at most
    /// [`crate::domain::proposal::MAX_ANSWER_REASON_CHARS`] characters), shown to the other party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /v1/missions/{id}/cancel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Why (shown to the other party).
    pub reason: String,
}

/// `POST /v1/missions/{id}/contract/sign`: a party signs the contract version it read, by click.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// SHA-256 of the contract version read (from `GET …/contract` or the PDF header).
    pub sha256: String,
}

/// `PUT /v1/me/matching-preferences`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchPreferences {
    /// "Only contact me when I am available": alerts and proposals only for shifts the doctor's open
    /// availabilities cover entirely.
    pub only_when_available: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_back_and_refuse_unknown_fields() {
        let answer = AnswerBody {
            answer: Reply::Accept,
            document_ids: vec!["d1".into()],
            reason: None,
        };
        let json = serde_json::to_string(&answer).unwrap_or_default();
        assert_eq!(json, r#"{"answer":"accept","document_ids":["d1"]}"#);
        let decline = serde_json::to_string(&AnswerBody {
            answer: Reply::Decline,
            document_ids: vec![],
            reason: None,
        })
        .unwrap_or_default();
        assert_eq!(decline, r#"{"answer":"decline"}"#);
        assert!(serde_json::from_str::<CancelBody>(r#"{"reason":"x","extra":1}"#).is_err());
        let proposal: NewProposal =
            serde_json::from_str(r#"{"doctor_id":"d"}"#).expect("optional fields default");
        assert_eq!(proposal.shift_indexes, None);
    }
}
