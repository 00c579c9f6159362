//! `rempla-store`: the device's offline store on SQLite, the only crate of a device that touches the disk.
//!
//! One [`Store`] owns one SQLite connection, opened (`open`) by the single initializer in `connection` (WAL,
//! `synchronous=FULL`, foreign keys, busy timeout), brought to the latest schema by the versioned
//! migrations in `migrations`, and given back this device's id and clock (`device`). Repositories are
//! methods on [`Store`], one file per concern:
//!
//! - `calendar`: the doctor's availabilities, with the month-view range query;
//! - `busy`: busy periods imported from other calendars;
//! - `requests`: the cache of open replacement requests;
//! - `notifications`: the inbox;
//! - `outbox`: pending sync operations and the sync key/value state;
//! - `sync_apply`: what the sync client writes: pulled records rebased under pending ops, rolled-back
//!   rejections, conflicts kept for the user;
//! - `sync_session`: the signed-in session (server, token, account) in `sync_state`;
//! - [`settings`]: the typed device settings every front end shares;
//! - `server_records`: read access to the server-made records devices only read (proposals, missions),
//!   kept as the sync client's shadow copies.
//!
//! Every local change writes the record **and** its [`OutboxOp`](rempla_core::sync::OutboxOp) in one SQLite
//! transaction, so a change is never saved without being queued for the server, nor queued without being
//! saved. Errors are one flat public [`StoreError`] (`error`); SQLite errors are mapped internally and never
//! exposed. Column encodings (JSON, milliseconds) are in `codec`.
//!
//! This file only declares the modules and re-exports the public surface: no module imports it, and the
//! shared items (`error`, `codec`, the [`Store`] handle in `open`) sit in leaf modules, so there is no
//! import loop between the files.

mod busy;
mod calendar;
mod codec;
mod connection;
mod device;
mod error;
mod migrations;
mod notifications;
mod open;
mod outbox;
mod requests;
mod series;
mod server_records;
pub mod settings;
mod sync_apply;
mod sync_session;

pub use busy::BusyImportSummary;
pub use error::{Result, StoreError};
pub use migrations::LATEST_SCHEMA_VERSION;
pub use notifications::NotificationOrder;
pub use open::Store;
pub use requests::BoundingBox;
pub use server_records::ServerRecord;
pub use settings::{Setting, SettingValue};
pub use sync_apply::{PushResolution, StoredConflict};
pub use sync_session::SyncSession;
