//! Values shared with the sync protocol: the hybrid logical clock that orders every local change
//! ([`hlc`]), the outbox operation a device pushes to the server ([`op`]), the wire format of protocol v1
//! ([`protocol`]) and the merge rule the server applies ([`merge`]).
//!
//! The store writes an [`OutboxOp`] in the same SQLite transaction as the change it describes; this module
//! only defines the values, so the server can share them.

pub mod hlc;
pub mod merge;
pub mod op;
pub mod protocol;
pub mod rebase;

pub use hlc::{Hlc, HlcClock};
pub use op::{EntityKind, OpKind, OutboxOp};

/// The one error of the sync API surface. Each variant has a stable [`SyncError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Text that is not a hybrid logical clock timestamp.
    #[error("« {value} » n'est pas un horodatage HLC valide : {reason}")]
    InvalidHlc {
        /// The offending text, truncated.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A remote timestamp too far ahead of this device's wall clock: accepting it would drag every later
    /// local timestamp into the future.
    #[error("horloge distante en avance de {ahead_ms} ms (maximum toléré {max_drift_ms} ms)")]
    ClockDrift {
        /// How far ahead of the local physical time the remote timestamp is.
        ahead_ms: u64,
        /// The tolerated drift.
        max_drift_ms: u64,
    },
    /// A protocol version this build does not speak.
    #[error("version de protocole {requested} non prise en charge (versions {min} à {max})")]
    UnsupportedProtocol {
        /// Version asked for.
        requested: u16,
        /// Oldest supported.
        min: u16,
        /// Newest supported.
        max: u16,
    },
    /// Text that is not a known entity or operation kind.
    #[error("« {value} » n'est pas un type d'opération connu")]
    UnknownKind {
        /// The offending text, truncated.
        value: String,
    },
}

impl SyncError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidHlc { .. } => "invalid_hlc",
            Self::ClockDrift { .. } => "clock_drift",
            Self::UnknownKind { .. } => "unknown_op_kind",
            Self::UnsupportedProtocol { .. } => "unsupported_protocol",
        }
    }
}
