//! Storage: every table of the server behind one small SQL seam, so the two backends share one body of
//! queries and cannot drift apart.
//!
//! - [`Backend`] is the one trait a database implements: run a closure in a *write* transaction
//!   (serialised with every other writer, on every instance) or a *read* transaction, over a [`Tx`] that
//!   executes SQL with `$1`-style parameters and returns rows of [`Val`]. Two implementations:
//!   [`sqlite::SqliteBackend`] (default, embedded, WAL) and [`postgres::PostgresBackend`] (several
//!   server instances on one database).
//! - [`Storage`] (`handle.rs`) is the async API the HTTP layer uses. It runs each call on tokio's blocking pool, so a
//!   slow disk never stalls the async workers.
//!
//! Columns are only `TEXT` and `BIGINT` (booleans 0/1, times in Unix milliseconds, JSON as text), which
//! both databases treat alike; SQL is written once with `$n` placeholders.
//!
//! This is the floor every area stands on, so it knows no area: each area's tables are a `SCHEMA` part
//! listed in `crate::areas`, and each area's queries an `impl Storage` block in its own `queries.rs`.
//! Children import each other directly, never this file, so the facade below only hands names on.

pub mod backend;
pub mod error;
pub mod feed;
pub mod handle;
pub mod postgres;
pub mod schema;
pub mod sqlite;
pub mod value;

pub use backend::{Backend, Tx, TxBody};
pub use error::StorageError;
pub use feed::{Scope, StoredChange};
pub use handle::{Counts, Storage};
pub use value::{Row, Val};
pub(crate) use value::{int, json, opt_int, opt_text, text, to_json};
