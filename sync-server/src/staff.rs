//! What every staff decision shares (the doctors' and the facilities' verification queues): the
//! caller must be staff, and a rejection needs a reason the other party can act on.

use rempla_core::api::ErrorCode;
use rempla_core::api::staff::Decision;

use crate::auth::Caller;
use crate::http::error::AppError;

/// Refuses anyone but Rempla's staff.
pub fn staff_only(caller: &Caller) -> Result<(), AppError> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("réservé à l'équipe Rempla".into()))
    }
}

/// The reason of a decision, trimmed and kept to `max` characters; required to reject
/// (`reason_required`), optional to approve.
pub fn decision_reason(
    decision: Decision,
    reason: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().take(max).collect::<String>());
    if decision == Decision::Reject && reason.is_none() {
        return Err(AppError::invalid(
            ErrorCode::ReasonRequired,
            "un motif est obligatoire pour refuser",
        ));
    }
    Ok(reason)
}
