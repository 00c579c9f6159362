//! Feeds arbitrary text to every identifier validator and the recurrence validator: each must accept or
//! refuse with an error, never panic, and what it accepts must re-parse to itself.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use rempla_core::calendar::recurrence::{Recurrence, expand};
use rempla_core::calendar::Interval;
use rempla_core::domain::{Email, PhoneNumber, Postcode, Rpps, Siren, Siret};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(v) = Rpps::parse(text) {
        assert_eq!(Rpps::parse(v.as_str()).ok(), Some(v));
    }
    if let Ok(v) = Siret::parse(text) {
        assert_eq!(Siret::parse(v.as_str()).ok(), Some(v));
    }
    let _ = Siren::parse(text);
    let _ = Postcode::parse(text);
    if let Ok(v) = Email::parse(text) {
        assert_eq!(Email::parse(v.as_str()).ok(), Some(v));
    }
    let _ = PhoneNumber::parse(text);
    // The same text as a recurrence rule on a night shift in Paris, expanded over one year.
    let (Some(start), Some(end)) = (
        Utc.with_ymd_and_hms(2026, 3, 28, 19, 0, 0).single(),
        Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).single(),
    ) else {
        return;
    };
    let (Ok(first), Some(year_end)) = (Interval::new(start, end), Utc.with_ymd_and_hms(2027, 3, 28, 0, 0, 0).single())
    else {
        return;
    };
    let Ok(window) = Interval::new(start, year_end) else { return };
    let recurrence = Recurrence { rrule: text.to_owned(), exdates: Vec::new() };
    if let Ok(occurrences) = expand(&first, chrono_tz::Europe::Paris, &recurrence, &window, 1_000) {
        assert!(occurrences.windows(2).all(|w| w[0].start() < w[1].start()));
    }
});
