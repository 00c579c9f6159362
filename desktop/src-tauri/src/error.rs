//! The one error the UI receives: a stable `code` (for tests and the English switch) and a message in
//! plain French, written for a coordinator, not an engineer. Every lower error is mapped here.

use rempla_client::SyncClientError;
use rempla_core::calendar::CalendarError;
use rempla_store::StoreError;
use serde::Serialize;

/// An error shown to the user: stable `code`, plain-French `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct DesktopError {
    /// Stable snake_case code (`offline`, `bad_credentials`, `forbidden`…).
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

    /// Maps a sync client error met while signing in: a 401 there means a wrong e-mail or password.
    pub fn from_sign_in(e: SyncClientError) -> Self {
        match e {
            SyncClientError::Unauthorized => Self::new(
                "bad_credentials",
                "Adresse e-mail ou mot de passe incorrect.",
            ),
            other => Self::from(other),
        }
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
            SyncClientError::Unauthorized => Self::new(
                "session_expired",
                "Votre session a expiré : reconnectez-vous.",
            ),
            SyncClientError::TokenRevoked => Self::new(
                "session_revoked",
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
            SyncClientError::ServerRejected { code, message } => from_server_code(code, message),
            _ => Self::new(e.code(), e.to_string()),
        }
    }
}

/// The server's stable codes, in plain French.
fn from_server_code(code: &str, message: &str) -> DesktopError {
    let text = match code {
        "terms_not_accepted" => {
            "Vous devez accepter les conditions générales d'utilisation pour continuer.".to_owned()
        }
        "forbidden" => {
            "Vous n'avez pas les droits nécessaires pour cette action. Demandez-les à un \
                        administrateur de votre établissement."
                .to_owned()
        }
        "rate_limited" => {
            "Trop de tentatives : patientez une minute avant de réessayer.".to_owned()
        }
        "account_not_activated" => {
            "Votre compte n'est pas encore activé : suivez le lien reçu par e-mail.".to_owned()
        }
        "not_found" => "Élément introuvable : il a peut-être été supprimé.".to_owned(),
        "last_admin" => "Impossible : l'établissement doit garder au moins un administrateur. \
                         Nommez d'abord un autre administrateur."
            .to_owned(),
        "unknown_right" | "unknown_role" | "unknown_site" => {
            format!("Droits invalides : {message}")
        }
        "validation" => format!("Certaines informations sont invalides : {message}"),
        "conflict" => format!("Conflit : {message}"),
        _ => format!("Le serveur a refusé l'opération : {message}"),
    };
    DesktopError::new(code, text)
}

impl From<StoreError> for DesktopError {
    fn from(e: StoreError) -> Self {
        Self::new(
            "local_store",
            format!("Problème avec les données enregistrées sur cet ordinateur : {e}"),
        )
    }
}

impl From<CalendarError> for DesktopError {
    fn from(e: CalendarError) -> Self {
        // Calendar errors are already worded in French for users (« une garde de jour … »).
        Self::new("calendar", format!("Créneau impossible : {e}"))
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
    fn a_401_at_sign_in_is_a_wrong_password_elsewhere_an_expired_session() {
        assert_eq!(
            DesktopError::from_sign_in(SyncClientError::Unauthorized).code,
            "bad_credentials"
        );
        assert_eq!(
            DesktopError::from(SyncClientError::Unauthorized).code,
            "session_expired"
        );
    }

    #[test]
    fn server_codes_keep_their_code() {
        let e = DesktopError::from(SyncClientError::ServerRejected {
            code: "forbidden".into(),
            message: "x".into(),
        });
        assert_eq!(e.code, "forbidden");
        assert!(e.message.contains("droits"));
        let e = DesktopError::from(SyncClientError::ServerRejected {
            code: "last_admin".into(),
            message: "l'établissement doit garder au moins un administrateur".into(),
        });
        assert_eq!(e.code, "last_admin");
        assert!(
            e.message
                .starts_with("Impossible : l'établissement doit garder")
        );
    }
}
