//! `VTIMEZONE` components generated from chrono-tz.
//!
//! Why a search: chrono-tz compiles the IANA database into per-zone offset tables but exposes no list of
//! transitions, only "the offset at this instant". So we probe the offset every 6 hours over the years the
//! calendar covers and, where it changes, bisect to the exact second. Every real zone keeps an offset for
//! months at a time (the shortest observed periods are days), so 6-hour probes cannot miss a transition
//! that matters. Each transition becomes one `STANDARD` or `DAYLIGHT` observance with a single `DTSTART`
//! (no `RRULE`): this is exact for past rule changes too, and every reader supports it.
//!
//! Per RFC 5545 §3.6.5 an observance's `DTSTART` is the local time of the onset in the offset in force
//! *before* it (`TZOFFSETFROM`): Paris springs forward at `20260329T020000`, falls back at `20261025T030000`.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::text::push_folded;

/// Years for which we describe zones; events outside are written in UTC (see [`describable`]).
pub const DESCRIBABLE_YEARS: RangeInclusive<i32> = 1900..=2200;

/// Whether an instant can be written with a `TZID` of a generated `VTIMEZONE`.
pub fn describable(t: DateTime<Utc>, zone: Tz) -> bool {
    zone != Tz::UTC && DESCRIBABLE_YEARS.contains(&chrono::Datelike::year(&t.with_timezone(&zone)))
}

/// The offset regime in force at an instant: what a transition changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Regime {
    utc_offset_secs: i32,
    is_dst: bool,
}

fn regime(zone: Tz, t: DateTime<Utc>) -> (Regime, String) {
    let off = zone.offset_from_utc_datetime(&t.naive_utc());
    let name = off
        .abbreviation()
        .map_or_else(|| format_offset(off.fix().local_minus_utc()), str::to_owned);
    (
        Regime {
            utc_offset_secs: off.fix().local_minus_utc(),
            is_dst: off.dst_offset() != Duration::zero(),
        },
        name,
    )
}

/// One observance onset: the instant, and the regime before and after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// First instant of the new regime.
    pub at: DateTime<Utc>,
    /// UTC offset before, in seconds.
    pub offset_from: i32,
    /// UTC offset after, in seconds.
    pub offset_to: i32,
    /// Whether the new regime is daylight saving time.
    pub is_dst: bool,
    /// Abbreviation of the new regime (`CEST`), or the offset when the database has none.
    pub name: String,
}

/// Transitions of `zone` in `[from, to)`, found by 6-hour probes and bisection to the second.
pub fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let step = Duration::hours(6);
    let mut out = Vec::new();
    let mut t = from;
    let (mut before, _) = regime(zone, t);
    while t < to {
        let next = (t + step).min(to);
        let (after, _) = regime(zone, next);
        if after != before {
            // Invariant: regime(lo) == before, regime(hi) != before.
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let at_mid = DateTime::from_timestamp(mid, 0).unwrap_or(t);
                if regime(zone, at_mid).0 == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let hi = DateTime::from_timestamp(hi, 0).unwrap_or(next);
            let (now, name) = regime(zone, hi);
            out.push(Transition {
                at: hi,
                offset_from: before.utc_offset_secs,
                offset_to: now.utc_offset_secs,
                is_dst: now.is_dst,
                name,
            });
            before = now;
            // Continue from the transition: a second change within the same probe step is then found too.
            t = hi;
            continue;
        }
        t = next;
    }
    out
}

/// `+HHMM` or `+HHMMSS` (RFC 5545 UTC-OFFSET).
fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, (a % 3600) / 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

fn local_stamp(t: DateTime<Utc>, offset_secs: i32) -> String {
    (t + Duration::seconds(i64::from(offset_secs)))
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

/// Writes the `VTIMEZONE` of `zone` for local years `years` (clamped to [`DESCRIBABLE_YEARS`]): an initial
/// observance on 1 January of the first year, then one observance per transition until the end of the last.
pub fn write_vtimezone(out: &mut String, zone: Tz, years: RangeInclusive<i32>) {
    let first = (*years.start()).max(*DESCRIBABLE_YEARS.start());
    let last = (*years.end()).min(*DESCRIBABLE_YEARS.end());
    let jan1 = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|local| crate::calendar::recurrence::localize(zone, local))
    };
    let (Some(from), Some(to)) = (jan1(first), jan1(last.saturating_add(1))) else {
        return;
    };
    push_folded(out, "BEGIN:VTIMEZONE");
    push_folded(out, &format!("TZID:{}", zone.name()));
    push_folded(out, &format!("X-LIC-LOCATION:{}", zone.name()));
    let (initial, initial_name) = regime(zone, from);
    let mut observances = vec![Transition {
        at: from,
        offset_from: initial.utc_offset_secs,
        offset_to: initial.utc_offset_secs,
        is_dst: initial.is_dst,
        name: initial_name,
    }];
    observances.extend(transitions(zone, from, to));
    for o in &observances {
        let kind = if o.is_dst { "DAYLIGHT" } else { "STANDARD" };
        push_folded(out, &format!("BEGIN:{kind}"));
        push_folded(
            out,
            &format!("DTSTART:{}", local_stamp(o.at, o.offset_from)),
        );
        push_folded(
            out,
            &format!("TZOFFSETFROM:{}", format_offset(o.offset_from)),
        );
        push_folded(out, &format!("TZOFFSETTO:{}", format_offset(o.offset_to)));
        push_folded(
            out,
            &format!("TZNAME:{}", super::text::escape_text(&o.name)),
        );
        push_folded(out, &format!("END:{kind}"));
    }
    push_folded(out, "END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe};

    #[test]
    fn finds_paris_2026_transitions_to_the_second() {
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let t = transitions(Europe::Paris, from, to);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].at, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
        assert_eq!(
            (t[0].offset_from, t[0].offset_to, t[0].is_dst),
            (3600, 7200, true)
        );
        assert_eq!(t[0].name, "CEST");
        assert_eq!(
            t[1].at,
            Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap()
        );
        assert_eq!(
            (t[1].offset_from, t[1].offset_to, t[1].is_dst),
            (7200, 3600, false)
        );
        assert!(transitions(America::Martinique, from, to).is_empty());
        assert_eq!(transitions(America::Miquelon, from, to).len(), 2);
    }

    #[test]
    fn writes_onsets_in_the_previous_offset() {
        let mut out = String::new();
        write_vtimezone(&mut out, Europe::Paris, 2026..=2026);
        assert!(out.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
        assert!(out.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
        assert!(out.contains("BEGIN:STANDARD\r\nDTSTART:20260101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"));
        assert_eq!(format_offset(-(4 * 3600 + 30 * 60 + 5)), "-043005");
    }
}
