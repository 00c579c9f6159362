//! Helpers of the billing suites (`billing_*.rs`): dates and intervals, the shifts of a mission, unlock
//! facts and the tariff grid.

// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_server::billing::UnlockFacts;

// ---------------------------------------------------------------- helpers

/// The text of a PDF as a reader extracts it, without any whitespace: extractors guess spaces from
/// glyph positions and join wrapped lines, so words are compared without them (see [`has`]).
pub fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_extract::extract_text_from_mem(bytes).expect("PDF readable");
    squash(&text)
}

pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether the extracted (squashed) `text` contains `needle`.
pub fn has(text: &str, needle: &str) -> bool {
    text.contains(&squash(needle))
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn interval(a: &str, b: &str) -> Interval {
    Interval::new(at(a), at(b)).unwrap()
}

pub fn shifts() -> Vec<(ShiftKind, Interval)> {
    vec![
        (
            ShiftKind::Day,
            interval("2027-03-01T07:00:00Z", "2027-03-01T19:00:00Z"),
        ),
        (
            ShiftKind::Day,
            interval("2027-03-02T07:00:00Z", "2027-03-02T19:00:00Z"),
        ),
        (
            ShiftKind::Morning,
            interval("2027-03-03T07:00:00Z", "2027-03-03T13:00:00Z"),
        ),
        (
            ShiftKind::GardeNight,
            interval("2027-03-03T19:00:00Z", "2027-03-04T07:00:00Z"),
        ),
    ]
}

pub fn unlock(mission: &str, facility: &str, doctor: &str, at_ms: i64) -> UnlockFacts {
    UnlockFacts {
        mission_id: mission.to_owned(),
        facility_id: facility.to_owned(),
        doctor_id: doctor.to_owned(),
        shifts: shifts(),
        zone: chrono_tz::Europe::Paris,
        at_ms,
    }
}
