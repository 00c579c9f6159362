//! [`Refusal`]: why a workflow action is refused, checked before anything is written, and its mapping
//! onto the HTTP error.

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
    Invalid(&'static str, String),
    /// A record in a state that does not allow the action (stable code, French message).
    #[error("{1}")]
    State(&'static str, String),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => Self::NotFound,
            Refusal::Forbidden(m) => Self::Forbidden(m),
            Refusal::Invalid(code, m) => Self::validation(code, m),
            Refusal::State(code, m) => Self::WrongState(code, m),
        }
    }
}

/// Shorthand for a state refusal.
pub(crate) fn state(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::State(code, message.into())
}
