//! The members endpoints' bodies (`docs/api/members.md`), one definition for the server and the clients:
//! the member list, an invitation, its answer and its life (sent, received, accepted by token), a
//! member's rights and the change's answer. Roles and
//! rights travel as the server's names (strings) in requests: the server judges them (`unknown_role`,
//! `unknown_right`, `unknown_site`). Requests refuse unknown fields; answers accept them.

use serde::{Deserialize, Serialize};

use crate::domain::{Delegation, FacilityId, Member, MemberId, MemberRole, Right};

/// One delegated right as sent to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DelegationIn {
    /// Right name (`read`, `post_requests`, `propose`, `billing`, `manage_members`).
    pub right: String,
    /// Site the right is limited to; absent for the whole facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub site_id: Option<String>,
}

/// `PUT /v1/facilities/{id}/members/{member_id}`: a member's role and delegated rights (the whole set:
/// it replaces the previous one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MemberRights {
    /// `admin`, `planner` or `viewer`.
    pub role: String,
    /// Rights beyond the role.
    #[serde(default)]
    pub delegations: Vec<DelegationIn>,
}

/// `POST /v1/facilities/{id}/members`: invite someone. The role and delegations are fields of the body
/// itself, as in [`MemberRights`] (spelt out rather than flattened, so unknown fields are refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// The invited person's e-mail.
    pub email: String,
    /// Their name as members see it.
    pub display_name: String,
    /// `admin`, `planner` or `viewer`.
    pub role: String,
    /// Rights beyond the role.
    #[serde(default)]
    pub delegations: Vec<DelegationIn>,
}

impl Invitation {
    /// An invitation of `email` under `display_name` with `rights`.
    pub fn new(email: String, display_name: String, rights: MemberRights) -> Self {
        Self {
            email,
            display_name,
            role: rights.role,
            delegations: rights.delegations,
        }
    }
}

/// Answer of `POST /v1/facilities/{id}/members` (202): the offer is made and mailed. Nobody joins until
/// the invited person accepts it, and the answer is the same whether the address has an account or
/// not (it tells the inviter nothing about who is registered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Invited {
    /// The invitation, to follow or revoke it.
    pub invitation_id: String,
    /// When the offer lapses (ms since the epoch).
    pub expires_ms: i64,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent, not answered, not lapsed.
    Pending,
    /// The invited person joined the facility.
    Accepted,
    /// The invited person said no.
    Declined,
    /// A manager withdrew it, or a newer invitation of the same address replaced it.
    Revoked,
    /// Not answered in time.
    Expired,
}

impl InvitationStatus {
    /// The name stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// The status a stored name means (`None` for another string).
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Accepted,
            Self::Declined,
            Self::Revoked,
            Self::Expired,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One invitation a facility sent, as its managers see it (`GET /v1/facilities/{id}/invitations`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SentInvitation {
    /// The invitation.
    pub id: String,
    /// The address it went to.
    pub email: String,
    /// The name the inviter gave (seen by the facility only, never put in the e-mail).
    pub display_name: String,
    /// Role offered.
    pub role: MemberRole,
    /// Rights offered beyond the role.
    #[serde(default)]
    pub delegations: Vec<Delegation>,
    /// Name of the member who sent it.
    pub invited_by: String,
    /// When it was sent.
    pub created_ms: i64,
    /// When it lapses.
    pub expires_ms: i64,
    /// Where it stands.
    pub status: InvitationStatus,
}

/// Answer of `GET /v1/facilities/{id}/invitations`: the pending ones first, then the newest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SentInvitations {
    /// At most the 200 most recent.
    #[serde(default)]
    pub invitations: Vec<SentInvitation>,
}

/// One offer made to the signed-in account's address (`GET /v1/me/invitations`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedInvitation {
    /// The invitation, to accept or decline it.
    pub id: String,
    /// The facility offering.
    pub facility_id: FacilityId,
    /// Its registered name (verified by Rempla's staff).
    pub facility_name: String,
    /// Role offered.
    pub role: MemberRole,
    /// Facility-wide rights the role and delegations would give.
    #[serde(default)]
    pub rights: Vec<Right>,
    /// Name of the member who sent it.
    pub invited_by: String,
    /// When it lapses.
    pub expires_ms: i64,
}

/// Answer of `GET /v1/me/invitations`: the pending offers, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedInvitations {
    /// Pending offers only.
    #[serde(default)]
    pub invitations: Vec<ReceivedInvitation>,
}

/// `POST /v1/invitations/accept`: someone without an account accepts the offer of their e-mail, and
/// the account is made then (the token proves the mailbox, so it is active at once).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token of the invitation e-mail.
    pub token: String,
    /// Their name as the facility's members will see it.
    pub display_name: String,
    /// Their password (secret; at least 10 characters).
    pub password: String,
}

impl std::fmt::Debug for AcceptInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptInvitation")
            .field("display_name", &self.display_name)
            .field("token", &"<secret>")
            .field("password", &"<secret>")
            .finish()
    }
}

/// `POST /v1/invitations/decline`: the invited person says no from the e-mail's link.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineInvitation {
    /// The token of the invitation e-mail.
    pub token: String,
}

impl std::fmt::Debug for DeclineInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeclineInvitation { token: <secret> }")
    }
}

/// Answer of an accepted invitation: the membership made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Joined {
    /// The facility joined.
    pub facility_id: FacilityId,
    /// Its name.
    pub facility_name: String,
    /// The new membership.
    pub member_id: MemberId,
}

/// Answer of `PUT /v1/facilities/{id}/members/{member_id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberChanged {
    /// The member with the rights stored (the smallest equivalent set).
    pub member: Member,
}

/// One member of a facility as `GET /v1/facilities/{id}/members` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberEntry {
    /// The membership.
    pub member_id: MemberId,
    /// The account.
    pub account_id: String,
    /// Login e-mail.
    #[serde(default)]
    pub email: String,
    /// Name shown.
    pub display_name: String,
    /// Role in the facility.
    pub role: MemberRole,
    /// Rights beyond the role.
    #[serde(default)]
    pub delegations: Vec<Delegation>,
    /// Facility-wide rights (role plus facility-wide delegations), so a client need not know the role
    /// table.
    #[serde(default)]
    pub rights: Vec<Right>,
    /// False while the invitation is pending.
    #[serde(default)]
    pub activated: bool,
    /// The caller's own membership.
    #[serde(default)]
    pub you: bool,
}

/// Answer of `GET /v1/facilities/{id}/members`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberList {
    /// By display name.
    #[serde(default)]
    pub members: Vec<MemberEntry>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_invitation_is_flat_and_requests_refuse_unknown_fields() {
        let invitation = Invitation::new(
            "a@b.fr".into(),
            "A B".into(),
            MemberRights {
                role: "planner".into(),
                delegations: vec![DelegationIn {
                    right: "billing".into(),
                    site_id: None,
                }],
            },
        );
        let body = json!({"email": "a@b.fr", "display_name": "A B", "role": "planner",
                          "delegations": [{"right": "billing"}]});
        assert_eq!(serde_json::to_value(&invitation).unwrap_or_default(), body);
        assert_eq!(serde_json::from_value(body.clone()).ok(), Some(invitation));
        let mut extra = body;
        extra["admin"] = json!(true);
        assert!(serde_json::from_value::<Invitation>(extra).is_err());
        assert!(serde_json::from_value::<MemberRights>(json!({"role": "viewer", "x": 1})).is_err());
        let list: MemberList = serde_json::from_value(json!({"members": [{
            "member_id": "0193a000-0000-7000-8000-000000000001", "account_id": "a", "email": "a@b.fr",
            "display_name": "A", "role": "admin", "delegations": [], "rights": ["read"],
            "activated": true, "you": false}]}))
        .expect("a list");
        assert_eq!(list.members[0].role, MemberRole::Admin);
    }
}
