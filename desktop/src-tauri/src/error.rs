//! The one error the UI receives: a stable `code` (for tests and the English switch) and a message in
//! plain French, written for a coordinator, not an engineer. Every lower error is mapped here.

use rempla_client::SyncClientError;
use rempla_client::session::SignInError;
use rempla_core::api::ErrorCode;
use rempla_core::calendar::CalendarError;
use rempla_store::StoreError;
use serde::Serialize;

/// An error shown to the user: stable `code`, plain-French `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct DesktopError {
    /// Stable snake_case code (`offline`, `invalid_credentials`, `forbidden`…: the server's codes unchanged).
    pub code: String,
    /// What happened and what to do, in French.
    pub message: String,
}

impl DesktopError {
    /// An error with the given code and message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The device is not signed in.
    pub fn not_signed_in() -> Self {
        Self::new("not_signed_in", "Connectez-vous d'abord.")
    }

    /// A form value the user can fix.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("validation", message)
    }

    /// Whether the server could not be reached (the UI shows the offline banner).
    pub fn is_offline(&self) -> bool {
        matches!(self.code.as_str(), "offline" | "server_unavailable")
    }
}

impl From<SyncClientError> for DesktopError {
    fn from(e: SyncClientError) -> Self {
        match &e {
            SyncClientError::Offline { .. } => Self::new(
                "offline",
                "Le serveur Rempla est injoignable. Vérifiez votre connexion : vos modifications sont \
                 gardées sur cet ordinateur et partiront dès le retour du réseau.",
            ),
            SyncClientError::ServerUnavailable { .. } => Self::new(
                "server_unavailable",
                "Le serveur Rempla est momentanément indisponible. Rien n'est perdu : réessayez dans \
                 quelques minutes.",
            ),
            SyncClientError::Unauthorized => {
                Self::new("unauthorized", "Votre session a expiré : reconnectez-vous.")
            }
            SyncClientError::TokenRevoked => Self::new(
                "token_revoked",
                "Votre session a été fermée (déconnexion depuis un autre appareil ou mot de passe \
                 changé) : reconnectez-vous.",
            ),
            SyncClientError::NotLoggedIn => Self::not_signed_in(),
            SyncClientError::InvalidServerUrl { .. } => Self::new(
                "invalid_server_url",
                "Adresse du serveur invalide : elle doit commencer par http:// ou https://.",
            ),
            SyncClientError::Protocol { .. } => Self::new(
                "protocol",
                "Le serveur a envoyé une réponse inattendue. Réessayez ; si cela continue, contactez \
                 le support Rempla.",
            ),
            SyncClientError::Store(inner) => Self::from(inner.clone()),
            SyncClientError::ServerRejected {
                code,
                detail,
                message,
            } => from_server_code(code, detail.as_deref(), message),
            _ => Self::new(e.code(), e.to_string()),
        }
    }
}

/// A server refusal in plain French, in one exhaustive `match` over the registry (adding a code to
/// `rempla_core::api::ErrorCode` does not compile until it is worded here). The code shown to the UI is
/// the server's, unchanged: the rule of a `validation` refusal when there is one, else the code.
fn from_server_code(code: &str, detail: Option<&str>, message: &str) -> DesktopError {
    use ErrorCode as C;
    let known = ErrorCode::parse(code);
    let text = match known {
        C::TermsNotAccepted => {
            "Vous devez accepter les conditions générales d'utilisation pour continuer.".to_owned()
        }
        C::Forbidden => {
            "Vous n'avez pas les droits nécessaires pour cette action. Demandez-les à un \
                         administrateur de votre établissement."
                .to_owned()
        }
        C::RateLimited => {
            "Trop de tentatives : patientez une minute avant de réessayer.".to_owned()
        }
        C::AccountNotActivated => {
            "Votre compte n'est pas encore activé : suivez le lien reçu par e-mail.".to_owned()
        }
        C::InvalidCredentials => "Adresse e-mail ou mot de passe incorrect.".to_owned(),
        C::Unauthorized | C::TokenExpired => {
            "Votre session a expiré : reconnectez-vous.".to_owned()
        }
        C::TokenRevoked => "Votre session a été fermée : reconnectez-vous.".to_owned(),
        C::NotFound => "Élément introuvable : il a peut-être été supprimé.".to_owned(),
        C::AdminOnly => "Seul un administrateur de l'établissement peut nommer ou modifier un \
                         administrateur, ou changer ses propres droits."
            .to_owned(),
        C::FacilityNotVerified => "Votre établissement n'est pas encore vérifié par l'équipe Rempla : \
                                   vous pourrez inviter vos collègues, publier des demandes et voir \
                                   les médecins dès sa validation."
            .to_owned(),
        C::TooManyFeeds => "Vous avez déjà 20 abonnements d'agenda : supprimez-en un avant d'en créer \
                            un autre."
            .to_owned(),
        C::AlreadyMember => "Cette personne est déjà membre de l'établissement.".to_owned(),
        C::SignInToAccept => "Cette adresse a déjà un compte Rempla : connectez-vous avec elle dans \
                              l'application, l'invitation vous y attend."
            .to_owned(),
        C::WrongAccountKind => "Un compte médecin ne peut pas rejoindre un établissement : \
                                demandez une invitation à une autre adresse."
            .to_owned(),
        C::LastAdmin => "Impossible : l'établissement doit garder au moins un administrateur. \
                         Nommez d'abord un autre administrateur."
            .to_owned(),
        C::UnknownRight | C::UnknownRole | C::UnknownSite | C::TooManyDelegations => {
            format!("Droits invalides : {message}")
        }
        C::Unavailable | C::Storage | C::Mail | C::Internal | C::DocumentCorrupt => format!(
            "Le serveur Rempla n'a pas pu terminer l'opération ({message}). Rien n'est perdu : \
             réessayez dans quelques minutes."
        ),
        C::UnsupportedProtocol => "Cette version de Rempla est trop ancienne pour ce serveur : \
                                   mettez l'application à jour."
            .to_owned(),
        C::Conflict => format!("Conflit : {message}"),
        // The record moved on: refresh, then decide again.
        C::RequestNotOpen
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
        | C::NameLocked
        | C::MissionsAhead
        | C::TariffRetroactive
        | C::SlotBooked
        | C::RecordDeleted
        | C::DuplicateOffer
        | C::ExportInProgress => format!("Impossible maintenant : {message}"),
        // The input: the user fixes the form.
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
        | C::InvalidTimeZone => format!("Certaines informations sont invalides : {message}"),
        C::Unknown => format!("Le serveur a refusé l'opération : {message}"),
    };
    DesktopError::new(detail.unwrap_or(code), text)
}

impl From<SignInError> for DesktopError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Client(e) => e.into(),
            SignInError::Store(e) => e.into(),
            e @ SignInError::TermsNotAccepted { .. } => {
                from_server_code(ErrorCode::TermsNotAccepted.as_str(), None, &e.to_string())
            }
        }
    }
}

impl From<StoreError> for DesktopError {
    fn from(e: StoreError) -> Self {
        Self::new(
            e.code(),
            format!("Problème avec les données enregistrées sur cet ordinateur : {e}"),
        )
    }
}

impl From<CalendarError> for DesktopError {
    fn from(e: CalendarError) -> Self {
        // Calendar errors are already worded in French for users (« une garde de jour … »); the code is
        // the calendar's own, as an offline check on the phones reports it.
        Self::new(e.code(), format!("Créneau impossible : {e}"))
    }
}

impl From<rempla_core::domain::RequestDraftError> for DesktopError {
    fn from(e: rempla_core::domain::RequestDraftError) -> Self {
        // The form's refusals are worded for the coordinator in core; the code is core's.
        Self::new(e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_failures_are_plain_french_and_flagged_offline() {
        let e = DesktopError::from(SyncClientError::Offline {
            reason: "connection refused".into(),
        });
        assert_eq!(e.code, "offline");
        assert!(e.is_offline());
        assert!(e.message.contains("injoignable"));
        assert!(!e.message.contains("connection refused"));
    }

    #[test]
    fn the_servers_codes_reach_the_ui_unchanged() {
        let wrong = DesktopError::from(SyncClientError::ServerRejected {
            code: "invalid_credentials".into(),
            detail: None,
            message: "e-mail ou mot de passe incorrect".into(),
        });
        assert_eq!(wrong.code, "invalid_credentials");
        assert!(wrong.message.contains("mot de passe incorrect"));
        assert_eq!(
            DesktopError::from(SyncClientError::Unauthorized).code,
            "unauthorized"
        );
        assert_eq!(
            DesktopError::from(SyncClientError::TokenRevoked).code,
            "token_revoked"
        );
        let rule = DesktopError::from(SyncClientError::ServerRejected {
            code: "validation".into(),
            detail: Some("too_long".into()),
            message: "motif trop long".into(),
        });
        assert_eq!(rule.code, "too_long");
        assert!(rule.message.contains("motif trop long"));
    }

    #[test]
    fn server_codes_keep_their_code() {
        let e = DesktopError::from(SyncClientError::ServerRejected {
            code: "forbidden".into(),
            detail: None,
            message: "x".into(),
        });
        assert_eq!(e.code, "forbidden");
        assert!(e.message.contains("droits"));
        let e = DesktopError::from(SyncClientError::ServerRejected {
            code: "last_admin".into(),
            detail: None,
            message: "l'établissement doit garder au moins un administrateur".into(),
        });
        assert_eq!(e.code, "last_admin");
        assert!(
            e.message
                .starts_with("Impossible : l'établissement doit garder")
        );
    }
}
