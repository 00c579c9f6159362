//! Property test of recurrence expansion (part of the recurrence / algebra / iCalendar work, hence the
//! `ical_` prefix): for random DAILY and WEEKLY rules (INTERVAL, BYDAY, WKST, COUNT or UNTIL, EXDATEs), and
//! plain MONTHLY and YEARLY ones (31st of months, 29 February included) in zones
//! with and without DST, `expand` equals a naive day-by-day expansion in local time written here from the
//! RFC, independent of the rrule crate.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::{America, Europe, Indian, Tz};
use proptest::prelude::*;
use rempla_core::calendar::Interval;
use rempla_core::calendar::recurrence::{Recurrence, expand};

const ZONES: [Tz; 5] = [
    Europe::Paris,
    America::Miquelon,
    America::Martinique,
    Indian::Reunion,
    Tz::UTC,
];
const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// RFC 5545 §3.3.5, written independently: the earlier instant of a fold; in a gap, the offset in force
/// before it (probed 6 hours earlier: every gap of these zones is at night, far from other changes).
fn naive_to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            let before = zone
                .from_local_datetime(&(local - Duration::hours(6)))
                .earliest()
                .unwrap();
            let offset = before.naive_local() - before.naive_utc();
            (local - offset).and_utc()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Clone, Debug)]
struct Case {
    zone: Tz,
    start: NaiveDateTime,
    span_minutes: i64,
    freq: Freq,
    interval: u32,
    byday: Vec<Weekday>,
    count: Option<u32>,
    until_days: Option<(i64, u32)>,
    exdate_picks: Vec<usize>,
    window: (i64, i64),
    max: usize,
    /// Adds no-op BY parts (every month for DAILY/WEEKLY, the first occurrence's day of month and month
    /// for MONTHLY/YEARLY): same occurrences, but expanded by the rrule crate instead of the arithmetic
    /// fast path, so both engines are checked.
    general_engine: bool,
    /// Week start (index into `DAYS`), which groups the weeks of a WEEKLY rule with INTERVAL > 1.
    wkst: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            0usize..ZONES.len(),
            0i64..1200,
            0u32..24,
            prop_oneof![Just(0u32), Just(30)],
            30i64..(36 * 60),
        ),
        (
            prop_oneof![
                Just(Freq::Daily),
                Just(Freq::Weekly),
                Just(Freq::Monthly),
                Just(Freq::Yearly)
            ],
            1u32..5,
            proptest::collection::vec(0usize..7, 0..4),
        ),
        (
            prop_oneof![(1u32..80).prop_map(Some), Just(None)],
            0i64..500,
            0u32..24,
        ),
        (
            proptest::collection::vec(0usize..200, 0..6),
            -60i64..500,
            1i64..400,
            0usize..400,
            any::<bool>(),
            0usize..7,
        ),
    )
        .prop_map(
            |(
                (z, day, h, m, span),
                (freq, interval, days),
                (count, until_d, until_h),
                (ex, w0, wl, max, general_engine, wkst),
            )| {
                let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(day);
                let start = date.and_hms_opt(h, m, 0).unwrap();
                let mut byday: Vec<Weekday> = days.into_iter().map(|d| DAYS[d]).collect();
                if matches!(freq, Freq::Monthly | Freq::Yearly) {
                    byday.clear();
                } else if freq == Freq::Weekly || !byday.is_empty() {
                    // The first occurrence must match the rule.
                    byday.push(start.weekday());
                }
                byday.sort_by_key(Weekday::num_days_from_monday);
                byday.dedup();
                Case {
                    zone: ZONES[z],
                    start,
                    span_minutes: span,
                    freq,
                    interval,
                    byday,
                    until_days: count.is_none().then_some((until_d, until_h)),
                    count,
                    exdate_picks: ex,
                    window: (w0, wl),
                    max,
                    general_engine,
                    wkst,
                }
            },
        )
}

impl Case {
    fn first(&self) -> Interval {
        let s = naive_to_utc(self.zone, self.start);
        let e = naive_to_utc(self.zone, self.start + Duration::minutes(self.span_minutes));
        Interval::new(s, e.max(s + Duration::minutes(1))).unwrap()
    }

    fn until(&self) -> Option<DateTime<Utc>> {
        self.until_days
            .map(|(d, h)| self.first().start() + Duration::days(d) + Duration::hours(i64::from(h)))
    }

    fn rule(&self) -> String {
        let mut parts = vec![format!("FREQ={:?}", self.freq).to_uppercase()];
        if self.interval > 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if !self.byday.is_empty() {
            let days: Vec<String> = self
                .byday
                .iter()
                .map(|d| d.to_string()[..2].to_uppercase())
                .collect();
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        if self.freq == Freq::Weekly && self.wkst != 0 {
            parts.push(format!(
                "WKST={}",
                DAYS[self.wkst].to_string()[..2].to_uppercase()
            ));
        }
        if self.general_engine {
            let (day, month) = (self.start.day(), self.start.month());
            parts.push(match self.freq {
                Freq::Daily | Freq::Weekly => "BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12".to_owned(),
                Freq::Monthly => format!("BYMONTHDAY={day}"),
                Freq::Yearly => format!("BYMONTH={month};BYMONTHDAY={day}"),
            });
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        if let Some(u) = self.until() {
            parts.push(format!("UNTIL={}", u.format("%Y%m%dT%H%M%SZ")));
        }
        parts.join(";")
    }

    fn window(&self) -> Interval {
        let s = self.first().start() + Duration::days(self.window.0);
        Interval::new(s, s + Duration::days(self.window.1)).unwrap()
    }

    /// Every occurrence of the rule (before EXDATE and window), day by day in local time. The wall-clock
    /// times are those the first occurrence's instants show in the zone (a start drawn in a DST gap has
    /// been moved by it, and the series follows the moved time).
    fn naive_all(&self) -> Vec<Interval> {
        let first = self.first();
        let local_start = first.start().with_timezone(&self.zone).naive_local();
        let local_end = first.end().with_timezone(&self.zone).naive_local();
        let d0 = local_start.date();
        let time = local_start.time();
        let back = (7 + i64::from(d0.weekday().num_days_from_monday()) - self.wkst as i64) % 7;
        let week0 = d0 - Duration::days(back);
        let wall_span = local_end - local_start;
        let last_day = self.window().end() + Duration::days(3);
        let mut out = Vec::new();
        let mut day = d0;
        while naive_to_utc(self.zone, day.and_time(time)) < last_day {
            let diff = (day - d0).num_days();
            let months = i64::from(day.year() - d0.year()) * 12 + i64::from(day.month())
                - i64::from(d0.month());
            let interval = i64::from(self.interval);
            let matches = match self.freq {
                Freq::Weekly => {
                    ((day - week0).num_days() / 7) % interval == 0
                        && self.byday.contains(&day.weekday())
                }
                Freq::Daily => {
                    diff % interval == 0
                        && (self.byday.is_empty() || self.byday.contains(&day.weekday()))
                }
                Freq::Monthly => day.day() == d0.day() && months % interval == 0,
                Freq::Yearly => {
                    day.day() == d0.day()
                        && day.month() == d0.month()
                        && (months / 12) % interval == 0
                }
            };
            if matches {
                let local = day.and_time(time);
                let start = naive_to_utc(self.zone, local);
                if self.until().is_some_and(|u| start > u)
                    || self.count.is_some_and(|c| out.len() >= c as usize)
                {
                    break;
                }
                let mut end = naive_to_utc(self.zone, local + wall_span);
                if wall_span <= Duration::zero() || end <= start {
                    end = start + first.duration();
                }
                out.push(Interval::new(start, end).unwrap());
            }
            day += Duration::days(1);
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn expansion_equals_naive_local_day_by_day(c in case()) {
        let all = c.naive_all();
        let mut exdates: Vec<DateTime<Utc>> = c.exdate_picks.iter().filter_map(|i| all.get(*i).map(Interval::start)).collect();
        // An EXDATE that is no occurrence changes nothing.
        exdates.push(c.first().start() + Duration::minutes(7));
        let window = c.window();
        let expected: Vec<Interval> =
            all.iter().copied().filter(|i| i.overlaps(&window) && !exdates.contains(&i.start())).collect();
        let rec = Recurrence { rrule: c.rule(), exdates };
        let got = expand(&c.first(), c.zone, &rec, &window, c.max);
        if expected.len() > c.max {
            prop_assert_eq!(got.unwrap_err().code(), "recurrence_too_many_occurrences");
        } else {
            prop_assert_eq!(got.unwrap(), expected, "rule {}", c.rule());
        }
    }
}

#[test]
fn five_year_weekly_series_expands_quickly() {
    let first = Interval::new(
        Europe::Paris
            .with_ymd_and_hms(2026, 1, 3, 20, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
        Europe::Paris
            .with_ymd_and_hms(2026, 1, 4, 8, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    )
    .unwrap();
    let rec = Recurrence {
        rrule: "FREQ=WEEKLY;UNTIL=20301231T230000Z".into(),
        exdates: vec![],
    };
    let window = Interval::new(first.start(), first.start() + Duration::days(5 * 366)).unwrap();
    let all = expand(&first, Europe::Paris, &rec, &window, 1000).unwrap();
    assert_eq!(all.len(), 261);
    let hours: std::collections::BTreeSet<i64> =
        all.iter().map(|i| i.duration().num_hours()).collect();
    assert_eq!(hours.into_iter().collect::<Vec<_>>(), vec![11, 12, 13]);
}
