//! Import of busy times from another calendar's export (Google Calendar, Apple, Thunderbird…).
//!
//! All-or-nothing: the functions return every busy period of the file within the window, or one
//! [`IcalError`] and nothing. A half-imported calendar would make matching propose a doctor at times they
//! are busy without anyone noticing.
//!
//! Reading rules:
//! - times in UTC (`…Z`), with a `TZID` (resolved as the `zones` module documents), or floating (read in
//!   [`ImportOptions::default_zone`]);
//! - all-day events (`VALUE=DATE`) cover whole local days of the default zone, `DTEND` exclusive, one day if
//!   there is no `DTEND`;
//! - `DURATION` instead of `DTEND`: weeks and days are nominal (local days), hours to seconds exact
//!   (RFC 5545 §3.3.6); a timed event with neither is instantaneous and yields no busy period;
//! - `RRULE` (at most daily, see [`crate::calendar::recurrence`]), `RDATE`, `EXDATE` (date-times, or dates
//!   that remove every instance starting that local day) are expanded within the window; `DTSTART` always
//!   counts as an instance, as in Google Calendar;
//! - `RECURRENCE-ID` overrides replace the instance they name (`RANGE=THISANDFUTURE` is read as a plain
//!   override); an override without its series is imported on its own;
//! - `TRANSP:TRANSPARENT` and `STATUS:CANCELLED` events give no busy time (a cancelled series hides its
//!   overrides too; a transparent series still lets opaque overrides count).
//!
//! The work is split by responsibility: `values` reads dates, date-times and durations, `event` maps one
//! event to its busy period, `recurrence` expands series with their exceptions and overrides; this file
//! holds the entry points and sorts a calendar's events by `UID`.

mod event;
mod recurrence;
mod values;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::error::IcalError;
use super::limits::ImportOptions;
use super::parse::{Tree, parse_tree};
use super::zones::ZoneResolver;
use crate::calendar::{CalendarError, Interval};
pub use event::ImportedBusy;
use event::Importer;
use recurrence::Group;

/// Imports the busy periods of raw bytes: checks the size, then that they are UTF-8.
pub fn import_busy_bytes(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Vec<ImportedBusy>, IcalError> {
    if bytes.len() > options.max_bytes {
        return Err(IcalError::TooLarge {
            bytes: bytes.len(),
            max: options.max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| IcalError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    import_busy(text, options)
}

/// Imports the busy periods of an iCalendar text within `options.window`, sorted by start.
pub fn import_busy(text: &str, options: &ImportOptions) -> Result<Vec<ImportedBusy>, IcalError> {
    if text.len() > options.max_bytes {
        return Err(IcalError::TooLarge {
            bytes: text.len(),
            max: options.max_bytes,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = parse_tree(text, options)?;
    let mut importer = Importer {
        options,
        out: Vec::new(),
        walked: 0,
    };
    for &root in &tree.roots {
        importer.calendar(&tree, root)?;
    }
    let mut out = importer.out;
    out.sort();
    Ok(out)
}

/// The import window of [`fuzz_import`]: 2020–2030.
fn fuzz_window() -> Result<Interval, CalendarError> {
    let start = DateTime::from_timestamp(1_577_836_800, 0).unwrap_or(DateTime::UNIX_EPOCH);
    let end = DateTime::from_timestamp(1_893_456_000, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
    Interval::new(start, end)
}

/// Entry point of the `ical_import` fuzz target (core/fuzz), also run by the robustness tests: imports
/// `data` in Paris over 2020–2030 with limits small enough that a fuzzer explores structure, not size.
pub fn fuzz_import(data: &[u8]) -> Result<Vec<ImportedBusy>, IcalError> {
    let window = fuzz_window().map_err(|_| IcalError::NotACalendar)?;
    let mut options = ImportOptions::new(chrono_tz::Europe::Paris, window);
    options.max_bytes = 1024 * 1024;
    options.max_events = 1000;
    options.max_occurrences = 10_000;
    options.max_walked_occurrences = 100_000;
    import_busy_bytes(data, &options)
}

/// What the fuzz target asserts on a successful [`fuzz_import`]: output sorted and inside the window.
pub fn fuzz_invariants_hold(busy: &[ImportedBusy]) -> bool {
    let Ok(window) = fuzz_window() else {
        return false;
    };
    busy.windows(2).all(|w| w[0] <= w[1]) && busy.iter().all(|b| b.interval.overlaps(&window))
}

impl Importer<'_> {
    /// Imports one `VCALENDAR`: its events grouped by `UID`, each group as a series and its overrides.
    fn calendar(&mut self, tree: &Tree, root: usize) -> Result<(), IcalError> {
        let default_zone = self.options.default_zone;
        let mut zones = ZoneResolver::new(tree, root, default_zone, &self.options.window);
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        for &i in &tree.components[root].children {
            let event = &tree.components[i];
            if event.name != "VEVENT" {
                continue;
            }
            let uid = event
                .prop("UID")
                .map(|p| p.value.trim().to_owned())
                .filter(|u| !u.is_empty());
            let uid = uid.ok_or(IcalError::MissingProperty {
                uid: String::new(),
                property: "UID",
            })?;
            let group = groups.entry(uid).or_default();
            if event.prop("RECURRENCE-ID").is_some() {
                group.overrides.push(i);
            } else {
                group.masters.push(i);
            }
        }
        for (uid, group) in &groups {
            self.group(tree, uid, group, &mut zones)?;
        }
        Ok(())
    }
}

/// Helpers of the unit tests of `import` and its parts.
#[cfg(test)]
mod test_util {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    pub(super) fn window() -> Interval {
        Interval::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap()
    }

    pub(super) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    pub(super) fn cal(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{events}END:VCALENDAR\r\n")
            .replace('\n', "\r\n")
            .replace("\r\r", "\r")
    }

    pub(super) fn import(events: &str) -> Result<Vec<ImportedBusy>, IcalError> {
        import_busy(&cal(events), &ImportOptions::new(Paris, window()))
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::{cal, import, window};
    use super::*;
    use chrono_tz::Europe::Paris;

    #[test]
    fn rejects_hostile_files_with_nothing_imported() {
        let code = |events: &str| import(events).unwrap_err().code();
        assert_eq!(
            code(
                "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nDTEND:20260105T070000Z\nEND:VEVENT\n"
            ),
            "ical_end_before_start"
        );
        assert_eq!(
            code(
                "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n"
            ),
            "ical_invalid_recurrence"
        );
        assert_eq!(
            code(
                "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11\nEND:VEVENT\n"
            ),
            "ical_invalid_recurrence"
        );
        assert_eq!(
            code("BEGIN:VEVENT\nUID:a\nDTSTART:2026-01-05\nEND:VEVENT\n"),
            "ical_invalid_value"
        );
        // Multi-byte characters where digits are expected.
        assert_eq!(
            code("BEGIN:VEVENT\nUID:a\nDTSTART:2026010éT0800\nEND:VEVENT\n"),
            "ical_invalid_value"
        );
        assert_eq!(
            code("BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nDURATION:PT1Hé\nEND:VEVENT\n"),
            "ical_invalid_value"
        );
        assert_eq!(
            code("BEGIN:VEVENT\nDTSTART:20260105T080000Z\nEND:VEVENT\n"),
            "ical_missing_property"
        );
        assert_eq!(
            code(
                "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nDURATION:P99999999W\nEND:VEVENT\n"
            ),
            "ical_invalid_value"
        );
        // A valid event next to a broken one: nothing is imported.
        assert_eq!(
            code(
                "BEGIN:VEVENT\nUID:ok\nDTSTART:20260105T080000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:a\nDTSTART:x\nEND:VEVENT\n"
            ),
            "ical_invalid_value"
        );
        let mut opts = ImportOptions::new(Paris, window());
        opts.max_occurrences = 10;
        let daily = cal(
            "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY\nEND:VEVENT\n",
        );
        assert_eq!(
            import_busy(&daily, &opts).unwrap_err().code(),
            "ical_too_many_occurrences"
        );
        assert_eq!(
            import_busy_bytes(b"BEGIN:VCALENDAR\r\n\xff\xfe", &opts)
                .unwrap_err()
                .code(),
            "ical_invalid_utf8"
        );
        opts.max_bytes = 10;
        assert_eq!(
            import_busy(&daily, &opts).unwrap_err().code(),
            "ical_too_large"
        );
    }

    #[test]
    fn fuzz_entry_never_panics_on_samples() {
        for sample in [&b""[..], b"BEGIN:VCALENDAR", b"\0\0\0", b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:99991231T235959Z\nDURATION:P9999999D\nEND:VEVENT\nEND:VCALENDAR"] {
            if let Ok(busy) = fuzz_import(sample) {
                assert!(fuzz_invariants_hold(&busy));
            }
        }
        let valid = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\nEND:VCALENDAR\n";
        let busy = fuzz_import(valid).unwrap();
        assert_eq!(busy.len(), 3);
        assert!(fuzz_invariants_hold(&busy));
        let mut unsorted = busy.clone();
        unsorted.reverse();
        assert!(!fuzz_invariants_hold(&unsorted));
    }
}
