//! Business days (jours ouvrés: Monday to Friday, minus the territory's public holidays) and the answer
//! deadline of a proposal, which the product counts in business days in the site's zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::error::CalendarError;
use super::holidays::{MAX_YEAR, MIN_YEAR, public_holidays};
use super::shift::resolve_local;
use super::territory::Department;

/// The largest business-day count [`answer_deadline`] accepts (about three months): a guard against
/// typos, since deadlines are a few days in practice.
pub const MAX_DEADLINE_BUSINESS_DAYS: u32 = 60;

/// The holidays of one year of one territory, recomputed only when a walk crosses into another year.
struct HolidayYears<'a> {
    dept: &'a Department,
    year: i32,
    dates: Vec<NaiveDate>,
}

impl<'a> HolidayYears<'a> {
    fn new(dept: &'a Department) -> Self {
        Self {
            dept,
            year: i32::MIN,
            dates: Vec::new(),
        }
    }

    fn is_business_day(&mut self, date: NaiveDate) -> Result<bool, CalendarError> {
        if date.year() != self.year {
            self.dates = public_holidays(date.year(), self.dept)?
                .iter()
                .map(|h| h.date)
                .collect();
            self.year = date.year();
        }
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.dates.contains(&date))
    }
}

/// Whether the local date is a jour ouvré in that territory (Monday–Friday and not a public holiday).
pub fn is_business_day(date: NaiveDate, dept: &Department) -> Result<bool, CalendarError> {
    HolidayYears::new(dept).is_business_day(date)
}

/// The `n`-th business day strictly after `date` in that territory (`n = 0` gives `date` back unchanged,
/// whatever day it is). Fails with [`CalendarError::YearOutOfRange`] outside 1900–2200.
pub fn add_business_days(
    date: NaiveDate,
    n: u32,
    dept: &Department,
) -> Result<NaiveDate, CalendarError> {
    let year = date.year();
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange { year });
    }
    let mut calendar = HolidayYears::new(dept);
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day
            .succ_opt()
            .ok_or(CalendarError::YearOutOfRange { year: MAX_YEAR + 1 })?;
        if calendar.is_business_day(day)? {
            left -= 1;
        }
    }
    Ok(day)
}

/// When a proposal sent at `sent` expires: the end (24:00 local, i.e. 00:00 of the next day) of the
/// `business_days`-th business day after the local day on which it was sent, in the site's zone.
///
/// Sent on Monday (any hour, local) with 3 business days, it expires at the end of Thursday; sent on
/// Friday, at the end of the next Wednesday; holidays are skipped. The local day is what counts: 23:30
/// UTC on a Monday is already Tuesday in Paris. If local midnight falls in a DST gap (not the case in
/// French zones, but in some zones clocks move at midnight), the first valid instant after it is used.
/// `business_days` must be in `1..=MAX_DEADLINE_BUSINESS_DAYS`.
pub fn answer_deadline(
    sent: DateTime<Utc>,
    dept: &Department,
    business_days: u32,
) -> Result<DateTime<Tz>, CalendarError> {
    if !(1..=MAX_DEADLINE_BUSINESS_DAYS).contains(&business_days) {
        return Err(CalendarError::BusinessDaysOutOfRange {
            requested: business_days,
            max: MAX_DEADLINE_BUSINESS_DAYS,
        });
    }
    let tz = dept.time_zone();
    let sent_day = sent.with_timezone(&tz).date_naive();
    let last_day = add_business_days(sent_day, business_days, dept)?;
    end_of_local_day(last_day, tz)
}

/// 24:00 of a local day, i.e. the first instant of the next one (after the gap if midnight is skipped).
fn end_of_local_day(day: NaiveDate, tz: Tz) -> Result<DateTime<Tz>, CalendarError> {
    let next = day
        .succ_opt()
        .ok_or(CalendarError::YearOutOfRange { year: MAX_YEAR + 1 })?;
    resolve_local(tz, next.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dept(code: &str) -> Department {
        Department::parse(code).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn deadline(sent: &str, code: &str, n: u32) -> String {
        answer_deadline(utc(sent), &dept(code), n)
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let paris = dept("75");
        assert!(is_business_day(ymd(2026, 1, 5), &paris).unwrap()); // Monday
        assert!(!is_business_day(ymd(2026, 1, 10), &paris).unwrap()); // Saturday
        assert!(!is_business_day(ymd(2026, 5, 14), &paris).unwrap()); // Ascension
        assert!(is_business_day(ymd(2025, 12, 26), &paris).unwrap());
        assert!(!is_business_day(ymd(2025, 12, 26), &dept("57")).unwrap());
        assert!(!is_business_day(ymd(2026, 5, 22), &dept("972")).unwrap()); // Martinique, Friday
        assert_eq!(
            add_business_days(ymd(2026, 1, 9), 1, &paris),
            Ok(ymd(2026, 1, 12))
        );
        assert_eq!(
            add_business_days(ymd(2026, 1, 10), 0, &paris),
            Ok(ymd(2026, 1, 10))
        );
        // Over New Year: Wed 31 Dec 2025 + 2 → Fri 2 Jan 2026 (1 Jan skipped).
        assert_eq!(
            add_business_days(ymd(2025, 12, 31), 2, &paris),
            Ok(ymd(2026, 1, 5))
        );
        assert_eq!(
            add_business_days(ymd(2026, 5, 13), 2, &paris),
            Ok(ymd(2026, 5, 18))
        );
        assert_eq!(
            add_business_days(ymd(2200, 12, 30), 5, &paris)
                .unwrap_err()
                .code(),
            "year_out_of_range"
        );
        assert_eq!(
            add_business_days(ymd(1899, 12, 30), 1, &paris)
                .unwrap_err()
                .code(),
            "year_out_of_range"
        );
    }

    #[test]
    fn deadline_examples() {
        // Monday 10:00 Paris, 3 business days → end of Thursday.
        assert_eq!(
            deadline("2026-01-05T09:00:00Z", "75", 3),
            "2026-01-09T00:00:00+01:00"
        );
        // Friday → end of the following Wednesday.
        assert_eq!(
            deadline("2026-01-09T09:00:00Z", "75", 3),
            "2026-01-15T00:00:00+01:00"
        );
        // Ascension (Thu 14 May 2026) is skipped.
        assert_eq!(
            deadline("2026-05-12T08:00:00Z", "75", 3),
            "2026-05-19T00:00:00+02:00"
        );
        // 23:30 UTC on Monday is Tuesday in Paris.
        assert_eq!(
            deadline("2026-01-05T23:30:00Z", "75", 3),
            "2026-01-10T00:00:00+01:00"
        );
        // …but still Monday in Guadeloupe (UTC−4).
        assert_eq!(
            deadline("2026-01-05T23:30:00Z", "971", 3),
            "2026-01-09T00:00:00-04:00"
        );
        // Across the spring change: sent Thu 26 Mar 2026, deadline end of Tue 31 Mar, now CEST.
        assert_eq!(
            deadline("2026-03-26T12:00:00Z", "75", 3),
            "2026-04-01T00:00:00+02:00"
        );
        // Good Friday counts in Moselle, not in Paris.
        assert_eq!(
            deadline("2026-04-01T12:00:00Z", "75", 3),
            "2026-04-08T00:00:00+02:00"
        );
        assert_eq!(
            deadline("2026-04-01T12:00:00Z", "57", 3),
            "2026-04-09T00:00:00+02:00"
        );
        assert_eq!(
            deadline("2026-01-05T09:00:00Z", "75", 1),
            "2026-01-07T00:00:00+01:00"
        );
    }

    #[test]
    fn deadline_bounds() {
        let sent = utc("2026-01-05T09:00:00Z");
        let err = answer_deadline(sent, &dept("75"), 0).unwrap_err();
        assert_eq!(
            err,
            CalendarError::BusinessDaysOutOfRange {
                requested: 0,
                max: 60
            }
        );
        assert_eq!(
            answer_deadline(sent, &dept("75"), 61).unwrap_err().code(),
            "business_days_out_of_range"
        );
        assert!(answer_deadline(sent, &dept("75"), 60).is_ok());
        let late = utc("2200-12-29T12:00:00Z");
        assert_eq!(
            answer_deadline(late, &dept("75"), 3).unwrap_err().code(),
            "year_out_of_range"
        );
    }

    #[test]
    fn end_of_day_when_midnight_is_skipped() {
        // No French zone moves its clocks at midnight, but Santiago does (6 Sep 2026, 00:00 → 01:00):
        // the end of Saturday 5 September is then 01:00 local, the first instant that exists.
        let end = end_of_local_day(ymd(2026, 9, 5), Tz::America__Santiago).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-09-06T01:00:00-03:00");
        assert_eq!(end.with_timezone(&Utc), utc("2026-09-06T04:00:00Z"));
        let paris = end_of_local_day(ymd(2026, 3, 28), Tz::Europe__Paris).unwrap();
        assert_eq!(paris.to_rfc3339(), "2026-03-29T00:00:00+01:00");
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0_u64..(366 * 16)).prop_map(|d| ymd(2020, 1, 1).checked_add_days(Days::new(d)).unwrap())
    }

    fn any_dept() -> impl Strategy<Value = Department> {
        (0_usize..107).prop_map(|i| Department::all().nth(i).unwrap())
    }

    proptest! {
        #[test]
        fn adding_is_strictly_monotonic_in_n(date in any_date(), n in 0_u32..60, d in any_dept()) {
            let a = add_business_days(date, n, &d).unwrap();
            let b = add_business_days(date, n + 1, &d).unwrap();
            prop_assert!(a < b);
        }

        #[test]
        fn adding_is_monotonic_in_the_start(
            date in any_date(), gap in 0_u64..20, n in 0_u32..60, d in any_dept()
        ) {
            let later = date.checked_add_days(Days::new(gap)).unwrap();
            prop_assert!(add_business_days(date, n, &d).unwrap() <= add_business_days(later, n, &d).unwrap());
        }

        #[test]
        fn never_lands_on_a_weekend_or_holiday(date in any_date(), n in 1_u32..60, d in any_dept()) {
            let day = add_business_days(date, n, &d).unwrap();
            prop_assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
            prop_assert!(!super::super::holidays::is_holiday(day, &d).unwrap());
            prop_assert!(is_business_day(day, &d).unwrap());
        }

        #[test]
        fn deadline_is_after_sent(
            secs in 1_577_836_800_i64..2_082_758_399, n in 1_u32..=60, d in any_dept()
        ) {
            let sent = DateTime::from_timestamp(secs, 0).unwrap();
            let due = answer_deadline(sent, &d, n).unwrap();
            prop_assert!(due.with_timezone(&Utc) > sent);
            // At least n full days later, and it is local midnight.
            prop_assert!(due.with_timezone(&Utc) - sent >= chrono::TimeDelta::days(i64::from(n)));
            prop_assert_eq!(due.time(), NaiveTime::MIN);
        }
    }
}
