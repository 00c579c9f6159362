//! [`GeoError`], the one error of the geo API surface, in a leaf file: the geo modules import it from
//! here, not from `geo/mod.rs`, which re-exports them (that would be an import loop, see
//! `scripts/check-imports.py`).

/// The one error of the geo API surface. Each variant has a stable [`GeoError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeoError {
    /// A line of the gazetteer file that does not parse (a broken regeneration).
    #[error("fichier des communes illisible, ligne {line} : {reason}")]
    Data {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An INSEE code absent from the gazetteer.
    #[error("aucune commune n'a le code INSEE « {code} »")]
    UnknownInsee {
        /// The code asked for, truncated.
        code: String,
    },
    /// A postcode no commune uses.
    #[error("aucune commune n'a le code postal « {code} »")]
    UnknownPostcode {
        /// The code asked for, truncated.
        code: String,
    },
}

impl GeoError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Data { .. } => "geo_data",
            Self::UnknownInsee { .. } => "unknown_insee",
            Self::UnknownPostcode { .. } => "unknown_postcode",
        }
    }
}
