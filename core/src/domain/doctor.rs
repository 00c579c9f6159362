//! Replacement doctors: identity, trust status, qualification and where they are willing to work.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValidationError;
use super::geo_point::GeoPoint;
use super::ids::DoctorId;
use super::specialty::Specialty;
use super::validate::{Email, PhoneNumber, Rpps};

/// Trust status of a doctor's account. Only `Verified` doctors are ever proposed or may answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DoctorStatus {
    /// Registered, waiting for staff to check the identity document and RPPS.
    Pending,
    /// Checked by staff: may be proposed and may answer.
    Verified,
    /// Refused by staff (with a reason kept server-side).
    Rejected,
    /// Excluded for breaking the rules; hidden from every facility.
    Suspended,
}

impl DoctorStatus {
    /// Stable name, used in messages and the audit log.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
        }
    }

    /// Checks a staff decision against the life cycle: pending → verified | rejected; verified ↔
    /// suspended; rejected → pending (after a new document). Anything else is refused.
    pub fn transition(self, to: Self) -> Result<Self, ValidationError> {
        use DoctorStatus::{Pending, Rejected, Suspended, Verified};
        match (self, to) {
            (Pending, Verified | Rejected)
            | (Verified, Suspended)
            | (Suspended, Verified)
            | (Rejected, Pending) => Ok(to),
            _ => Err(ValidationError::Transition {
                from: self.as_str(),
                to: to.as_str(),
            }),
        }
    }
}

/// Whether the doctor may replace without restriction (thesis defended) or as an intern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Qualification {
    /// Thesis defended: may replace in their specialty.
    Thesed,
    /// Intern with a *licence de remplacement*, valid until the given date (at most the next 15 November).
    Intern {
        /// Last day the licence is valid.
        licence_valid_until: NaiveDate,
    },
}

impl Qualification {
    /// Whether the doctor may replace on `date` under this qualification.
    pub fn allows(&self, date: NaiveDate) -> bool {
        match self {
            Self::Thesed => true,
            Self::Intern {
                licence_valid_until,
            } => date <= *licence_valid_until,
        }
    }
}

/// Contact details: hidden from facilities until a proposal is accepted (profile unlock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    /// Login and notification address.
    pub email: Email,
    /// Mobile number for SMS and calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
}

/// A replacement doctor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Doctor {
    /// Device-created id.
    pub id: DoctorId,
    /// Checked RPPS number; unique across accounts.
    pub rpps: Rpps,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialties the doctor replaces in (at least one).
    pub specialties: Vec<Specialty>,
    /// Trust status.
    pub status: DoctorStatus,
    /// Thesis or intern licence.
    pub qualification: Qualification,
    /// Where the doctor starts from, if they gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<GeoPoint>,
    /// Maximum travel distance from `base`, in kilometres.
    #[serde(default)]
    pub travel_radius_km: u16,
    /// Départements where the doctor accepts to work regardless of distance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// Languages spoken besides French (ISO 639-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Contact details; the server only sends them to a facility after unlock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactDetails>,
}

impl Doctor {
    /// Checks the invariants a doctor record must hold before it is stored or sent.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
        ] {
            if value.trim().is_empty() {
                return Err(ValidationError::Empty { field });
            }
            if value.len() > 100 {
                return Err(ValidationError::TooLong { field, max: 100 });
            }
        }
        if self.specialties.is_empty() {
            return Err(ValidationError::Empty {
                field: "specialties",
            });
        }
        if self.travel_radius_km > 1_000 {
            return Err(ValidationError::OutOfRange {
                field: "travel_radius_km",
                min: 0,
                max: 1_000,
            });
        }
        Ok(())
    }

    /// Whether the doctor may be proposed to facilities at all.
    pub fn is_proposable(&self) -> bool {
        self.status == DoctorStatus::Verified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doctor() -> Doctor {
        Doctor {
            id: DoctorId::new(),
            rpps: Rpps::parse("10000001916").unwrap(),
            first_name: "Camille".into(),
            last_name: "Durand".into(),
            specialties: vec![Specialty::parse("medecine-generale").unwrap()],
            status: DoctorStatus::Pending,
            qualification: Qualification::Thesed,
            base: Some(GeoPoint::new(45.76, 4.84).unwrap()),
            travel_radius_km: 80,
            departments: vec!["69".into()],
            languages: vec![],
            contact: None,
        }
    }

    #[test]
    fn validation() {
        let mut d = doctor();
        assert!(d.validate().is_ok());
        assert!(!d.is_proposable());
        d.specialties.clear();
        assert_eq!(d.validate().unwrap_err().code(), "empty");
        let mut d = doctor();
        d.first_name = "  ".into();
        assert_eq!(d.validate().unwrap_err().code(), "empty");
        let mut d = doctor();
        d.travel_radius_km = 5_000;
        assert_eq!(d.validate().unwrap_err().code(), "out_of_range");
    }

    #[test]
    fn status_life_cycle() {
        use DoctorStatus::*;
        assert_eq!(Pending.transition(Verified), Ok(Verified));
        assert_eq!(Verified.transition(Suspended), Ok(Suspended));
        assert_eq!(
            Rejected.transition(Verified).unwrap_err().code(),
            "transition"
        );
        assert_eq!(
            Pending.transition(Suspended).unwrap_err().code(),
            "transition"
        );
    }

    #[test]
    fn intern_licence_bounds_dates() {
        let q = Qualification::Intern {
            licence_valid_until: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
        };
        assert!(q.allows(NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()));
        assert!(!q.allows(NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()));
        assert!(Qualification::Thesed.allows(NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()));
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"intern","licence_valid_until":"2026-11-15"}"#
        );
    }
}
