//! The French gazetteer: every commune (metropolitan and overseas) with its INSEE code, postcodes,
//! département, region, a WGS 84 point and its time zone; name search, postcode and INSEE lookups, and
//! great-circle distances.
//!
//! - [`gazetteer`]: the embedded data file (`core/data/geo/communes.tsv`), parsed once on first use.
//! - [`commune`]: one commune and where its point comes from.
//! - [`search`]: the accent-, case- and punctuation-insensitive name key used by prefix search.
//! - [`distance`]: haversine distance between two points.
//!
//! Pure: no I/O (the data is compiled into the binary).

pub mod commune;
pub mod distance;
pub mod gazetteer;
pub mod search;

pub use commune::{Commune, CommuneKind, CoordinateSource};
pub use distance::{EARTH_RADIUS_KM, haversine_km};
pub use gazetteer::{Gazetteer, Region, gazetteer};
pub use search::search_key;

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
