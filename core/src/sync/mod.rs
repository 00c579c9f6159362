//! Values shared with the sync protocol: the hybrid logical clock that orders every local change
//! ([`hlc`]), the outbox operation a device pushes to the server ([`op`]), the wire format of protocol v1
//! ([`protocol`]) and the merge rule the server applies ([`merge`]).
//!
//! The store writes an [`OutboxOp`] in the same SQLite transaction as the change it describes; this module
//! only defines the values, so the server can share them.

mod error;
pub mod hlc;
pub mod merge;
pub mod op;
pub mod protocol;
pub mod rebase;

pub use error::SyncError;
pub use hlc::{Hlc, HlcClock};
pub use op::{EntityKind, OpKind, OutboxOp};
