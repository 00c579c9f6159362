//! The one error every FFI function returns, mapped from core's internal errors.
//!
//! Variants are families a screen reacts to differently (fix the input, refresh, retry later…); each
//! carries the stable snake_case `code` of the core error (the same codes as the CLI and the server) and
//! its French message in `reason` (Kotlin exceptions already own `message`), shown to the user as is. In Kotlin it is `RemplaException` with one subclass per
//! variant; in Swift an `Error` enum.

use rempla_client::SyncClientError;
use rempla_client::session::SignInError;
use rempla_core::api::ErrorCode;
use rempla_core::calendar::CalendarError;
use rempla_core::domain::ValidationError;
use rempla_core::ical::IcalError;
use rempla_core::sync::SyncError;
use rempla_store::StoreError;

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
    /// Synchronisation with the server failed for a reason that is not the network nor the session
    /// (the server refused a request, its answer broke the protocol).
    #[error("{reason}")]
    Sync {
        /// Stable code, e.g. `protocol`, `unsupported_protocol`, `forbidden`, or a code of a newer
        /// server this build does not know.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// The server cannot be reached or is unavailable right now: nothing is lost (changes stay pending),
    /// try again later.
    #[error("{reason}")]
    Offline {
        /// Stable code: `offline`, `server_unavailable` or `rate_limited`.
        code: String,
        /// French message for the user (`reason`: Kotlin exceptions already have a `message`).
        reason: String,
    },
    /// The session is missing or no longer valid, or the account cannot sign in yet: show the sign-in
    /// screen (or the terms, or "check your e-mail").
    #[error("{reason}")]
    Auth {
        /// Stable code: `not_logged_in`, `invalid_credentials`, `unauthorized`, `token_revoked`,
        /// `token_expired`, `terms_not_accepted`, `account_not_activated`.
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
            | Self::Offline { code, .. }
            | Self::Auth { code, .. }
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
            StoreError::InvalidInput { .. }
            | StoreError::WindowTooWide { .. }
            | StoreError::Calendar(_) => Self::Invalid { code, reason },
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

impl From<SyncClientError> for RemplaError {
    fn from(e: SyncClientError) -> Self {
        let reason = e.to_string();
        match e {
            SyncClientError::Store(inner) => inner.into(),
            SyncClientError::Offline { .. } | SyncClientError::ServerUnavailable { .. } => {
                Self::Offline {
                    code: e.code().to_owned(),
                    reason,
                }
            }
            SyncClientError::Unauthorized
            | SyncClientError::TokenRevoked
            | SyncClientError::NotLoggedIn => Self::Auth {
                code: e.code().to_owned(),
                reason,
            },
            SyncClientError::InvalidServerUrl { .. } => Self::Invalid {
                code: e.code().to_owned(),
                reason,
            },
            SyncClientError::ServerRejected {
                code,
                detail,
                message,
            } => server_rejection(code, detail, message),
            _ => Self::Sync {
                code: e.code().to_owned(),
                reason,
            },
        }
    }
}

/// The family of each server code, in one exhaustive `match` over the registry: adding a code to
/// `rempla_core::api::ErrorCode` does not compile until it is placed here.
fn family(code: ErrorCode) -> Family {
    use ErrorCode as C;
    match code {
        C::Unauthorized
        | C::InvalidCredentials
        | C::TokenRevoked
        | C::TokenExpired
        | C::TermsNotAccepted
        | C::AccountNotActivated => Family::Auth,
        C::RateLimited | C::Unavailable => Family::Offline,
        C::NotFound => Family::NotFound,
        // The record moved on (`docs/api/workflow.md`, `documents.md`, `privacy.md`, sync rejections):
        // refresh and decide again.
        C::Conflict
        | C::RequestNotOpen
        | C::DoctorNotVerified
        | C::UseVerificationQueue
        | C::NotACandidate
        | C::SpecialtyMismatch
        | C::DoctorNotAvailable
        | C::DoctorUnavailable
        | C::ProposalExists
        | C::ProposalIdTaken
        | C::ProposalExpired
        | C::ProposalWithdrawn
        | C::ProposalAnswered
        | C::MissionCancelled
        | C::MissionNotActive
        | C::StaleContract
        | C::FeesNotAgreed
        | C::DocumentQuota
        | C::DuplicateIdentity
        | C::IdentityLocked
        | C::NotPending
        | C::LastAdmin
        | C::NameLocked
        | C::MissionsAhead
        | C::TariffRetroactive
        | C::SlotBooked
        | C::RecordDeleted
        | C::DuplicateOffer
        | C::AlreadyMember
        | C::TooManyFeeds
        | C::SignInToAccept
        | C::ExportInProgress => Family::Conflict,
        // The input: the user fixes it.
        C::Validation
        | C::MalformedJson
        | C::BodyTooLarge
        | C::BatchTooLarge
        | C::WrongPassword
        | C::DocumentTooLarge
        | C::DocumentEmpty
        | C::UnsupportedMediaType
        | C::MediaTypeMismatch
        | C::DocumentMalformed
        | C::DocumentNotShareable
        | C::IdentityDocumentMissing
        | C::ReasonRequired
        | C::TooManyDelegations
        | C::UnknownRole
        | C::UnknownRight
        | C::UnknownSite
        | C::NegativeAmount
        | C::AmountTooLarge
        | C::InvalidVatRate
        | C::InvalidDate
        | C::InvalidFormat
        | C::InvalidPeriod
        | C::NoShifts
        | C::InvalidRecord
        | C::ForbiddenField
        | C::ClockDrift
        | C::Empty
        | C::TooLong
        | C::InvalidName
        | C::InvalidLanguage
        | C::InvalidReason
        | C::InvalidQuery
        | C::InvalidCursor
        | C::InvalidKind
        | C::InvalidBirthDate
        | C::BirthDateRequired
        | C::ExpiryRequired
        | C::TooManyDocuments
        | C::InvalidShiftIndexes
        | C::UnexpectedField
        | C::NotADoctor
        | C::PasswordRequired
        | C::PasswordTooShort
        | C::PasswordTooLong
        | C::TermsOutdated
        | C::InvalidToken
        | C::InvalidEndpoint
        | C::InvalidKey
        | C::InvalidTopic
        | C::BlockedDestination
        | C::TooManyPushTargets
        | C::InvalidAmount
        | C::InvalidState
        | C::ForbiddenFilter
        | C::TooManyKinds
        | C::UnknownChannel
        | C::InvalidPhone
        | C::InvalidQuietHours
        | C::InvalidTimeZone => Family::Invalid,
        // Not the user's input: the server refused the protocol or failed; try again later.
        C::UnsupportedProtocol
        | C::Forbidden
        | C::AdminOnly
        | C::FacilityNotVerified
        | C::WrongAccountKind
        | C::Storage
        | C::Mail
        | C::Internal
        | C::DocumentCorrupt
        | C::Unknown => Family::Sync,
    }
}

/// The families a server refusal can land in.
enum Family {
    Auth,
    Offline,
    NotFound,
    Conflict,
    Invalid,
    Sync,
}

/// A refusal of the server in the family a screen reacts to. The code kept is the most precise one: the
/// rule of a `validation` refusal (`rpps_checksum`, the same code an offline check reports), else the
/// server's code as sent.
fn server_rejection(code: String, detail: Option<String>, message: String) -> RemplaError {
    let family = family(ErrorCode::parse(&code));
    let code = detail.unwrap_or(code);
    let reason = message;
    match family {
        Family::Auth => RemplaError::Auth { code, reason },
        Family::Offline => RemplaError::Offline { code, reason },
        Family::NotFound => RemplaError::NotFound { code, reason },
        Family::Conflict => RemplaError::Conflict { code, reason },
        Family::Invalid => RemplaError::Invalid { code, reason },
        Family::Sync => RemplaError::Sync { code, reason },
    }
}

impl From<SignInError> for RemplaError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Client(e) => e.into(),
            SignInError::Store(e) => e.into(),
            e @ SignInError::TermsNotAccepted { .. } => Self::Auth {
                code: e.code().to_owned(),
                reason: e.to_string(),
            },
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

    #[test]
    fn sync_client_errors_land_in_network_session_and_input_families() {
        let e: RemplaError = SyncClientError::Offline { reason: "x".into() }.into();
        assert!(matches!(&e, RemplaError::Offline { code, .. } if code == "offline"));
        let e: RemplaError = SyncClientError::ServerUnavailable { status: 503 }.into();
        assert_eq!(e.code(), "server_unavailable");
        let e: RemplaError = SyncClientError::TokenRevoked.into();
        assert!(matches!(&e, RemplaError::Auth { code, .. } if code == "token_revoked"));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "terms_not_accepted".into(),
            detail: None,
            message: "m".into(),
        }
        .into();
        assert!(matches!(e, RemplaError::Auth { .. }));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "validation".into(),
            detail: Some("rpps_checksum".into()),
            message: "numéro RPPS invalide".into(),
        }
        .into();
        assert!(matches!(&e, RemplaError::Invalid { code, .. } if code == "rpps_checksum"));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "validation".into(),
            detail: None,
            message: "pas de code".into(),
        }
        .into();
        assert_eq!(e.code(), "validation");
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "conflict".into(),
            detail: None,
            message: "déjà inscrit".into(),
        }
        .into();
        assert!(matches!(e, RemplaError::Conflict { .. }));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "proposal_answered".into(),
            detail: None,
            message: "déjà répondu".into(),
        }
        .into();
        assert!(matches!(&e, RemplaError::Conflict { code, .. } if code == "proposal_answered"));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "validation".into(),
            detail: Some("invalid_endpoint".into()),
            message: "https attendu".into(),
        }
        .into();
        assert!(matches!(&e, RemplaError::Invalid { code, .. } if code == "invalid_endpoint"));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "invalid_credentials".into(),
            detail: None,
            message: "e-mail ou mot de passe incorrect".into(),
        }
        .into();
        assert!(matches!(&e, RemplaError::Auth { code, .. } if code == "invalid_credentials"));
        let e: RemplaError = SyncClientError::ServerRejected {
            code: "a_code_of_a_newer_server".into(),
            detail: None,
            message: "nouveau".into(),
        }
        .into();
        assert!(matches!(&e, RemplaError::Sync { code, .. } if code == "a_code_of_a_newer_server"));
        let e: RemplaError = SyncClientError::Store(StoreError::DiskFull).into();
        assert!(matches!(e, RemplaError::Storage { .. }));
        let e: RemplaError = SyncClientError::Protocol { reason: "r".into() }.into();
        assert!(matches!(&e, RemplaError::Sync { code, .. } if code == "protocol"));
    }
}
