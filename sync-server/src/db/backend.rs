//! The one trait a database engine implements ([`Backend`]) and the transaction it hands to queries
//! ([`Tx`]): SQL with `$1`-style parameters in the common dialect of SQLite and PostgreSQL.

use super::error::StorageError;
use super::value::{Row, Val};

/// A transaction: SQL with `$1`, `$2`… placeholders, in the common dialect of both backends.
pub trait Tx {
    /// Runs a statement, returning the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StorageError>;
    /// Runs a query, returning every row.
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StorageError>;
    /// Announces a committed change to the other server instances (PostgreSQL `NOTIFY`, delivered at
    /// commit); a no-op where there is only one instance.
    fn notify(&mut self, _payload: &str) -> Result<(), StorageError> {
        Ok(())
    }
}

/// The body of a transaction.
pub type TxBody<'a> = &'a mut dyn FnMut(&mut dyn Tx) -> Result<(), StorageError>;

/// One database engine. Implementations must serialise write transactions (across every process using
/// the database), so the change sequence is assigned in commit order.
pub trait Backend: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// Runs `body` in a write transaction; commits when it returns `Ok`, rolls back otherwise.
    fn write(&self, body: TxBody<'_>) -> Result<(), StorageError>;
    /// Runs `body` in a read-only transaction.
    fn read(&self, body: TxBody<'_>) -> Result<(), StorageError>;
    /// Writes a consistent snapshot of the whole database to `path` while the server runs.
    fn backup(&self, path: &std::path::Path) -> Result<(), StorageError>;
    /// Starts forwarding changes committed by *other* instances to `sink` (keys `entity/id`); `false`
    /// when the backend has no other instances (SQLite), so the caller broadcasts locally instead.
    fn listen(&self, sink: Box<dyn Fn(String) + Send + Sync>) -> Result<bool, StorageError>;
}

/// Runs `body` in a write or read transaction of `backend` and hands its value out.
pub(crate) fn run<T>(
    backend: &dyn Backend,
    write: bool,
    body: impl FnOnce(&mut dyn Tx) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    let mut body = Some(body);
    let mut out = None;
    let mut f = |tx: &mut dyn Tx| {
        let b = body.take().ok_or(StorageError::Task)?;
        out = Some(b(tx)?);
        Ok(())
    };
    if write {
        backend.write(&mut f)?;
    } else {
        backend.read(&mut f)?;
    }
    out.ok_or(StorageError::Task)
}

/// Runs `body` like [`run`], where the body's value may be a refusal (`Err(E)`): a refusal rolls the
/// transaction back, so nothing the body wrote before refusing stays, and comes out as `Ok(Err(E))`.
pub(crate) fn run_or<T, E>(
    backend: &dyn Backend,
    write: bool,
    body: impl FnOnce(&mut dyn Tx) -> Result<Result<T, E>, StorageError>,
) -> Result<Result<T, E>, StorageError> {
    let mut body = Some(body);
    let mut out = None;
    let mut f = |tx: &mut dyn Tx| {
        let b = body.take().ok_or(StorageError::Task)?;
        let value = b(tx)?;
        let refused = value.is_err();
        out = Some(value);
        if refused {
            // Any error makes the backend roll back; the refusal itself waits in `out`.
            Err(StorageError::Refused)
        } else {
            Ok(())
        }
    };
    let done = if write {
        backend.write(&mut f)
    } else {
        backend.read(&mut f)
    };
    match (done, out) {
        (Ok(()), Some(value)) => Ok(value),
        (Err(_), Some(Err(refusal))) => Ok(Err(refusal)),
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(StorageError::Task),
    }
}
