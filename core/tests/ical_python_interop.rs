//! Interop: a year of exported shifts read back by an independent parser, Python's `icalendar` package
//! (core/tests/python/read_ics.py). Every VEVENT's DTSTART/DTEND, RECURRENCE-ID and EXDATE must be the
//! same UTC instants as in Rust, and RRULE the same text. Requires `python3` with `pip install icalendar`;
//! the test fails (never skips) when they are missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ical_fixture;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use ical_fixture::{ExpectedEvent, availabilities, expected_events, export, missions};
use serde_json::Value;

/// RRULE parts in a canonical order (Python writes them in its own order).
fn canonical_rule(rule: &str) -> String {
    let mut parts: Vec<&str> = rule.split(';').collect();
    parts.sort_unstable();
    parts.join(";")
}

fn parse_utc(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn read_with_python(file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/read_ics.py");
    let output = match Command::new("python3").arg(&script).arg(file).output() {
        Ok(o) => o,
        Err(e) => {
            panic!("cannot run python3 ({e}): install Python 3, then `pip install icalendar`")
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() != Some(3),
        "the Python `icalendar` package is missing: run `pip install icalendar` ({stderr})"
    );
    assert!(output.status.success(), "read_ics.py failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("read_ics.py prints JSON")
}

#[test]
fn python_icalendar_reads_the_same_instants() {
    let availabilities = availabilities();
    let missions = missions();
    let text = export(&availabilities, &missions);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rempla-2026.ics");
    std::fs::write(&file, &text).unwrap();

    let parsed = read_with_python(&file);
    assert_eq!(parsed["prodid"], "-//Rempla//Rempla//FR");
    assert_eq!(parsed["version"], "2.0");
    let zones: Vec<&str> = parsed["timezones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z.as_str().unwrap())
        .collect();
    assert_eq!(
        zones,
        [
            "America/Cayenne",
            "America/Martinique",
            "America/Miquelon",
            "Europe/Paris",
            "Indian/Mayotte",
            "Indian/Reunion"
        ]
    );

    let mut got: Vec<ExpectedEvent> = parsed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| ExpectedEvent {
            uid: e["uid"].as_str().unwrap().to_owned(),
            recurrence_id: parse_utc(&e["recurrence_id"]),
            start: parse_utc(&e["dtstart"]).unwrap(),
            end: parse_utc(&e["dtend"]).unwrap(),
            rrule: e["rrule"].as_str().map(canonical_rule),
            exdates: e["exdates"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(parse_utc)
                .collect(),
            cancelled: e["status"] == "CANCELLED",
            transparent: e["transp"] == "TRANSPARENT",
        })
        .collect();
    got.sort();
    let mut expected = expected_events(&availabilities, &missions);
    for e in &mut expected {
        e.rrule = e.rrule.as_deref().map(canonical_rule);
    }
    // The series crosses both DST changes of 2026: two overrides carry the 11 h and 13 h nights.
    assert_eq!(
        expected
            .iter()
            .filter(|e| e.recurrence_id.is_some())
            .count(),
        2
    );
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }

    // Text survives escaping and folding.
    let events = parsed["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["summary"]
        == "Mission – remplacement en médecine générale, Centre hospitalier de Saint-Étienne-de-Tinée"));
    assert!(
        events
            .iter()
            .any(|e| e["summary"] == "Disponibilité – garde de nuit")
    );
    assert!(events.iter().any(|e| e["sequence"] == 7));
}
