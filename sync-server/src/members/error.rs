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
    /// The facility is not verified by staff yet: it invites nobody (its name would go out in an
    /// official e-mail unchecked).
    #[error(
        "votre établissement n'est pas encore vérifié par l'équipe Rempla : les invitations seront possibles après sa validation"
    )]
    FacilityNotVerified,
    /// The invited address belongs to a member of the facility already.
    #[error("cette personne est déjà membre de l'établissement")]
    AlreadyMember,
    /// An unknown, answered, withdrawn or lapsed invitation.
    #[error("invitation invalide, déjà utilisée, retirée ou expirée")]
    InvitationInvalid,
    /// The address has a facility account: it accepts from the app, signed in.
    #[error(
        "cette adresse a déjà un compte Rempla : connectez-vous avec elle, l'invitation vous attend dans l'application"
    )]
    SignInToAccept,
    /// A doctor's account cannot join a facility.
    #[error(
        "cette adresse est celle d'un compte médecin : un établissement invite une autre adresse"
    )]
    WrongAccountKind,
    /// The address's account was closed (closure is irreversible).
    #[error("le compte de cette adresse a été fermé")]
    AccountClosed,
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
            Self::FacilityNotVerified => ErrorCode::FacilityNotVerified,
            Self::AlreadyMember => ErrorCode::AlreadyMember,
            Self::InvitationInvalid => ErrorCode::InvalidToken,
            Self::SignInToAccept => ErrorCode::SignInToAccept,
            Self::WrongAccountKind => ErrorCode::WrongAccountKind,
            Self::AccountClosed => ErrorCode::Forbidden,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::LastAdmin | Self::AlreadyMember | Self::SignInToAccept => StatusCode::CONFLICT,
            Self::AdminOnly
            | Self::FacilityNotVerified
            | Self::WrongAccountKind
            | Self::AccountClosed => StatusCode::FORBIDDEN,
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
