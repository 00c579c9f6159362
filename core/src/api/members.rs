//! The members endpoints' bodies (`docs/api/members.md`), one definition for the server and the clients:
//! the member list, an invitation and its answer, a member's rights and the change's answer. Roles and
//! rights travel as the server's names (strings) in requests: the server judges them (`unknown_role`,
//! `unknown_right`, `unknown_site`). Requests refuse unknown fields; answers accept them.

use serde::{Deserialize, Serialize};

use crate::domain::{Delegation, Member, MemberId, MemberRole, Right};

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

/// Answer of `POST /v1/facilities/{id}/members` (201).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Invited {
    /// The account (new, or the existing facility account).
    pub account_id: String,
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
