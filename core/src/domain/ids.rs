//! Typed identifiers. Every record id is a UUIDv7 created on the device that creates the record, so records
//! can be made offline and still sort by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::ValidationError;
use crate::text::truncate_for_message;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh time-ordered (v7) id, created locally.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (read back from storage or the network).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ValidationError::InvalidId { value: truncate_for_message(s) })
            }
        }
    };
}

id_type!(
    /// Identifies a replacement doctor.
    DoctorId
);
id_type!(
    /// Identifies a facility (hospital, clinic, practice): the paying customer.
    FacilityId
);
id_type!(
    /// Identifies one site (an address) of a facility.
    SiteId
);
id_type!(
    /// Identifies a unit (service) inside a site.
    UnitId
);
id_type!(
    /// Identifies a member (user account) of a facility.
    MemberId
);
id_type!(
    /// Identifies one availability slot or series of a doctor.
    AvailabilityId
);
id_type!(
    /// Identifies a replacement request posted by a facility.
    RequestId
);
id_type!(
    /// Identifies a proposal (a request offered to one doctor).
    ProposalId
);
id_type!(
    /// Identifies a mission (an accepted proposal).
    MissionId
);
id_type!(
    /// Identifies one device (phone, desktop) of a user; tokens and clocks are per device.
    DeviceId
);
id_type!(
    /// Identifies one notification in a user's inbox.
    NotificationId
);
id_type!(
    /// Identifies one outbox operation; ops are idempotent by this id.
    OpId
);
id_type!(
    /// Identifies a busy period imported from another calendar.
    BusyId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_time_ordered() {
        let a = DoctorId::new();
        let b = DoctorId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b, "v7 ids created later sort later");
    }

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = RequestId::new();
        let parsed: RequestId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<RequestId>(&json).unwrap(), id);
    }

    #[test]
    fn malformed_ids_are_rejected_with_a_short_message() {
        let err = "not-a-uuid".parse::<SiteId>().unwrap_err();
        assert_eq!(err.code(), "invalid_id");
        let long = "x".repeat(10_000);
        let err = long.parse::<SiteId>().unwrap_err();
        assert!(err.to_string().len() < 200);
    }
}
