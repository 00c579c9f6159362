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

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::error::IcalError;
use super::limits::ImportOptions;
use super::parse::{Component, Tree, parse_tree};
use super::text::{ContentLine, unescape_text};
use super::zones::ZoneResolver;
use crate::calendar::recurrence::{DtStart, ParsedRule, localize};
use crate::calendar::{CalendarError, Interval};

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

/// Walk budget charged for each rule only the general rrule engine can expand (BY parts beyond plain
/// weekdays on DAILY/WEEKLY): such a rule can cost as much as 100 000 walked occurrences of a plain one.
const GENERAL_RULE_COST: usize = 10_000;

struct Importer<'a> {
    options: &'a ImportOptions,
    out: Vec<ImportedBusy>,
    walked: usize,
}

/// A date or date-time value as written.
#[derive(Clone, Copy, Debug)]
enum When {
    Date(NaiveDate),
    Local(NaiveDateTime, Tz),
    Utc(DateTime<Utc>),
}

/// The start of an event and the zone its wall clock (and recurrence) follows.
struct Start {
    when: When,
    at: DateTime<Utc>,
    zone: Tz,
}

/// Events sharing one UID: the series (or single event) and its overrides.
#[derive(Default)]
struct Group {
    masters: Vec<usize>,
    overrides: Vec<usize>,
}

fn invalid(uid: &str, property: &str, value: &str) -> IcalError {
    let mut value = value.to_owned();
    value.truncate(value.floor_char_boundary(64));
    IcalError::InvalidValue {
        uid: uid.to_owned(),
        property: property.to_owned(),
        value,
    }
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads one date or date-time value (strict shapes: `YYYYMMDD`, `YYYYMMDDTHHMMSS`, optional `Z`).
fn read_value(
    value: &str,
    line: &ContentLine,
    zones: &mut ZoneResolver<'_>,
    default_zone: Tz,
    uid: &str,
) -> Result<When, IcalError> {
    let v = value.trim();
    let bad = || invalid(uid, &line.name, v);
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y%m%d")
            .ok()
            .filter(|_| s.len() == 8 && is_digits(s))
    };
    if line
        .param("VALUE")
        .is_some_and(|p| p.eq_ignore_ascii_case("DATE"))
        || v.len() == 8
    {
        return date(v).map(When::Date).ok_or_else(bad);
    }
    let (body, zulu) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    if body.len() != 15
        || !body.is_ascii()
        || body.as_bytes()[8] != b'T'
        || !is_digits(&body[..8])
        || !is_digits(&body[9..])
    {
        return Err(bad());
    }
    let naive = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    if zulu {
        return Ok(When::Utc(naive.and_utc()));
    }
    let zone = line
        .param("TZID")
        .map_or(default_zone, |tzid| zones.resolve(tzid));
    Ok(When::Local(naive, zone))
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

impl When {
    fn instant(self, default_zone: Tz) -> DateTime<Utc> {
        match self {
            Self::Date(d) => localize(default_zone, midnight(d)),
            Self::Local(n, z) => localize(z, n),
            Self::Utc(t) => t,
        }
    }

    fn zone(self, default_zone: Tz) -> Tz {
        match self {
            Self::Date(_) => default_zone,
            Self::Local(_, z) => z,
            Self::Utc(_) => Tz::UTC,
        }
    }
}

/// A parsed `DURATION`: nominal days (weeks included) and exact seconds, possibly negative.
fn parse_duration(v: &str) -> Option<(i64, i64)> {
    let v = v.trim();
    let (sign, rest) = match v.as_bytes().first()? {
        b'-' => (-1, &v[1..]),
        b'+' => (1, &v[1..]),
        _ => (1, v),
    };
    let rest = rest.strip_prefix('P')?;
    let (mut days, mut secs, mut in_time, mut number, mut any) =
        (0i64, 0i64, false, String::new(), false);
    for c in rest.chars() {
        if c.is_ascii_digit() {
            if number.len() >= 7 {
                return None;
            }
            number.push(c);
            continue;
        }
        if c == 'T' && number.is_empty() && !in_time {
            in_time = true;
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        any = true;
        match (c, in_time) {
            ('W', false) => days += 7 * n,
            ('D', false) => days += n,
            ('H', true) => secs += 3600 * n,
            ('M', true) => secs += 60 * n,
            ('S', true) => secs += n,
            _ => return None,
        }
    }
    (any && number.is_empty()).then_some((sign * days, sign * secs))
}

impl Importer<'_> {
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

    fn group(
        &mut self,
        tree: &Tree,
        uid: &str,
        group: &Group,
        zones: &mut ZoneResolver<'_>,
    ) -> Result<(), IcalError> {
        let default_zone = self.options.default_zone;
        // Instances replaced by overrides, by original start.
        let mut overridden = HashSet::new();
        let mut override_busy = Vec::new();
        for &i in &group.overrides {
            let ev = &tree.components[i];
            let rid_line = ev
                .prop("RECURRENCE-ID")
                .ok_or_else(|| invalid(uid, "RECURRENCE-ID", ""))?;
            let rid = read_value(&rid_line.value, rid_line, zones, default_zone, uid)?
                .instant(default_zone);
            overridden.insert(rid);
            if let Some(busy) = self.single(ev, uid, zones)? {
                override_busy.push(ImportedBusy {
                    source_uid: format!("{uid}/{}", stamp(rid)),
                    ..busy
                });
            }
        }
        let mut series_cancelled = false;
        for &i in &group.masters {
            let ev = &tree.components[i];
            if is_cancelled(ev) {
                series_cancelled = true;
                continue;
            }
            if is_transparent(ev) {
                // Still read it, so a malformed event is reported the same whether or not it is busy.
                self.event_span(ev, uid, zones)?;
                continue;
            }
            self.master(ev, uid, zones, &overridden)?;
        }
        if !series_cancelled {
            for busy in override_busy {
                self.push(busy)?;
            }
        }
        Ok(())
    }

    /// A non-recurring reading of `ev`: its busy period if it has one in the window.
    fn single(
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
    fn event_span(
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

    fn master(
        &mut self,
        ev: &Component,
        uid: &str,
        zones: &mut ZoneResolver<'_>,
        overridden: &HashSet<DateTime<Utc>>,
    ) -> Result<(), IcalError> {
        let (start, span) = self.event_span(ev, uid, zones)?;
        let rules: Vec<&ContentLine> = ev.props_named("RRULE").collect();
        let Some(first) = span else {
            // Instantaneous: no busy time, but a refused rule still rejects the file like any other.
            if let Some(rule) = rules.first() {
                let probe =
                    Interval::new(start.at, start.at + Duration::seconds(1)).map_err(|e| {
                        IcalError::InvalidRecurrence {
                            uid: uid.to_owned(),
                            reason: e.code(),
                        }
                    })?;
                ParsedRule::parse(&rule.value, &probe, start.zone).map_err(|e| {
                    IcalError::InvalidRecurrence {
                        uid: uid.to_owned(),
                        reason: e.code(),
                    }
                })?;
            }
            return Ok(());
        };
        let rdates: Vec<&ContentLine> = ev.props_named("RDATE").collect();
        let summary = summary(ev);
        if rules.is_empty() && rdates.is_empty() {
            if first.overlaps(&self.options.window) {
                self.push(ImportedBusy {
                    interval: first,
                    source_uid: uid.to_owned(),
                    summary,
                })?;
            }
            return Ok(());
        }
        if rules.len() > 1 {
            return Err(IcalError::InvalidRecurrence {
                uid: uid.to_owned(),
                reason: "multiple_rrule",
            });
        }
        let default_zone = self.options.default_zone;
        let mut ex_instants = Vec::new();
        let mut ex_days = HashSet::new();
        for line in ev.props_named("EXDATE") {
            for value in line.value.split(',') {
                match read_value(value, line, zones, default_zone, uid)? {
                    When::Date(d) if !matches!(start.when, When::Date(_)) => {
                        ex_days.insert(d);
                    }
                    other => ex_instants.push(other.instant(default_zone)),
                }
            }
        }
        let budget = self.options.max_occurrences.saturating_sub(self.out.len());
        let mut instances = if let Some(rule) = rules.first() {
            let parsed = ParsedRule::parse(&rule.value, &first, start.zone).map_err(|e| {
                IcalError::InvalidRecurrence {
                    uid: uid.to_owned(),
                    reason: e.code(),
                }
            })?;
            if parsed.is_general() {
                // See `ParsedRule::is_general`: a rule rrule must expand is charged up front.
                self.walked += GENERAL_RULE_COST;
                if self.walked > self.options.max_walked_occurrences {
                    return Err(IcalError::TooManyOccurrences {
                        max: self.options.max_walked_occurrences,
                    });
                }
            }
            let walk = self
                .options
                .max_walked_occurrences
                .saturating_sub(self.walked);
            let (instances, walked) = parsed
                .expand_counted(
                    &ex_instants,
                    &self.options.window,
                    budget,
                    DtStart::AlwaysIncluded,
                    walk,
                )
                .map_err(|e| self.expansion_error(uid, &e))?;
            self.walked += walked;
            instances
        } else {
            // RDATE without RRULE: DTSTART is the first instance.
            vec![first]
                .into_iter()
                .filter(|i| i.overlaps(&self.options.window))
                .collect()
        };
        let excluded: HashSet<_> = ex_instants.iter().copied().collect();
        instances.retain(|i| !excluded.contains(&i.start()));
        let mut seen: HashSet<DateTime<Utc>> = instances.iter().map(Interval::start).collect();
        for line in rdates {
            for value in line.value.split(',') {
                // PERIOD values (`start/end`) keep their start; the series' duration applies.
                let start_part = value.split('/').next().unwrap_or(value);
                let at =
                    read_value(start_part, line, zones, default_zone, uid)?.instant(default_zone);
                let end = at
                    .checked_add_signed(first.duration())
                    .ok_or_else(|| invalid(uid, "RDATE", value))?;
                let Ok(i) = Interval::new(at, end) else {
                    continue;
                };
                if i.overlaps(&self.options.window) && !excluded.contains(&at) && seen.insert(at) {
                    if instances.len() >= budget {
                        return Err(IcalError::TooManyOccurrences {
                            max: self.options.max_occurrences,
                        });
                    }
                    instances.push(i);
                }
            }
        }
        for i in instances {
            if overridden.contains(&i.start())
                || ex_days.contains(&i.start().with_timezone(&start.zone).date_naive())
            {
                continue;
            }
            self.push(ImportedBusy {
                interval: i,
                source_uid: format!("{uid}/{}", stamp(i.start())),
                summary: summary.clone(),
            })?;
        }
        Ok(())
    }

    fn expansion_error(&self, uid: &str, e: &CalendarError) -> IcalError {
        match e {
            CalendarError::TooManyOccurrences { .. } => IcalError::TooManyOccurrences {
                max: self.options.max_occurrences,
            },
            CalendarError::RecurrenceTooExpensive { .. } => IcalError::TooManyOccurrences {
                max: self.options.max_walked_occurrences,
            },
            other => IcalError::InvalidRecurrence {
                uid: uid.to_owned(),
                reason: other.code(),
            },
        }
    }

    fn push(&mut self, busy: ImportedBusy) -> Result<(), IcalError> {
        if self.out.len() >= self.options.max_occurrences {
            return Err(IcalError::TooManyOccurrences {
                max: self.options.max_occurrences,
            });
        }
        self.out.push(busy);
        Ok(())
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn summary(ev: &Component) -> Option<String> {
    ev.prop("SUMMARY").map(|p| unescape_text(&p.value))
}

fn is_cancelled(ev: &Component) -> bool {
    ev.prop("STATUS")
        .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("CANCELLED"))
}

fn is_transparent(ev: &Component) -> bool {
    ev.prop("TRANSP")
        .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("TRANSPARENT"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    fn window() -> Interval {
        Interval::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn cal(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{events}END:VCALENDAR\r\n")
            .replace('\n', "\r\n")
            .replace("\r\r", "\r")
    }

    fn import(events: &str) -> Result<Vec<ImportedBusy>, IcalError> {
        import_busy(&cal(events), &ImportOptions::new(Paris, window()))
    }

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
    fn expands_series_with_exdates_overrides_and_skips_free_or_cancelled() {
        let out = import(
            "BEGIN:VEVENT\nUID:s\nDTSTART;TZID=Europe/Paris:20260105T200000\nDTEND;TZID=Europe/Paris:20260106T080000\n\
             RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Paris:20260112T200000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Paris:20260119T200000\nDTSTART;TZID=Europe/Paris:20260119T210000\n\
             DTEND;TZID=Europe/Paris:20260120T080000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Paris:20260126T200000\nDTSTART;TZID=Europe/Paris:20260126T200000\n\
             DTEND;TZID=Europe/Paris:20260127T080000\nSTATUS:CANCELLED\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:t\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nTRANSP:TRANSPARENT\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:u\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nSTATUS:CANCELLED\nEND:VEVENT\n",
        )
        .unwrap();
        let got: Vec<(String, DateTime<Utc>)> = out
            .iter()
            .map(|b| (b.source_uid.clone(), b.interval.start()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("s/20260105T190000Z".to_owned(), utc(2026, 1, 5, 19, 0)),
                ("s/20260119T190000Z".to_owned(), utc(2026, 1, 19, 20, 0)),
            ]
        );
    }

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

    #[test]
    fn general_rules_are_budgeted() {
        let monthly = "BEGIN:VEVENT\nUID:m\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n";
        let mut opts = ImportOptions::new(Paris, window());
        opts.max_walked_occurrences = 3 * GENERAL_RULE_COST;
        // An empty rule still yields its DTSTART.
        assert_eq!(
            import_busy(&cal(&monthly.repeat(2)), &opts).unwrap().len(),
            2
        );
        assert_eq!(
            import_busy(&cal(&monthly.repeat(4)), &opts)
                .unwrap_err()
                .code(),
            "ical_too_many_occurrences"
        );
        // Plain weekly series are not charged.
        let weekly = "BEGIN:VEVENT\nUID:w\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n";
        assert_eq!(
            import_busy(&cal(&weekly.repeat(10)), &opts).unwrap().len(),
            20
        );
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("P1W"), Some((7, 0)));
        assert_eq!(
            parse_duration("-P1DT2H3M4S"),
            Some((-1, -(2 * 3600 + 3 * 60 + 4)))
        );
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("P1"), None);
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
