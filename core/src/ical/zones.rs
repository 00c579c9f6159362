//! `TZID` → IANA zone, for imported files.
//!
//! Order of resolution, first match wins:
//! 1. the `TZID` is an IANA name, possibly behind a path prefix (`/mozilla.org/20050126_1/Europe/Paris`);
//! 2. the file's `VTIMEZONE` with that `TZID` describes offsets (Outlook's « Romance Standard Time »…): we
//!    evaluate its observances (fixed onsets or yearly `RRULE`s) at one instant a day over the first two
//!    years of the import window and take the first IANA zone with the same offsets at every sample —
//!    trying `X-WR-TIMEZONE` and the default zone first, then every zone of chrono-tz in a fixed order;
//! 3. `X-WR-TIMEZONE` (Google's calendar zone) if it is an IANA name;
//! 4. the default zone of the import options.
//!
//! Working on IANA zones only keeps one code path for conversion and recurrence. Matching is bounded: at
//! most [`MAX_DESCRIBED_ZONES`] distinct `VTIMEZONE`s are evaluated per file; the others fall back.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::parse::{Component, Tree};
use crate::calendar::Interval;
use crate::calendar::recurrence::{DtStart, ParsedRule};

/// Most `VTIMEZONE`s matched against the zone database per file.
const MAX_DESCRIBED_ZONES: usize = 20;
/// Most observances read from one `VTIMEZONE`.
const MAX_OBSERVANCES: usize = 100;

/// Resolves and caches the zones of one file.
pub(crate) struct ZoneResolver<'a> {
    tree: &'a Tree,
    vtimezones: HashMap<String, usize>,
    calendar_zone: Option<Tz>,
    default_zone: Tz,
    samples: Vec<DateTime<Utc>>,
    cache: HashMap<String, Tz>,
    described: usize,
}

/// An IANA zone named by `tzid`, maybe after a path prefix or inside quotes.
pub(crate) fn iana(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = Tz::from_str(tzid) {
        return Some(tz);
    }
    tzid.match_indices('/')
        .find_map(|(i, _)| Tz::from_str(&tzid[i + 1..]).ok())
}

impl<'a> ZoneResolver<'a> {
    /// Prepares resolution for the calendar `root` of `tree`.
    pub(crate) fn new(tree: &'a Tree, root: usize, default_zone: Tz, window: &Interval) -> Self {
        let mut vtimezones = HashMap::new();
        for &i in &tree.components[root].children {
            let c = &tree.components[i];
            if let Some(id) = c.prop("TZID").filter(|_| c.name == "VTIMEZONE") {
                vtimezones.entry(id.value.trim().to_owned()).or_insert(i);
            }
        }
        let calendar_zone = tree.components[root]
            .prop("X-WR-TIMEZONE")
            .and_then(|p| iana(&p.value));
        let end = window.end().min(window.start() + Duration::days(731));
        let mut samples = Vec::new();
        let mut t = window.start();
        while t < end {
            samples.push(t);
            t += Duration::days(1);
        }
        Self {
            tree,
            vtimezones,
            calendar_zone,
            default_zone,
            samples,
            cache: HashMap::new(),
            described: 0,
        }
    }

    /// The zone to read times with `TZID=tzid` in.
    pub(crate) fn resolve(&mut self, tzid: &str) -> Tz {
        if let Some(tz) = self.cache.get(tzid) {
            return *tz;
        }
        let tz = iana(tzid)
            .or_else(|| self.described_by_vtimezone(tzid))
            .or(self.calendar_zone)
            .unwrap_or(self.default_zone);
        self.cache.insert(tzid.to_owned(), tz);
        tz
    }

    fn described_by_vtimezone(&mut self, tzid: &str) -> Option<Tz> {
        let index = *self.vtimezones.get(tzid.trim())?;
        if self.described >= MAX_DESCRIBED_ZONES {
            return None;
        }
        self.described += 1;
        let (first, last) = (*self.samples.first()?, *self.samples.last()?);
        let described = Described::read(&self.tree.components[index], self.tree, first, last)?;
        let wanted: Vec<i32> = self
            .samples
            .iter()
            .map(|t| described.offset_at(*t))
            .collect();
        let matches = |tz: &Tz| {
            self.samples.iter().zip(&wanted).all(|(t, w)| {
                tz.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc()
                    == *w
            })
        };
        let preferred = [self.calendar_zone, Some(self.default_zone)];
        preferred
            .into_iter()
            .flatten()
            .find(|tz| matches(tz))
            .or_else(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .copied()
                    .find(|tz| matches(tz))
            })
    }
}

/// Onsets of a `VTIMEZONE` (UTC instant → offset after), sorted, plus the offset before the first.
struct Described {
    onsets: Vec<(DateTime<Utc>, i32)>,
    before_first: i32,
}

fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
    let secs = if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * (n(0..2)? * 3600 + n(2..4)? * 60 + secs))
}

impl Described {
    fn read(
        vtz: &Component,
        tree: &Tree,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    ) -> Option<Self> {
        let range = Interval::new(first - Duration::days(400), last + Duration::days(400)).ok()?;
        let mut onsets = Vec::new();
        let mut earliest: Option<(NaiveDateTime, i32)> = None;
        for &i in vtz.children.iter().take(MAX_OBSERVANCES) {
            let obs = &tree.components[i];
            if obs.name != "STANDARD" && obs.name != "DAYLIGHT" {
                continue;
            }
            let from = parse_offset(&obs.prop("TZOFFSETFROM")?.value)?;
            let to = parse_offset(&obs.prop("TZOFFSETTO")?.value)?;
            let start =
                NaiveDateTime::parse_from_str(obs.prop("DTSTART")?.value.trim(), "%Y%m%dT%H%M%S")
                    .ok()?;
            if earliest.is_none_or(|(e, _)| start < e) {
                earliest = Some((start, from));
            }
            let to_utc =
                |local: NaiveDateTime| (local - Duration::seconds(i64::from(from))).and_utc();
            onsets.push((to_utc(start), to));
            if let Some(rule) = obs.prop("RRULE") {
                // Outlook starts its rules in 1601; the year does not matter to a yearly rule.
                let start = if start.year() < 1900 {
                    start.with_year(1900).unwrap_or(start)
                } else {
                    start
                };
                let as_utc = start.and_utc();
                let first_onset = Interval::new(as_utc, as_utc + Duration::seconds(1)).ok()?;
                let parsed = ParsedRule::parse(&rule.value, &first_onset, Tz::UTC).ok()?;
                let instances = parsed
                    .expand(&[], &range, 10_000, DtStart::AlwaysIncluded)
                    .ok()?;
                onsets.extend(
                    instances
                        .iter()
                        .map(|o| (to_utc(o.start().naive_utc()), to)),
                );
            }
        }
        onsets.sort_unstable();
        Some(Self {
            onsets,
            before_first: earliest?.1,
        })
    }

    fn offset_at(&self, t: DateTime<Utc>) -> i32 {
        let n = self.onsets.partition_point(|(at, _)| *at <= t);
        if n == 0 {
            self.before_first
        } else {
            self.onsets[n - 1].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::limits::ImportOptions;
    use crate::ical::parse::parse_tree;

    #[test]
    fn resolves_iana_names_behind_prefixes() {
        assert_eq!(
            iana("/mozilla.org/20050126_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            iana("\"America/Cayenne\""),
            Some(chrono_tz::America::Cayenne)
        );
        assert_eq!(iana("Romance Standard Time"), None);
        assert_eq!(parse_offset("-0330"), Some(-(3 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("0100"), None);
    }

    #[test]
    fn matches_an_outlook_vtimezone_to_an_iana_zone() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Romance Standard Time\r\n\
            BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
            BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Somewhere\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
            TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0400\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        let window = Interval::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let opts = ImportOptions::new(chrono_tz::America::Martinique, window);
        let tree = parse_tree(text, &opts).unwrap();
        let mut r = ZoneResolver::new(&tree, tree.roots[0], opts.default_zone, &window);
        let paris_like = r.resolve("Romance Standard Time");
        let at = |m| Utc.with_ymd_and_hms(2026, m, 15, 12, 0, 0).unwrap();
        assert_eq!(
            paris_like
                .offset_from_utc_datetime(&at(1).naive_utc())
                .fix()
                .local_minus_utc(),
            3600
        );
        assert_eq!(
            paris_like
                .offset_from_utc_datetime(&at(7).naive_utc())
                .fix()
                .local_minus_utc(),
            7200
        );
        // A fixed -04:00 matches the default zone first (Martinique has no DST).
        assert_eq!(r.resolve("Somewhere"), chrono_tz::America::Martinique);
        assert_eq!(r.resolve("Unknown"), chrono_tz::America::Martinique);
    }
}
