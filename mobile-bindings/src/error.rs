//! The one error every FFI function returns, mapped from core's internal errors.
//!
//! Variants are families a screen reacts to differently (fix the input, refresh, retry later…); each
//! carries the stable snake_case `code` of the core error (the same codes as the CLI and the server) and
//! its French message in `reason` (Kotlin exceptions already own `message`), shown to the user as is. In Kotlin it is `RemplaException` with one subclass per
//! variant; in Swift an `Error` enum.

use rempla_core::calendar::CalendarError;
use rempla_core::calendar::ical::IcalError;
use rempla_core::domain::ValidationError;
use rempla_core::store::StoreError;
use rempla_core::sync::SyncError;

/// The public error of the mobile API: a family, a stable code and a French message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum RemplaError {
    /// The input breaks a rule (bad RPPS, day garde on a weekday, hostile .ics…): the user fixes it.
    #[error("{reason}")]
    Invalid {
        /// Stable code, e.g. `rpps_checksum`, `garde_day_not_allowed`, `ical_nesting_too_deep`.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// The record asked for does not exist (any more) on this device.
    #[error("{reason}")]
    NotFound {
        /// Stable code (`not_found`).
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// The change conflicts with the record's state (booked slot, duplicate id): refresh and retry.
    #[error("{reason}")]
    Conflict {
        /// Stable code, e.g. `availability_booked`.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// The local database failed (full disk, damaged file, newer schema): retry later or report.
    #[error("{reason}")]
    Storage {
        /// Stable code, e.g. `disk_full`, `schema_too_new`.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// Synchronisation with the server failed (protocol, clock, network when the sync client lands).
    #[error("{reason}")]
    Sync {
        /// Stable code, e.g. `clock_drift`.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// A failure that is a bug in Rempla, never the user's fault.
    #[error("{reason}")]
    Internal {
        /// Stable code (`internal`).
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
}

impl RemplaError {
    /// The stable code, whatever the family (tests and logs).
    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::Storage { code, .. }
            | Self::Sync { code, .. }
            | Self::Internal { code, .. } => code,
        }
    }

    /// An input error raised by the boundary itself (a date that does not parse, an unknown zone).
    pub(crate) fn invalid(code: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code: code.to_owned(),
            reason: message.into(),
        }
    }
}

impl From<ValidationError> for RemplaError {
    fn from(e: ValidationError) -> Self {
        Self::invalid(e.code(), e.to_string())
    }
}

impl From<CalendarError> for RemplaError {
    fn from(e: CalendarError) -> Self {
        Self::invalid(e.code(), e.to_string())
    }
}

impl From<IcalError> for RemplaError {
    fn from(e: IcalError) -> Self {
        Self::invalid(e.code(), e.to_string())
    }
}

impl From<StoreError> for RemplaError {
    fn from(e: StoreError) -> Self {
        let code = e.code().to_owned();
        let reason = e.to_string();
        match e {
            StoreError::NotFound { .. } => Self::NotFound { code, reason },
            StoreError::AlreadyExists { .. } | StoreError::AvailabilityBooked { .. } => {
                Self::Conflict { code, reason }
            }
            StoreError::InvalidInput { .. } => Self::Invalid { code, reason },
            _ => Self::Storage { code, reason },
        }
    }
}

impl From<SyncError> for RemplaError {
    fn from(e: SyncError) -> Self {
        Self::Sync {
            code: e.code().to_owned(),
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_land_in_the_right_family() {
        let e: RemplaError = ValidationError::RppsChecksum.into();
        assert!(matches!(&e, RemplaError::Invalid { code, .. } if code == "rpps_checksum"));
        let e: RemplaError = StoreError::AvailabilityBooked { id: "x".into() }.into();
        assert!(matches!(&e, RemplaError::Conflict { .. }));
        assert_eq!(e.code(), "availability_booked");
        let e: RemplaError = StoreError::NotFound {
            entity: "availability",
            id: "x".into(),
        }
        .into();
        assert!(matches!(e, RemplaError::NotFound { .. }));
        let e: RemplaError = StoreError::DiskFull.into();
        assert!(matches!(&e, RemplaError::Storage { code, .. } if code == "disk_full"));
        let e: RemplaError = IcalError::NotACalendar.into();
        assert_eq!(e.code(), "ical_not_a_calendar");
        let e: RemplaError = SyncError::UnknownKind { value: "x".into() }.into();
        assert!(matches!(&e, RemplaError::Sync { code, .. } if code == "unknown_op_kind"));
        assert!(e.to_string().contains("type d'opération"));
    }
}
