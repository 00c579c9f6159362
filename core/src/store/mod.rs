//! The offline store on SQLite: the only module that touches the disk.
//!
//! One [`Store`] owns one SQLite connection, opened by the single initializer in `connection` (WAL,
//! `synchronous=FULL`, foreign keys, busy timeout) and brought to the latest schema by the versioned
//! migrations in `migrations`. Repositories are methods on [`Store`], one file per concern:
//!
//! - `calendar`: the doctor's availabilities, with the month-view range query;
//! - `busy`: busy periods imported from other calendars;
//! - `requests`: the cache of open replacement requests;
//! - `notifications`: the inbox;
//! - `outbox`: pending sync operations and the sync key/value state;
//! - `sync_apply`: what the sync client writes: pulled records rebased under pending ops, rolled-back
//!   rejections, conflicts kept for the user;
//! - `sync_session`: the signed-in session (server, token, account) in `sync_state`;
//! - `server_records`: read access to the server-made records devices only read (proposals, missions),
//!   kept as the sync client's shadow copies.
//!
//! Every local change writes the record **and** its [`OutboxOp`](crate::sync::OutboxOp) in one SQLite
//! transaction, so a change is never saved without being queued for the server, nor queued without being
//! saved. Errors are one flat public [`StoreError`]; SQLite errors are mapped internally and never exposed.

mod busy;
mod calendar;
mod connection;
mod migrations;
mod notifications;
mod outbox;
mod requests;
mod series;
mod server_records;
mod sync_apply;
mod sync_session;

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use busy::BusyImportSummary;
pub use migrations::LATEST_SCHEMA_VERSION;
pub use notifications::NotificationOrder;
pub use requests::BoundingBox;
pub use server_records::ServerRecord;
pub use sync_apply::{PushResolution, StoredConflict};
pub use sync_session::SyncSession;

use crate::domain::DeviceId;
use crate::sync::HlcClock;
use crate::sync::hlc::TimeSource;

/// The one error of the store API surface. Each variant has a stable [`StoreError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No record with this id.
    #[error("{entity} introuvable : {id}")]
    NotFound {
        /// Kind of record looked for.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A record with this id already exists (ids are created on the device, a retry must not duplicate).
    #[error("{entity} existe déjà : {id}")]
    AlreadyExists {
        /// Kind of record.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A booked availability cannot be moved or removed by a local edit (the server enforces it too), and
    /// only the server may book a slot.
    #[error("la disponibilité {id} est réservée par une mission et ne peut pas être modifiée ici")]
    AvailabilityBooked {
        /// The availability.
        id: String,
    },
    /// Input that the store cannot accept (e.g. a busy period of another doctor in an import).
    #[error("donnée refusée : {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// The database was written by a newer version of the app; opening it could corrupt it.
    #[error(
        "base de données en version {found}, cette version de l'app gère au plus la version {supported}"
    )]
    SchemaTooNew {
        /// Schema version found in the file.
        found: u32,
        /// Latest schema version this build knows.
        supported: u32,
    },
    /// One stored record cannot be decoded (damaged row, manual edit): reported, never a panic.
    #[error("enregistrement illisible dans {table} ({id}) : {reason}")]
    CorruptRecord {
        /// Table holding the row.
        table: &'static str,
        /// Row id.
        id: String,
        /// Decoding error.
        reason: String,
    },
    /// The database file itself is damaged or not a database.
    #[error("base de données endommagée : {reason}")]
    CorruptDatabase {
        /// SQLite's diagnosis.
        reason: String,
    },
    /// Another connection holds the database for longer than the busy timeout.
    #[error("base de données occupée, réessayez")]
    Busy,
    /// The device has no space left.
    #[error("espace de stockage insuffisant")]
    DiskFull,
    /// The file cannot be opened, read or written.
    #[error("erreur d'accès au fichier de la base : {reason}")]
    Io {
        /// SQLite's diagnosis.
        reason: String,
    },
    /// Any other database failure (a bug if it happens).
    #[error("erreur de la base de données : {reason}")]
    Database {
        /// SQLite's diagnosis.
        reason: String,
    },
}

impl StoreError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::AvailabilityBooked { .. } => "availability_booked",
            Self::InvalidInput { .. } => "invalid_input",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::CorruptRecord { .. } => "corrupt_record",
            Self::CorruptDatabase { .. } => "corrupt_database",
            Self::Busy => "database_busy",
            Self::DiskFull => "disk_full",
            Self::Io { .. } => "io",
            Self::Database { .. } => "database",
        }
    }

    /// Maps a SQLite error to the public error (kept internal so rusqlite never leaks into the API).
    fn from_sqlite(err: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match err {
            rusqlite::Error::SqliteFailure(e, _) => match e.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Self::Busy,
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Self::CorruptDatabase {
                    reason: err.to_string(),
                },
                ErrorCode::DiskFull => Self::DiskFull,
                ErrorCode::CannotOpen
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied => Self::Io {
                    reason: err.to_string(),
                },
                _ => Self::Database {
                    reason: err.to_string(),
                },
            },
            _ => Self::Database {
                reason: err.to_string(),
            },
        }
    }
}

/// Result of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Converts rusqlite results at the boundary of every repository function.
pub(crate) trait DbResultExt<T> {
    /// Maps the SQLite error, if any, to a [`StoreError`].
    fn db(self) -> Result<T>;
}

impl<T> DbResultExt<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(|e| StoreError::from_sqlite(&e))
    }
}

/// Decodes a JSON column; a damaged row is an error naming the row, never a panic.
pub(crate) fn decode<T: DeserializeOwned>(table: &'static str, id: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::CorruptRecord {
        table,
        id: id.to_owned(),
        reason: e.to_string(),
    })
}

/// Encodes a record to its JSON column.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database {
        reason: format!("encodage JSON : {e}"),
    })
}

/// Encodes a record to a JSON object, for outbox fields.
pub(crate) fn encode_object<T: Serialize>(
    value: &T,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Database {
            reason: "encodage JSON : objet attendu".to_owned(),
        }),
        Err(e) => Err(StoreError::Database {
            reason: format!("encodage JSON : {e}"),
        }),
    }
}

/// Instants are stored as integer milliseconds since the Unix epoch in indexed columns (the JSON column
/// keeps the exact value).
pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The offline store of one user on one device.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    clock: HlcClock,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it to the latest schema. Refuses a
    /// database written by a newer app version with [`StoreError::SchemaTooNew`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_connection(connection::open(Some(path.as_ref()))?)
    }

    /// A private in-memory store (tests, previews); same schema and rules as a file store.
    pub fn open_in_memory() -> Result<Self> {
        Self::from_connection(connection::open(None)?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self> {
        migrations::migrate(&mut conn)?;
        let clock = outbox::load_clock(&mut conn)?;
        Ok(Self { conn, clock })
    }

    /// This device's id, created on first open and kept in the database; it stamps every outbox op.
    pub fn device_id(&self) -> DeviceId {
        self.clock.device()
    }

    /// Replaces the wall clock used to stamp outbox ops (tests, simulations). Timestamps stay increasing.
    pub fn set_time_source(&mut self, time: TimeSource) {
        self.clock.set_time_source(time);
    }

    /// The schema version of the open database (always [`LATEST_SCHEMA_VERSION`] after open).
    pub fn schema_version(&self) -> Result<u32> {
        migrations::user_version(&self.conn)
    }

    /// Runs SQLite's full integrity check; [`StoreError::CorruptDatabase`] lists the problems found.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").db()?;
        let lines = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        if lines == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::CorruptDatabase {
                reason: lines.join("; "),
            })
        }
    }
}

/// Reads one optional text value (small helper shared by the repositories).
pub(crate) fn query_optional_text(
    conn: &Connection,
    sql: &str,
    param: &str,
) -> Result<Option<String>> {
    conn.query_row(sql, [param], |row| row.get::<_, String>(0))
        .optional()
        .db()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_distinct_snake_case() {
        let all = [
            StoreError::NotFound {
                entity: "availability",
                id: "x".into(),
            },
            StoreError::AlreadyExists {
                entity: "availability",
                id: "x".into(),
            },
            StoreError::AvailabilityBooked { id: "x".into() },
            StoreError::InvalidInput { reason: "x".into() },
            StoreError::SchemaTooNew {
                found: 9,
                supported: 3,
            },
            StoreError::CorruptRecord {
                table: "t",
                id: "x".into(),
                reason: "r".into(),
            },
            StoreError::CorruptDatabase { reason: "r".into() },
            StoreError::Busy,
            StoreError::DiskFull,
            StoreError::Io { reason: "r".into() },
            StoreError::Database { reason: "r".into() },
        ];
        let codes: std::collections::BTreeSet<&str> = all.iter().map(StoreError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        assert_eq!(all[2].code(), "availability_booked");
    }

    #[test]
    fn sqlite_errors_are_mapped_to_public_variants() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert_eq!(StoreError::from_sqlite(&busy), StoreError::Busy);
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert_eq!(StoreError::from_sqlite(&full).code(), "disk_full");
        assert_eq!(
            StoreError::from_sqlite(&rusqlite::Error::InvalidQuery).code(),
            "database"
        );
    }

    #[test]
    fn a_new_in_memory_store_is_at_the_latest_schema_and_intact() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
        store.check_integrity().unwrap();
        assert_eq!(store.pending_op_count().unwrap(), 0);
    }
}
