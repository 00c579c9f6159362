//! The SQLite backend: one embedded file in WAL mode, the default. One writer connection behind a mutex
//! (SQLite has one writer anyway; `BEGIN IMMEDIATE` also serialises against other processes such as
//! `rempla-server backup`), and a small pool of reader connections that WAL lets run alongside it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};

use super::backend::{Backend, Tx, TxBody};
use super::error::StorageError;
use super::value::{Row, Val};

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Self::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Self::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn db_error(e: &rusqlite::Error) -> StorageError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StorageError::Busy
        }
        _ => StorageError::Database(e.to_string()),
    }
}

struct SqliteTx<'a>(&'a Connection);

impl Tx for SqliteTx<'_> {
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StorageError> {
        let mut statement = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(|e| db_error(&e))?;
        let n = statement
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| db_error(&e))?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StorageError> {
        let mut statement = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(|e| db_error(&e))?;
        let width = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| db_error(&e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| db_error(&e))? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(|e| db_error(&e))? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    other => {
                        return Err(StorageError::Corrupt(format!(
                            "type SQLite inattendu {:?}",
                            other.data_type()
                        )));
                    }
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}

/// The embedded SQLite database of one server.
pub struct SqliteBackend {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn open_connection(path: &Path) -> Result<Connection, StorageError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| db_error(&e))?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| db_error(&e))?;
    // WAL: readers never block the writer. FULL sync: a push acknowledged to a device survives a power
    // cut, since the device deletes the op from its outbox on that acknowledgement.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| db_error(&e))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| db_error(&e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| db_error(&e))?;
    Ok(conn)
}

impl SqliteBackend {
    /// Opens (or creates) the database file.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let path = path.into();
        let writer = open_connection(&path)?;
        Ok(Self {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn in_transaction(conn: &Connection, begin: &str, body: TxBody<'_>) -> Result<(), StorageError> {
    conn.execute_batch(begin).map_err(|e| db_error(&e))?;
    let result = body(&mut SqliteTx(conn));
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            db_error(&e)
        }),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn write(&self, body: TxBody<'_>) -> Result<(), StorageError> {
        let conn = self.writer.lock().map_err(|_| StorageError::Task)?;
        in_transaction(&conn, "BEGIN IMMEDIATE", body)
    }

    fn read(&self, body: TxBody<'_>) -> Result<(), StorageError> {
        let pooled = self.readers.lock().map_err(|_| StorageError::Task)?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = in_transaction(&conn, "BEGIN", body);
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < 8
        {
            pool.push(conn);
        }
        result
    }

    fn backup(&self, path: &Path) -> Result<(), StorageError> {
        let target = path
            .to_str()
            .ok_or(StorageError::Database("chemin non UTF-8".into()))?
            .replace('\'', "''");
        let conn = open_connection(&self.path)?;
        // VACUUM INTO writes a consistent, compacted copy from one read transaction while writers go on.
        conn.execute_batch(&format!("VACUUM INTO '{target}'"))
            .map_err(|e| db_error(&e))
    }

    fn listen(&self, _sink: Box<dyn Fn(String) + Send + Sync>) -> Result<bool, StorageError> {
        Ok(false)
    }
}

/// Converts `$1`-style placeholders to SQLite's `?1`. SQL here never holds a `$` in a literal.
fn sqlite_placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}
