//! The [`Store`] handle and how it is opened: the single connection initializer, the migrations to the
//! latest schema, then this device's clock read back from the database.

use std::path::Path;

use rempla_core::domain::DeviceId;
use rempla_core::sync::HlcClock;
use rempla_core::sync::hlc::TimeSource;
use rusqlite::Connection;

use crate::connection::open as open_connection;
use crate::device::load_clock;
use crate::error::{DbResultExt, Result, StoreError};
use crate::migrations::{migrate, user_version};

/// The offline store of one user on one device.
#[derive(Debug)]
pub struct Store {
    /// The one SQLite connection (repositories run their SQL on it).
    pub(crate) conn: Connection,
    /// Stamps outbox ops; resumed from the database at open.
    pub(crate) clock: HlcClock,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it to the latest schema. Refuses a
    /// database written by a newer app version with [`StoreError::SchemaTooNew`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_connection(open_connection(Some(path.as_ref()))?)
    }

    /// A private in-memory store (tests, previews); same schema and rules as a file store.
    pub fn open_in_memory() -> Result<Self> {
        Self::from_connection(open_connection(None)?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self> {
        migrate(&mut conn)?;
        let clock = load_clock(&mut conn)?;
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

    /// The schema version of the open database (always [`LATEST_SCHEMA_VERSION`](crate::LATEST_SCHEMA_VERSION) after open).
    pub fn schema_version(&self) -> Result<u32> {
        user_version(&self.conn)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::LATEST_SCHEMA_VERSION;

    #[test]
    fn a_new_in_memory_store_is_at_the_latest_schema_and_intact() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
        store.check_integrity().unwrap();
        assert_eq!(store.pending_op_count().unwrap(), 0);
    }
}
