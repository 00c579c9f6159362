//! The one error of the sync client surface; each variant has a stable [`SyncClientError::code`] that the
//! CLI prints and the FFI maps.

use rempla_core::api::{ApiError, ErrorCode};
use rempla_store::StoreError;

/// Why a sync call failed. Nothing is lost on any of them: pending ops stay in the outbox and the cursor
/// only moves after a page is fully applied, so the next round resumes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncClientError {
    /// The server could not be reached (no network, refused, timed out, cut) after every retry.
    #[error("serveur injoignable ({reason}) ; les modifications restent en attente")]
    Offline {
        /// Last transport failure seen.
        reason: String,
    },
    /// The server answered 5xx (or 429) to every retry.
    #[error("serveur indisponible (HTTP {status}) ; les modifications restent en attente")]
    ServerUnavailable {
        /// Last HTTP status.
        status: u16,
    },
    /// The token is missing, unknown or expired: log in again.
    #[error("session expirée ou invalide : reconnectez-vous")]
    Unauthorized,
    /// The token was revoked (logout elsewhere, lost password): log in again.
    #[error("session révoquée : reconnectez-vous")]
    TokenRevoked,
    /// The server refused the request with a stable code (`terms_not_accepted`, `forbidden`,
    /// `unsupported_protocol`, `validation`…).
    #[error("refusé par le serveur [{code}] : {message}")]
    ServerRejected {
        /// The server's stable code (a registry `ErrorCode`, kept as text so a code of a newer server
        /// survives).
        code: String,
        /// For `validation`: the rule that failed (`rpps_checksum`, `too_long`…).
        detail: Option<String>,
        /// The server's message, in French.
        message: String,
    },
    /// The server's answer does not follow the protocol (bad JSON, results not matching the batch, a
    /// pagination that does not advance).
    #[error("réponse du serveur non conforme au protocole : {reason}")]
    Protocol {
        /// What was wrong.
        reason: String,
    },
    /// This device is not signed in.
    #[error("cet appareil n'est pas connecté : lancez d'abord `rempla login`")]
    NotLoggedIn,
    /// The server address is not a usable http(s) URL.
    #[error("adresse de serveur invalide : {reason}")]
    InvalidServerUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncClientError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Offline { .. } => "offline",
            Self::ServerUnavailable { .. } => "server_unavailable",
            Self::Unauthorized => "unauthorized",
            Self::TokenRevoked => "token_revoked",
            Self::ServerRejected { .. } => "server_rejected",
            Self::Protocol { .. } => "protocol",
            Self::NotLoggedIn => "not_logged_in",
            Self::InvalidServerUrl { .. } => "invalid_server_url",
            Self::Store(_) => "store",
        }
    }

    /// A refusal as the server wrote it.
    pub fn rejected(body: ApiError) -> Self {
        Self::ServerRejected {
            code: body.code,
            detail: body.detail,
            message: body.message,
        }
    }

    /// The registry code of a refusal ([`ErrorCode::Unauthorized`] and [`ErrorCode::TokenRevoked`] for
    /// the two session losses); `None` for failures that are not the server's refusal (offline,
    /// protocol, local store…).
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Self::ServerRejected { code, .. } => Some(ErrorCode::parse(code)),
            Self::Unauthorized => Some(ErrorCode::Unauthorized),
            Self::TokenRevoked => Some(ErrorCode::TokenRevoked),
            _ => None,
        }
    }

    /// The most precise code: the rule of a `validation` refusal (`rpps_checksum`), else
    /// [`SyncClientError::server_code`].
    pub fn precise_code(&self) -> &str {
        match self {
            Self::ServerRejected {
                detail: Some(detail),
                ..
            } => detail,
            other => other.server_code(),
        }
    }

    /// The server's own code for a [`SyncClientError::ServerRejected`], else [`SyncClientError::code`].
    pub fn server_code(&self) -> &str {
        match self {
            Self::ServerRejected { code, .. } => code,
            other => other.code(),
        }
    }

    /// Whether trying again later may succeed without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Offline { .. } | Self::ServerUnavailable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let all = [
            SyncClientError::Offline { reason: "x".into() },
            SyncClientError::ServerUnavailable { status: 503 },
            SyncClientError::Unauthorized,
            SyncClientError::TokenRevoked,
            SyncClientError::ServerRejected {
                code: "forbidden".into(),
                detail: None,
                message: "m".into(),
            },
            SyncClientError::Protocol { reason: "r".into() },
            SyncClientError::NotLoggedIn,
            SyncClientError::InvalidServerUrl { reason: "r".into() },
            SyncClientError::Store(StoreError::Busy),
        ];
        let codes: std::collections::BTreeSet<&str> =
            all.iter().map(SyncClientError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(all[4].server_code(), "forbidden");
        assert!(all[0].is_transient() && !all[2].is_transient());
    }
}
