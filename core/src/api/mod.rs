//! The HTTP API's wire contract, shared by the server and every client so each body has one definition:
//! [`error`] holds the registry of error codes and the error body; [`accounts`] the accounts endpoints'
//! bodies (`GET /v1/me`, a facility and its sites, closing an account included); [`workflow`] the workflow's requests and [`missions`] its answers (proposals, missions, a
//! mission's contacts, the contract); [`matching`] the ranked candidates of a request; [`documents`] the
//! vault; [`staff`] the doctors' and facilities' verification queues and decisions; [`billing`] tariffs, invoices and statements;
//! [`members`] a facility's members and rights; [`feeds`] the calendar feeds (subscription addresses); [`notify`] push targets, preferences, the inbox,
//! deliveries and SMS credits. Sync's push and pull bodies live beside the sync values
//! (`crate::sync::protocol`). Requests refuse unknown fields; answers accept them.

pub mod accounts;
pub mod billing;
pub mod documents;
pub mod error;
pub mod feeds;
pub mod matching;
pub mod members;
pub mod missions;
pub mod notify;
pub mod staff;
pub mod workflow;

pub use error::{ApiError, ErrorCode};
