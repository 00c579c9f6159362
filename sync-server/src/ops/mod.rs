//! Operations from the command line: online backup, restore, restitution export of one tenant
//! (SQL + files in a ZIP), staff accounts, and the demo dataset of `--demo` ([`demo`], its data in
//! [`demo_data`]).

pub mod demo;
pub mod demo_data;
pub mod tenant;

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::accounts::queries::{Account, AccountKind};
use crate::config::Config;
use crate::db::{Storage, StorageError, Val};

/// An operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpsError {
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A file could not be read or written.
    #[error("fichier : {0}")]
    Io(#[from] std::io::Error),
    /// The ZIP could not be written.
    #[error("zip : {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Refused input.
    #[error("{0}")]
    Invalid(String),
}

/// Writes a consistent snapshot of the live database to `output` (SQLite `VACUUM INTO`; the server may
/// keep running and writing meanwhile).
pub async fn backup(storage: &Storage, output: &Path) -> Result<(), OpsError> {
    if output.exists() {
        return Err(OpsError::Invalid(format!(
            "{} existe déjà",
            output.display()
        )));
    }
    let backend = std::sync::Arc::clone(storage.backend());
    let path = output.to_owned();
    tokio::task::spawn_blocking(move || backend.backup(&path))
        .await
        .map_err(|_| StorageError::Task)??;
    // A backup holds everything: readable by the server's user only.
    crate::private_files::private_file(output)?;
    Ok(())
}

/// Replaces the SQLite database at `target` with the backup `input`, after checking the backup is a
/// sound SQLite database. The server must be stopped. The previous file is kept as `<target>.before-restore`.
pub fn restore_sqlite(input: &Path, target: &Path) -> Result<(), OpsError> {
    let check =
        rusqlite::Connection::open_with_flags(input, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| OpsError::Invalid(e.to_string()))?;
    let verdict: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| OpsError::Invalid(format!("sauvegarde illisible : {e}")))?;
    if verdict != "ok" {
        return Err(OpsError::Invalid(format!(
            "sauvegarde endommagée : {verdict}"
        )));
    }
    let has_schema: i64 = check
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('records', 'accounts', 'ops')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| OpsError::Invalid(e.to_string()))?;
    if has_schema != 3 {
        return Err(OpsError::Invalid(
            "ce fichier n'est pas une sauvegarde Rempla".into(),
        ));
    }
    drop(check);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let staging = target.with_extension("restoring");
    std::fs::copy(input, &staging)?;
    crate::private_files::private_file(&staging)?;
    if target.exists() {
        std::fs::rename(target, target.with_extension("sqlite3.before-restore"))?;
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&staging, target)?;
    Ok(())
}

fn sql_literal(v: &Val) -> String {
    match v {
        Val::Null => "NULL".into(),
        Val::Int(i) => i.to_string(),
        Val::Text(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

/// Exports every row of one facility as SQL (`tenant.sql`), with a manifest and the tenant's files
/// (`files/`), into a ZIP. Returns the number of rows exported.
pub async fn export_tenant(
    storage: &Storage,
    facility_id: &str,
    output: &Path,
) -> Result<usize, OpsError> {
    if storage.facility(facility_id).await?.is_none() {
        return Err(OpsError::Invalid(format!(
            "établissement {facility_id} inconnu"
        )));
    }
    let tables = storage.tenant_rows(facility_id).await?;
    let mut sql = format!(
        "-- Export Rempla de l'établissement {facility_id}\n-- Colonnes TEXT et BIGINT ; les \
         enregistrements synchronisés sont en JSON.\nBEGIN;\n"
    );
    let mut total = 0;
    let mut manifest = serde_json::Map::new();
    for (table, columns, rows) in &tables {
        let _ = writeln!(
            sql,
            "CREATE TABLE IF NOT EXISTS {table} ({});",
            columns
                .iter()
                .map(|c| format!("{c} TEXT"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for row in rows {
            let values: Vec<String> = row.iter().map(sql_literal).collect();
            let _ = writeln!(
                sql,
                "INSERT INTO {table} ({}) VALUES ({});",
                columns.join(", "),
                values.join(", ")
            );
        }
        total += rows.len();
        manifest.insert((*table).to_owned(), rows.len().into());
    }
    sql.push_str("COMMIT;\n");
    let file = crate::private_files::create_private(output)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("tenant.sql", options)?;
    zip.write_all(sql.as_bytes())?;
    zip.start_file("manifest.json", options)?;
    let manifest = serde_json::json!({"facility_id": facility_id, "rows": manifest, "format": 1});
    zip.write_all(manifest.to_string().as_bytes())?;
    zip.add_directory("files/", options)?;
    zip.start_file("files/LISEZMOI.txt", options)?;
    zip.write_all(
        "Les documents déposés par l'établissement sont placés dans ce dossier. \
         La version 1 du serveur n'en stocke aucun.\n"
            .as_bytes(),
    )?;
    zip.finish()?;
    Ok(total)
}

/// Creates an activated staff account.
pub async fn add_staff(
    storage: &Storage,
    config: &Config,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(), OpsError> {
    crate::auth::check_password_policy(password).map_err(|e| OpsError::Invalid(e.to_string()))?;
    let hash = crate::auth::hash_password_with(
        config.argon2_memory_kib,
        config.argon2_iterations,
        password,
    )
    .map_err(|e| OpsError::Invalid(e.to_string()))?;
    storage
        .create_staff(Account {
            id: uuid::Uuid::now_v7().to_string(),
            email: email.trim().to_lowercase(),
            password_hash: Some(hash),
            kind: AccountKind::Staff,
            doctor_id: None,
            display_name: name.to_owned(),
            activated: true,
            created_ms: rempla_core::sync::hlc::system_time_ms()
                .try_into()
                .unwrap_or(0),
        })
        .await?;
    Ok(())
}
