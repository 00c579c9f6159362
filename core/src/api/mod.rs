//! The HTTP API's wire contract, shared by the server and every client so each body has one definition:
//! [`error`] holds the registry of error codes and the error body, [`accounts`] the accounts endpoints'
//! bodies, [`workflow`] the workflow's request bodies, [`notify`] the push-target body. Sync's push and pull bodies live beside the sync values (`crate::sync::protocol`).

pub mod accounts;
pub mod billing;
pub mod documents;
pub mod error;
pub mod matching;
pub mod members;
pub mod missions;
pub mod notify;
pub mod staff;
pub mod workflow;

pub use error::{ApiError, ErrorCode};
