//! The one error of the store API surface, [`StoreError`], and the mapping of SQLite errors to it
//! ([`DbResultExt::db`], used at the boundary of every repository function). A leaf: it imports no other
//! module of the crate.

/// The one error of the store API surface. Each variant has a stable [`StoreError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No record with this id.
    #[error("{entity} introuvable : {id}")]
    NotFound {
        /// Kind of record looked for.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A record with this id already exists (ids are created on the device, a retry must not duplicate).
    #[error("{entity} existe déjà : {id}")]
    AlreadyExists {
        /// Kind of record.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// A booked availability cannot be moved or removed by a local edit (the server enforces it too), and
    /// only the server may book a slot.
    #[error("la disponibilité {id} est réservée par une mission et ne peut pas être modifiée ici")]
    AvailabilityBooked {
        /// The availability.
        id: String,
    },
    /// Input that the store cannot accept (e.g. a busy period of another doctor in an import).
    #[error("donnée refusée : {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// The database was written by a newer version of the app; opening it could corrupt it.
    #[error(
        "base de données en version {found}, cette version de l'app gère au plus la version {supported}"
    )]
    SchemaTooNew {
        /// Schema version found in the file.
        found: u32,
        /// Latest schema version this build knows.
        supported: u32,
    },
    /// One stored record cannot be decoded (damaged row, manual edit): reported, never a panic.
    #[error("enregistrement illisible dans {table} ({id}) : {reason}")]
    CorruptRecord {
        /// Table holding the row.
        table: &'static str,
        /// Row id.
        id: String,
        /// Decoding error.
        reason: String,
    },
    /// The database file itself is damaged or not a database.
    #[error("base de données endommagée : {reason}")]
    CorruptDatabase {
        /// SQLite's diagnosis.
        reason: String,
    },
    /// Another connection holds the database for longer than the busy timeout.
    #[error("base de données occupée, réessayez")]
    Busy,
    /// The device has no space left.
    #[error("espace de stockage insuffisant")]
    DiskFull,
    /// The file cannot be opened, read or written.
    #[error("erreur d'accès au fichier de la base : {reason}")]
    Io {
        /// SQLite's diagnosis.
        reason: String,
    },
    /// Any other database failure (a bug if it happens).
    #[error("erreur de la base de données : {reason}")]
    Database {
        /// SQLite's diagnosis.
        reason: String,
    },
    /// A period with more occurrences than a list may hold: ask for a shorter one.
    #[error("trop d'occurrences dans la période (plus de {max}) : réduisez-la")]
    WindowTooWide {
        /// The most a list holds.
        max: usize,
    },
    /// A stored series that does not expand (its rule broke a calendar limit).
    #[error(transparent)]
    Calendar(#[from] rempla_core::calendar::CalendarError),
}

impl StoreError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::AvailabilityBooked { .. } => "availability_booked",
            Self::InvalidInput { .. } => "invalid_input",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::CorruptRecord { .. } => "corrupt_record",
            Self::CorruptDatabase { .. } => "corrupt_database",
            Self::Busy => "database_busy",
            Self::DiskFull => "disk_full",
            Self::Io { .. } => "io",
            Self::Database { .. } => "database",
            Self::WindowTooWide { .. } => "window_too_wide",
            Self::Calendar(e) => e.code(),
        }
    }

    /// Maps a SQLite error to the public error (kept internal so rusqlite never leaks into the API).
    fn from_sqlite(err: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match err {
            rusqlite::Error::SqliteFailure(e, _) => match e.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Self::Busy,
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Self::CorruptDatabase {
                    reason: err.to_string(),
                },
                ErrorCode::DiskFull => Self::DiskFull,
                ErrorCode::CannotOpen
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied => Self::Io {
                    reason: err.to_string(),
                },
                _ => Self::Database {
                    reason: err.to_string(),
                },
            },
            _ => Self::Database {
                reason: err.to_string(),
            },
        }
    }
}

/// Result of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Converts rusqlite results at the boundary of every repository function.
pub(crate) trait DbResultExt<T> {
    /// Maps the SQLite error, if any, to a [`StoreError`].
    fn db(self) -> Result<T>;
}

impl<T> DbResultExt<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(|e| StoreError::from_sqlite(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_distinct_snake_case() {
        let all = [
            StoreError::NotFound {
                entity: "availability",
                id: "x".into(),
            },
            StoreError::AlreadyExists {
                entity: "availability",
                id: "x".into(),
            },
            StoreError::AvailabilityBooked { id: "x".into() },
            StoreError::InvalidInput { reason: "x".into() },
            StoreError::SchemaTooNew {
                found: 9,
                supported: 3,
            },
            StoreError::CorruptRecord {
                table: "t",
                id: "x".into(),
                reason: "r".into(),
            },
            StoreError::CorruptDatabase { reason: "r".into() },
            StoreError::Busy,
            StoreError::DiskFull,
            StoreError::Io { reason: "r".into() },
            StoreError::Database { reason: "r".into() },
        ];
        let codes: std::collections::BTreeSet<&str> = all.iter().map(StoreError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        assert_eq!(all[2].code(), "availability_booked");
    }

    #[test]
    fn sqlite_errors_are_mapped_to_public_variants() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert_eq!(StoreError::from_sqlite(&busy), StoreError::Busy);
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert_eq!(StoreError::from_sqlite(&full).code(), "disk_full");
        assert_eq!(
            StoreError::from_sqlite(&rusqlite::Error::InvalidQuery).code(),
            "database"
        );
    }
}
