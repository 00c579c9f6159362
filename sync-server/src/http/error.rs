//! The one error of the server's HTTP surface. Every handler returns [`AppError`]; it turns into an
//! HTTP status and a [`rempla_core::sync::protocol::ApiError`] body with a stable code, so devices can
//! react to the code and show the French message as it is.
//!
//! Areas keep their own error enums and implement [`Refuse`] for them (code and status beside the
//! variants); `?` then turns any of them into [`AppError::Refused`]. So this file, on the ground floor,
//! names no area: an area that adds refusals changes only its own files.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rempla_core::api::{ApiError, ErrorCode};

use crate::db::StorageError;

/// An area's refusal: a client mistake or a forbidden state, with the stable code sent on the wire
/// and the HTTP status. Implemented by each area's error enum, beside its variants.
pub trait Refuse: std::error::Error {
    /// The registry code of the wire body.
    fn code(&self) -> ErrorCode;
    /// The HTTP status of the answer.
    fn status(&self) -> StatusCode;
}

impl<E: Refuse> From<E> for AppError {
    fn from(e: E) -> Self {
        Self::Refused {
            code: e.code(),
            status: e.status(),
            message: e.to_string(),
        }
    }
}

/// Every way a request can fail, each with a stable snake_case [`AppError::code`]. Client mistakes are
/// 4xx; only storage and mail failures are 5xx.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A body that is not the JSON the endpoint expects (syntax, truncation, wrong types, unknown fields).
    #[error("corps JSON invalide : {0}")]
    MalformedJson(String),
    /// A body larger than `MAX_BODY_BYTES`.
    #[error("corps de requête trop volumineux")]
    BodyTooLarge,
    /// A protocol version this server does not speak.
    #[error("{0}")]
    UnsupportedProtocol(String),
    /// No or unknown bearer token.
    #[error("{0}")]
    Unauthorized(String),
    /// Wrong e-mail address or password at sign-in (the same answer for an unknown address, so the
    /// answer tells nothing about which accounts exist).
    #[error("e-mail ou mot de passe incorrect")]
    InvalidCredentials,
    /// A token revoked by logout or a lost-password declaration.
    #[error("jeton révoqué : reconnectez-vous")]
    TokenRevoked,
    /// A token past its lifetime.
    #[error("jeton expiré : reconnectez-vous")]
    TokenExpired,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The current terms (CGU) have not been accepted by this account.
    #[error("les conditions générales d'utilisation en vigueur doivent être acceptées")]
    TermsNotAccepted,
    /// Login refused until the e-mail address is confirmed.
    #[error("compte non activé : suivez le lien reçu par e-mail")]
    NotActivated,
    /// Nothing there (or nothing the caller may know about).
    #[error("introuvable")]
    NotFound,
    /// Too many requests from this address or account.
    #[error("trop de requêtes : réessayez dans un instant")]
    RateLimited,
    /// A value breaking a rule: `detail` names the rule (a registry code or a core error's code).
    #[error("{message}")]
    Validation {
        /// The rule that failed, sent as the body's `detail`.
        detail: &'static str,
        /// The French message.
        message: String,
    },
    /// The e-mail address or RPPS number is already registered.
    #[error("{0}")]
    Conflict(String),
    /// A record in a state that forbids the action (an expired proposal, a cancelled mission…): 409
    /// with the given stable code.
    #[error("{1}")]
    WrongState(ErrorCode, String),
    /// A feature that this deployment cannot serve yet (503 with the given stable code).
    #[error("{1}")]
    Unavailable(ErrorCode, String),
    /// A push batch with more ops than `MAX_PUSH_OPS`.
    #[error("lot de {0} opérations : 500 au plus")]
    BatchTooLarge(usize),
    /// An area refused the request with its own stable code and status (see [`Refuse`]).
    #[error("{message}")]
    Refused {
        /// The area's registry code.
        code: ErrorCode,
        /// The HTTP status the area chose.
        status: StatusCode,
        /// The French message.
        message: String,
    },
    /// The database failed.
    #[error("erreur de stockage : {0}")]
    Storage(#[from] StorageError),
    /// The mail could not be sent.
    #[error("envoi d'e-mail impossible : {0}")]
    Mail(String),
    /// A bug or a failed background task.
    #[error("erreur interne : {0}")]
    Internal(String),
}

impl AppError {
    /// The registry code sent in the body.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MalformedJson(_) => ErrorCode::MalformedJson,
            Self::BodyTooLarge => ErrorCode::BodyTooLarge,
            Self::UnsupportedProtocol(_) => ErrorCode::UnsupportedProtocol,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::TokenRevoked => ErrorCode::TokenRevoked,
            Self::TokenExpired => ErrorCode::TokenExpired,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::TermsNotAccepted => ErrorCode::TermsNotAccepted,
            Self::NotActivated => ErrorCode::AccountNotActivated,
            Self::NotFound => ErrorCode::NotFound,
            Self::RateLimited => ErrorCode::RateLimited,
            Self::Validation { .. } => ErrorCode::Validation,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::WrongState(code, _) | Self::Unavailable(code, _) | Self::Refused { code, .. } => {
                *code
            }
            Self::BatchTooLarge(_) => ErrorCode::BatchTooLarge,
            Self::Storage(StorageError::Busy) => ErrorCode::Unavailable,
            Self::Storage(_) => ErrorCode::Storage,
            Self::Mail(_) => ErrorCode::Mail,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_)
            | Self::UnsupportedProtocol(_)
            | Self::Validation { .. }
            | Self::BatchTooLarge(_) => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized(_)
            | Self::InvalidCredentials
            | Self::TokenRevoked
            | Self::TokenExpired => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::TermsNotAccepted | Self::NotActivated => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict(_) | Self::WrongState(..) => StatusCode::CONFLICT,
            Self::Refused { status, .. } => *status,
            Self::Storage(StorageError::Busy) | Self::Unavailable(..) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Storage(_) | Self::Mail(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The wire body. A server-side failure (storage, mail, internal) says so in plain French and
    /// nothing more: its detail (a database message, a path) goes to the log, never to the client.
    pub fn body(&self) -> ApiError {
        let message = match self {
            Self::Storage(StorageError::Busy) => self.to_string(),
            Self::Storage(_) => "erreur de stockage : réessayez dans un instant".to_owned(),
            Self::Mail(_) => "l'e-mail n'a pas pu être envoyé : réessayez plus tard".to_owned(),
            Self::Internal(_) => "erreur interne du serveur".to_owned(),
            _ => self.to_string(),
        };
        ApiError {
            code: self.code().as_str().to_owned(),
            detail: match self {
                Self::Validation { detail, .. } => Some((*detail).to_owned()),
                _ => None,
            },
            message,
        }
    }

    /// A value breaking one of the server's own checks (`detail` is the registry code).
    pub fn invalid(detail: ErrorCode, message: impl std::fmt::Display) -> Self {
        Self::Validation {
            detail: detail.as_str(),
            message: message.to_string(),
        }
    }

    /// A value refused by one of core's validators, which names the rule with its own stable code
    /// (the same code a device's offline check reports).
    pub fn domain(error: &impl DomainError) -> Self {
        Self::Validation {
            detail: error.code(),
            message: error.to_string(),
        }
    }
}

/// A core error with a stable code of its own (`rpps_checksum`, `garde_day_not_allowed`…): sent as the
/// `detail` of a `validation` refusal.
pub trait DomainError: std::fmt::Display {
    /// The error's stable snake_case code.
    fn code(&self) -> &'static str;
}

macro_rules! domain_errors {
    ($($ty:ty),+) => {$(
        impl DomainError for $ty {
            fn code(&self) -> &'static str {
                <$ty>::code(self)
            }
        }
    )+};
}

domain_errors!(
    rempla_core::domain::ValidationError,
    rempla_core::calendar::CalendarError,
    rempla_core::matching::MatchingError,
    rempla_core::sync::SyncError
);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::BodyTooLarge;
        }
        Self::MalformedJson(rejection.body_text())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code().as_str(), error = %self, "request failed");
        }
        (status, Json(self.body())).into_response()
    }
}
