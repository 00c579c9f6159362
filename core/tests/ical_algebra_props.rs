//! Property tests of the interval algebra (part of the recurrence / algebra / iCalendar work, hence the
//! `ical_` prefix): coverage equals a minute-by-minute brute force; merge is idempotent and normalizing;
//! subtract ∪ intersect gives back the original.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use rempla_core::calendar::Interval;
use rempla_core::calendar::algebra::{CoverageStatus, coverage, intersect, merge, subtract};

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::minutes(minute)
}

fn interval() -> impl Strategy<Value = Interval> {
    (0i64..200, 1i64..60).prop_map(|(s, len)| Interval::new(t(s), t(s + len)).unwrap())
}

fn list() -> impl Strategy<Value = Vec<Interval>> {
    proptest::collection::vec(interval(), 0..8)
}

/// The minutes `[m, m+1)` inside the union of `list`.
fn minutes(list: &[Interval]) -> BTreeSet<i64> {
    (0..300)
        .filter(|m| list.iter().any(|i| i.contains_instant(t(*m))))
        .collect()
}

fn is_normalized(list: &[Interval]) -> bool {
    list.windows(2).all(|w| w[0].end() < w[1].start())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_idempotent_and_keeps_the_union(a in list()) {
        let m = merge(&a);
        prop_assert!(is_normalized(&m));
        prop_assert_eq!(merge(&m), m.clone());
        prop_assert_eq!(minutes(&m), minutes(&a));
    }

    #[test]
    fn subtract_union_intersect_is_the_original(a in list(), b in list()) {
        let s = subtract(&a, &b);
        let i = intersect(&a, &b);
        prop_assert!(is_normalized(&s) && is_normalized(&i));
        let both: Vec<Interval> = s.iter().chain(&i).copied().collect();
        prop_assert_eq!(merge(&both), merge(&a));
        prop_assert!(minutes(&s).is_disjoint(&minutes(&b)));
        let (ma, mb) = (minutes(&a), minutes(&b));
        prop_assert_eq!(minutes(&i), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(minutes(&s), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
    }

    #[test]
    fn coverage_equals_minute_brute_force(shifts in list(), avail in list()) {
        let c = coverage(&shifts, &avail);
        prop_assert_eq!(c.shifts.len(), shifts.len());
        let covered_minutes = minutes(&avail);
        for (shift, sc) in shifts.iter().zip(&c.shifts) {
            prop_assert_eq!(sc.shift, *shift);
            let inside = minutes(&[*shift]);
            let want_covered: BTreeSet<i64> = inside.intersection(&covered_minutes).copied().collect();
            let want_uncovered: BTreeSet<i64> = inside.difference(&covered_minutes).copied().collect();
            prop_assert_eq!(minutes(&sc.covered), want_covered.clone());
            prop_assert_eq!(minutes(&sc.uncovered), want_uncovered.clone());
            prop_assert!(is_normalized(&sc.covered) && is_normalized(&sc.uncovered));
            let want_status = match (want_covered.is_empty(), want_uncovered.is_empty()) {
                (_, true) => CoverageStatus::Complete,
                (true, false) => CoverageStatus::NotCovered,
                (false, false) => CoverageStatus::Partial,
            };
            prop_assert_eq!(sc.status, want_status);
        }
        let complete = c.shifts.iter().all(|s| s.status == CoverageStatus::Complete);
        let untouched = c.shifts.iter().all(|s| s.covered.is_empty());
        let want = if complete { CoverageStatus::Complete } else if untouched { CoverageStatus::NotCovered } else { CoverageStatus::Partial };
        prop_assert_eq!(c.status, want);
    }
}
