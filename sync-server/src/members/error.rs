//! [`MembersError`]: why a change to a facility's members is refused, with its stable code and
//! status.

use axum::http::StatusCode;
use rempla_core::api::ErrorCode;

/// Refusals of the members endpoints, each with a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MembersError {
    /// A role other than `admin`, `planner` or `viewer`.
    #[error("rôle inconnu « {0} » : admin, planner ou viewer")]
    UnknownRole(String),
    /// A right that does not exist.
    #[error("droit inconnu « {0} » : read, post_requests, propose, billing ou manage_members")]
    UnknownRight(String),
    /// A delegation limited to a site that is not one of this facility's.
    #[error("site inconnu dans cet établissement")]
    UnknownSite,
    /// More than [`MAX_DELEGATIONS`] delegations.
    #[error("trop de droits délégués (50 au plus)")]
    TooManyDelegations,
    /// A delegate (not an administrator) touching the administrator role, an administrator, or their
    /// own rights.
    #[error(
        "seul un administrateur peut nommer ou modifier un administrateur, ou changer ses propres droits"
    )]
    AdminOnly,
    /// The change would leave the facility without an administrator.
    #[error("l'établissement doit garder au moins un administrateur : nommez-en un autre d'abord")]
    LastAdmin,
}

impl MembersError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownRole(_) => ErrorCode::UnknownRole,
            Self::UnknownRight(_) => ErrorCode::UnknownRight,
            Self::UnknownSite => ErrorCode::UnknownSite,
            Self::TooManyDelegations => ErrorCode::TooManyDelegations,
            Self::LastAdmin => ErrorCode::LastAdmin,
            Self::AdminOnly => ErrorCode::AdminOnly,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::LastAdmin => StatusCode::CONFLICT,
            Self::AdminOnly => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl crate::http::error::Refuse for MembersError {
    fn code(&self) -> ErrorCode {
        MembersError::code(self)
    }
    fn status(&self) -> StatusCode {
        MembersError::status(self)
    }
}
