//! The shipped gazetteer: complete, located where France is, searchable as users type.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rempla_core::calendar::Department;
use rempla_core::geo::{CommuneKind, CoordinateSource, gazetteer, haversine_km};

#[test]
fn every_territory_has_communes_with_plausible_points() {
    let g = gazetteer().unwrap();
    let communes = g.communes();
    let real = communes
        .iter()
        .filter(|c| c.kind == CommuneKind::Commune)
        .count();
    assert!(real > 34_900, "{real} communes");
    for d in Department::all() {
        let in_d: Vec<_> = communes.iter().filter(|c| c.department == d).collect();
        assert!(!in_d.is_empty(), "no commune in {}", d.code());
        for c in in_d {
            let (lat, lon) = (c.location.lat, c.location.lon);
            if d.is_overseas() {
                // Every overseas territory lies in the tropics or the North Atlantic (Saint-Pierre).
                assert!(lat.abs() < 48.0, "{} {lat}", c.name);
            } else {
                assert!(
                    (41.0..51.2).contains(&lat) && (-5.3..9.7).contains(&lon),
                    "{} {lat} {lon}",
                    c.name
                );
            }
            assert_eq!(c.time_zone(), d.time_zone());
            assert!(
                g.region_name(&c.region).is_some(),
                "region {} of {}",
                c.region,
                c.name
            );
        }
    }
    // Coverage claims of core/data/geo/README.md.
    let own = communes
        .iter()
        .filter(|c| c.source == CoordinateSource::GeoNames)
        .count();
    assert!(own > 8_000, "{own}");
}

#[test]
fn lookups_and_time_zones() {
    let g = gazetteer().unwrap();
    let paris1 = g.by_postcode("75001").unwrap();
    assert_eq!(&*paris1[0].insee, "75101");
    assert_eq!(paris1[0].kind, CommuneKind::MunicipalArrondissement);
    let fdf = g.by_insee("97209").unwrap();
    assert_eq!(&*fdf.name, "Fort-de-France");
    assert_eq!(fdf.time_zone(), chrono_tz::America::Martinique);
    assert_eq!(g.by_insee("2a004").unwrap().name.as_ref(), "Ajaccio");
    assert_eq!(
        g.by_insee("97502").unwrap().time_zone(),
        chrono_tz::America::Miquelon
    );
    assert_eq!(
        g.by_insee("98818").unwrap().time_zone(),
        chrono_tz::Pacific::Noumea
    );
    assert!(
        g.by_postcode("97133")
            .unwrap()
            .iter()
            .any(|c| &*c.insee == "97701")
    );
    assert_eq!(g.by_insee("00000").unwrap_err().code(), "unknown_insee");
}

#[test]
fn search_forgives_accents_case_and_abbreviations() {
    let g = gazetteer().unwrap();
    for typed in ["saint-etienne", "Saint Étienne", "ST ETIENNE", "st-étienne"] {
        let found = g.search(typed, 5);
        assert_eq!(
            &*found[0].insee,
            "42218",
            "{typed}: {:?}",
            found.first().map(|c| &c.name)
        );
    }
    assert_eq!(&*g.search("l'hay", 3)[0].insee, "94038");
    assert_eq!(&*g.search("LYON", 1)[0].insee, "69123");
    assert!(g.search("zzzz", 5).is_empty());
    assert!(g.search(&"a".repeat(100_000), 5).is_empty());
}

#[test]
fn distances_between_real_communes() {
    let g = gazetteer().unwrap();
    let at = |code: &str| g.by_insee(code).unwrap().location;
    let paris_marseille = haversine_km(at("75056"), at("13055"));
    assert!(
        (650.0..680.0).contains(&paris_marseille),
        "{paris_marseille}"
    );
    let lyon_villeurbanne = haversine_km(at("69123"), at("69266"));
    assert!(lyon_villeurbanne < 8.0, "{lyon_villeurbanne}");
}
