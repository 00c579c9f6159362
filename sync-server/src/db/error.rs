//! The one error of the storage layer, shared by both backends and every query.

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
    /// The transaction's body refused (an area error): the transaction was rolled back. Only seen
    /// inside the storage layer; `Storage::write_or` hands the refusal itself out.
    #[error("transaction annulée par un refus")]
    Refused,
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
            Self::Refused => "refused",
        }
    }
}
