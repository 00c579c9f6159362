//! End-to-end tests of `rempla match` and `rempla dataset generate`: real process, real files, real exit
//! codes; bad input gets a stable code and exit status 1, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn rempla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rempla"))
        .args(args)
        .env("REMPLA_LOG", "off")
        .output()
        .expect("the rempla binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn generate(dir: &Path, seed: &str) -> std::path::PathBuf {
    let file = dir.join(format!("data-{seed}.json"));
    let out = rempla(&[
        "dataset",
        "generate",
        "--seed",
        seed,
        "--doctors",
        "300",
        "--slots-per-doctor",
        "40",
        "--facilities",
        "30",
        "--requests",
        "60",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    file
}

/// Exit status 1 with `erreur [code]` on stderr, and no panic.
fn refused(out: &Output, code: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("erreur [{code}]")),
        "expected {code}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

const DATASET: &str = r#"{
  "format": "rempla-matching-dataset", "version": 1,
  "doctors": [{
    "id": "01890a5d-ac96-774b-bcce-b302099a8057", "status": "verified",
    "specialties": ["medecine-generale"], "qualification": {"kind": "thesed"},
    "base": {"lat": 45.76, "lon": 4.84}, "travel_radius_km": 30,
    "slots": [{"start": "2027-03-01T07:00:00Z", "end": "2027-03-01T13:00:00Z", "kind": "morning"}]
  }],
  "requests": [{
    "id": "01890a5d-ac96-774b-bcce-b302099a8058", "specialty": "medecine-generale",
    "department": "69", "location": {"lat": 45.75, "lon": 4.85},
    "shifts": [{"kind": "day", "start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z"}]
  }]
}"#;
const REQUEST: &str = "01890a5d-ac96-774b-bcce-b302099a8058";
const DOCTOR: &str = "01890a5d-ac96-774b-bcce-b302099a8057";

#[test]
fn a_hand_written_dataset_gives_a_partial_candidate_with_its_gap() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.json");
    std::fs::write(&file, DATASET).unwrap();
    let path = file.to_str().unwrap();
    let out = rempla(&["match", "--dataset", path, "--request", REQUEST]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 candidat : 0 complet, 1 partiel"), "{text}");
    assert!(
        text.contains("Couvre 6 h sur 12 h demandées (50 %)"),
        "{text}"
    );
    assert!(
        text.contains("non couvert : lun. 2027-03-01 14:00 → lun. 2027-03-01 20:00"),
        "{text}"
    );
    assert!(
        text.contains("Couverture à plusieurs (incomplète"),
        "{text}"
    );

    let out = rempla(&["--json", "match", "--dataset", path, "--request", REQUEST]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["candidates"][0]["doctor"], DOCTOR);
    assert_eq!(v["candidates"][0]["status"], "partial");
    assert_eq!(
        v["candidates"][0]["coverage"]["shifts"][0]["uncovered"][0]["start"],
        "2027-03-01T13:00:00Z"
    );
    assert_eq!(v["candidates"][0]["criteria"][0]["name"], "coverage");

    let out = rempla(&["--json", "match", "--dataset", path, "--doctor", DOCTOR]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"][0]["request"], REQUEST);
}

#[test]
fn generated_datasets_are_reproducible_and_matchable() {
    let dir = tempfile::tempdir().unwrap();
    let a = generate(dir.path(), "5");
    let b_dir = tempfile::tempdir().unwrap();
    let b = generate(b_dir.path(), "5");
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "same seed, same bytes"
    );
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap();
    assert_eq!(data["doctors"].as_array().unwrap().len(), 300);
    let path = a.to_str().unwrap();
    for r in data["requests"].as_array().unwrap().iter().take(10) {
        let out = rempla(&[
            "--json",
            "match",
            "--dataset",
            path,
            "--request",
            r["id"].as_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["candidates"].is_array());
    }
    let doctor = data["doctors"][0]["id"].as_str().unwrap();
    let out = rempla(&["match", "--dataset", path, "--doctor", doctor]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = dir.path().join("csv");
    let out = rempla(&[
        "dataset",
        "generate",
        "--seed",
        "5",
        "--doctors",
        "20",
        "--requests",
        "5",
        "--facilities",
        "2",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for table in ["doctors", "slots", "busy", "requests", "shifts", "declines"] {
        assert!(csv.join(format!("{table}.csv")).exists(), "{table}");
    }
    assert_eq!(
        std::fs::read_to_string(csv.join("doctors.csv"))
            .unwrap()
            .lines()
            .count(),
        20
    );
}

#[test]
fn bad_input_is_refused_with_a_stable_code() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let good = write("good.json", DATASET);
    refused(
        &rempla(&[
            "match",
            "--dataset",
            &good,
            "--request",
            "01890a5d-ac96-774b-bcce-b302099a8099",
        ]),
        "unknown_request",
    );
    refused(
        &rempla(&[
            "match",
            "--dataset",
            &good,
            "--doctor",
            "01890a5d-ac96-774b-bcce-b302099a8099",
        ]),
        "unknown_doctor",
    );
    refused(
        &rempla(&["match", "--dataset", &good, "--request", "not-an-id"]),
        "invalid_id",
    );

    let not_json = write("bad.json", "this is { not json");
    refused(
        &rempla(&["match", "--dataset", &not_json, "--request", REQUEST]),
        "dataset_not_json",
    );

    let reversed = write(
        "reversed.json",
        &DATASET.replace(
            r#""start": "2027-03-01T07:00:00Z", "end": "2027-03-01T19:00:00Z""#,
            r#""start": "2027-03-01T19:00:00Z", "end": "2027-03-01T07:00:00Z""#,
        ),
    );
    refused(
        &rempla(&["match", "--dataset", &reversed, "--request", REQUEST]),
        "reversed_interval",
    );

    let off_earth = write(
        "earth.json",
        &DATASET.replace(r#""lat": 45.75"#, r#""lat": 95.75"#),
    );
    refused(
        &rempla(&["match", "--dataset", &off_earth, "--request", REQUEST]),
        "coordinates",
    );

    let no_specialty = write(
        "spec.json",
        &DATASET.replace(r#"["medecine-generale"]"#, "[]"),
    );
    refused(
        &rempla(&["match", "--dataset", &no_specialty, "--request", REQUEST]),
        "empty_specialties",
    );

    let missing = dir.path().join("absent.json");
    let out = rempla(&[
        "match",
        "--dataset",
        missing.to_str().unwrap(),
        "--request",
        REQUEST,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("read_failed"));

    // Neither --request nor --doctor: a usage error.
    assert_eq!(
        rempla(&["match", "--dataset", &good]).status.code(),
        Some(2)
    );
    // Generator sizes beyond reason.
    let huge = dir.path().join("huge.json");
    refused(
        &rempla(&[
            "dataset",
            "generate",
            "--doctors",
            "999999999",
            "--output",
            huge.to_str().unwrap(),
        ]),
        "generator_config",
    );
}
