//! [`Refusal`]: why a workflow action is refused, checked before anything is written, and its mapping
//! onto the HTTP error.

use rempla_core::api::ErrorCode;

use crate::http::error::AppError;

/// Why a workflow action is refused: checked before anything is written, so a refusal never leaves
/// half a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing there, or nothing the caller may know about (forged or foreign ids).
    #[error("introuvable")]
    NotFound,
    /// The caller is a party but lacks the right for this action.
    #[error("{0}")]
    Forbidden(String),
    /// A malformed value (stable code, French message).
    #[error("{1}")]
    Invalid(ErrorCode, String),
    /// A record in a state that does not allow the action (stable code, French message).
    #[error("{1}")]
    State(ErrorCode, String),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => Self::NotFound,
            Refusal::Forbidden(m) => Self::Forbidden(m),
            Refusal::Invalid(code, m) => Self::invalid(code, m),
            Refusal::State(code, m) => Self::WrongState(code, m),
        }
    }
}

/// Shorthand for a state refusal.
pub(crate) fn state(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal::State(code, message.into())
}
