//! Event mapping: one `VEVENT` read as one busy period — its start, its end (`DTEND`, `DURATION`, or the
//! all-day default), whether it is busy at all (`STATUS`, `TRANSP`) — and the [`ImportedBusy`] output the
//! importer collects within its budget.
//!
//! Its own file so the reading of a single event stays apart from the expansion of series and their
//! exceptions (`recurrence`), which builds on it.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::values::{When, invalid, midnight, parse_duration, read_value};
use crate::calendar::Interval;
use crate::calendar::recurrence::localize;
use crate::ical::error::IcalError;
use crate::ical::limits::ImportOptions;
use crate::ical::parse::Component;
use crate::ical::text::unescape_text;
use crate::ical::zones::ZoneResolver;

/// One busy period read from a file; the store turns it into a [`crate::domain::BusyPeriod`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportedBusy {
    /// The busy span.
    pub interval: Interval,
    /// `UID` of the event, followed by `/` and the instance's original start in UTC
    /// (`20260105T070000Z`) for instances of a series, so a re-import replaces rather than duplicates.
    pub source_uid: String,
    /// The event's `SUMMARY`, unescaped.
    pub summary: Option<String>,
}

/// The state of one import: its options, what it has found so far and the occurrences it has walked.
pub(super) struct Importer<'a> {
    pub(super) options: &'a ImportOptions,
    pub(super) out: Vec<ImportedBusy>,
    pub(super) walked: usize,
}

/// The start of an event and the zone its wall clock (and recurrence) follows.
pub(super) struct Start {
    pub(super) when: When,
    pub(super) at: DateTime<Utc>,
    pub(super) zone: Tz,
}

impl Importer<'_> {
    /// A non-recurring reading of `ev`: its busy period if it has one in the window.
    pub(super) fn single(
        &self,
        ev: &Component,
        uid: &str,
        zones: &mut ZoneResolver<'_>,
    ) -> Result<Option<ImportedBusy>, IcalError> {
        let (_, span) = self.event_span(ev, uid, zones)?;
        if is_cancelled(ev) || is_transparent(ev) {
            return Ok(None);
        }
        Ok(span
            .filter(|i| i.overlaps(&self.options.window))
            .map(|interval| ImportedBusy {
                interval,
                source_uid: uid.to_owned(),
                summary: summary(ev),
            }))
    }

    /// Start and interval of `ev` (`None` interval if it is instantaneous).
    pub(super) fn event_span(
        &self,
        ev: &Component,
        uid: &str,
        zones: &mut ZoneResolver<'_>,
    ) -> Result<(Start, Option<Interval>), IcalError> {
        let default_zone = self.options.default_zone;
        let line = ev
            .prop("DTSTART")
            .ok_or_else(|| IcalError::MissingProperty {
                uid: uid.to_owned(),
                property: "DTSTART",
            })?;
        let when = read_value(&line.value, line, zones, default_zone, uid)?;
        let start = Start {
            when,
            at: when.instant(default_zone),
            zone: when.zone(default_zone),
        };
        let end = if let Some(end_line) = ev.prop("DTEND") {
            read_value(&end_line.value, end_line, zones, default_zone, uid)?.instant(default_zone)
        } else if let Some(d) = ev.prop("DURATION") {
            let (days, secs) =
                parse_duration(&d.value).ok_or_else(|| invalid(uid, "DURATION", &d.value))?;
            let local = start.at.with_timezone(&start.zone).naive_local();
            let shifted = Duration::try_days(days)
                .and_then(|d| local.checked_add_signed(d))
                .ok_or_else(|| invalid(uid, "DURATION", &d.value))?;
            localize(start.zone, shifted)
                .checked_add_signed(Duration::seconds(secs))
                .ok_or_else(|| invalid(uid, "DURATION", &d.value))?
        } else if let When::Date(day) = when {
            let next = day
                .succ_opt()
                .ok_or_else(|| invalid(uid, "DTSTART", &line.value))?;
            localize(default_zone, midnight(next))
        } else {
            start.at
        };
        if end < start.at {
            return Err(IcalError::EndBeforeStart {
                uid: uid.to_owned(),
            });
        }
        let interval = Interval::new(start.at, end).ok();
        Ok((start, interval))
    }

    /// Adds one busy period, or fails the whole import once `max_occurrences` are found.
    pub(super) fn push(&mut self, busy: ImportedBusy) -> Result<(), IcalError> {
        if self.out.len() >= self.options.max_occurrences {
            return Err(IcalError::TooManyOccurrences {
                max: self.options.max_occurrences,
            });
        }
        self.out.push(busy);
        Ok(())
    }
}

/// The original start of an instance as its `source_uid` suffix (`20260105T070000Z`).
pub(super) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The event's `SUMMARY`, unescaped.
pub(super) fn summary(ev: &Component) -> Option<String> {
    ev.prop("SUMMARY").map(|p| unescape_text(&p.value))
}

/// Whether the event is `STATUS:CANCELLED`.
pub(super) fn is_cancelled(ev: &Component) -> bool {
    ev.prop("STATUS")
        .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("CANCELLED"))
}

/// Whether the event is `TRANSP:TRANSPARENT` (free time).
pub(super) fn is_transparent(ev: &Component) -> bool {
    ev.prop("TRANSP")
        .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("TRANSPARENT"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::import::import_busy;
    use crate::ical::import::test_util::{import, utc, window};
    use chrono_tz::Europe::Paris;

    #[test]
    fn reads_utc_tzid_floating_and_all_day_times() {
        let out = import(
            "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nSUMMARY:RDV\\, dentiste\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:b\nDTSTART;TZID=America/Cayenne:20260106T080000\nDURATION:PT1H30M\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:c\nDTSTART:20260107T080000\nDTEND:20260107T100000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20260328\nDTEND;VALUE=DATE:20260330\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:e\nDTSTART;VALUE=DATE:20260801\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:f\nDTSTART:20260108T080000Z\nEND:VEVENT\n",
        )
        .unwrap();
        let by_uid = |u: &str| out.iter().find(|b| b.source_uid == u).unwrap().interval;
        assert_eq!(out.len(), 5);
        assert_eq!(
            by_uid("a"),
            Interval::new(utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 9, 0)).unwrap()
        );
        assert_eq!(out[0].summary.as_deref(), Some("RDV, dentiste"));
        assert_eq!(
            by_uid("b"),
            Interval::new(utc(2026, 1, 6, 11, 0), utc(2026, 1, 6, 12, 30)).unwrap()
        );
        assert_eq!(
            by_uid("c"),
            Interval::new(utc(2026, 1, 7, 7, 0), utc(2026, 1, 7, 9, 0)).unwrap()
        );
        // Two local days across the spring change: 47 hours.
        assert_eq!(
            by_uid("d"),
            Interval::new(utc(2026, 3, 27, 23, 0), utc(2026, 3, 29, 22, 0)).unwrap()
        );
        assert_eq!(
            by_uid("e"),
            Interval::new(utc(2026, 7, 31, 22, 0), utc(2026, 8, 1, 22, 0)).unwrap()
        );
    }

    #[test]
    fn resolves_outlook_zones_calendar_zone_and_rdates() {
        let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:America/Cayenne\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Romance Standard Time\r\n\
            BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
            BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
            BEGIN:VEVENT\r\nUID:o\r\nDTSTART;TZID=Romance Standard Time:20260706T090000\r\n\
            DTEND;TZID=Romance Standard Time:20260706T100000\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Nowhere/Special:20260706T090000\r\nDURATION:PT1H\r\n\
            RDATE;TZID=Nowhere/Special:20260708T090000,20260710T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let out = import_busy(text, &ImportOptions::new(Paris, window())).unwrap();
        let got: Vec<(&str, DateTime<Utc>)> = out
            .iter()
            .map(|b| (b.source_uid.as_str(), b.interval.start()))
            .collect();
        assert_eq!(
            got,
            vec![
                // Summer time read from the VTIMEZONE's rules: 09:00 +02:00.
                ("o", utc(2026, 7, 6, 7, 0)),
                // Unknown TZID without VTIMEZONE: X-WR-TIMEZONE (Cayenne, -03:00).
                ("w/20260706T120000Z", utc(2026, 7, 6, 12, 0)),
                ("w/20260708T120000Z", utc(2026, 7, 8, 12, 0)),
                ("w/20260710T120000Z", utc(2026, 7, 10, 12, 0)),
            ]
        );
    }
}
