//! Hour caps: a doctor is never proposed for more than 24 hours of work in a row, nor more than 48 hours
//! in any 7 days (a sliding window of 168 hours, not calendar weeks).
//!
//! What counts as work: booked missions (booked slots) and the proposed parts of the request. Held slots
//! and imported busy periods block the time but are not counted (we do not know what they are). Work
//! intervals that touch are one run (`[08:00, 20:00)` then `[20:00, 08:00)` is 24 h in a row).
//! A cap is broken only by a run or a window that contains proposed work: a doctor whose bookings alone
//! already exceed a cap is judged on what we would add.
//!
//! Shifts are added in chronological order and a shift is kept only if the caps still hold with it
//! (greedy): the doctor may then be a partial candidate for a request they could not take whole.

use chrono::TimeDelta;

use crate::calendar::Interval;
use crate::calendar::algebra::merge;

/// Longest run of continuous work.
pub const MAX_RUN: TimeDelta = TimeDelta::hours(24);
/// Most work in any window of [`WINDOW`].
pub const MAX_IN_WINDOW: TimeDelta = TimeDelta::hours(48);
/// The sliding window of the weekly cap.
pub const WINDOW: TimeDelta = TimeDelta::days(7);

/// Whether adding `proposed` to `booked` breaks a cap (see the module rules).
pub fn breaks_caps(booked: &[Interval], proposed: &[Interval]) -> bool {
    if proposed.is_empty() {
        return false;
    }
    let proposed = merge(proposed);
    let work = merge(&[booked, &proposed].concat());
    let touches_proposed = |iv: &Interval| {
        proposed
            .iter()
            .any(|p| p.start() <= iv.end() && iv.start() <= p.end())
    };
    if work
        .iter()
        .any(|run| run.duration() > MAX_RUN && touches_proposed(run))
    {
        return true;
    }
    // The work inside a sliding window is piecewise linear in the window's start, so its maximum over the
    // starts whose window meets proposed work is reached at a breakpoint or at an end of that range:
    // a window starting at a run start, ending at a run end, or just meeting a proposed interval.
    let mut starts = Vec::with_capacity(2 * work.len() + 2 * proposed.len());
    for run in &work {
        starts.push(run.start());
        starts.push(run.end() - WINDOW);
    }
    for p in &proposed {
        starts.push(p.start() - WINDOW);
        starts.push(p.end());
    }
    starts.into_iter().any(|t| {
        let Ok(window) = Interval::new(t, t + WINDOW) else {
            return false;
        };
        touches_proposed(&window) && work_within(&work, &window) > MAX_IN_WINDOW
    })
}

/// Total length of the normalized `work` inside `window` (no allocation: this runs for every window
/// start of every candidate).
fn work_within(work: &[Interval], window: &Interval) -> TimeDelta {
    let first = work.partition_point(|run| run.end() <= window.start());
    work[first..]
        .iter()
        .take_while(|run| run.start() < window.end())
        .map(|run| run.end().min(window.end()) - run.start().max(window.start()))
        .sum()
}

/// Chronological greedy selection: for each group of proposed intervals (one group per shift, in the
/// order given), whether it is kept. A group is kept if the caps hold with every group kept before it.
pub fn keep_within_caps<G: AsRef<[Interval]>>(booked: &[Interval], groups: &[G]) -> Vec<bool> {
    // Fast path, exact: with at most 48 h of work in all, no window can hold more than 48 h, so only
    // runs of more than 24 h could break a cap.
    let all_work: TimeDelta = booked
        .iter()
        .chain(groups.iter().flat_map(AsRef::as_ref))
        .map(Interval::duration)
        .sum();
    if all_work <= MAX_IN_WINDOW {
        let within_run = all_work <= MAX_RUN || {
            let mut all: Vec<Interval> = booked.to_vec();
            all.extend(groups.iter().flat_map(AsRef::as_ref));
            let work = merge(&all);
            work.iter().all(|run| run.duration() <= MAX_RUN)
        };
        if within_run {
            return groups.iter().map(|g| !g.as_ref().is_empty()).collect();
        }
    }
    let mut accepted: Vec<Interval> = Vec::new();
    groups
        .iter()
        .map(|group| {
            let group = group.as_ref();
            if group.is_empty() {
                return false;
            }
            let with: Vec<Interval> = accepted.iter().chain(group).copied().collect();
            if breaks_caps(booked, &with) {
                false
            } else {
                accepted = with;
                true
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::algebra::intersect;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn h(a: i64, b: i64) -> Interval {
        let t = |x: i64| Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap() + TimeDelta::hours(x);
        Interval::new(t(a), t(b)).unwrap()
    }

    #[test]
    fn runs_of_24_hours() {
        // Day then night: exactly 24 h in a row is allowed.
        assert!(!breaks_caps(&[h(8, 20)], &[h(20, 32)]));
        // One more hour is not.
        assert!(breaks_caps(&[h(7, 20)], &[h(20, 32)]));
        // A break between them makes two runs.
        assert!(!breaks_caps(&[h(7, 20)], &[h(21, 33)]));
        // Bookings alone over the cap do not count against an unrelated proposal.
        assert!(!breaks_caps(&[h(0, 30)], &[h(100, 110)]));
    }

    #[test]
    fn forty_eight_hours_in_any_seven_days() {
        // Four 12 h days in a week: 48 h, allowed; a fifth breaks the cap.
        let booked = [h(8, 20), h(32, 44), h(56, 68)];
        assert!(!breaks_caps(&booked, &[h(80, 92)]));
        assert!(breaks_caps(&booked, &[h(80, 92), h(104, 116)]));
        // The window slides: the same fifth day 7 days after the first one is fine.
        assert!(!breaks_caps(&booked, &[h(80, 92), h(176, 188)]));
        // Partially inside a window: 48 h + 1 h of the next shift breaks it.
        assert!(breaks_caps(&booked, &[h(80, 92), h(175, 187)]));
    }

    #[test]
    fn greedy_keeps_what_fits_in_order() {
        let days: Vec<Vec<Interval>> = (0..6).map(|d| vec![h(24 * d + 8, 24 * d + 20)]).collect();
        assert_eq!(
            keep_within_caps(&[], &days),
            [true, true, true, true, false, false]
        );
        assert_eq!(keep_within_caps(&[], &[vec![]]), [false]);
    }

    fn brute_force_breaks(booked: &[Interval], proposed: &[Interval]) -> bool {
        // Reference: slide the window hour by hour over every start around the data.
        let work = merge(&[booked, proposed].concat());
        let p = merge(proposed);
        if p.is_empty() {
            return false;
        }
        let meets = |a: &Interval| {
            p.iter()
                .any(|x| x.start() <= a.end() && a.start() <= x.end())
        };
        if work.iter().any(|r| r.duration() > MAX_RUN && meets(r)) {
            return true;
        }
        (-400..600).any(|s| {
            let w = h(s, s + 168);
            meets(&w)
                && intersect(&work, &[w])
                    .iter()
                    .map(Interval::duration)
                    .sum::<TimeDelta>()
                    > MAX_IN_WINDOW
        })
    }

    proptest! {
        #[test]
        fn matches_an_hour_by_hour_scan(
            booked in prop::collection::vec((0i64..300, 1i64..20), 0..8),
            proposed in prop::collection::vec((0i64..300, 1i64..20), 1..5),
        ) {
            let b: Vec<Interval> = booked.iter().map(|&(s, l)| h(s, s + l)).collect();
            let p: Vec<Interval> = proposed.iter().map(|&(s, l)| h(s, s + l)).collect();
            prop_assert_eq!(breaks_caps(&b, &p), brute_force_breaks(&b, &p));
        }
    }
}
