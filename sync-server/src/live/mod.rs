//! Live updates: the hub of committed changes ([`hub`]) and `GET /v1/events` ([`stream`]), a
//! Server-Sent Events stream of the changes in the caller's scopes.
//!
//! Every committed change goes into one broadcast channel per instance. With SQLite (one instance) the
//! push handler publishes after commit; with PostgreSQL every write also does `NOTIFY`, and each
//! instance's listener reloads the record and publishes it, so clients connected to any instance see
//! changes pushed through any other. Each subscriber filters with `authz::project`. A client that
//! falls behind gets an `event: resync` and pulls from its cursor, as after any reconnection.

pub mod hub;
pub mod stream;
