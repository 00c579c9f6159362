//! Conservative end of an availability series, stored in `availability.series_end_ms` so range reads can
//! skip series that ended before the window without expanding them.
//!
//! The bound only has to be *at or after* the end of the real last occurrence: exact expansion happens at
//! read time in `calendar::recurrence`. So the RRULE is parsed just enough:
//!
//! - no recurrence: the end of the interval;
//! - `UNTIL`: the last occurrence starts at or before `UNTIL`, so `UNTIL + duration`;
//! - `COUNT` without `BY…` filters (or `FREQ=WEEKLY;BYDAY=…`, where every week yields an occurrence):
//!   `COUNT − 1` periods of the longest possible length after the start (31 days for a month, 366 for a
//!   year), plus one week for `BYDAY`, plus the duration;
//! - anything else (no end, `BY…` filters that may skip periods with `COUNT`, unknown parts, unparsable
//!   text): no bound (NULL), read as "may overlap any later window".
//!
//! Every bound gets one extra day of slack: occurrences repeat in local time, so their UTC length changes
//! across DST, and a floating or date-only `UNTIL` is in local time.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use rempla_core::calendar::Interval;
use rempla_core::domain::Availability;

/// Rows whose series ends more than this after their first start are "long": read through their own index.
pub(crate) const LONG_SPAN_MS: i64 = 7 * 24 * 3_600_000;

/// Upper bound of the end of the last occurrence, `None` when the series may be endless.
pub(crate) fn series_end(availability: &Availability) -> Option<DateTime<Utc>> {
    match &availability.recurrence {
        None => Some(availability.interval.end()),
        Some(rule) => rrule_end_bound(&rule.rrule, availability.interval),
    }
}

/// Whether the row belongs to the "long" set (endless, or ending more than a week after its start).
pub(crate) fn is_long_span(start_ms: i64, series_end_ms: Option<i64>) -> bool {
    series_end_ms.is_none_or(|end| end.saturating_sub(start_ms) > LONG_SPAN_MS)
}

fn rrule_end_bound(rrule: &str, first: Interval) -> Option<DateTime<Utc>> {
    let rrule = rrule.trim();
    let rrule = rrule.strip_prefix("RRULE:").unwrap_or(rrule);
    let mut freq: Option<String> = None;
    let mut count: Option<i32> = None;
    let mut until: Option<DateTime<Utc>> = None;
    let mut interval: i32 = 1;
    let mut filters_only_weekdays = true;
    let mut has_filters = false;
    for part in rrule.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=')?;
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value.trim().to_ascii_uppercase()),
            "COUNT" => count = Some(value.trim().parse().ok().filter(|c| *c >= 1)?),
            "UNTIL" => until = Some(parse_until(value.trim())?),
            "INTERVAL" => interval = value.trim().parse().ok().filter(|i| *i >= 1)?,
            "WKST" => {}
            "BYDAY" => {
                has_filters = true;
                let plain = value.split(',').all(|d| {
                    matches!(
                        d.trim().to_ascii_uppercase().as_str(),
                        "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU"
                    )
                });
                filters_only_weekdays &= plain;
            }
            k if k.starts_with("BY") => {
                has_filters = true;
                filters_only_weekdays = false;
            }
            _ => return None,
        }
    }
    let slack = Duration::days(1);
    if let Some(until) = until {
        return until
            .max(first.start())
            .checked_add_signed(first.duration())?
            .checked_add_signed(slack);
    }
    let count = count?;
    let freq = freq?;
    let period = match freq.as_str() {
        "SECONDLY" => Duration::seconds(1),
        "MINUTELY" => Duration::minutes(1),
        "HOURLY" => Duration::hours(1),
        "DAILY" => Duration::days(1),
        "WEEKLY" => Duration::days(7),
        "MONTHLY" => Duration::days(31),
        "YEARLY" => Duration::days(366),
        _ => return None,
    };
    let extra = if !has_filters {
        Duration::zero()
    } else if freq == "WEEKLY" && filters_only_weekdays {
        Duration::days(7)
    } else {
        return None;
    };
    let periods = period.checked_mul(interval)?.checked_mul(count - 1)?;
    first
        .start()
        .checked_add_signed(periods)?
        .checked_add_signed(extra)?
        .checked_add_signed(first.duration())?
        .checked_add_signed(slack)
}

/// `UNTIL` as UTC (`…Z`), floating local time or date; local forms are taken as UTC and covered by the
/// slack (French zones are at most 14 hours from UTC).
fn parse_until(value: &str) -> Option<DateTime<Utc>> {
    if let Some(utc) = value.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .ok()
            .map(|t| t.and_utc());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S") {
        return Some(t.and_utc());
    }
    // A date-only UNTIL includes that whole local day.
    NaiveDate::parse_from_str(value, "%Y%m%d")
        .ok()?
        .succ_opt()?
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn first() -> Interval {
        Interval::new(
            Utc.with_ymd_and_hms(2026, 1, 5, 7, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 5, 19, 0, 0).unwrap(),
        )
        .unwrap()
    }

    fn bound(rule: &str) -> Option<DateTime<Utc>> {
        rrule_end_bound(rule, first())
    }

    #[test]
    fn until_bounds_the_series() {
        let end = bound("FREQ=WEEKLY;BYDAY=MO,TU;UNTIL=20261231T230000Z").unwrap();
        assert_eq!(end, Utc.with_ymd_and_hms(2027, 1, 2, 11, 0, 0).unwrap());
        let date_only = bound("FREQ=DAILY;UNTIL=20260110").unwrap();
        assert_eq!(
            date_only,
            Utc.with_ymd_and_hms(2026, 1, 12, 12, 0, 0).unwrap()
        );
    }

    #[test]
    fn count_bounds_the_series_with_the_longest_period() {
        // 3 daily occurrences: last starts on Jan 7, ends 19:00, plus one day of slack.
        assert_eq!(
            bound("FREQ=DAILY;COUNT=3").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 8, 19, 0, 0).unwrap()
        );
        // Monthly, 2 occurrences, every 2 months: 62 days + 12 h + 1 day.
        assert_eq!(
            bound("FREQ=MONTHLY;INTERVAL=2;COUNT=2").unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 9, 19, 0, 0).unwrap()
        );
        // Weekly on weekdays: one extra week for the days after the first.
        assert_eq!(
            bound("FREQ=WEEKLY;BYDAY=MO,FR;COUNT=2").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 20, 19, 0, 0).unwrap()
        );
    }

    #[test]
    fn rules_that_may_skip_periods_or_never_end_have_no_bound() {
        assert_eq!(
            bound("FREQ=WEEKLY;BYDAY=MO"),
            None,
            "no COUNT nor UNTIL: endless"
        );
        assert_eq!(
            bound("FREQ=DAILY;BYDAY=MO;COUNT=3"),
            None,
            "daily filtered by weekday skips days"
        );
        assert_eq!(bound("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3"), None);
        assert_eq!(bound("FREQ=MONTHLY;BYDAY=1MO;COUNT=3"), None);
        assert_eq!(bound("garbage"), None);
        assert_eq!(bound("FREQ=DAILY;COUNT=0"), None);
        assert_eq!(bound("FREQ=DAILY;COUNT=4000000000"), None);
        assert_eq!(
            bound("FREQ=YEARLY;COUNT=2000000"),
            None,
            "overflow is endless, not a panic"
        );
    }

    #[test]
    fn long_span_classification() {
        assert!(is_long_span(0, None));
        assert!(!is_long_span(0, Some(LONG_SPAN_MS)));
        assert!(is_long_span(0, Some(LONG_SPAN_MS + 1)));
    }
}
