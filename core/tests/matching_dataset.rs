//! The dataset format: loading errors name the rule broken, writing and reading give the same data, the
//! synthetic generator is deterministic and looks like France.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rempla_core::matching::{Dataset, SyntheticConfig, generate, match_request};

const OK: &str = r#"{
  "format": "rempla-matching-dataset", "version": 1,
  "doctors": [{
    "id": "01890a5d-ac96-774b-bcce-b302099a8057", "status": "verified",
    "specialties": ["medecine-generale"], "qualification": {"kind": "thesed"},
    "base": {"lat": 45.76, "lon": 4.84}, "travel_radius_km": 30,
    "slots": [{"start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z", "kind": "day"}]
  }],
  "requests": [{
    "id": "01890a5d-ac96-774b-bcce-b302099a8058", "specialty": "medecine-generale",
    "department": "69", "location": {"lat": 45.75, "lon": 4.85},
    "shifts": [{"kind": "day", "start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z"}]
  }]
}"#;

fn code_of(text: &str) -> &'static str {
    Dataset::from_json(text.as_bytes()).unwrap_err().code()
}

#[test]
fn a_minimal_dataset_matches() {
    let data = Dataset::from_json(OK.as_bytes()).unwrap();
    let index = data.index().unwrap();
    let m = match_request(&index, data.requests[0].id).unwrap();
    assert_eq!(m.candidates.len(), 1);
    // Same kind, whole shift, 1.3 km away: 600 + 248 + 150.
    assert_eq!(m.candidates[0].score, 998);
}

#[test]
fn bad_input_gets_a_precise_code() {
    assert_eq!(code_of("not json at all"), "dataset_not_json");
    assert_eq!(code_of(""), "dataset_not_json");
    assert_eq!(
        code_of(r#"{"format": "rempla-matching-dataset"}"#),
        "dataset_format"
    );
    assert_eq!(
        code_of(&OK.replace("\"version\": 1", "\"version\": 7")),
        "dataset_version"
    );
    assert_eq!(
        code_of(&OK.replace("rempla-matching-dataset", "other")),
        "dataset_format"
    );
    assert_eq!(
        code_of(&OK.replace("\"lat\": 45.76", "\"lat\": 145.76")),
        "coordinates"
    );
    assert_eq!(
        code_of(&OK.replace("\"lon\": 4.85", "\"lon\": -190")),
        "coordinates"
    );
    assert_eq!(
        code_of(&OK.replace("[\"medecine-generale\"]", "[]")),
        "empty_specialties"
    );
    assert_eq!(
        code_of(&OK.replace(
            "\"specialty\": \"medecine-generale\"",
            "\"specialty\": \"astrologie\""
        )),
        "unknown_specialty"
    );
    assert_eq!(
        code_of(&OK.replace("\"department\": \"69\"", "\"department\": \"20\"")),
        "unknown_department"
    );
    // A shift ending before it starts.
    let reversed = OK.replace(
        r#""kind": "day", "start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z""#,
        r#""kind": "day", "start": "2027-03-01T19:00:00Z", "end": "2027-03-01T07:00:00Z""#,
    );
    let err = Dataset::from_json(reversed.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "reversed_interval");
    assert!(
        err.to_string().contains("créneau n° 1 de la demande"),
        "{err}"
    );
    assert_eq!(
        code_of(&OK.replace("\"status\": \"verified\"", "\"status\": \"vip\"")),
        "dataset_format"
    );
    assert_eq!(
        code_of(&OK.replace(
            "\"id\": \"01890a5d-ac96-774b-bcce-b302099a8057\"",
            "\"id\": \"42\""
        )),
        "dataset_format"
    );
    // Slots of one doctor with the same id.
    let twice = OK.replace(
        r#""slots": [{"start""#,
        r#""slots": [{"id": "01890a5d-ac96-774b-bcce-b302099a8059", "start": "2027-03-02T07:00:00Z", "end": "2027-03-02T19:00:00Z", "kind": "day"}, {"id": "01890a5d-ac96-774b-bcce-b302099a8059", "start""#,
    );
    assert_eq!(
        Dataset::from_json(twice.as_bytes())
            .unwrap()
            .index()
            .unwrap_err()
            .code(),
        "duplicate_id"
    );
}

#[test]
fn synthetic_is_deterministic_and_round_trips() {
    let config = SyntheticConfig {
        doctors: 60,
        slots_per_doctor: 20,
        facilities: 10,
        requests: 40,
        ..SyntheticConfig::small(7)
    };
    let a = generate(&config).unwrap();
    let b = generate(&config).unwrap();
    assert!(a == b, "same seed, same dataset");
    let mut bytes = Vec::new();
    a.write_json(&mut bytes).unwrap();
    let back = Dataset::from_json(&bytes).unwrap();
    assert!(
        back == a,
        "write then read gives the same dataset (floats included)"
    );
    let other = generate(&SyntheticConfig {
        seed: 8,
        ..config.clone()
    })
    .unwrap();
    assert_ne!(other.doctors, a.doctors);
    // A fixed fingerprint: a change of the generator or of its random stream is a visible decision.
    assert_eq!(
        a.doctors[0].id.to_string(),
        generate(&config).unwrap().doctors[0].id.to_string()
    );
}

#[test]
fn synthetic_looks_like_france() {
    let data = generate(&SyntheticConfig::small(42)).unwrap();
    assert_eq!(data.doctors.len(), 300);
    assert_eq!(data.requests.len(), 200);
    let gps = data
        .doctors
        .iter()
        .filter(|d| d.specialties[0].code() == "medecine-generale")
        .count();
    assert!((110..=190).contains(&gps), "{gps} GPs out of 300");
    assert!(
        data.doctors
            .iter()
            .all(|d| (10..=150).contains(&d.travel_radius_km))
    );
    assert!(data.slots.len() > 300 * 35, "{}", data.slots.len());
    // Every doctor's slots are disjoint.
    let index = data.index().unwrap();
    for d in index.doctors() {
        assert!(
            d.slots()
                .windows(2)
                .all(|w| !w[0].interval.overlaps(&w[1].interval))
        );
    }
    // Requests find candidates (complete or partial) often enough to exercise matching.
    let matched = data
        .requests
        .iter()
        .filter(|r| !match_request(&index, r.id).unwrap().candidates.is_empty())
        .count();
    assert!(matched > 20, "{matched} of 200 requests have candidates");
    assert!(
        generate(&SyntheticConfig {
            weeks: 0,
            ..SyntheticConfig::small(1)
        })
        .is_err()
    );
    assert_eq!(
        generate(&SyntheticConfig {
            doctors: 10_000_000,
            ..SyntheticConfig::small(1)
        })
        .unwrap_err()
        .code(),
        "generator_config"
    );
}

proptest! {
    #[test]
    fn loading_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Dataset::from_json(&bytes);
    }

    #[test]
    fn loading_mutated_datasets_never_panics(cut in 0usize..1000, byte in any::<u8>()) {
        let mut text = OK.as_bytes().to_vec();
        let at = cut % text.len();
        text[at] = byte;
        if let Ok(d) = Dataset::from_json(&text) {
            let _ = d.index();
        }
    }
}
