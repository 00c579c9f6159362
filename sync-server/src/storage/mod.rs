//! Storage: every table of the server behind one small SQL seam, so the two backends share one body of
//! queries and cannot drift apart.
//!
//! - [`Backend`] is the one trait a database implements: run a closure in a *write* transaction
//!   (serialised with every other writer, on every instance) or a *read* transaction, over a [`Tx`] that
//!   executes SQL with `$1`-style parameters and returns rows of [`Val`]. Two implementations:
//!   [`sqlite::SqliteBackend`] (default, embedded, WAL) and [`postgres::PostgresBackend`] (several
//!   server instances on one database).
//! - [`Storage`] is the async API the HTTP layer uses. It runs each call on tokio's blocking pool, so a
//!   slow disk never stalls the async workers.
//!
//! Columns are only `TEXT` and `BIGINT` (booleans 0/1, times in Unix milliseconds, JSON as text), which
//! both databases treat alike; SQL is written once with `$n` placeholders.

pub mod feed;
pub mod postgres;
pub mod schema;
pub mod sqlite;

use std::fmt::Write as _;
use std::sync::Arc;

use rempla_core::sync::merge::MergeState;
use rempla_core::sync::protocol::{OpOutcome, OpResult};
use rempla_core::sync::{EntityKind, OutboxOp};
use serde_json::Value;

use crate::sync::rules::{self, Lookup, PushContext, Stored};

/// One SQL value: the only three kinds the schema uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// A `BIGINT`.
    Int(i64),
    /// A `TEXT`.
    Text(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Self::Int(i64::from(b))
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(o: Option<T>) -> Self {
        o.map_or(Self::Null, Into::into)
    }
}

/// One result row.
pub type Row = Vec<Val>;

/// The one error of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The database refused or failed a statement.
    #[error("base de données : {0}")]
    Database(String),
    /// The database is overloaded or unreachable for now.
    #[error("base de données momentanément indisponible")]
    Busy,
    /// A stored value that does not read back (a bug or a damaged file).
    #[error("donnée stockée illisible : {0}")]
    Corrupt(String),
    /// A unique key already taken (e-mail, RPPS).
    #[error("déjà enregistré : {0}")]
    Duplicate(String),
    /// The blocking task panicked or was cancelled.
    #[error("tâche de stockage interrompue")]
    Task,
    /// An operation the backend does not offer (e.g. `VACUUM INTO` on PostgreSQL).
    #[error("opération non prise en charge par ce moteur : {0}")]
    Unsupported(&'static str),
}

impl StorageError {
    /// Stable code, for logs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Database(_) => "database",
            Self::Busy => "busy",
            Self::Corrupt(_) => "corrupt",
            Self::Duplicate(_) => "duplicate",
            Self::Task => "task",
            Self::Unsupported(_) => "unsupported",
        }
    }
}

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

fn run<T>(
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

/// What kind of user an account is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A replacement doctor.
    Doctor,
    /// A member of one or more facilities.
    Facility,
    /// Platform staff (back office).
    Staff,
}

impl AccountKind {
    /// Stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Doctor => "doctor",
            Self::Facility => "facility",
            Self::Staff => "staff",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "doctor" => Ok(Self::Doctor),
            "facility" => Ok(Self::Facility),
            "staff" => Ok(Self::Staff),
            _ => Err(StorageError::Corrupt(format!("account kind {s}"))),
        }
    }
}

/// One login account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Account id (UUID text).
    pub id: String,
    /// Login e-mail, lowercased.
    pub email: String,
    /// argon2id PHC string; `None` until an invited member chooses one.
    pub password_hash: Option<String>,
    /// Kind of user.
    pub kind: AccountKind,
    /// The doctor profile of a doctor account.
    pub doctor_id: Option<String>,
    /// Name used in e-mails.
    pub display_name: String,
    /// Whether the e-mail address was confirmed.
    pub activated: bool,
    /// Creation time, Unix ms.
    pub created_ms: i64,
}

/// A stored device token (found by the SHA-256 of the bearer token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    /// Owning account.
    pub account_id: String,
    /// The device the token was issued to.
    pub device_id: String,
    /// Expiry, Unix ms.
    pub expires_ms: i64,
    /// Revocation time, if revoked.
    pub revoked_ms: Option<i64>,
}

/// A new device token.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// SHA-256 (hex) of the bearer token.
    pub hash: String,
    /// Owning account.
    pub account_id: String,
    /// Device id.
    pub device_id: String,
    /// Device name, for "my devices".
    pub device_name: String,
    /// Platform (android, ios, desktop, cli).
    pub platform: String,
    /// Issue time, Unix ms.
    pub created_ms: i64,
    /// Expiry, Unix ms.
    pub expires_ms: i64,
}

/// A stored doctor profile.
#[derive(Clone, Debug, PartialEq)]
pub struct DoctorRow {
    /// Owning account.
    pub account_id: String,
    /// The `Doctor` record as JSON (status included).
    pub record: Value,
}

/// A membership of an account, with the member record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// The `Member` record.
    pub member: rempla_core::domain::Member,
    /// Facility legal name.
    pub facility_name: String,
}

/// Which changes a caller may pull: the scope filter of the change feed (see `authz`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The caller's account (notification read marks).
    pub account_id: String,
    /// The caller's doctor profile: availabilities and busy periods.
    pub doctor_id: Option<String>,
    /// Whether every facility's requests are visible (verified doctors, staff).
    pub all_requests: bool,
    /// Facilities whose requests are visible (their members).
    pub facilities: Vec<String>,
}

/// One row of the change feed, before projection for the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChange {
    /// Position in the feed.
    pub seq: i64,
    /// Kind of record.
    pub entity: EntityKind,
    /// Record id.
    pub id: String,
    /// Owning doctor, if any.
    pub doctor_id: Option<String>,
    /// Owning facility, if any.
    pub facility_id: Option<String>,
    /// Owning account, if any.
    pub account_id: Option<String>,
    /// The merged state.
    pub state: MergeState,
    /// Newest clock merged.
    pub hlc: String,
}

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

pub(crate) fn text(row: &Row, i: usize) -> Result<String, StorageError> {
    match row.get(i) {
        Some(Val::Text(s)) => Ok(s.clone()),
        other => Err(StorageError::Corrupt(format!(
            "colonne {i} : texte attendu, {other:?}"
        ))),
    }
}

pub(crate) fn opt_text(row: &Row, i: usize) -> Result<Option<String>, StorageError> {
    match row.get(i) {
        Some(Val::Null) => Ok(None),
        _ => text(row, i).map(Some),
    }
}

pub(crate) fn int(row: &Row, i: usize) -> Result<i64, StorageError> {
    match row.get(i) {
        Some(Val::Int(v)) => Ok(*v),
        other => Err(StorageError::Corrupt(format!(
            "colonne {i} : entier attendu, {other:?}"
        ))),
    }
}

pub(crate) fn opt_int(row: &Row, i: usize) -> Result<Option<i64>, StorageError> {
    match row.get(i) {
        Some(Val::Null) => Ok(None),
        _ => int(row, i).map(Some),
    }
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &Row, i: usize) -> Result<T, StorageError> {
    serde_json::from_str(&text(row, i)?).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

const ACCOUNT_COLUMNS: &str =
    "id, email, password_hash, kind, doctor_id, display_name, activated, created_ms";

fn account_from(row: &Row) -> Result<Account, StorageError> {
    Ok(Account {
        id: text(row, 0)?,
        email: text(row, 1)?,
        password_hash: opt_text(row, 2)?,
        kind: AccountKind::parse(&text(row, 3)?)?,
        doctor_id: opt_text(row, 4)?,
        display_name: text(row, 5)?,
        activated: int(row, 6)? != 0,
        created_ms: int(row, 7)?,
    })
}

fn insert_account(tx: &mut dyn Tx, a: &Account) -> Result<(), StorageError> {
    let taken = tx.query(
        "SELECT 1 FROM accounts WHERE email = $1",
        &[(&a.email).into()],
    )?;
    if !taken.is_empty() {
        return Err(StorageError::Duplicate("email".into()));
    }
    tx.execute(
        &format!(
            "INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ),
        &[
            (&a.id).into(),
            (&a.email).into(),
            a.password_hash.clone().into(),
            a.kind.as_str().into(),
            a.doctor_id.clone().into(),
            (&a.display_name).into(),
            a.activated.into(),
            a.created_ms.into(),
        ],
    )?;
    Ok(())
}

fn insert_member(
    tx: &mut dyn Tx,
    account_id: &str,
    m: &rempla_core::domain::Member,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO members (id, facility_id, account_id, record) VALUES ($1, $2, $3, $4)",
        &[
            m.id.to_string().into(),
            m.facility_id.to_string().into(),
            account_id.into(),
            to_json(m)?.into(),
        ],
    )?;
    Ok(())
}

/// Reads the fields the sync rules need from other tables, inside the op's transaction.
struct TxLookup<'a>(&'a mut dyn Tx);

impl Lookup for TxLookup<'_> {
    fn site_facility(&mut self, site_id: &str) -> Result<Option<String>, StorageError> {
        let rows = self.0.query(
            "SELECT facility_id FROM sites WHERE id = $1",
            &[site_id.into()],
        )?;
        rows.first().map(|r| text(r, 0)).transpose()
    }

    fn live_availabilities(
        &mut self,
        doctor_id: &str,
        except_id: &str,
    ) -> Result<Vec<serde_json::Map<String, Value>>, StorageError> {
        let rows = self.0.query(
            "SELECT id, state FROM records WHERE entity = 'availability' AND doctor_id = $1 AND id <> $2",
            &[doctor_id.into(), except_id.into()],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let state: MergeState = json(r, 1)?;
            if state.is_live() {
                let mut fields = state.fields;
                fields
                    .entry("id")
                    .or_insert_with(|| Value::String(text(r, 0).unwrap_or_default()));
                out.push(fields);
            }
        }
        Ok(out)
    }
}

fn change_from(row: &Row) -> Result<StoredChange, StorageError> {
    let entity: EntityKind = text(row, 1)?
        .parse()
        .map_err(|e: rempla_core::sync::SyncError| StorageError::Corrupt(e.to_string()))?;
    Ok(StoredChange {
        seq: int(row, 0)?,
        entity,
        id: text(row, 2)?,
        doctor_id: opt_text(row, 3)?,
        facility_id: opt_text(row, 4)?,
        account_id: opt_text(row, 5)?,
        state: json(row, 6)?,
        hlc: text(row, 7)?,
    })
}

const CHANGE_COLUMNS: &str = "seq, entity, id, doctor_id, facility_id, account_id, state, hlc";

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
    pub async fn open(backend: Arc<dyn Backend>) -> Result<Self, StorageError> {
        let storage = Self { backend };
        storage
            .write(|tx| {
                for statement in schema::PARTS.iter().flat_map(|part| part.iter()) {
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

    /// Creates a doctor account with its profile. `Duplicate` when the e-mail or RPPS is taken.
    pub async fn create_doctor(
        &self,
        account: Account,
        doctor: rempla_core::domain::Doctor,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            insert_account(tx, &account)?;
            let rpps = doctor.rpps.to_string();
            if !tx
                .query("SELECT 1 FROM doctors WHERE rpps = $1", &[(&rpps).into()])?
                .is_empty()
            {
                return Err(StorageError::Duplicate("rpps".into()));
            }
            tx.execute(
                "INSERT INTO doctors (id, account_id, rpps, status, record) VALUES ($1, $2, $3, $4, $5)",
                &[
                    doctor.id.to_string().into(),
                    (&account.id).into(),
                    rpps.into(),
                    doctor.status.as_str().into(),
                    to_json(&doctor)?.into(),
                ],
            )?;
            crate::matching::store::doctor_changed_tx(tx, &doctor.id.to_string())
        })
        .await
    }

    /// Creates a facility with its first (admin) member account.
    pub async fn create_facility(
        &self,
        account: Account,
        facility: rempla_core::domain::Facility,
        member: rempla_core::domain::Member,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            insert_account(tx, &account)?;
            tx.execute(
                "INSERT INTO facilities (id, record) VALUES ($1, $2)",
                &[facility.id.to_string().into(), to_json(&facility)?.into()],
            )?;
            insert_member(tx, &account.id, &member)
        })
        .await
    }

    /// Creates an account for an invited member (no password yet), or adds the membership to the
    /// existing facility account of that e-mail, writing `audit` (when given) in the same transaction.
    /// Returns the account and whether it is new.
    pub async fn invite_member(
        &self,
        account: Account,
        member: rempla_core::domain::Member,
        audit: Option<crate::audit::AuditEntry>,
    ) -> Result<(Account, bool), StorageError> {
        self.write(move |tx| {
            let rows = tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
                &[(&account.email).into()],
            )?;
            let (owner, new) = if let Some(row) = rows.first() {
                let existing = account_from(row)?;
                if existing.kind != AccountKind::Facility {
                    return Err(StorageError::Duplicate("email".into()));
                }
                (existing, false)
            } else {
                insert_account(tx, &account)?;
                (account, true)
            };
            let already = tx.query(
                "SELECT 1 FROM members WHERE account_id = $1 AND facility_id = $2",
                &[(&owner.id).into(), member.facility_id.to_string().into()],
            )?;
            if !already.is_empty() {
                return Err(StorageError::Duplicate("member".into()));
            }
            insert_member(tx, &owner.id, &member)?;
            if let Some(entry) = &audit {
                crate::audit::record_tx(tx, entry)?;
            }
            Ok((owner, new))
        })
        .await
    }

    /// Creates a staff account (command line only).
    pub async fn create_staff(&self, account: Account) -> Result<(), StorageError> {
        self.write(move |tx| insert_account(tx, &account)).await
    }

    /// The account with this (lowercased) e-mail.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StorageError> {
        let email = email.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
                &[email.into()],
            )?;
            rows.first().map(account_from).transpose()
        })
        .await
    }

    /// The account with this id.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
                &[id.into()],
            )?;
            rows.first().map(account_from).transpose()
        })
        .await
    }

    /// Stores a one-time e-mail token (activation or reset), by its hash.
    pub async fn insert_mail_token(
        &self,
        hash: String,
        account_id: String,
        purpose: &'static str,
        expires_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO mail_tokens (hash, account_id, purpose, expires_ms) VALUES ($1, $2, $3, $4)",
                &[hash.into(), account_id.into(), purpose.into(), expires_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Uses a one-time e-mail token: marks it used and returns its account, when it exists, has this
    /// purpose, is unused and unexpired. With `password_hash`, also sets the password. Either purpose
    /// marks the account activated; a `reset` also revokes every device token of the account. With
    /// `require_password_if_unset`, an account without a password must be given one.
    pub async fn consume_mail_token(
        &self,
        hash: String,
        purpose: &'static str,
        now_ms: i64,
        password_hash: Option<String>,
        require_password_if_unset: bool,
    ) -> Result<MailTokenUse, StorageError> {
        self.write(move |tx| {
            let rows = tx.query(
                "SELECT account_id FROM mail_tokens WHERE hash = $1 AND purpose = $2 \
                 AND used_ms IS NULL AND expires_ms > $3",
                &[(&hash).into(), purpose.into(), now_ms.into()],
            )?;
            let Some(row) = rows.first() else {
                return Ok(MailTokenUse::Invalid);
            };
            let account_id = text(row, 0)?;
            let has_password = !tx
                .query(
                    "SELECT 1 FROM accounts WHERE id = $1 AND password_hash IS NOT NULL",
                    &[(&account_id).into()],
                )?
                .is_empty();
            if require_password_if_unset && !has_password && password_hash.is_none() {
                return Ok(MailTokenUse::PasswordRequired);
            }
            tx.execute(
                "UPDATE mail_tokens SET used_ms = $1 WHERE hash = $2",
                &[now_ms.into(), hash.into()],
            )?;
            if let Some(h) = password_hash {
                tx.execute(
                    "UPDATE accounts SET password_hash = $1 WHERE id = $2",
                    &[h.into(), (&account_id).into()],
                )?;
            }
            // Both links prove the address belongs to the user, so both activate the account.
            tx.execute(
                "UPDATE accounts SET activated = 1 WHERE id = $1",
                &[(&account_id).into()],
            )?;
            if purpose != "activate" {
                tx.execute(
                    "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL",
                    &[now_ms.into(), (&account_id).into()],
                )?;
            }
            Ok(MailTokenUse::Used(account_id))
        })
        .await
    }

    /// Stores a new device token (revoking an older token of the same account and device).
    pub async fn insert_token(&self, t: NewToken) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND device_id = $3 \
                 AND revoked_ms IS NULL",
                &[t.created_ms.into(), (&t.account_id).into(), (&t.device_id).into()],
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, account_id, device_id, device_name, platform, created_ms, \
                 expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    t.hash.into(),
                    t.account_id.into(),
                    t.device_id.into(),
                    t.device_name.into(),
                    t.platform.into(),
                    t.created_ms.into(),
                    t.expires_ms.into(),
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// The token with this hash.
    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, StorageError> {
        let hash = hash.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT account_id, device_id, expires_ms, revoked_ms FROM tokens WHERE hash = $1",
                &[hash.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(TokenRow {
                        account_id: text(r, 0)?,
                        device_id: text(r, 1)?,
                        expires_ms: int(r, 2)?,
                        revoked_ms: opt_int(r, 3)?,
                    })
                })
                .transpose()
        })
        .await
    }

    /// Revokes one token (logout).
    pub async fn revoke_token(&self, hash: &str, now_ms: i64) -> Result<(), StorageError> {
        let hash = hash.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE hash = $2 AND revoked_ms IS NULL",
                &[now_ms.into(), hash.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Revokes every token of an account ("I lost my password").
    pub async fn revoke_all_tokens(
        &self,
        account_id: &str,
        now_ms: i64,
    ) -> Result<u64, StorageError> {
        let id = account_id.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL",
                &[now_ms.into(), id.into()],
            )
        })
        .await
    }

    /// Keeps the proof that an account accepted a terms version from a device.
    pub async fn accept_terms(
        &self,
        account_id: String,
        device_id: String,
        version: String,
        sha256: String,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO terms_acceptances (account_id, device_id, version, sha256, accepted_ms) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[account_id.into(), device_id.into(), version.into(), sha256.into(), now_ms.into()],
            )
            .map(|_| ())
        })
        .await
    }

    /// Whether the account accepted this terms version (from any device).
    pub async fn has_accepted_terms(
        &self,
        account_id: &str,
        version: &str,
    ) -> Result<bool, StorageError> {
        let (a, v) = (account_id.to_owned(), version.to_owned());
        self.read(move |tx| {
            Ok(!tx
                .query(
                    "SELECT 1 FROM terms_acceptances WHERE account_id = $1 AND version = $2",
                    &[a.into(), v.into()],
                )?
                .is_empty())
        })
        .await
    }

    /// The acceptance proofs of an account: `(version, sha256, device, time)`.
    pub async fn terms_proofs(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, String, String, i64)>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT version, sha256, device_id, accepted_ms FROM terms_acceptances \
                 WHERE account_id = $1 ORDER BY accepted_ms",
                &[a.into()],
            )?
            .iter()
            .map(|r| Ok((text(r, 0)?, text(r, 1)?, text(r, 2)?, int(r, 3)?)))
            .collect()
        })
        .await
    }

    /// A doctor profile.
    pub async fn doctor(&self, id: &str) -> Result<Option<DoctorRow>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT account_id, record FROM doctors WHERE id = $1",
                &[id.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(DoctorRow {
                        account_id: text(r, 0)?,
                        record: json(r, 1)?,
                    })
                })
                .transpose()
        })
        .await
    }

    /// Stores a doctor's new trust status (staff decision, already checked against the life cycle).
    pub async fn set_doctor_status(
        &self,
        id: &str,
        record: Value,
        status: &'static str,
    ) -> Result<(), StorageError> {
        let id = id.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE doctors SET status = $1, record = $2 WHERE id = $3",
                &[status.into(), to_json(&record)?.into(), (&id).into()],
            )?;
            crate::matching::store::doctor_changed_tx(tx, &id)
        })
        .await
    }

    /// Every membership of an account.
    pub async fn memberships(&self, account_id: &str) -> Result<Vec<MemberRow>, StorageError> {
        let a = account_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT m.record, f.record FROM members m JOIN facilities f ON f.id = m.facility_id \
                 WHERE m.account_id = $1 ORDER BY m.id",
                &[a.into()],
            )?
            .iter()
            .map(|r| {
                let facility: rempla_core::domain::Facility = json(r, 1)?;
                Ok(MemberRow {
                    member: json(r, 0)?,
                    facility_name: facility.name,
                })
            })
            .collect()
        })
        .await
    }

    /// A facility record.
    pub async fn facility(&self, id: &str) -> Result<Option<Value>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query("SELECT record FROM facilities WHERE id = $1", &[id.into()])?;
            rows.first().map(|r| json(r, 0)).transpose()
        })
        .await
    }

    /// Adds or replaces a site of a facility.
    pub async fn put_site(&self, site: rempla_core::domain::Site) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sites (id, facility_id, record) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record \
                 WHERE sites.facility_id = excluded.facility_id",
                &[
                    site.id.to_string().into(),
                    site.facility_id.to_string().into(),
                    to_json(&site)?.into(),
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// The sites of a facility.
    pub async fn sites(&self, facility_id: &str) -> Result<Vec<Value>, StorageError> {
        let id = facility_id.to_owned();
        self.read(move |tx| {
            tx.query(
                "SELECT record FROM sites WHERE facility_id = $1 ORDER BY id",
                &[id.into()],
            )?
            .iter()
            .map(|r| json(r, 0))
            .collect()
        })
        .await
    }

    /// Applies one pushed op in one write transaction: replays the recorded outcome of a known op id,
    /// otherwise decides with [`rules::decide`], stores the merged record with a new feed position and
    /// records the outcome. Returns the result and the change to broadcast, if the record changed.
    pub async fn apply_op(
        &self,
        ctx: Arc<PushContext>,
        op: OutboxOp,
    ) -> Result<(OpResult, Option<StoredChange>), StorageError> {
        self.write(move |tx| apply_op_tx(tx, &ctx, &op)).await
    }

    /// Books an availability: the server-owned write of `status = booked` (proposal accepted), with a
    /// server clock. Returns the change, or `None` when there is no live availability with this id.
    pub async fn book_availability(
        &self,
        id: &str,
        hlc: rempla_core::sync::Hlc,
    ) -> Result<Option<StoredChange>, StorageError> {
        let id = id.to_owned();
        self.write(move |tx| {
            let rows = tx.query(
                "SELECT state FROM records WHERE entity = 'availability' AND id = $1",
                &[(&id).into()],
            )?;
            let Some(row) = rows.first() else {
                return Ok(None);
            };
            let state: MergeState = json(row, 0)?;
            if !state.is_live() {
                return Ok(None);
            }
            let mut fields = serde_json::Map::new();
            fields.insert("status".into(), Value::from("booked"));
            feed::put_server_record_tx(
                tx,
                EntityKind::Availability,
                &id,
                &feed::FeedOwners::default(),
                fields,
                hlc,
            )
            .map(Some)
        })
        .await
    }

    /// Applies a batch of ops in order, in one write transaction (one commit, one disk sync): each op
    /// is decided and recorded exactly as by [`Storage::apply_op`], and later ops see earlier ones. All
    /// or nothing on a database failure, which the device retries (op ids make that harmless).
    pub async fn apply_ops(
        &self,
        ctx: Arc<PushContext>,
        ops: Vec<OutboxOp>,
    ) -> Result<Vec<(OpResult, Option<StoredChange>)>, StorageError> {
        self.write(move |tx| ops.iter().map(|op| apply_op_tx(tx, &ctx, op)).collect())
            .await
    }

    /// One page of the change feed after `after` for a scope, oldest first; `limit + 1` rows are read
    /// to tell whether more are waiting.
    pub async fn pull(
        &self,
        scope: Scope,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<StoredChange>, bool), StorageError> {
        self.read(move |tx| {
            let mut params: Vec<Val> = vec![after.into(), (&scope.account_id).into()];
            let mut filter = String::from("(entity IN ('notification_read', 'notification') AND account_id = $2)");
            if let Some(d) = &scope.doctor_id {
                params.push(d.into());
                let _ = write!(
                    filter,
                    " OR (entity IN ('availability', 'busy_period', 'proposal', 'mission') \
                     AND doctor_id = ${})",
                    params.len()
                );
            }
            if scope.all_requests {
                filter.push_str(" OR entity = 'request'");
            } else if !scope.facilities.is_empty() {
                let mut list = Vec::new();
                for f in &scope.facilities {
                    params.push(f.into());
                    list.push(format!("${}", params.len()));
                }
                let _ = write!(
                    filter,
                    " OR (entity = 'request' AND facility_id IN ({}))",
                    list.join(", ")
                );
            }
            if !scope.facilities.is_empty() {
                let mut list = Vec::new();
                for f in &scope.facilities {
                    params.push(f.into());
                    list.push(format!("${}", params.len()));
                }
                let _ = write!(
                    filter,
                    " OR (entity IN ('proposal', 'mission') AND facility_id IN ({}))",
                    list.join(", ")
                );
            }
            params.push(i64::from(limit).saturating_add(1).into());
            let sql = format!(
                "SELECT {CHANGE_COLUMNS} FROM records WHERE seq > $1 AND ({filter}) ORDER BY seq LIMIT ${}",
                params.len()
            );
            let rows = tx.query(&sql, &params)?;
            let mut changes = rows.iter().map(change_from).collect::<Result<Vec<_>, _>>()?;
            let more = changes.len() > usize::try_from(limit).unwrap_or(usize::MAX);
            changes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok((changes, more))
        })
        .await
    }

    /// The current feed row of one record (for changes announced by another instance).
    pub async fn change(
        &self,
        entity: &str,
        id: &str,
    ) -> Result<Option<StoredChange>, StorageError> {
        let (e, i) = (entity.to_owned(), id.to_owned());
        self.read(move |tx| {
            let rows = tx.query(
                &format!("SELECT {CHANGE_COLUMNS} FROM records WHERE entity = $1 AND id = $2"),
                &[e.into(), i.into()],
            )?;
            rows.first().map(change_from).transpose()
        })
        .await
    }

    /// Every row of one facility (tenant): `(table, columns, rows)` for the restitution export.
    /// Password hashes and tokens are left out: they are secrets, not the tenant's data.
    pub async fn tenant_rows(
        &self,
        facility_id: &str,
    ) -> Result<Vec<(&'static str, Vec<&'static str>, Vec<Row>)>, StorageError> {
        let f = facility_id.to_owned();
        self.read(move |tx| {
            let p = || vec![Val::from(&f)];
            let out = vec![
                (
                "facilities",
                vec!["id", "record"],
                tx.query("SELECT id, record FROM facilities WHERE id = $1", &p())?,
            ),
                (
                "sites",
                vec!["id", "facility_id", "record"],
                tx.query("SELECT id, facility_id, record FROM sites WHERE facility_id = $1", &p())?,
            ),
                (
                "members",
                vec!["id", "facility_id", "account_id", "record"],
                tx.query(
                    "SELECT id, facility_id, account_id, record FROM members WHERE facility_id = $1",
                    &p(),
                )?,
            ),
                (
                "accounts",
                vec!["id", "email", "kind", "display_name", "activated", "created_ms"],
                tx.query(
                    "SELECT id, email, kind, display_name, activated, created_ms FROM accounts \
                     WHERE id IN (SELECT account_id FROM members WHERE facility_id = $1)",
                    &p(),
                )?,
            ),
                (
                "terms_acceptances",
                vec!["account_id", "device_id", "version", "sha256", "accepted_ms"],
                tx.query(
                    "SELECT account_id, device_id, version, sha256, accepted_ms FROM terms_acceptances \
                     WHERE account_id IN (SELECT account_id FROM members WHERE facility_id = $1)",
                    &p(),
                )?,
            ),
                (
                "billing_invoices",
                vec![
                    "id", "number", "year", "seq", "kind", "facility_id", "doctor_id", "mission_id",
                    "issued_ms", "ht_cents", "vat_bps", "vat_cents", "ttc_cents", "customer",
                    "subject", "lines", "cancels_id",
                ],
                tx.query(
                    "SELECT id, number, year, seq, kind, facility_id, doctor_id, mission_id, issued_ms, \
                     ht_cents, vat_bps, vat_cents, ttc_cents, customer, subject, lines, cancels_id \
                     FROM billing_invoices WHERE facility_id = $1 ORDER BY year, seq",
                    &p(),
                )?,
            ),
                (
                "billing_charges",
                vec![
                    "mission_id", "facility_id", "doctor_id", "tariff_id", "at_ms", "ht_cents",
                    "vat_cents", "ttc_cents", "invoice_id", "credit_note_id", "cancelled_ms",
                ],
                tx.query(
                    "SELECT mission_id, facility_id, doctor_id, tariff_id, at_ms, ht_cents, vat_cents, \
                     ttc_cents, invoice_id, credit_note_id, cancelled_ms FROM billing_charges \
                     WHERE facility_id = $1 ORDER BY at_ms",
                    &p(),
                )?,
            ),
                (
                "records",
                vec!["entity", "id", "facility_id", "state", "hlc", "seq"],
                tx.query(
                    "SELECT entity, id, facility_id, state, hlc, seq FROM records WHERE facility_id = $1",
                    &p(),
                )?,
            ),
            ];
            Ok(out)
        })
        .await
    }
}

/// Result of using a one-time e-mail token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTokenUse {
    /// Used; the account id.
    Used(String),
    /// Unknown, used, expired or of another purpose.
    Invalid,
    /// The account has no password yet and none was given.
    PasswordRequired,
}

fn apply_op_tx(
    tx: &mut dyn Tx,
    ctx: &PushContext,
    op: &OutboxOp,
) -> Result<(OpResult, Option<StoredChange>), StorageError> {
    let op_id = op.op_id.to_string();
    let seen = tx.query(
        "SELECT account_id, outcome FROM ops WHERE op_id = $1",
        &[(&op_id).into()],
    )?;
    if let Some(row) = seen.first() {
        let outcome = if text(row, 0)? == ctx.account_id {
            json(row, 1)?
        } else {
            // Someone else's op id: answer without revealing or recording anything.
            OpOutcome::Rejected {
                code: "forbidden".into(),
                reason: "identifiant d'opération déjà utilisé par un autre compte".into(),
            }
        };
        return Ok((
            OpResult {
                op_id: op.op_id,
                outcome,
            },
            None,
        ));
    }
    let entity = op.entity.as_str();
    let id = op.entity_id.to_string();
    let rows = tx.query(
        "SELECT doctor_id, facility_id, account_id, state FROM records WHERE entity = $1 AND id = $2",
        &[entity.into(), (&id).into()],
    )?;
    let current = rows
        .first()
        .map(|r| {
            Ok::<_, StorageError>(Stored {
                doctor_id: opt_text(r, 0)?,
                facility_id: opt_text(r, 1)?,
                account_id: opt_text(r, 2)?,
                state: json(r, 3)?,
            })
        })
        .transpose()?;
    let decision = rules::decide(ctx, op, current.as_ref(), &mut TxLookup(tx))?;
    let mut change = None;
    let outcome = match decision {
        Err(rejection) => OpOutcome::Rejected {
            code: rejection.code.to_owned(),
            reason: rejection.reason,
        },
        Ok(next) => {
            let unchanged = current.as_ref().is_some_and(|c| c.state == next.state);
            if !unchanged {
                let seq = feed::next_seq(tx)?;
                let hlc = next
                    .state
                    .newest()
                    .map_or_else(|| op.hlc.to_string(), |h| h.to_string());
                tx.execute(
                    "INSERT INTO records (entity, id, doctor_id, facility_id, account_id, state, hlc, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (entity, id) DO UPDATE SET \
                     state = excluded.state, hlc = excluded.hlc, seq = excluded.seq",
                    &[
                        entity.into(),
                        (&id).into(),
                        next.doctor_id.clone().into(),
                        next.facility_id.clone().into(),
                        next.account_id.clone().into(),
                        to_json(&next.state)?.into(),
                        (&hlc).into(),
                        seq.into(),
                    ],
                )?;
                tx.notify(&format!("{entity}/{id}"))?;
                change = Some(StoredChange {
                    seq,
                    entity: op.entity,
                    id,
                    doctor_id: next.doctor_id,
                    facility_id: next.facility_id,
                    account_id: next.account_id,
                    state: next.state,
                    hlc,
                });
            }
            OpOutcome::Applied
        }
    };
    tx.execute(
        "INSERT INTO ops (op_id, account_id, device_id, outcome, applied_ms) VALUES ($1, $2, $3, $4, $5)",
        &[
            op_id.into(),
            (&ctx.account_id).into(),
            (&ctx.device_id).into(),
            to_json(&outcome)?.into(),
            ctx.now_ms.into(),
        ],
    )?;
    Ok((
        OpResult {
            op_id: op.op_id,
            outcome,
        },
        change,
    ))
}

/// Converts `$1`-style placeholders to SQLite's `?1`. SQL here never holds a `$` in a literal.
pub(crate) fn sqlite_placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}
