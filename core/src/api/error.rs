//! The wire contract of refusals: [`ErrorCode`], the one registry of every code the server can put in an
//! error body, and [`ApiError`], that body.
//!
//! Why one registry: the server, the FFI, the desktop and the CLI each used to list the codes they knew by
//! hand, and the lists drifted (the desktop renamed codes, the FFI parsed the domain code out of the
//! message). Now the server can only send a code that is a variant here (its error types hold an
//! [`ErrorCode`], not a string), and each front end maps the registry onto its own families in one
//! exhaustive `match`, so adding a code is a compile error in every front end until it is placed.
//!
//! A body has a top-level `code` (what kind of refusal: `validation`, `proposal_expired`…) and, for
//! `validation`, a `detail` naming the rule that failed. That detail is either one of the server's own
//! checks (variants of this registry, such as `too_long` or `password_too_short`) or the `code()` of one of
//! core's error enums (`rpps_checksum`, `garde_day_not_allowed`…), which a device's offline check reports
//! with the same code, so a form highlights the same field online and offline.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $wire:literal,)+) => {
        /// Every code the server can send in an error body (`code`, or `detail` of a `validation`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
            /// A code this build does not know: sent by a newer server. Front ends treat it as a
            /// generic refusal and show the server's message.
            Unknown,
        }

        impl ErrorCode {
            /// Every known code, in registry order ([`ErrorCode::Unknown`] excluded).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The snake_case string sent on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                    ErrorCode::Unknown => "unknown",
                }
            }

            /// The code a wire string names; [`ErrorCode::Unknown`] for any other string.
            pub fn parse(code: &str) -> Self {
                match code {
                    $($wire => ErrorCode::$variant,)+
                    _ => ErrorCode::Unknown,
                }
            }
        }
    };
}

error_codes! {
    // ---- the request itself
    /// The body is not the JSON the endpoint expects (syntax, truncation, types, unknown fields).
    MalformedJson = "malformed_json",
    /// The body is larger than the endpoint accepts.
    BodyTooLarge = "body_too_large",
    /// A sync protocol version this server does not speak.
    UnsupportedProtocol = "unsupported_protocol",
    /// A push batch with more ops than the protocol allows.
    BatchTooLarge = "batch_too_large",
    /// A value breaks a rule; `detail` names the rule.
    Validation = "validation",
    /// Too many requests from this address or account: retry in a moment.
    RateLimited = "rate_limited",
    // ---- who is asking
    /// No or unknown bearer token.
    Unauthorized = "unauthorized",
    /// Wrong e-mail address or password at sign-in.
    InvalidCredentials = "invalid_credentials",
    /// The token was revoked (logout, lost password, closure, removal): sign in again.
    TokenRevoked = "token_revoked",
    /// The token is past its lifetime: sign in again.
    TokenExpired = "token_expired",
    /// The caller may not do this.
    Forbidden = "forbidden",
    /// The terms (CGU) in force have not been accepted by this account.
    TermsNotAccepted = "terms_not_accepted",
    /// The e-mail address is not confirmed yet.
    AccountNotActivated = "account_not_activated",
    /// Nothing there, or nothing the caller may know about.
    NotFound = "not_found",
    /// Already registered (e-mail address, RPPS number…).
    Conflict = "conflict",
    // ---- the server
    /// The database failed.
    Storage = "storage",
    /// The server is overloaded or a feature is unavailable for now: retry later.
    Unavailable = "unavailable",
    /// The mail could not be sent.
    Mail = "mail",
    /// A bug on the server, never the caller's fault.
    Internal = "internal",
    // ---- workflow states (409)
    /// The request is no longer open (filled, cancelled, past).
    RequestNotOpen = "request_not_open",
    /// The doctor is not verified by the staff yet.
    DoctorNotVerified = "doctor_not_verified",
    /// Doctors are verified through the verification queue, not this endpoint.
    UseVerificationQueue = "use_verification_queue",
    /// The doctor does not fit the request (matching).
    NotACandidate = "not_a_candidate",
    /// The doctor's specialty does not match the request's.
    SpecialtyMismatch = "specialty_mismatch",
    /// The doctor has no open availability for the request any more.
    DoctorNotAvailable = "doctor_not_available",
    /// The doctor is booked elsewhere at that time.
    DoctorUnavailable = "doctor_unavailable",
    /// A live proposal already exists for this request and doctor.
    ProposalExists = "proposal_exists",
    /// The proposal id is already used.
    ProposalIdTaken = "proposal_id_taken",
    /// The answer deadline has passed.
    ProposalExpired = "proposal_expired",
    /// The proposal was withdrawn.
    ProposalWithdrawn = "proposal_withdrawn",
    /// The proposal was already answered.
    ProposalAnswered = "proposal_answered",
    /// The mission was cancelled.
    MissionCancelled = "mission_cancelled",
    /// The mission is not active (cancelled or over).
    MissionNotActive = "mission_not_active",
    /// The contract changed since it was read: read it again before signing.
    StaleContract = "stale_contract",
    /// The fees were not agreed before signing.
    FeesNotAgreed = "fees_not_agreed",
    // ---- documents and verification
    /// The document is larger than the vault accepts.
    DocumentTooLarge = "document_too_large",
    /// The document is empty.
    DocumentEmpty = "document_empty",
    /// Only PDF, JPEG and PNG are accepted.
    UnsupportedMediaType = "unsupported_media_type",
    /// The declared type does not match the file's content.
    MediaTypeMismatch = "media_type_mismatch",
    /// The doctor's vault is full.
    DocumentQuota = "document_quota",
    /// The document cannot be shared with a facility (the identity document, for one).
    DocumentNotShareable = "document_not_shareable",
    /// A stored document no longer matches its checksum.
    DocumentCorrupt = "document_corrupt",
    /// Another account already holds this identity.
    DuplicateIdentity = "duplicate_identity",
    /// No identity document: the doctor cannot be verified.
    IdentityDocumentMissing = "identity_document_missing",
    /// The identity is locked by a verification in progress or done.
    IdentityLocked = "identity_locked",
    /// The account is not waiting for verification.
    NotPending = "not_pending",
    /// A reason is required (rejection, correction).
    ReasonRequired = "reason_required",
    // ---- members and privacy
    /// The facility must keep at least one administrator.
    LastAdmin = "last_admin",
    /// More delegations than a member may hold.
    TooManyDelegations = "too_many_delegations",
    /// An unknown member role.
    UnknownRole = "unknown_role",
    /// An unknown right.
    UnknownRight = "unknown_right",
    /// A site that is not the facility's.
    UnknownSite = "unknown_site",
    /// The password given to confirm is wrong.
    WrongPassword = "wrong_password",
    /// Names are locked once verified: ask the staff.
    NameLocked = "name_locked",
    /// Missions are still ahead: cancel them before closing the account.
    MissionsAhead = "missions_ahead",
    // ---- billing
    /// A negative amount or rate.
    NegativeAmount = "negative_amount",
    /// An amount beyond the limits.
    AmountTooLarge = "amount_too_large",
    /// A VAT rate outside the allowed ones.
    InvalidVatRate = "invalid_vat_rate",
    /// A date that does not parse.
    InvalidDate = "invalid_date",
    /// A format other than those offered.
    InvalidFormat = "invalid_format",
    /// A period whose end is before its start, or too long.
    InvalidPeriod = "invalid_period",
    /// A tariff cannot start in the past.
    TariffRetroactive = "tariff_retroactive",
    /// Nothing to bill: no shift.
    NoShifts = "no_shifts",
    // ---- sync op rejections (`OpOutcome::Rejected` in a push result)
    /// The op's clock is too far ahead of the server's: the device's clock is wrong.
    ClockDrift = "clock_drift",
    /// The doctor already offers an availability at that time.
    DuplicateOffer = "duplicate_offer",
    /// The op writes a field the device may not write (a server-owned field such as `status`).
    ForbiddenField = "forbidden_field",
    /// The record does not read as its kind (missing or malformed fields).
    InvalidRecord = "invalid_record",
    /// The record was deleted: an edit of it cannot be applied.
    RecordDeleted = "record_deleted",
    /// The slot is booked for a mission: it cannot be edited or removed from the device.
    SlotBooked = "slot_booked",
    // ---- the server's own validation details (`detail` of a `validation`)
    /// A required field is empty.
    Empty = "empty",
    /// A text is longer than allowed.
    TooLong = "too_long",
    /// A name with characters a name cannot hold.
    InvalidName = "invalid_name",
    /// A language code that is not offered.
    InvalidLanguage = "invalid_language",
    /// A reason that is empty or too long.
    InvalidReason = "invalid_reason",
    /// A query string that does not parse.
    InvalidQuery = "invalid_query",
    /// A sync cursor that does not parse.
    InvalidCursor = "invalid_cursor",
    /// A kind that is not offered.
    InvalidKind = "invalid_kind",
    /// A birth date that does not parse or is implausible.
    InvalidBirthDate = "invalid_birth_date",
    /// The identity document needs the birth date it shows.
    BirthDateRequired = "birth_date_required",
    /// This kind of document needs an expiry date.
    ExpiryRequired = "expiry_required",
    /// More documents than a proposal may share.
    TooManyDocuments = "too_many_documents",
    /// Shift indexes outside the request's shifts.
    InvalidShiftIndexes = "invalid_shift_indexes",
    /// A field the endpoint does not take.
    UnexpectedField = "unexpected_field",
    /// The account is not a doctor's.
    NotADoctor = "not_a_doctor",
    /// A password is needed (activation of an invited account).
    PasswordRequired = "password_required",
    /// The password is shorter than the policy allows.
    PasswordTooShort = "password_too_short",
    /// The password is longer than the policy allows.
    PasswordTooLong = "password_too_long",
    /// The terms accepted are not the ones in force.
    TermsOutdated = "terms_outdated",
    /// A one-time link or push token that is unknown, used or expired.
    InvalidToken = "invalid_token",
    /// A push endpoint that is not an allowed https URL.
    InvalidEndpoint = "invalid_endpoint",
    /// A push endpoint on a loopback, private, link-local or reserved address, or outside the operator's
    /// list of push services.
    BlockedDestination = "blocked_destination",
    /// An account already holds as many push targets as allowed.
    TooManyPushTargets = "too_many_push_targets",
    /// The account's previous privacy export is still being downloaded.
    ExportInProgress = "export_in_progress",
    /// Only an administrator may give or take the administrator role, change an administrator, or
    /// change their own rights.
    AdminOnly = "admin_only",
    /// A PDF, JPEG or PNG whose structure is broken or carries something else (markup, a second file).
    DocumentMalformed = "document_malformed",
    /// A facility not yet verified by Rempla's staff may not do this (invite, post, see doctors).
    FacilityNotVerified = "facility_not_verified",
    /// The invited person is a member of the facility already.
    AlreadyMember = "already_member",
    /// The invitation's address has an account: accept it from the app, signed in.
    SignInToAccept = "sign_in_to_accept",
    /// An account already holds as many calendar feeds as allowed.
    TooManyFeeds = "too_many_feeds",
    /// A doctor's account cannot join a facility (and a facility account cannot act as a doctor).
    WrongAccountKind = "wrong_account_kind",
    /// A push key that does not decode.
    InvalidKey = "invalid_key",
    /// An APNs topic that is not a bundle id.
    InvalidTopic = "invalid_topic",
    /// An SMS-credit amount outside the allowed range.
    InvalidAmount = "invalid_amount",
    /// A delivery state filter that is not offered.
    InvalidState = "invalid_state",
    /// A filter the caller may not use.
    ForbiddenFilter = "forbidden_filter",
    /// A notification kind that does not exist.
    TooManyKinds = "too_many_kinds",
    /// A notification channel that does not exist.
    UnknownChannel = "unknown_channel",
    /// A phone number that does not parse.
    InvalidPhone = "invalid_phone",
    /// Quiet hours that are not two `HH:MM` times.
    InvalidQuietHours = "invalid_quiet_hours",
    /// A time zone that is not an IANA name.
    InvalidTimeZone = "invalid_time_zone",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::parse(&code))
    }
}

/// Body of every error response (HTTP 4xx/5xx).
///
/// `code` stays a string on the wire (and in this type) so a client keeps a code it does not know yet
/// (from a newer server) for its logs; [`ApiError::error_code`] reads it against the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine-readable code, a registry [`ErrorCode`].
    pub code: String,
    /// For `validation`: the rule that failed (a registry code, or the `code()` of a core error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Human-readable message, in French, shown to the user as it is.
    pub message: String,
}

impl ApiError {
    /// A body with the given code and message, no detail.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code.as_str().to_owned(),
            detail: None,
            message: message.into(),
        }
    }

    /// The registry code of `code` ([`ErrorCode::Unknown`] for a code this build does not know).
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::parse(&self.code)
    }

    /// The most precise code: the `detail` of a validation refusal when there is one, else `code`.
    pub fn most_precise_code(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_distinct_snake_case_and_reads_back() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} listed twice");
            assert!(
                !wire.is_empty() && wire.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{wire} is not snake_case"
            );
            assert_eq!(ErrorCode::parse(wire), *code);
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{wire}\""));
            let back: ErrorCode = serde_json::from_str(&json).unwrap_or(ErrorCode::Unknown);
            assert_eq!(back, *code);
        }
        assert!(!ErrorCode::ALL.contains(&ErrorCode::Unknown));
    }

    #[test]
    fn an_unknown_code_is_kept_as_text_and_reads_as_unknown() {
        let body: ApiError = serde_json::from_str(r#"{"code":"brand_new","message":"nouveau"}"#)
            .unwrap_or_else(|_| ApiError::new(ErrorCode::Internal, "illisible"));
        assert_eq!(body.code, "brand_new");
        assert_eq!(body.error_code(), ErrorCode::Unknown);
        assert_eq!(body.detail, None);
        assert_eq!(ErrorCode::parse("Validation"), ErrorCode::Unknown);
    }

    #[test]
    fn a_detail_travels_only_when_there_is_one() {
        let plain = ApiError::new(ErrorCode::NotFound, "introuvable");
        let json = serde_json::to_string(&plain).unwrap_or_default();
        assert!(!json.contains("detail"));
        let precise = ApiError {
            detail: Some("rpps_checksum".into()),
            ..ApiError::new(ErrorCode::Validation, "numéro RPPS invalide")
        };
        assert_eq!(precise.most_precise_code(), "rpps_checksum");
        assert_eq!(plain.most_precise_code(), "not_found");
    }
}
