//! The ONE connection initializer: every connection of the app is opened here, so every connection runs
//! with the same pragmas.
//!
//! - `journal_mode=WAL`: readers never block the writer (the UI reads while a sync writes), and a commit is
//!   one append to the WAL file, which is atomic with respect to a process kill.
//! - `synchronous=FULL`: in WAL mode, `NORMAL` already survives a *process* kill (the OS has the WAL pages),
//!   but a power loss or OS crash right after a commit may drop the last transactions. Phones die of flat
//!   batteries and get killed by the OS; an edit the doctor saw "saved" must survive both, so every commit
//!   fsyncs the WAL. The cost (one fsync per transaction) is measured by the insert benchmark.
//! - `foreign_keys=ON`: SQLite leaves them off by default.
//! - `busy_timeout`: a second connection (background sync) waits rather than failing immediately.
//! - write transactions are `BEGIN IMMEDIATE`: they take the write lock up front, so a read-then-write
//!   transaction waits for the busy timeout instead of failing with `SQLITE_BUSY` when another connection
//!   wrote in between.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{DbResultExt, Result, StoreError};

/// How long a connection waits for another one to release the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the database at `path` (or in memory) and applies the pragmas. Migrations run afterwards.
pub(crate) fn open(path: Option<&Path>) -> Result<Connection> {
    let mut conn = match path {
        Some(path) => {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            Connection::open_with_flags(path, flags).db()?
        }
        None => Connection::open_in_memory().db()?,
    };
    init(&conn, path.is_some())?;
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    Ok(conn)
}

fn init(conn: &Connection, on_disk: bool) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .db()?;
    if on_disk && !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Database {
            reason: format!("journal_mode WAL refusé (obtenu {mode})"),
        });
    }
    conn.pragma_update(None, "synchronous", "FULL").db()?;
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    conn.pragma_update(None, "temp_store", "MEMORY").db()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_connections_run_in_wal_with_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(Some(&dir.path().join("t.db"))).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(timeout, 5000);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.db");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        let err = open(Some(&path)).unwrap_err();
        assert_eq!(err.code(), "corrupt_database");
    }
}
