//! How a workflow action runs: its body returns `Result<T, Flow>`, so `?` works on a database failure
//! and on a [`Refusal`] alike; [`write_flow`] and [`read_flow`] hand it to `Storage::write_or` /
//! `Storage::read_or`, where a refusal rolls the transaction back, so a refused action leaves nothing.

use super::refusal::Refusal;
use crate::db::{Storage, StorageError, Tx};

/// Control flow inside a workflow transaction: a refusal (rolls back, answered 4xx) or a database
/// failure.
pub(crate) enum Flow {
    /// The action is refused.
    Refused(Refusal),
    /// The database failed.
    Db(StorageError),
}

impl From<StorageError> for Flow {
    fn from(e: StorageError) -> Self {
        Self::Db(e)
    }
}

impl From<Refusal> for Flow {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// What a workflow action answers: a refusal, or its value.
pub type Answer<T> = Result<Result<T, Refusal>, StorageError>;

/// Refuses the action (rolls its transaction back).
pub(crate) fn refused<T>(r: Refusal) -> Result<T, Flow> {
    Err(Flow::Refused(r))
}

/// A body's outcome in the shape `Storage::write_or` takes: the refusal inside, the database failure
/// outside.
fn split<T>(outcome: Result<T, Flow>) -> Answer<T> {
    match outcome {
        Ok(v) => Ok(Ok(v)),
        Err(Flow::Refused(r)) => Ok(Err(r)),
        Err(Flow::Db(e)) => Err(e),
    }
}

/// Runs `body` in a write transaction; a [`Flow::Refused`] rolls it back and comes out as the refusal.
pub(crate) async fn write_flow<T: Send + 'static>(
    storage: &Storage,
    body: impl FnOnce(&mut dyn Tx) -> Result<T, Flow> + Send + 'static,
) -> Answer<T> {
    storage.write_or(move |tx| split(body(tx))).await
}

/// Runs `body` in a read transaction, with refusals.
pub(crate) async fn read_flow<T: Send + 'static>(
    storage: &Storage,
    body: impl FnOnce(&mut dyn Tx) -> Result<T, Flow> + Send + 'static,
) -> Answer<T> {
    storage.read_or(move |tx| split(body(tx))).await
}
