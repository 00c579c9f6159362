//! [`Storage`], the async handle the HTTP layer holds: it runs each transaction on tokio's blocking pool,
//! so a slow disk never stalls the async workers. Areas add their queries in `impl Storage` blocks of
//! their own `queries.rs`; this file holds only what every area needs.

use std::sync::Arc;

use super::backend::{Backend, Tx, run, run_or};
use super::error::StorageError;
use super::value::int;

/// Counts of stored rows, for tests and the readiness probe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Synced records.
    pub records: i64,
    /// Recorded op outcomes.
    pub ops: i64,
    /// Accounts.
    pub accounts: i64,
}

/// The async storage API of the server, over one [`Backend`].
#[derive(Clone)]
pub struct Storage {
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("backend", &self.backend.name())
            .finish()
    }
}

impl Storage {
    /// Wraps a backend and creates the schema if needed.
    pub async fn open(
        backend: Arc<dyn Backend>,
        schema: &'static [&'static [&'static str]],
    ) -> Result<Self, StorageError> {
        let storage = Self { backend };
        storage
            .write(move |tx| {
                for statement in schema.iter().flat_map(|part| part.iter()) {
                    tx.execute(statement, &[])?;
                }
                Ok(())
            })
            .await?;
        Ok(storage)
    }

    /// The backend, for backup and change notifications.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    pub(crate) async fn write<T: Send + 'static>(
        &self,
        body: impl FnOnce(&mut dyn Tx) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || run(backend.as_ref(), true, body))
            .await
            .map_err(|_| StorageError::Task)?
    }

    pub(crate) async fn read<T: Send + 'static>(
        &self,
        body: impl FnOnce(&mut dyn Tx) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || run(backend.as_ref(), false, body))
            .await
            .map_err(|_| StorageError::Task)?
    }

    /// Runs `body` in a write transaction whose value may be an area's refusal (`Err(E)`): a refusal
    /// rolls the whole transaction back, so nothing half-written stays, and comes out as `Ok(Err(E))`;
    /// a database failure comes out as the outer error.
    pub(crate) async fn write_or<T: Send + 'static, E: Send + 'static>(
        &self,
        body: impl FnOnce(&mut dyn Tx) -> Result<Result<T, E>, StorageError> + Send + 'static,
    ) -> Result<Result<T, E>, StorageError> {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || run_or(backend.as_ref(), true, body))
            .await
            .map_err(|_| StorageError::Task)?
    }

    /// [`Storage::write_or`] in a read transaction (a refusal ends it early).
    pub(crate) async fn read_or<T: Send + 'static, E: Send + 'static>(
        &self,
        body: impl FnOnce(&mut dyn Tx) -> Result<Result<T, E>, StorageError> + Send + 'static,
    ) -> Result<Result<T, E>, StorageError> {
        let backend = Arc::clone(&self.backend);
        tokio::task::spawn_blocking(move || run_or(backend.as_ref(), false, body))
            .await
            .map_err(|_| StorageError::Task)?
    }

    /// Whether the database answers (readiness probe).
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.read(|tx| tx.query("SELECT 1", &[]).map(|_| ())).await
    }

    /// Row counts.
    pub async fn counts(&self) -> Result<Counts, StorageError> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM ops), \
                 (SELECT COUNT(*) FROM accounts)",
                &[],
            )?;
            let row = rows.first().ok_or(StorageError::Corrupt("count".into()))?;
            Ok(Counts {
                records: int(row, 0)?,
                ops: int(row, 1)?,
                accounts: int(row, 2)?,
            })
        })
        .await
    }
}
