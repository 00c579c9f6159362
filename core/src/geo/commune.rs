//! One commune of the gazetteer.

use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::Department;
use crate::domain::GeoPoint;

/// Whether a row is a commune or a municipal arrondissement (Paris, Lyon, Marseille), which has its own
/// INSEE code and postcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneKind {
    /// A commune (commune actuelle of the INSEE COG).
    Commune,
    /// An arrondissement municipal of Paris, Lyon or Marseille.
    MunicipalArrondissement,
}

/// Where a commune's point comes from: the UI can say how precise a placement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinateSource {
    /// The commune's own GeoNames point.
    GeoNames,
    /// Mean of the communes sharing a postcode with it (median error 4 km).
    PostcodeNeighbours,
    /// Mean of the other communes of its intercommunality (median error 7.5 km).
    Epci,
    /// Mean of its département (median error 26 km; 1.4 % of communes).
    Department,
}

impl CoordinateSource {
    pub(crate) fn parse(tag: &str) -> Option<Self> {
        match tag {
            "g" => Some(Self::GeoNames),
            "p" => Some(Self::PostcodeNeighbours),
            "e" => Some(Self::Epci),
            "d" => Some(Self::Department),
            _ => None,
        }
    }
}

/// A French commune with what matching and search need.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Commune {
    /// INSEE code (`75056`, `2A004`, `97411`).
    pub insee: Box<str>,
    /// Official name with accents (`Saint-Étienne`).
    pub name: Box<str>,
    /// Commune or municipal arrondissement.
    pub kind: CommuneKind,
    /// Département or overseas collectivity.
    pub department: Department,
    /// INSEE region code (overseas collectivities: their own code).
    pub region: Box<str>,
    /// La Poste postcodes serving the commune.
    pub postcodes: Vec<Box<str>>,
    /// Legal population (INSEE).
    pub population: u32,
    /// Representative point.
    pub location: GeoPoint,
    /// How the point was obtained.
    pub source: CoordinateSource,
}

impl Commune {
    /// The IANA time zone of the commune, from its département.
    pub fn time_zone(&self) -> Tz {
        self.department.time_zone()
    }
}
