//! Sync protocol v1 on the server: `POST /v1/sync/push` and `POST /v1/sync/pull`
//! (see `docs/sync-protocol.md`). Decoding and validation of a push body is the pure function
//! [`decode_push`] (fuzzed); per-op rules are in [`rules`]; storage applies each op in one transaction.
//!
//! - [`rules`]: the pure decision for one op (`decide`), over a `Lookup` port.
//! - [`push`]: applying ops in write transactions (`impl Storage`).
//! - [`http`]: the endpoints and [`http::routes`].

pub mod http;
pub mod push;
pub mod rules;

pub use http::{decode_cursor, decode_pull, decode_push, encode_cursor};
