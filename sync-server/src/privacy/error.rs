//! [`PrivacyError`]: why a privacy action (closure, profile correction) is refused, with its stable
//! code and status.

use axum::http::StatusCode;
use rempla_core::api::ErrorCode;

/// Refusals of the privacy endpoints, each with a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrivacyError {
    /// The password re-check before closure failed.
    #[error("mot de passe incorrect")]
    WrongPassword,
    /// Closing would leave a facility without an administrator.
    #[error(
        "vous êtes le dernier administrateur d'un établissement : nommez-en un autre avant de fermer votre compte"
    )]
    LastAdmin,
    /// A doctor with confirmed or ongoing missions must cancel them first (the facility is told and the
    /// lateness recorded by the workflow), so a closure never silently leaves a shift uncovered.
    #[error("des missions confirmées sont à venir : annulez-les avant de fermer votre compte")]
    MissionsAhead,
    /// A verified doctor's names were checked against the identity document.
    #[error("nom vérifié sur pièce d'identité : contactez l'équipe Rempla pour le corriger")]
    NameLocked,
}

impl PrivacyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::WrongPassword => ErrorCode::WrongPassword,
            Self::LastAdmin => ErrorCode::LastAdmin,
            Self::NameLocked => ErrorCode::NameLocked,
            Self::MissionsAhead => ErrorCode::MissionsAhead,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::LastAdmin | Self::NameLocked | Self::MissionsAhead => StatusCode::CONFLICT,
        }
    }
}

impl crate::http::error::Refuse for PrivacyError {
    fn code(&self) -> ErrorCode {
        PrivacyError::code(self)
    }
    fn status(&self) -> StatusCode {
        PrivacyError::status(self)
    }
}
