//! Facilities (the paying customers), their sites and units, and the members who act for them.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::ValidationError;
use super::geo_point::GeoPoint;
use super::ids::{FacilityId, MemberId, SiteId, UnitId};
use super::validate::{Postcode, Siret};

/// What kind of structure the facility is; shown to doctors, never used for ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FacilityKind {
    /// Public hospital (CH, CHU).
    PublicHospital,
    /// Private clinic.
    Clinic,
    /// Not-for-profit private hospital (ESPIC).
    NonProfitHospital,
    /// Group or individual practice (cabinet), health centre.
    Practice,
    /// Care home (EHPAD) or other medico-social facility.
    CareHome,
}

/// A facility: the legal customer, identified by its SIRET.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Facility {
    /// Device-created id.
    pub id: FacilityId,
    /// Legal name.
    pub name: String,
    /// Establishment number (checked).
    pub siret: Siret,
    /// Kind of structure.
    pub kind: FacilityKind,
}

/// One address of a facility; requests are posted for a site and take its zone and département.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Site {
    /// Device-created id.
    pub id: SiteId,
    /// Owning facility.
    pub facility_id: FacilityId,
    /// Name shown to doctors (e.g. « CH de Lannion – site principal »).
    pub name: String,
    /// Street address.
    pub address: String,
    /// Postcode (checked).
    pub postcode: Postcode,
    /// INSEE commune code (5 characters, e.g. `22113`, `2A004`).
    pub commune_code: String,
    /// Département code (e.g. `22`, `2A`, `974`).
    pub department: String,
    /// Position.
    pub location: GeoPoint,
    /// Time zone of the site: deadlines and shift templates use it.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub zone: Tz,
}

/// A unit (service) inside a site, used for planning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Device-created id.
    pub id: UnitId,
    /// Owning site.
    pub site_id: SiteId,
    /// Name (e.g. « Urgences adultes »).
    pub name: String,
}

/// The role of a member inside a facility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MemberRole {
    /// Reads planning and requests.
    Viewer,
    /// Posts requests, sends proposals, manages missions.
    Planner,
    /// Everything, including members, rights, billing.
    Admin,
}

/// A single right that an admin may delegate to a member beyond their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Right {
    /// Read requests, candidates and planning.
    Read,
    /// Create and edit requests.
    PostRequests,
    /// Send proposals and accept applications (commits the facility: billing starts at unlock).
    Propose,
    /// See invoices and charges.
    Billing,
    /// Add members and change their rights.
    ManageMembers,
}

impl Right {
    /// Every right, in catalogue order (the order screens and API answers list them in).
    pub const ALL: [Right; 5] = [
        Right::Read,
        Right::PostRequests,
        Right::Propose,
        Right::Billing,
        Right::ManageMembers,
    ];
}

impl MemberRole {
    /// The role's name on the wire (`viewer`, `planner`, `admin`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Planner => "planner",
            Self::Admin => "admin",
        }
    }

    /// Rights every member of this role has.
    pub fn rights(self) -> &'static [Right] {
        match self {
            Self::Viewer => &[Right::Read],
            Self::Planner => &[Right::Read, Right::PostRequests, Right::Propose],
            Self::Admin => &Right::ALL,
        }
    }
}

/// A right delegated to a member, optionally restricted to one site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Delegation {
    /// The right granted.
    pub right: Right,
    /// Site the right is limited to; `None` for the whole facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
}

/// A user acting for a facility.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    /// Device-created id.
    pub id: MemberId,
    /// Facility the member belongs to.
    pub facility_id: FacilityId,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: MemberRole,
    /// Extra rights delegated by an admin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Delegation>,
}

impl Member {
    /// Whether the member holds `right` for `site` (through their role or a delegation).
    pub fn can(&self, right: Right, site: Option<SiteId>) -> bool {
        self.role.rights().contains(&right)
            || self
                .delegations
                .iter()
                .any(|d| d.right == right && (d.site_id.is_none() || d.site_id == site))
    }
}

impl Site {
    /// Checks the text fields of a site before it is stored or sent.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::Empty { field: "name" });
        }
        if self.name.len() > 200 || self.address.len() > 500 {
            return Err(ValidationError::TooLong {
                field: "name/address",
                max: 500,
            });
        }
        let commune_ok = self.commune_code.len() == 5
            && self.commune_code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !commune_ok {
            return Err(ValidationError::WrongLength {
                field: "commune_code",
                expected: 5,
                len: self.commune_code.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_by_role_and_delegation() {
        let site_a = SiteId::new();
        let site_b = SiteId::new();
        let mut viewer = Member {
            id: MemberId::new(),
            facility_id: FacilityId::new(),
            display_name: "Secrétariat".into(),
            role: MemberRole::Viewer,
            delegations: vec![],
        };
        assert!(viewer.can(Right::Read, Some(site_a)));
        assert!(!viewer.can(Right::Propose, Some(site_a)));
        viewer.delegations.push(Delegation {
            right: Right::Propose,
            site_id: Some(site_a),
        });
        assert!(viewer.can(Right::Propose, Some(site_a)));
        assert!(!viewer.can(Right::Propose, Some(site_b)));
        assert!(!viewer.can(Right::ManageMembers, None));
        let admin = Member {
            role: MemberRole::Admin,
            ..viewer
        };
        assert!(admin.can(Right::ManageMembers, None));
    }

    #[test]
    fn site_validation() {
        let mut site = Site {
            id: SiteId::new(),
            facility_id: FacilityId::new(),
            name: "CH de Lannion".into(),
            address: "Kergomar".into(),
            postcode: Postcode::parse("22300").unwrap(),
            commune_code: "22113".into(),
            department: "22".into(),
            location: GeoPoint::new(48.73, -3.46).unwrap(),
            zone: chrono_tz::Europe::Paris,
        };
        assert!(site.validate().is_ok());
        site.commune_code = "221".into();
        assert_eq!(site.validate().unwrap_err().code(), "wrong_length");
        site.name = String::new();
        assert_eq!(site.validate().unwrap_err().code(), "empty");
    }
}
