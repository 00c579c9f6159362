//! The embedded gazetteer: parsed once, on first use, from `core/data/geo/communes.tsv` (format and
//! sources in `core/data/geo/README.md`), then queried by INSEE code, postcode or name prefix.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::commune::{Commune, CommuneKind, CoordinateSource};
use super::error::GeoError;
use super::search::search_key;
use crate::calendar::Department;
use crate::domain::GeoPoint;

/// The data file, compiled into the binary so phones need no download.
const DATA: &str = include_str!("../../data/geo/communes.tsv");

/// Longest name query accepted (hostile input is cut, not searched).
const MAX_QUERY_BYTES: usize = 200;

static GAZETTEER: LazyLock<Result<Gazetteer, GeoError>> = LazyLock::new(|| Gazetteer::parse(DATA));

/// The shipped gazetteer, parsed on first call (about 35,000 rows, a few milliseconds). A broken data
/// file is reported as [`GeoError::Data`], never a panic.
pub fn gazetteer() -> Result<&'static Gazetteer, GeoError> {
    GAZETTEER.as_ref().map_err(Clone::clone)
}

/// A region (or an overseas collectivity, which is its own region).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// INSEE region code (`84`, `01` for Guadeloupe, `987` for French Polynesia).
    pub code: Box<str>,
    /// French name.
    pub name: Box<str>,
}

/// Every French commune, with lookup tables.
#[derive(Debug)]
pub struct Gazetteer {
    communes: Vec<Commune>,
    regions: Vec<Region>,
    by_insee: HashMap<Box<str>, usize>,
    by_postcode: HashMap<Box<str>, Vec<usize>>,
    /// `(search key, commune index)` sorted by key: a prefix is a contiguous range.
    names: Vec<(String, usize)>,
}

impl Gazetteer {
    /// Parses a gazetteer file (the shipped one or a test fixture).
    pub fn parse(text: &str) -> Result<Self, GeoError> {
        let mut communes = Vec::new();
        let mut regions = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.first().copied() {
                Some("R") if fields.len() == 3 => regions.push(Region {
                    code: fields[1].into(),
                    name: fields[2].into(),
                }),
                Some("C") => communes.push(parse_commune(&fields, line_no)?),
                _ => {
                    return Err(GeoError::Data {
                        line: line_no,
                        reason: "ligne ni région (R, 3 champs) ni commune (C, 11 champs)".into(),
                    });
                }
            }
        }
        let mut by_insee = HashMap::with_capacity(communes.len());
        let mut by_postcode: HashMap<Box<str>, Vec<usize>> = HashMap::new();
        let mut names = Vec::with_capacity(communes.len());
        for (i, c) in communes.iter().enumerate() {
            if by_insee.insert(c.insee.clone(), i).is_some() {
                return Err(GeoError::Data {
                    line: 0,
                    reason: format!("code INSEE {} en double", c.insee),
                });
            }
            for pc in &c.postcodes {
                by_postcode.entry(pc.clone()).or_default().push(i);
            }
            names.push((search_key(&c.name), i));
        }
        names.sort_unstable();
        // Within one postcode the most precise answer leads: a municipal arrondissement (75001 →
        // Paris 1er) before its city, then the most populous commune.
        for list in by_postcode.values_mut() {
            list.sort_by(|&a, &b| {
                let arrondissement =
                    |i: usize| communes[i].kind == CommuneKind::MunicipalArrondissement;
                arrondissement(b)
                    .cmp(&arrondissement(a))
                    .then_with(|| communes[b].population.cmp(&communes[a].population))
                    .then_with(|| communes[a].insee.cmp(&communes[b].insee))
            });
        }
        Ok(Self {
            communes,
            regions,
            by_insee,
            by_postcode,
            names,
        })
    }

    /// Every commune, sorted by INSEE code.
    pub fn communes(&self) -> &[Commune] {
        &self.communes
    }

    /// The commune whose representative point is nearest to `point` (a scan: 35,000 communes take well
    /// under a millisecond): what a facility is shown of a doctor's base instead of its coordinates.
    /// Municipal arrondissements give way to their commune. `None` for an empty gazetteer.
    pub fn nearest(&self, point: GeoPoint) -> Option<&Commune> {
        self.communes
            .iter()
            .filter(|c| c.kind != CommuneKind::MunicipalArrondissement)
            .min_by(|a, b| {
                super::distance::haversine_km(point, a.location)
                    .total_cmp(&super::distance::haversine_km(point, b.location))
            })
    }

    /// Every region.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The name of a region code, if known.
    pub fn region_name(&self, code: &str) -> Option<&str> {
        self.regions
            .iter()
            .find(|r| &*r.code == code)
            .map(|r| &*r.name)
    }

    /// The commune of an INSEE code (surrounding spaces ignored, `2a` accepted for `2A`).
    pub fn by_insee(&self, code: &str) -> Result<&Commune, GeoError> {
        let wanted = code.trim().to_ascii_uppercase();
        self.by_insee
            .get(wanted.as_str())
            .map(|&i| &self.communes[i])
            .ok_or_else(|| GeoError::UnknownInsee {
                code: code.chars().take(16).collect(),
            })
    }

    /// The communes a postcode serves: municipal arrondissements first (`75001` → Paris 1er), then by
    /// population, most populous first.
    pub fn by_postcode(&self, postcode: &str) -> Result<Vec<&Commune>, GeoError> {
        self.by_postcode
            .get(postcode.trim())
            .map(|list| list.iter().map(|&i| &self.communes[i]).collect())
            .ok_or_else(|| GeoError::UnknownPostcode {
                code: postcode.chars().take(16).collect(),
            })
    }

    /// Communes whose name starts with `query` (see [`search_key`] for what "starts with" forgives),
    /// most populous first, at most `limit`. An empty query finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Commune> {
        let cut: String = query.chars().take(MAX_QUERY_BYTES).collect();
        let key = search_key(&cut);
        if key.trim().is_empty() || limit == 0 {
            return Vec::new();
        }
        // A trailing space ("st ") asks for whole words: "saint" and "saint etienne", not "sainte".
        let base = key.trim_end();
        let whole_word = base.len() < key.len();
        let start = self.names.partition_point(|(k, _)| k.as_str() < base);
        let mut found: Vec<&Commune> = self.names[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(base))
            .filter(|(k, _)| {
                !whole_word || k.len() == base.len() || k[base.len()..].starts_with(' ')
            })
            .map(|&(_, i)| &self.communes[i])
            .collect();
        found.sort_by(|a, b| {
            b.population
                .cmp(&a.population)
                .then_with(|| a.insee.cmp(&b.insee))
        });
        found.truncate(limit);
        found
    }
}

fn parse_commune(fields: &[&str], line: usize) -> Result<Commune, GeoError> {
    let bad = |reason: String| GeoError::Data { line, reason };
    if fields.len() != 11 {
        return Err(bad(format!("{} champs au lieu de 11", fields.len())));
    }
    let kind = match fields[3] {
        "c" => CommuneKind::Commune,
        "a" => CommuneKind::MunicipalArrondissement,
        other => return Err(bad(format!("type « {other} » inconnu"))),
    };
    let department = Department::parse(fields[4]).map_err(|e| bad(e.to_string()))?;
    let population = fields[7]
        .parse()
        .map_err(|_| bad(format!("population « {} »", fields[7])))?;
    let coord = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| bad(format!("coordonnée « {s} »")))
    };
    let location =
        GeoPoint::new(coord(fields[8])?, coord(fields[9])?).map_err(|e| bad(e.to_string()))?;
    let source = CoordinateSource::parse(fields[10])
        .ok_or_else(|| bad(format!("source « {} » inconnue", fields[10])))?;
    if fields[1].is_empty() || fields[2].is_empty() {
        return Err(bad("code ou nom vide".into()));
    }
    Ok(Commune {
        insee: fields[1].into(),
        name: fields[2].into(),
        kind,
        department,
        region: fields[5].into(),
        postcodes: fields[6]
            .split(',')
            .filter(|p| !p.is_empty())
            .map(Into::into)
            .collect(),
        population,
        location,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = "# test\nR\t84\tAuvergne-Rhône-Alpes\n\
        C\t42218\tSaint-Étienne\tc\t42\t84\t42000,42100\t171057\t45.43389\t4.39\tg\n\
        C\t42219\tSaint-Étienne-le-Molard\tc\t42\t84\t42130\t1000\t45.7\t4.1\tp\n\
        C\t42220\tStains-sur-Loire\tc\t42\t84\t42100\t10\t45.5\t4.2\te\n";

    #[test]
    fn the_nearest_commune_of_a_point_is_found() {
        let g = Gazetteer::parse(FIXTURE).unwrap();
        let near_molard = GeoPoint {
            lat: 45.69,
            lon: 4.11,
        };
        assert_eq!(g.nearest(near_molard).map(|c| &*c.insee), Some("42219"));
        let centre = GeoPoint {
            lat: 45.43,
            lon: 4.39,
        };
        assert_eq!(g.nearest(centre).map(|c| &*c.insee), Some("42218"));
    }

    #[test]
    fn parse_lookup_search() {
        let g = Gazetteer::parse(FIXTURE).unwrap();
        assert_eq!(g.communes().len(), 3);
        assert_eq!(g.region_name("84"), Some("Auvergne-Rhône-Alpes"));
        assert_eq!(&*g.by_insee(" 42218 ").unwrap().name, "Saint-Étienne");
        assert_eq!(g.by_insee("99999").unwrap_err().code(), "unknown_insee");
        let pc: Vec<_> = g
            .by_postcode("42100")
            .unwrap()
            .iter()
            .map(|c| &*c.insee)
            .collect();
        assert_eq!(pc, ["42218", "42220"]);
        assert_eq!(
            g.by_postcode("00000").unwrap_err().code(),
            "unknown_postcode"
        );
        let names = |q: &str| -> Vec<String> {
            g.search(q, 10).iter().map(|c| c.name.to_string()).collect()
        };
        assert_eq!(
            names("st etienne"),
            ["Saint-Étienne", "Saint-Étienne-le-Molard"]
        );
        assert_eq!(names("SAINT-ÉTIENNE-LE"), ["Saint-Étienne-le-Molard"]);
        assert_eq!(names("st"), ["Saint-Étienne", "Saint-Étienne-le-Molard"]);
        assert_eq!(names("sta"), ["Stains-sur-Loire"]);
        assert_eq!(
            names("saint etienne "),
            ["Saint-Étienne", "Saint-Étienne-le-Molard"]
        );
        assert_eq!(
            names("saint-etienne-le-molard "),
            ["Saint-Étienne-le-Molard"]
        );
        assert!(names("").is_empty());
        assert_eq!(g.search("s", 1).len(), 1);
    }

    #[test]
    fn broken_files_are_errors_with_a_line() {
        for (text, line) in [
            ("C\t1\n", 1),
            ("#\nC\t42218\tX\tc\t42\t84\t42000\t1\t95\t4\tg\n", 2),
            ("C\t42218\tX\tc\t99\t84\t42000\t1\t45\t4\tg\n", 1),
            ("C\t42218\tX\tc\t42\t84\t42000\tmany\t45\t4\tg\n", 1),
            ("C\t42218\tX\tz\t42\t84\t42000\t1\t45\t4\tg\n", 1),
            ("C\t42218\tX\tc\t42\t84\t42000\t1\t45\t4\t?\n", 1),
            ("hello\n", 1),
        ] {
            match Gazetteer::parse(text) {
                Err(GeoError::Data { line: l, .. }) => assert_eq!(l, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        let dup = "C\t1\tA\tc\t42\t84\t\t1\t45\t4\tg\nC\t1\tB\tc\t42\t84\t\t1\t45\t4\tg\n";
        assert_eq!(Gazetteer::parse(dup).unwrap_err().code(), "geo_data");
    }
}
