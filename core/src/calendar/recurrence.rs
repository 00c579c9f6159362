//! Recurring availabilities (RFC 5545 RRULE with exceptions), validated and expanded with hard bounds.
//!
//! Occurrences repeat in **local wall-clock time** of the series' zone: a weekly 20:00–08:00 night stays
//! 20:00–08:00 local across DST changes, so its UTC length is 11, 12 or 13 h. Each occurrence's end is the
//! occurrence's local start plus the first occurrence's local wall-clock span, converted back to UTC.
//!
//! Local times are mapped to instants as RFC 5545 §3.3.5 says: an ambiguous time (autumn fold) takes the
//! first (earlier) instant; a nonexistent time (spring gap) is read with the offset in force before the gap
//! (02:30 in Paris on the spring-forward day is 03:30 CEST). If this makes an end fall at or before its start
//! (only possible when an endpoint lies in a gap), the first occurrence's exact duration is used instead.
//!
//! Bounds: rules finer than daily and BYHOUR/BYMINUTE/BYSECOND are refused, so a rule yields at most one
//! occurrence per local day; expansion stops at the end of the window; at most [`MAX_ITERATIONS`] occurrences
//! are walked from the first one; more than `max_occurrences` inside the window is an **error**
//! ([`CalendarError::TooManyOccurrences`]), never a silent truncation: a caller that shows or imports a partial
//! series would lose data without knowing it, so it must ask for a smaller window instead.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::interval::Interval;

/// A recurrence attached to a first occurrence: an RFC 5545 `RRULE` value (without the `RRULE:` prefix)
/// and the start instants of occurrences removed from the series (`EXDATE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// The rule, e.g. `FREQ=WEEKLY;BYDAY=MO,TU;UNTIL=20271231T230000Z`.
    pub rrule: String,
    /// Start instants of removed occurrences.
    #[serde(default)]
    pub exdates: Vec<DateTime<Utc>>,
}

/// Longest accepted rule text, in bytes: real rules are a few dozen bytes; longer text is hostile.
pub const MAX_RULE_BYTES: usize = 1024;
/// Most `EXDATE`s accepted on one series.
pub const MAX_EXDATES: usize = 500;
/// Largest accepted `INTERVAL` (every 1000 days / weeks / months / years is already absurd).
pub const MAX_INTERVAL: u32 = 1000;
/// Most occurrences walked from the first one while expanding (those before the window count too):
/// about 550 years of a daily rule, so only absurd windows or starts hit it.
pub const MAX_ITERATIONS: usize = 200_000;
/// Years in which a series may start; keeps the rrule iterator far from chrono's limits.
const FIRST_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

impl Recurrence {
    /// Checks that the series can be stored, synced and exported: the rule parses, is at most daily, has a
    /// sane INTERVAL and no hourly parts, the EXDATE list is short, and the first occurrence (`first`, in
    /// `zone`) is itself an occurrence of the rule (RFC 5545 leaves other cases undefined and clients
    /// disagree on them).
    pub fn validate(&self, first: &Interval, zone: Tz) -> Result<(), CalendarError> {
        self.parse_checked(first, zone).map(|_| ())
    }

    /// [`Recurrence::validate`], keeping the parsed rule for the caller (export, expansion).
    pub(crate) fn parse_checked(
        &self,
        first: &Interval,
        zone: Tz,
    ) -> Result<ParsedRule, CalendarError> {
        if self.exdates.len() > MAX_EXDATES {
            return Err(CalendarError::TooManyExdates {
                count: self.exdates.len(),
                max: MAX_EXDATES,
            });
        }
        let rule = ParsedRule::parse(&self.rrule, first, zone)?;
        let first_rule_start = guarded(|| rule.local_starts().next())?;
        if first_rule_start == Some(rule.first_local) {
            Ok(rule)
        } else {
            Err(CalendarError::RecurrenceStartNotInRule {
                start: first.start(),
            })
        }
    }
}

/// Validates the series (see [`Recurrence::validate`]) and expands it into the occurrences that overlap
/// `window`, sorted by start, EXDATEs removed.
///
/// `first` is the first occurrence (in UTC) and `zone` the zone whose wall clock the series follows.
/// More than `max_occurrences` occurrences overlapping the window is an error, not a truncation.
pub fn expand(
    first: &Interval,
    zone: Tz,
    recurrence: &Recurrence,
    window: &Interval,
    max_occurrences: usize,
) -> Result<Vec<Interval>, CalendarError> {
    let rule = recurrence.parse_checked(first, zone)?;
    rule.expand(
        &recurrence.exdates,
        window,
        max_occurrences,
        DtStart::FromRuleOnly,
    )
}

/// Whether the series' first instance counts even if the rule does not produce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DtStart {
    /// Our own series: validated so that the rule produces it.
    FromRuleOnly,
    /// Foreign files (Google, Apple…): DTSTART is always shown as an occurrence, as those clients do.
    AlwaysIncluded,
}

/// A rule parsed against its first occurrence: the rrule set and the wall-clock geometry of occurrences.
pub(crate) struct ParsedRule {
    normalized: String,
    engine: Engine,
    zone: Tz,
    first: Interval,
    first_local: NaiveDateTime,
    /// Local wall-clock length, or `None` when it is not positive (the first occurrence straddles a fold).
    wall_span: Option<Duration>,
}

impl ParsedRule {
    /// Parses and checks `text` (an RRULE value, optionally prefixed by `RRULE:`) for a series whose first
    /// occurrence is `first` in `zone`. A floating or date-only UNTIL is read in `zone`.
    pub(crate) fn parse(text: &str, first: &Interval, zone: Tz) -> Result<Self, CalendarError> {
        let first_local = first.start().with_timezone(&zone).naive_local();
        if !FIRST_YEARS.contains(&first_local.year()) {
            return Err(CalendarError::RecurrenceOutOfRange {
                start: first.start(),
            });
        }
        let normalized = normalize_rule(text, zone)?;
        let rzone = rrule::Tz::Tz(zone);
        let dt_start = first.start().with_timezone(&rzone);
        let engine = guarded(|| {
            let parsed: RRule<Unvalidated> = normalized
                .parse()
                .map_err(|e: rrule::RRuleError| invalid(&e))?;
            let validated = parsed.validate(dt_start).map_err(|e| invalid(&e))?;
            let simple = SimpleRule::from_validated(&normalized, &validated, zone);
            Ok::<_, CalendarError>(match simple {
                Some(rule) => Engine::Simple(rule),
                None => Engine::Rrule(RRuleSet::new(dt_start).rrule(validated).limit()),
            })
        })??;
        let last_local = first.end().with_timezone(&zone).naive_local();
        let span = last_local - first_local;
        Ok(Self {
            normalized,
            engine,
            zone,
            first: *first,
            first_local,
            wall_span: (span > Duration::zero()).then_some(span),
        })
    }

    /// Whether the rule needs the general (rrule crate) engine rather than the arithmetic fast path. The
    /// general engine may spin up to 100 000 empty periods inside rrule before giving up on a rule that never
    /// matches (`BYMONTH=2;BYMONTHDAY=30`), tens of milliseconds that callers must budget for.
    pub(crate) fn is_general(&self) -> bool {
        matches!(self.engine, Engine::Rrule(_))
    }

    /// The rule text as checked: no `RRULE:` prefix, upper-case, `UNTIL` in UTC. Safe to write to files.
    pub(crate) fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Local wall-clock starts of the rule's occurrences, in order (before EXDATEs and windows).
    ///
    /// No BYHOUR/BYMINUTE/BYSECOND is accepted, so every occurrence has the first one's time of day;
    /// rebuilding it from rrule's date keeps the intended wall time even where rrule shifted a gap time.
    fn local_starts(&self) -> Box<dyn Iterator<Item = NaiveDateTime> + '_> {
        let time = self.first_local.time();
        match &self.engine {
            Engine::Rrule(set) => Box::new(
                set.into_iter()
                    .map(move |o| NaiveDateTime::new(o.date_naive(), time)),
            ),
            Engine::Simple(rule) => Box::new(rule.iter(self.first_local)),
        }
    }

    /// The occurrences overlapping `window`, sorted, minus `exdates` (compared as UTC start instants).
    pub(crate) fn expand(
        &self,
        exdates: &[DateTime<Utc>],
        window: &Interval,
        max_occurrences: usize,
        dtstart: DtStart,
    ) -> Result<Vec<Interval>, CalendarError> {
        self.expand_counted(exdates, window, max_occurrences, dtstart, MAX_ITERATIONS)
            .map(|(v, _)| v)
    }

    /// As [`ParsedRule::expand`], walking at most `max_walk` occurrences; also returns how many were walked
    /// (import shares one walk budget across a whole file).
    pub(crate) fn expand_counted(
        &self,
        exdates: &[DateTime<Utc>],
        window: &Interval,
        max_occurrences: usize,
        dtstart: DtStart,
        max_walk: usize,
    ) -> Result<(Vec<Interval>, usize), CalendarError> {
        guarded(|| self.expand_unguarded(exdates, window, max_occurrences, dtstart, max_walk))?
    }

    fn expand_unguarded(
        &self,
        exdates: &[DateTime<Utc>],
        window: &Interval,
        max_occurrences: usize,
        dtstart: DtStart,
        max_walk: usize,
    ) -> Result<(Vec<Interval>, usize), CalendarError> {
        let excluded: HashSet<DateTime<Utc>> = exdates.iter().copied().collect();
        let mut out = Vec::new();
        let push = |occurrence: Interval, out: &mut Vec<Interval>| -> Result<(), CalendarError> {
            if occurrence.overlaps(window) && !excluded.contains(&occurrence.start()) {
                if out.len() >= max_occurrences {
                    return Err(CalendarError::TooManyOccurrences {
                        max: max_occurrences,
                    });
                }
                out.push(occurrence);
            }
            Ok(())
        };
        let mut first_seen = false;
        let mut walked_total = 0;
        // Cheap bounds in local time, so occurrences far from the window are never converted to instants:
        // two days of margin cover any UTC offset, the span bound covers occurrences ending in the window.
        let margin = Duration::days(2);
        let span_bound = self
            .wall_span
            .unwrap_or_default()
            .max(self.first.duration());
        let skip_before = window.start().naive_utc() - margin - span_bound;
        let stop_after = window.end().naive_utc() + margin;
        for (walked, local) in self.local_starts().enumerate() {
            if walked >= max_walk {
                return Err(CalendarError::RecurrenceTooExpensive { max: max_walk });
            }
            walked_total = walked + 1;
            if walked == 0 && local != self.first_local && dtstart == DtStart::AlwaysIncluded {
                push(self.first, &mut out)?;
            }
            first_seen = true;
            if local > stop_after {
                break;
            }
            if local < skip_before {
                continue;
            }
            let interval = self.occurrence_at(local);
            if interval.start() >= window.end() {
                break;
            }
            push(interval, &mut out)?;
        }
        if !first_seen && dtstart == DtStart::AlwaysIncluded && self.first.start() < window.end() {
            push(self.first, &mut out)?;
        }
        Ok((out, walked_total))
    }

    /// The occurrence starting at local wall time `local`.
    fn occurrence_at(&self, local: NaiveDateTime) -> Interval {
        let start = localize(self.zone, local);
        let end = self
            .wall_span
            .and_then(|span| local.checked_add_signed(span))
            .map(|end| localize(self.zone, end))
            .filter(|end| *end > start)
            .or_else(|| start.checked_add_signed(self.first.duration()))
            .unwrap_or(start);
        // `end > start` holds unless chrono's range overflows, where the first occurrence stands in.
        Interval::new(start, end).unwrap_or(self.first)
    }
}

/// How occurrences are generated: the rrule crate in general, or our own arithmetic for the plain rules
/// that availabilities (weekly) and imported calendars (weekly meetings, monthly and yearly dates) mostly use:
/// no rrule iteration, no allocation per occurrence.
enum Engine {
    Rrule(RRuleSet),
    Simple(SimpleRule),
}

/// Frequencies of the fast path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SimpleFreq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A DAILY or WEEKLY rule with only INTERVAL, plain BYDAY, COUNT, UNTIL and WKST, or a MONTHLY or YEARLY
/// rule with only INTERVAL, COUNT and UNTIL (the first occurrence's day of month, and month, repeat; dates
/// that do not exist, like 31 April or 29 February 2027, are skipped as RFC 5545 says). Its semantics are
/// those of RFC 5545 (and of rrule, which validated it first); property tests check them against a naive
/// walk.
struct SimpleRule {
    freq: SimpleFreq,
    interval: i64,
    /// Weekdays allowed, indexed from Monday; `None` for DAILY without BYDAY.
    days: Option<[bool; 7]>,
    count: Option<u32>,
    /// UNTIL as an instant, and local wall times two days before and after it: occurrences outside that
    /// band compare cheaply, those inside are converted to instants.
    until: Option<(DateTime<Utc>, NaiveDateTime, NaiveDateTime)>,
    week_start: Weekday,
    zone: Tz,
}

impl SimpleRule {
    fn from_validated(normalized: &str, rule: &RRule, zone: Tz) -> Option<Self> {
        let plain = normalized.split(';').all(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match key {
                "FREQ" | "INTERVAL" | "COUNT" | "UNTIL" | "WKST" => true,
                "BYDAY" => value
                    .split(',')
                    .all(|d| d.len() == 2 && d.bytes().all(|b| b.is_ascii_uppercase())),
                _ => false,
            }
        });
        let freq = match rule.get_freq() {
            Frequency::Daily => SimpleFreq::Daily,
            Frequency::Weekly => SimpleFreq::Weekly,
            Frequency::Monthly if !normalized.contains("BYDAY") => SimpleFreq::Monthly,
            Frequency::Yearly if !normalized.contains("BYDAY") => SimpleFreq::Yearly,
            _ => return None,
        };
        let weekly = freq == SimpleFreq::Weekly;
        if !plain {
            return None;
        }
        let mut mask = [false; 7];
        for day in rule.get_by_weekday() {
            match day {
                NWeekday::Every(d) => mask[d.num_days_from_monday() as usize] = true,
                NWeekday::Nth(..) => return None,
            }
        }
        let days = if rule.get_by_weekday().is_empty() {
            if weekly {
                return None;
            }
            None
        } else if matches!(freq, SimpleFreq::Monthly | SimpleFreq::Yearly) {
            return None;
        } else {
            Some(mask)
        };
        let until = rule.get_until().map(|u| {
            let utc = u.with_timezone(&Utc);
            let local = utc.with_timezone(&zone).naive_local();
            (utc, local - Duration::days(2), local + Duration::days(2))
        });
        Some(Self {
            freq,
            interval: i64::from(rule.get_interval().max(1)),
            days,
            count: rule.get_count(),
            until,
            week_start: rule.get_week_start(),
            zone,
        })
    }

    fn allowed(&self, day: NaiveDate) -> bool {
        self.days
            .is_none_or(|mask| mask[day.weekday().num_days_from_monday() as usize])
    }

    /// DAILY walks periods of one day, WEEKLY periods of seven days from the week start of `d0`, visiting
    /// only the allowed days of each week.
    fn day_candidates(&self, d0: NaiveDate) -> impl Iterator<Item = NaiveDate> + use<> {
        let weekly = self.freq == SimpleFreq::Weekly;
        let back = (7 + i64::from(d0.weekday().num_days_from_monday())
            - i64::from(self.week_start.num_days_from_monday()))
            % 7;
        let mut offsets = [0i64; 7];
        let mut n_offsets = 0;
        let period_len: i64 = if weekly {
            let start = self.week_start.num_days_from_monday();
            for i in 0..7u32 {
                if self
                    .days
                    .is_none_or(|mask| mask[((start + i) % 7) as usize])
                {
                    offsets[n_offsets] = i64::from(i);
                    n_offsets += 1;
                }
            }
            7
        } else {
            n_offsets = 1;
            1
        };
        let first_period = if weekly {
            d0 - Duration::days(back)
        } else {
            d0
        };
        let step = Duration::days(period_len * self.interval);
        std::iter::successors(Some(first_period), move |p| p.checked_add_signed(step)).flat_map(
            move |p| {
                (0..n_offsets).filter_map(move |k| p.checked_add_signed(Duration::days(offsets[k])))
            },
        )
    }

    /// MONTHLY and YEARLY: the day of month of `d0` every INTERVAL months (or years, in the month of `d0`),
    /// skipping dates that do not exist, until year 9999.
    fn month_candidates(&self, d0: NaiveDate) -> impl Iterator<Item = NaiveDate> + use<> {
        let months_step = if self.freq == SimpleFreq::Yearly {
            12 * self.interval
        } else {
            self.interval
        };
        let first = i64::from(d0.year()) * 12 + i64::from(d0.month0());
        let day = d0.day();
        (0i64..)
            .map_while(move |k| {
                let index = first + k * months_step;
                let year = i32::try_from(index.div_euclid(12))
                    .ok()
                    .filter(|y| *y <= 9999)?;
                let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
                Some(NaiveDate::from_ymd_opt(year, month, day))
            })
            .flatten()
    }

    /// Local starts from `first` on.
    fn iter(&self, first: NaiveDateTime) -> impl Iterator<Item = NaiveDateTime> + '_ {
        let d0 = first.date();
        let time = first.time();
        let candidates: Box<dyn Iterator<Item = NaiveDate>> = match self.freq {
            SimpleFreq::Daily | SimpleFreq::Weekly => Box::new(self.day_candidates(d0)),
            SimpleFreq::Monthly | SimpleFreq::Yearly => Box::new(self.month_candidates(d0)),
        };
        let mut produced: u32 = 0;
        candidates
            .filter(move |d| *d >= d0 && self.allowed(*d))
            .map(move |d| NaiveDateTime::new(d, time))
            .take_while(move |local| {
                if self.count.is_some_and(|c| produced >= c) {
                    return false;
                }
                produced += 1;
                self.until.is_none_or(|(until, low, high)| {
                    *local < low || (*local <= high && localize(self.zone, *local) <= until)
                })
            })
    }
}

/// Maps a local wall time of `zone` to an instant per RFC 5545 §3.3.5: the earlier instant of a fold, and
/// the offset in force before a gap for a nonexistent time.
pub(crate) fn localize(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Find an existing local time after the gap (gaps are at most a day long) and its offset (the
            // offset after the gap). Read with it, `local` falls just before the transition, where the offset
            // in force is the one before the gap: read `local` with that one.
            let offset_secs = |t: DateTime<Utc>| {
                i64::from(
                    chrono::Offset::fix(&zone.offset_from_utc_datetime(&t.naive_utc()))
                        .local_minus_utc(),
                )
            };
            for minutes in (15..=24 * 60).step_by(15) {
                let later = local
                    .checked_add_signed(Duration::minutes(minutes))
                    .and_then(|l| zone.from_local_datetime(&l).earliest());
                if let Some(after) = later {
                    let after_offset = offset_secs(after.with_timezone(&Utc));
                    let probe = (local - Duration::seconds(after_offset)).and_utc();
                    return (local - Duration::seconds(offset_secs(probe))).and_utc();
                }
            }
            local.and_utc()
        }
    }
}

/// Runs rrule code so that a panic inside the dependency becomes an error instead of aborting the caller:
/// rule text comes from users and foreign files, and rrule still has `expect`s on its iteration paths.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, CalendarError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| CalendarError::InvalidRecurrence {
        reason: "la règle fait échouer le moteur de récurrence".to_owned(),
    })
}

fn invalid(e: &dyn std::fmt::Display) -> CalendarError {
    let mut reason = e.to_string();
    reason.truncate(reason.floor_char_boundary(200));
    CalendarError::InvalidRecurrence { reason }
}

/// Checks the parts we refuse before handing the rule to rrule, and rewrites a floating or date-only UNTIL
/// as UTC (rrule would otherwise read it in the machine's zone).
fn normalize_rule(text: &str, zone: Tz) -> Result<String, CalendarError> {
    if text.len() > MAX_RULE_BYTES {
        return Err(CalendarError::RecurrenceRuleTooLong {
            len: text.len(),
            max: MAX_RULE_BYTES,
        });
    }
    let mut body = text.trim();
    if let Some(rest) = body
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("RRULE:"))
        .and(body.get(6..))
    {
        body = rest;
    }
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(invalid(&"caractères inattendus dans la règle"));
    }
    let mut parts = Vec::new();
    for part in body.split(';') {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| invalid(&format!("« {part} » sans « = »")))?;
        let key = key.to_ascii_uppercase();
        let value = value.to_ascii_uppercase();
        match key.as_str() {
            "FREQ" if matches!(value.as_str(), "SECONDLY" | "MINUTELY" | "HOURLY") => {
                return Err(CalendarError::RecurrenceFrequencyTooFine { freq: value });
            }
            "INTERVAL" => {
                let n: u32 = value
                    .parse()
                    .map_err(|_| invalid(&format!("INTERVAL={value}")))?;
                if n > MAX_INTERVAL {
                    return Err(CalendarError::RecurrenceIntervalTooLarge {
                        interval: n,
                        max: MAX_INTERVAL,
                    });
                }
            }
            "BYHOUR" | "BYMINUTE" | "BYSECOND" | "BYEASTER" => {
                return Err(CalendarError::UnsupportedRecurrencePart { part: key });
            }
            _ => {}
        }
        let value = if key == "UNTIL" {
            until_as_utc(&value, zone)?
        } else {
            value
        };
        parts.push(format!("{key}={value}"));
    }
    let freq_ok = parts.iter().any(|p| {
        p.strip_prefix("FREQ=")
            .and_then(|f| f.parse::<Frequency>().ok())
            .is_some_and(|f| {
                matches!(
                    f,
                    Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly
                )
            })
    });
    if !freq_ok {
        return Err(invalid(&"FREQ manquant ou inconnu"));
    }
    Ok(parts.join(";"))
}

/// `UNTIL` as `YYYYMMDDTHHMMSSZ`: a date means the whole local day, a floating time is read in `zone`.
fn until_as_utc(value: &str, zone: Tz) -> Result<String, CalendarError> {
    if value.ends_with('Z') {
        return Ok(value.to_owned());
    }
    let local = if value.len() == 8 {
        NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
    } else {
        NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()
    }
    .ok_or_else(|| invalid(&format!("UNTIL={value}")))?;
    Ok(localize(zone, local).format("%Y%m%dT%H%M%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn paris(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Paris
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rec(rule: &str) -> Recurrence {
        Recurrence {
            rrule: rule.to_owned(),
            exdates: vec![],
        }
    }

    fn year_2026() -> Interval {
        Interval::new(paris(2026, 1, 1, 0), paris(2027, 1, 1, 0)).unwrap()
    }

    #[test]
    fn weekly_night_keeps_local_times_across_both_dst_changes() {
        // Saturday 2026-03-21 20:00 → Sunday 08:00; DST starts Sunday 2026-03-29 and ends 2026-10-25.
        let first = Interval::new(paris(2026, 3, 21, 20), paris(2026, 3, 22, 8)).unwrap();
        let r = rec("FREQ=WEEKLY;COUNT=33");
        let occ = expand(&first, Paris, &r, &year_2026(), 100).unwrap();
        assert_eq!(occ.len(), 33);
        assert_eq!(occ[0], first);
        assert_eq!(occ[0].duration(), Duration::hours(12));
        // The night of 28→29 March loses an hour, the night of 24→25 October gains one.
        assert_eq!(occ[1].start(), paris(2026, 3, 28, 20));
        assert_eq!(occ[1].end(), paris(2026, 3, 29, 8));
        assert_eq!(occ[1].duration(), Duration::hours(11));
        assert_eq!(occ[31].start(), paris(2026, 10, 24, 20));
        assert_eq!(occ[31].duration(), Duration::hours(13));
        assert_eq!(occ[32].duration(), Duration::hours(12));
        for o in &occ {
            assert_eq!(
                o.start().with_timezone(&Paris).format("%H:%M").to_string(),
                "20:00"
            );
            assert_eq!(
                o.end().with_timezone(&Paris).format("%H:%M").to_string(),
                "08:00"
            );
        }
    }

    #[test]
    fn exdates_and_window_are_applied() {
        let first = Interval::new(paris(2026, 1, 5, 8), paris(2026, 1, 5, 20)).unwrap();
        let r = Recurrence {
            rrule: "FREQ=WEEKLY;BYDAY=MO,WE".into(),
            exdates: vec![paris(2026, 1, 7, 8)],
        };
        let window = Interval::new(paris(2026, 1, 6, 0), paris(2026, 1, 20, 0)).unwrap();
        let occ = expand(&first, Paris, &r, &window, 10).unwrap();
        let starts: Vec<_> = occ.iter().map(Interval::start).collect();
        assert_eq!(
            starts,
            vec![
                paris(2026, 1, 12, 8),
                paris(2026, 1, 14, 8),
                paris(2026, 1, 19, 8)
            ]
        );
    }

    #[test]
    fn infinite_rule_is_bounded_by_window_and_max() {
        let first = Interval::new(paris(2026, 1, 1, 8), paris(2026, 1, 1, 20)).unwrap();
        let r = rec("FREQ=DAILY");
        assert_eq!(
            expand(&first, Paris, &r, &year_2026(), 365).unwrap().len(),
            365
        );
        let err = expand(&first, Paris, &r, &year_2026(), 364).unwrap_err();
        assert_eq!(err.code(), "recurrence_too_many_occurrences");
        // A window centuries away walks too many occurrences.
        let far = Interval::new(paris(2200, 1, 1, 0), paris(2200, 2, 1, 0)).unwrap();
        assert_eq!(expand(&first, Paris, &r, &far, 100).unwrap().len(), 31);
        let first_1900 = Interval::new(paris(1900, 1, 1, 8), paris(1900, 1, 1, 20)).unwrap();
        let far = Interval::new(paris(2500, 1, 1, 0), paris(2500, 2, 1, 0)).unwrap();
        assert_eq!(
            expand(&first_1900, Paris, &r, &far, 100)
                .unwrap_err()
                .code(),
            "recurrence_too_expensive"
        );
    }

    #[test]
    fn hostile_rules_are_rejected_with_stable_codes() {
        let first = Interval::new(paris(2026, 1, 5, 8), paris(2026, 1, 5, 20)).unwrap();
        let code = |r: &Recurrence| r.validate(&first, Paris).unwrap_err().code();
        assert_eq!(code(&rec("not a rule")), "recurrence_invalid");
        assert_eq!(code(&rec("FREQ=HOURLY")), "recurrence_frequency_too_fine");
        assert_eq!(
            code(&rec("FREQ=SECONDLY;COUNT=5")),
            "recurrence_frequency_too_fine"
        );
        assert_eq!(
            code(&rec("FREQ=DAILY;INTERVAL=100000")),
            "recurrence_interval_too_large"
        );
        assert_eq!(
            code(&rec("FREQ=DAILY;BYHOUR=1,2,3")),
            "recurrence_unsupported_part"
        );
        assert_eq!(
            code(&rec(&format!("FREQ=DAILY;{}", "X".repeat(2000)))),
            "recurrence_rule_too_long"
        );
        assert_eq!(
            code(&rec("FREQ=WEEKLY;BYDAY=TU")),
            "recurrence_start_not_in_rule"
        );
        assert_eq!(
            code(&rec("FREQ=DAILY;UNTIL=20250101T000000Z")),
            "recurrence_invalid"
        );
        let many = Recurrence {
            rrule: "FREQ=DAILY".into(),
            exdates: vec![paris(2026, 2, 1, 8); 501],
        };
        assert_eq!(code(&many), "recurrence_too_many_exdates");
        let old = Interval::new(paris(1800, 1, 5, 8), paris(1800, 1, 5, 20)).unwrap();
        assert_eq!(
            rec("FREQ=DAILY").validate(&old, Paris).unwrap_err().code(),
            "recurrence_out_of_range"
        );
        assert!(
            rec("RRULE:freq=weekly;byday=MO;until=20260301")
                .validate(&first, Paris)
                .is_ok()
        );
        // Non-ASCII text is refused, wherever the multi-byte characters fall.
        assert_eq!(code(&rec("RRULEé")), "recurrence_invalid");
        assert_eq!(code(&rec("FREQ=DAILYé")), "recurrence_invalid");
    }

    #[test]
    fn date_only_until_includes_the_whole_local_day() {
        let first = Interval::new(paris(2026, 1, 5, 20), paris(2026, 1, 6, 8)).unwrap();
        let occ = expand(
            &first,
            Paris,
            &rec("FREQ=DAILY;UNTIL=20260107"),
            &year_2026(),
            10,
        )
        .unwrap();
        assert_eq!(occ.len(), 3);
    }

    #[test]
    fn gap_times_follow_rfc_5545() {
        // 02:30 does not exist in Paris on 2026-03-29: it is read with the winter offset (01:30 UTC).
        assert_eq!(
            localize(
                Paris,
                NaiveDate::from_ymd_opt(2026, 3, 29)
                    .unwrap()
                    .and_hms_opt(2, 30, 0)
                    .unwrap()
            ),
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap()
        );
        // One minute into the gap, the offset before the gap still applies.
        assert_eq!(
            localize(
                Paris,
                NaiveDate::from_ymd_opt(2027, 3, 28)
                    .unwrap()
                    .and_hms_opt(2, 1, 0)
                    .unwrap()
            ),
            Utc.with_ymd_and_hms(2027, 3, 28, 1, 1, 0).unwrap()
        );
        // 02:30 happens twice on 2026-10-25: the first one (00:30 UTC) is taken.
        assert_eq!(
            localize(
                Paris,
                NaiveDate::from_ymd_opt(2026, 10, 25)
                    .unwrap()
                    .and_hms_opt(2, 30, 0)
                    .unwrap()
            ),
            Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
        );
    }
}
