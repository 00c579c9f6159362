//! Feeds arbitrary bytes to the iCalendar import: it must answer with busy periods or an error, never panic,
//! never loop, and what it returns must be sorted and inside the import window.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempla_core::ical::{fuzz_import, fuzz_invariants_hold};

fuzz_target!(|data: &[u8]| {
    // The same entry points the unit and property tests exercise (core/src/ical/import.rs and its parts in import/).
    if let Ok(busy) = fuzz_import(data) {
        assert!(
            fuzz_invariants_hold(&busy),
            "sorted output inside the window"
        );
    }
});
