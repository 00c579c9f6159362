//! Proposals: a request offered to one doctor (or a doctor's application), answered before a deadline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::ValidationError;
use super::ids::{DoctorId, ProposalId, RequestId};

/// Who started the proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Initiator {
    /// The facility proposed the request to the doctor.
    Facility,
    /// The doctor applied to an open request.
    Doctor,
}

/// Life cycle of a proposal: `sent` → `accepted` | `declined` | `expired` | `withdrawn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ProposalState {
    /// Waiting for an answer.
    Sent,
    /// Accepted: a mission exists and contact details are unlocked.
    Accepted,
    /// Declined (a decline is an answer).
    Declined,
    /// Not answered before the deadline.
    Expired,
    /// Withdrawn by its initiator, or because the doctor was booked elsewhere.
    Withdrawn,
}

impl ProposalState {
    /// Stable name, used in messages and the audit log.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Checks a state change: only a `sent` proposal moves, and only to a final state.
    pub fn transition(self, to: Self) -> Result<Self, ValidationError> {
        if self == Self::Sent && to != Self::Sent {
            Ok(to)
        } else {
            Err(ValidationError::Transition {
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }
}

/// A request offered to one doctor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Proposal {
    /// Device-created id.
    pub id: ProposalId,
    /// The request.
    pub request_id: RequestId,
    /// The doctor.
    pub doctor_id: DoctorId,
    /// Who started it.
    pub initiator: Initiator,
    /// Indexes (into the request's shifts) the doctor is asked to cover.
    pub shift_indexes: Vec<u16>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// Answer deadline (end of the third business day in the site's zone).
    pub deadline: DateTime<Utc>,
    /// Current state.
    pub state: ProposalState,
    /// Why the answering party accepted or declined, in their words (at most
    /// [`MAX_ANSWER_REASON_CHARS`]); shown to the other party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub answer_reason: Option<String>,
}

/// Longest free-text reason kept with an answer: a few sentences, never a document.
pub const MAX_ANSWER_REASON_CHARS: usize = 500;

impl Proposal {
    /// Whether the deadline has passed at `now` for a proposal still waiting.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.state == ProposalState::Sent && now >= self.deadline
    }

    /// Whether `party` can answer it at `now`: the side that did not start it (the doctor answers a
    /// facility's proposal, the facility a doctor's application), while it is `sent` and its deadline
    /// has not passed. The server decides for good when the answer arrives; devices use this to offer
    /// the answer buttons and count the badge.
    pub fn answerable_by(&self, party: Initiator, now: DateTime<Utc>) -> bool {
        self.initiator != party && self.state == ProposalState::Sent && !self.is_overdue(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sent_proposals_move() {
        use ProposalState::*;
        assert_eq!(Sent.transition(Accepted), Ok(Accepted));
        assert_eq!(Sent.transition(Declined), Ok(Declined));
        assert_eq!(
            Expired.transition(Accepted).unwrap_err().code(),
            "transition"
        );
        assert_eq!(
            Accepted.transition(Withdrawn).unwrap_err().code(),
            "transition"
        );
        assert_eq!(Sent.transition(Sent).unwrap_err().code(), "transition");
    }

    #[test]
    fn only_the_other_side_answers_a_sent_proposal_before_its_deadline() {
        let deadline = DateTime::parse_from_rfc3339("2026-11-26T23:00:00Z")
            .unwrap()
            .to_utc();
        let before = deadline - chrono::Duration::seconds(1);
        let p = Proposal {
            id: ProposalId::new(),
            request_id: RequestId::new(),
            doctor_id: DoctorId::new(),
            initiator: Initiator::Facility,
            shift_indexes: vec![0],
            sent_at: deadline - chrono::Duration::days(3),
            deadline,
            state: ProposalState::Sent,
            answer_reason: None,
        };
        assert!(p.answerable_by(Initiator::Doctor, before));
        assert!(!p.answerable_by(Initiator::Facility, before), "not its own");
        assert!(!p.answerable_by(Initiator::Doctor, deadline), "overdue");
        let application = Proposal {
            initiator: Initiator::Doctor,
            ..p.clone()
        };
        assert!(application.answerable_by(Initiator::Facility, before));
        assert!(!application.answerable_by(Initiator::Doctor, before));
        for state in [
            ProposalState::Accepted,
            ProposalState::Declined,
            ProposalState::Expired,
            ProposalState::Withdrawn,
        ] {
            let answered = Proposal { state, ..p.clone() };
            assert!(
                !answered.answerable_by(Initiator::Doctor, before),
                "{state:?}"
            );
        }
    }

    #[test]
    fn overdue_is_end_exclusive() {
        let sent = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .to_utc();
        let deadline = DateTime::parse_from_rfc3339("2026-11-26T23:00:00Z")
            .unwrap()
            .to_utc();
        let p = Proposal {
            id: ProposalId::new(),
            request_id: RequestId::new(),
            doctor_id: DoctorId::new(),
            initiator: Initiator::Facility,
            shift_indexes: vec![0],
            sent_at: sent,
            deadline,
            state: ProposalState::Sent,
            answer_reason: None,
        };
        assert!(!p.is_overdue(deadline - chrono::Duration::seconds(1)));
        assert!(p.is_overdue(deadline));
        assert!(
            !Proposal {
                state: ProposalState::Declined,
                answer_reason: None,
                ..p
            }
            .is_overdue(deadline)
        );
    }
}
