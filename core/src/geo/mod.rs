//! The French gazetteer: every commune (metropolitan and overseas) with its INSEE code, postcodes,
//! département, region, a WGS 84 point and its time zone; name search, postcode and INSEE lookups, and
//! great-circle distances.
//!
//! - [`gazetteer`]: the embedded data file (`core/data/geo/communes.tsv`), parsed once on first use.
//! - [`commune`]: one commune and where its point comes from.
//! - [`search`]: the accent-, case- and punctuation-insensitive name key used by prefix search.
//! - [`distance`]: haversine distance between two points.
//! - `error`: [`GeoError`], a leaf so the modules above never import this file.
//!
//! Pure: no I/O (the data is compiled into the binary).

pub mod commune;
pub mod distance;
mod error;
pub mod gazetteer;
pub mod search;

pub use commune::{Commune, CommuneKind, CoordinateSource};
pub use distance::{EARTH_RADIUS_KM, haversine_km};
pub use error::GeoError;
pub use gazetteer::{Gazetteer, Region, gazetteer};
pub use search::search_key;
