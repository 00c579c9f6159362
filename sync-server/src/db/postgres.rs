//! The PostgreSQL backend, for several server instances on one database.
//!
//! Client choice: the synchronous `postgres` crate (a thin blocking wrapper over `tokio-postgres`), used
//! from tokio's blocking pool like SQLite. This lets both backends run the *same* SQL through the same
//! synchronous [`Tx`] seam, so the sync rules and every query exist once; an async pool
//! (deadpool/sqlx) would have forced a second, async copy of all storage code for no gain: each call is a
//! short transaction and the blocking pool is sized for it. The pool here is a plain stack of clients.
//!
//! Ordering across instances: every write transaction first takes the transaction-scoped advisory lock
//! [`WRITE_LOCK`] (`pg_advisory_xact_lock`), held until COMMIT/ROLLBACK. The change-feed sequence is
//! incremented inside that critical section, so sequence numbers become visible in commit order: a
//! reader that sees change *n* has already been able to see every change below *n*, and a pull cursor
//! can never skip a change committed later with a smaller number. The same lock makes the
//! read-decide-write of a pushed op atomic across instances (no lost update on one record, no double
//! application of one op id). Cost: writes are serialised, as with SQLite; reads are not.
//!
//! Live updates across instances: each write does `pg_notify('rempla_changes', 'entity/id')`, delivered
//! at commit to every instance's listener connection, which reloads the record and feeds its SSE clients.

use std::collections::HashMap;
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use super::backend::{Backend, Tx, TxBody};
use super::error::StorageError;
use super::value::{Row, Val};

/// Key of the advisory lock that serialises writers (any constant shared by every instance).
pub const WRITE_LOCK: i64 = 0x5245_4d50_4c41; // "REMPLA"

/// Channel of the change notifications.
pub const CHANNEL: &str = "rempla_changes";

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Self::Int(i) => i.to_sql(ty, out),
            Self::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8 | Type::INT4 | Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME
        )
    }

    to_sql_checked!();
}

fn db_error(e: &postgres::Error) -> StorageError {
    if e.is_closed() {
        StorageError::Busy
    } else if let Some(db) = e.as_db_error() {
        StorageError::Database(format!("{}: {}", db.code().code(), db.message()))
    } else {
        StorageError::Database(e.to_string())
    }
}

fn params(values: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// Prepared statements of one connection, by SQL text: a statement is prepared once per connection
/// instead of once per call, halving the round trips of every query.
type StatementCache = HashMap<String, Statement>;

struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    cache: &'a mut StatementCache,
}

impl PgTx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, StorageError> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(|e| db_error(&e))?;
        if self.cache.len() > 500 {
            self.cache.clear();
        }
        self.cache.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Tx for PgTx<'_, '_> {
    fn execute(&mut self, sql: &str, values: &[Val]) -> Result<u64, StorageError> {
        let statement = self.statement(sql)?;
        self.tx
            .execute(&statement, &params(values))
            .map_err(|e| db_error(&e))
    }

    fn query(&mut self, sql: &str, values: &[Val]) -> Result<Vec<Row>, StorageError> {
        let statement = self.statement(sql)?;
        let rows = self
            .tx
            .query(&statement, &params(values))
            .map_err(|e| db_error(&e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let ty = column.type_();
                let value = if *ty == Type::INT8 {
                    row.try_get::<_, Option<i64>>(i)
                        .map(|v| v.map_or(Val::Null, Val::Int))
                } else if *ty == Type::INT4 {
                    row.try_get::<_, Option<i32>>(i)
                        .map(|v| v.map_or(Val::Null, |v| Val::Int(i64::from(v))))
                } else {
                    row.try_get::<_, Option<String>>(i)
                        .map(|v| v.map_or(Val::Null, Val::Text))
                };
                values.push(value.map_err(|e| StorageError::Corrupt(e.to_string()))?);
            }
            out.push(values);
        }
        Ok(out)
    }

    fn notify(&mut self, payload: &str) -> Result<(), StorageError> {
        self.tx
            .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
            .map(|_| ())
            .map_err(|e| db_error(&e))
    }
}

/// A PostgreSQL database shared by any number of server instances.
pub struct PostgresBackend {
    url: String,
    pool: Mutex<Vec<(Client, StatementCache)>>,
    listener: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend").finish_non_exhaustive()
    }
}

impl PostgresBackend {
    /// Connects once (to fail early on a wrong URL) and keeps the connection in the pool.
    pub fn connect(url: &str) -> Result<Self, StorageError> {
        let client = Client::connect(url, NoTls).map_err(|e| db_error(&e))?;
        Ok(Self {
            url: url.to_owned(),
            pool: Mutex::new(vec![(client, StatementCache::new())]),
            listener: Mutex::new(None),
        })
    }

    fn take(&self) -> Result<(Client, StatementCache), StorageError> {
        let pooled = self.pool.lock().map_err(|_| StorageError::Task)?.pop();
        match pooled {
            Some(c) if !c.0.is_closed() => Ok(c),
            _ => Client::connect(&self.url, NoTls)
                .map(|c| (c, StatementCache::new()))
                .map_err(|e| db_error(&e)),
        }
    }

    fn give_back(&self, client: (Client, StatementCache)) {
        if client.0.is_closed() {
            return;
        }
        if let Ok(mut pool) = self.pool.lock()
            && pool.len() < 16
        {
            pool.push(client);
        }
    }

    fn transaction(&self, write: bool, body: TxBody<'_>) -> Result<(), StorageError> {
        let (mut client, mut cache) = self.take()?;
        let result = (|| {
            let mut t = client.transaction().map_err(|e| db_error(&e))?;
            if write {
                t.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                    .map_err(|e| db_error(&e))?;
            } else {
                t.batch_execute("SET TRANSACTION READ ONLY")
                    .map_err(|e| db_error(&e))?;
            }
            body(&mut PgTx {
                tx: &mut t,
                cache: &mut cache,
            })?;
            t.commit().map_err(|e| db_error(&e))
        })();
        self.give_back((client, cache));
        result
    }
}

impl Drop for PostgresBackend {
    fn drop(&mut self) {
        // A blocking `postgres::Client` runs its own small runtime and must not be dropped on an async
        // worker thread (the last `Arc` may go away there): close the pooled clients on a plain thread.
        let clients = self.pool.get_mut().map(std::mem::take).unwrap_or_default();
        if !clients.is_empty() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(clients));
        }
    }
}

impl Backend for PostgresBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn write(&self, body: TxBody<'_>) -> Result<(), StorageError> {
        self.transaction(true, body)
    }

    fn read(&self, body: TxBody<'_>) -> Result<(), StorageError> {
        self.transaction(false, body)
    }

    fn backup(&self, _path: &std::path::Path) -> Result<(), StorageError> {
        Err(StorageError::Unsupported(
            "sauvegarde PostgreSQL : utilisez pg_dump --format=custom (voir README)",
        ))
    }

    fn listen(&self, sink: Box<dyn Fn(String) + Send + Sync>) -> Result<bool, StorageError> {
        let mut slot = self.listener.lock().map_err(|_| StorageError::Task)?;
        if slot.is_some() {
            return Ok(true);
        }
        let url = self.url.clone();
        let sink: Arc<dyn Fn(String) + Send + Sync> = Arc::from(sink);
        let handle = std::thread::Builder::new()
            .name("pg-listen".into())
            .spawn(move || {
                loop {
                    match Client::connect(&url, NoTls) {
                        Ok(mut client) => {
                            if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")) {
                                tracing::warn!(error = %e, "LISTEN failed");
                            } else {
                                let mut notifications = client.notifications();
                                let mut it = notifications.blocking_iter();
                                loop {
                                    match it.next() {
                                        Ok(Some(n)) => sink(n.payload().to_owned()),
                                        Ok(None) => break,
                                        Err(e) => {
                                            tracing::warn!(error = %e, "notification stream lost");
                                            break;
                                        }
                                    }
                                }
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "listener cannot connect"),
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
            .map_err(|e| StorageError::Database(e.to_string()))?;
        *slot = Some(handle);
        Ok(true)
    }
}
