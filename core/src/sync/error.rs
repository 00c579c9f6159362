//! [`SyncError`], the one error of the sync API surface, in a leaf file: the sync modules import it from
//! here, not from `sync/mod.rs`, which re-exports them (that would be an import loop, see
//! `scripts/check-imports.py`).

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
