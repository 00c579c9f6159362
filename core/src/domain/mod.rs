//! The records of the product and the validators of the French identifiers they carry.
//!
//! Types here are plain serde values shared by the offline store, the sync protocol, the server and the
//! FFI. Validation happens once, at construction (`parse`/`new`), so a value of these types is valid.

pub mod availability;
pub mod busy;
pub mod ids;
pub mod notification;
pub mod request;

pub use availability::{Availability, AvailabilityStatus};
pub use busy::BusyPeriod;
pub use ids::*;
pub use notification::Notification;
pub use request::{GeoPoint, Request, RequestShift, RequestStatus, Requirements};

/// The one error of the domain API surface (identifiers and validators). Each variant has a stable
/// [`ValidationError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// Not a UUID.
    #[error("« {value} » n'est pas un identifiant valide (UUID attendu)")]
    InvalidId {
        /// The offending text, truncated.
        value: String,
    },
}

impl ValidationError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId { .. } => "invalid_id",
        }
    }
}
