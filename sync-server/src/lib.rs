//! `rempla-server`: the Rempla sync server. Accounts and device tokens, authorization, sync protocol v1
//! (push / pull / live events), storage on SQLite or PostgreSQL, and operations (backup, restore,
//! tenant export, demo data in `ops::demo`). The binary in `main.rs` only parses the command line and calls in here.

pub mod accounts;
pub mod app;
pub mod areas;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod billing;
pub mod clock;
pub mod concurrency;
pub mod config;
pub mod documents;
pub mod feeds;

pub mod db;
pub mod http;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod matching;
pub mod members;
pub mod notify;
pub mod openapi;
pub mod ops;
pub mod outbound;
pub mod pdf;
pub mod privacy;
pub mod private_files;
pub mod ratelimit;
pub mod server_key;
pub mod staff;
pub mod sync;
pub mod tls;
pub mod workflow;

pub use app::{router, serve};
pub use config::Config;
pub use db::{Storage, StorageError};
pub use http::error::AppError;
pub use http::state::AppState;

use std::sync::Arc;

/// Opens the storage the configuration names: PostgreSQL when `database_url` is set, otherwise the
/// SQLite file in the data directory.
pub async fn open_storage(config: &Config) -> Result<Storage, StorageError> {
    let backend: Arc<dyn db::Backend> = if let Some(url) = &config.database_url {
        let url = url.clone();
        Arc::new(
            tokio::task::spawn_blocking(move || db::postgres::PostgresBackend::connect(&url))
                .await
                .map_err(|_| StorageError::Task)??,
        )
    } else {
        let private = |e: std::io::Error| StorageError::Database(e.to_string());
        private_files::private_dir(&config.data).map_err(private)?;
        private_files::private_file(&config.sqlite_path()).map_err(private)?;
        Arc::new(db::sqlite::SqliteBackend::open(config.sqlite_path())?)
    };
    Storage::open(backend, areas::SCHEMA).await
}

/// Wraps an opened backend with the whole schema of every area (tests and tools that build their own
/// backend).
pub async fn storage_on(backend: Arc<dyn db::Backend>) -> Result<Storage, StorageError> {
    Storage::open(backend, areas::SCHEMA).await
}

/// The mailer the configuration names: SMTP when `smtp_url` is set, otherwise the outbox directory.
pub fn make_mailer(config: &Config) -> Result<Arc<dyn mail::Mailer>, mail::MailError> {
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(mail::SmtpMailer::new(url, &config.mail_from)?),
        None => Arc::new(mail::OutboxMailer::new(config.outbox(), &config.mail_from)?),
    })
}

/// The terms in force: the configured file, or the built-in text.
pub fn load_terms(config: &Config) -> std::io::Result<auth::terms::Terms> {
    let text = match &config.terms_file {
        Some(path) => std::fs::read_to_string(path)?,
        None => auth::terms::BUILTIN_TEXT.to_owned(),
    };
    Ok(auth::terms::Terms::new(&config.terms_version, &text))
}
