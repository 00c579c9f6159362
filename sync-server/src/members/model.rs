//! The members' request bodies and pure rules: parsing a role and delegated rights against the
//! facility's sites (reduced to the smallest equivalent set), and a member's effective rights.

use rempla_core::domain::{Delegation, Member, MemberRole, Right, SiteId};
use serde_json::Value;

use super::error::MembersError;

/// Most delegations a member may hold (one per right and site is already plenty).
pub const MAX_DELEGATIONS: usize = 50;

// ---------------------------------------------------------------- input

/// The request bodies are the wire types, one definition for the server and the clients: a delegated
/// right as sent (checked by [`parse_rights`]), a member's rights (`PUT …/members/{member_id}`) and an
/// invitation (`POST …/members`).
pub use rempla_core::api::members::{
    DelegationIn as DelegationBody, Invitation as Invite, MemberRights as RightsBody,
};

pub(crate) fn parse_role(role: &str) -> Result<MemberRole, MembersError> {
    serde_json::from_value(Value::String(role.to_owned()))
        .map_err(|_| MembersError::UnknownRole(role.chars().take(40).collect()))
}

pub(crate) fn parse_right(right: &str) -> Result<Right, MembersError> {
    serde_json::from_value(Value::String(right.to_owned()))
        .map_err(|_| MembersError::UnknownRight(right.chars().take(40).collect()))
}

/// Checks a role and delegations against the facility's sites; duplicates and rights the role already
/// grants are dropped, so the stored set is the smallest equivalent one.
pub fn parse_rights(
    role: &str,
    delegations: &[DelegationBody],
    sites: &[String],
) -> Result<(MemberRole, Vec<Delegation>), MembersError> {
    let role = parse_role(role)?;
    if delegations.len() > MAX_DELEGATIONS {
        return Err(MembersError::TooManyDelegations);
    }
    let mut out: Vec<Delegation> = Vec::new();
    for d in delegations {
        let right = parse_right(&d.right)?;
        let site_id = match &d.site_id {
            None => None,
            Some(s) if sites.iter().any(|known| known == s) => {
                Some(s.parse::<SiteId>().map_err(|_| MembersError::UnknownSite)?)
            }
            Some(_) => return Err(MembersError::UnknownSite),
        };
        if role.rights().contains(&right) || out.contains(&Delegation { right, site_id }) {
            continue;
        }
        out.push(Delegation { right, site_id });
    }
    // A facility-wide delegation makes the same right limited to a site redundant.
    let wide: Vec<Right> = out
        .iter()
        .filter(|d| d.site_id.is_none())
        .map(|d| d.right)
        .collect();
    out.retain(|d| d.site_id.is_none() || !wide.contains(&d.right));
    Ok((role, out))
}

/// Effective facility-wide rights of a member (role plus facility-wide delegations), in catalogue
/// order, so a client need not know the role table.
pub(crate) fn effective_rights(m: &Member) -> Vec<Right> {
    Right::ALL.into_iter().filter(|r| m.can(*r, None)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rempla_core::api::ErrorCode;

    fn d(right: &str, site: Option<&str>) -> DelegationBody {
        DelegationBody {
            right: right.into(),
            site_id: site.map(str::to_owned),
        }
    }

    #[test]
    fn rights_are_checked_and_reduced() {
        let site = SiteId::new().to_string();
        let sites = vec![site.clone()];
        let (role, out) = parse_rights(
            "viewer",
            &[
                d("read", None),
                d("billing", Some(&site)),
                d("billing", None),
                d("propose", Some(&site)),
                d("propose", Some(&site)),
            ],
            &sites,
        )
        .unwrap();
        assert_eq!(role, MemberRole::Viewer);
        // `read` comes with the role; the site-limited billing is covered by the wide one; duplicates go.
        assert_eq!(
            out,
            vec![
                Delegation {
                    right: Right::Billing,
                    site_id: None
                },
                Delegation {
                    right: Right::Propose,
                    site_id: Some(site.parse().unwrap())
                },
            ]
        );
        assert_eq!(
            parse_rights("boss", &[], &sites).unwrap_err().code(),
            ErrorCode::UnknownRole
        );
        assert_eq!(
            parse_rights("viewer", &[d("fly", None)], &sites)
                .unwrap_err()
                .code(),
            ErrorCode::UnknownRight
        );
        assert_eq!(
            parse_rights("viewer", &[d("read", Some("elsewhere"))], &sites)
                .unwrap_err()
                .code(),
            ErrorCode::UnknownSite
        );
        let many: Vec<_> = (0..=MAX_DELEGATIONS).map(|_| d("read", None)).collect();
        assert_eq!(
            parse_rights("viewer", &many, &sites).unwrap_err().code(),
            ErrorCode::TooManyDelegations
        );
    }
}
