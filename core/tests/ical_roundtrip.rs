//! Export → import round trip, the `icalendar` crate's parser on our output, and robustness of import on
//! random and mutated input (never a panic; all or nothing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ical_fixture;

use chrono_tz::Europe::Paris;
use ical_fixture::{availabilities, export, missions, year_2026};
use proptest::prelude::*;
use rempla_core::calendar::Interval;
use rempla_core::calendar::recurrence::expand;
use rempla_core::ical::{
    ImportOptions, fuzz_import, fuzz_invariants_hold, import_busy, import_busy_bytes,
};

fn options() -> ImportOptions {
    ImportOptions::new(Paris, year_2026())
}

#[test]
fn export_then_import_gives_the_same_instants() {
    let availabilities = availabilities();
    let missions = missions();
    // Availabilities are exported as free time (TRANSP:TRANSPARENT) and import keeps busy time only, so the
    // test marks them busy to compare every instant.
    let text = export(&availabilities, &missions).replace("TRANSP:TRANSPARENT", "TRANSP:OPAQUE");
    let imported = import_busy(&text, &options()).unwrap();

    let mut expected: Vec<(String, Interval)> = Vec::new();
    for a in &availabilities {
        let uid = format!("{}@rempla.fr", a.id);
        match &a.recurrence {
            None => expected.push((uid, a.interval)),
            Some(r) => {
                for i in expand(&a.interval, a.zone, r, &year_2026(), 1000).unwrap() {
                    expected.push((format!("{uid}/{}", i.start().format("%Y%m%dT%H%M%SZ")), i));
                }
            }
        }
    }
    for m in missions.iter().filter(|m| !m.cancelled) {
        expected.push((format!("{}@rempla.fr", m.id), m.interval));
    }
    expected.sort_by_key(|(uid, i)| (*i, uid.clone()));
    let got: Vec<(String, Interval)> = imported
        .iter()
        .map(|b| (b.source_uid.clone(), b.interval))
        .collect();
    assert_eq!(got, expected);
    // 39 Saturdays from 7 March to 28 November minus one EXDATE, 13 single availabilities, 1 live mission.
    assert_eq!(got.len(), 39 - 1 + 13 + 1);
    let nights: Vec<i64> = imported
        .iter()
        .filter(|b| b.source_uid.contains('/'))
        .map(|b| b.interval.duration().num_hours())
        .collect();
    assert_eq!(nights.iter().filter(|h| **h == 11).count(), 1);
    assert_eq!(nights.iter().filter(|h| **h == 13).count(), 1);
    let summary = imported
        .iter()
        .find(|b| b.summary.as_deref() == Some("Disponibilité – astreinte"));
    assert!(summary.is_some());
}

#[test]
fn our_vtimezones_alone_give_the_same_instants() {
    // Rename the zones so that the importer cannot look them up by IANA name: it must read the offsets
    // from the generated VTIMEZONEs (and find an IANA zone with the same offsets).
    let text =
        export(&availabilities(), &missions()).replace("TRANSP:TRANSPARENT", "TRANSP:OPAQUE");
    let renamed = text
        .replace("Europe/Paris", "Rempla Paris")
        .replace("America/Miquelon", "Rempla Miquelon");
    assert!(!renamed.contains("Europe/Paris") && renamed.contains("TZID:Rempla Paris"));
    let mut utc_default = options();
    utc_default.default_zone = chrono_tz::UTC;
    let by_name = import_busy(&text, &utc_default).unwrap();
    let by_vtimezone = import_busy(&renamed, &utc_default).unwrap();
    assert_eq!(by_vtimezone, by_name);
    assert_eq!(by_name.len(), 39 - 1 + 13 + 1);
}

#[test]
fn export_is_well_formed_for_the_icalendar_crate() {
    let text = export(&availabilities(), &missions());
    assert!(
        text.split("\r\n").all(|l| l.len() <= 75),
        "every physical line is folded at 75 octets"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    let unfolded = icalendar::parser::unfold(&text);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    let prop = |name: &str| {
        cal.properties
            .iter()
            .find(|p| p.name.as_str() == name)
            .map(|p| p.val.as_str().to_owned())
    };
    assert_eq!(prop("PRODID").as_deref(), Some("-//Rempla//Rempla//FR"));
    assert_eq!(prop("VERSION").as_deref(), Some("2.0"));
    assert_eq!(prop("CALSCALE").as_deref(), Some("GREGORIAN"));
    let events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .collect();
    assert_eq!(
        events.len(),
        14 + 2 + 2,
        "14 availabilities, 2 DST overrides, 2 missions"
    );
    let custom = events
        .iter()
        .find(|e| e.find_prop("SEQUENCE").map(|p| p.val.as_str()) == Some("7"))
        .expect("the booked custom availability");
    assert_eq!(
        custom.find_prop("DESCRIPTION").unwrap().val.as_str(),
        "Réveillon ; pas après 17h, merci\\\nappeler le standard, poste 12",
        "escaped on the way out, unescaped by the crate's parser"
    );
    assert_eq!(
        custom.find_prop("STATUS").unwrap().val.as_str(),
        "CONFIRMED"
    );
    let cancelled = events
        .iter()
        .filter(|e| e.find_prop("STATUS").map(|p| p.val.as_str()) == Some("CANCELLED"));
    assert_eq!(cancelled.count(), 1);
    let series = events
        .iter()
        .find(|e| e.find_prop("RRULE").is_some())
        .unwrap();
    let exdate = series.find_prop("EXDATE").unwrap();
    assert_eq!(exdate.val.as_str(), "20260404T200000");
    assert_eq!(
        exdate
            .params
            .iter()
            .find(|p| p.key.as_str() == "TZID")
            .and_then(|p| p.val.as_ref())
            .map(icalendar::parser::ParseString::as_str),
        Some("Europe/Paris")
    );
    let uids: std::collections::BTreeSet<_> = events
        .iter()
        .map(|e| e.find_prop("UID").unwrap().val.as_str().to_owned())
        .collect();
    assert_eq!(
        uids.len(),
        14 + 2,
        "overrides share the UID of their series"
    );
    assert!(uids.iter().all(|u| u.ends_with("@rempla.fr")));
}

#[test]
fn uids_are_stable_across_exports() {
    let a = availabilities();
    let m = missions();
    let uid_lines = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(uid_lines(&export(&a, &m)), uid_lines(&export(&a, &m)));
    assert_eq!(export(&a, &m), export(&a, &m), "same input, same bytes");
}

#[test]
fn hostile_files_are_rejected_whole() {
    let opts = options();
    let code = |t: &str| import_busy(t, &opts).unwrap_err().code();
    let valid =
        export(&availabilities(), &missions()).replace("TRANSP:TRANSPARENT", "TRANSP:OPAQUE");
    // Unterminated: cut before END:VCALENDAR.
    assert_eq!(
        code(valid.trim_end_matches("END:VCALENDAR\r\n")),
        "ical_unterminated_component"
    );
    assert_eq!(
        code(&valid.replacen("END:VEVENT", "END:VTODO", 1)),
        "ical_unbalanced_component"
    );
    // One event ending before it starts poisons the whole file.
    let broken = valid.replacen(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260105T080000Z\r\nDTEND:20260105T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
        1,
    );
    assert_eq!(code(&broken), "ical_end_before_start");
    let many = format!(
        "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260105T080000Z\r\nEND:VEVENT\r\n".repeat(60_000)
    );
    assert_eq!(code(&many), "ical_too_many_events");
    let deep = format!("BEGIN:VCALENDAR\r\n{}", "BEGIN:VEVENT\r\n".repeat(500_000));
    assert_eq!(code(&deep), "ical_nesting_too_deep");
    let bomb = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART:19000101T000000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let mut tight = options();
    tight.max_walked_occurrences = 10_000;
    assert_eq!(
        import_busy(bomb, &tight).unwrap_err().code(),
        "ical_too_many_occurrences"
    );
    assert_eq!(
        import_busy_bytes(&[0xff; 100], &opts).unwrap_err().code(),
        "ical_invalid_utf8"
    );
    let huge = vec![b'A'; 11 * 1024 * 1024];
    assert_eq!(
        import_busy_bytes(&huge, &opts).unwrap_err().code(),
        "ical_too_large"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random bytes: an error or a result, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut prefixed = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".to_vec();
        prefixed.extend(&bytes);
        for input in [&bytes, &prefixed] {
            if let Ok(busy) = fuzz_import(input) {
                prop_assert!(fuzz_invariants_hold(&busy));
            }
        }
    }

    /// Random text (valid UTF-8, multi-byte characters included) inside an event: never a panic.
    #[test]
    fn random_event_lines_never_panic(lines in proptest::collection::vec("(DTEND|DURATION|RRULE|EXDATE|RDATE|RECURRENCE-ID|STATUS|TRANSP|DTSTART|[A-Z]{1,8})(;(TZID|VALUE|[A-Z]+)=[^:\r\n]{0,12})?:[-+A-Z0-9=;,/PTWDHMS:é ]{0,40}", 0..8)) {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART:20260105T080000Z\r\n{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            lines.join("\r\n")
        );
        if let Ok(busy) = fuzz_import(text.as_bytes()) {
            prop_assert!(fuzz_invariants_hold(&busy));
        }
    }

    /// A valid file with one line deleted, duplicated or altered: all or nothing, never a panic.
    #[test]
    fn mutated_valid_files_are_all_or_nothing(line in 0usize..400, op in 0u8..4, junk in "[A-Z0-9:;=,/\\-TZ éß€\"]{0,24}") {
        let valid = export(&availabilities(), &missions()).replace("TRANSP:TRANSPARENT", "TRANSP:OPAQUE");
        let full = import_busy(&valid, &options()).unwrap();
        let mut lines: Vec<String> = valid.split("\r\n").map(str::to_owned).collect();
        let i = line % lines.len();
        match op {
            0 => { lines.remove(i); }
            1 => { let l = lines[i].clone(); lines.insert(i, l); }
            2 => lines[i].push_str(&junk),
            _ => lines[i] = junk.clone(),
        }
        let mutated = lines.join("\r\n");
        if let Ok(busy) = import_busy(&mutated, &options()) {
            // Whatever was accepted is a coherent reading: within the window, and not inflated beyond what
            // one duplicated or altered line can add.
            prop_assert!(busy.iter().all(|b| b.interval.overlaps(&year_2026())));
            prop_assert!(busy.len() <= full.len() + 40);
        }
    }
}
