//! Set algebra on lists of half-open intervals: merge, subtract, intersect, and the coverage of a request's
//! shifts by a doctor's availabilities (complete, partial or none, with the exact uncovered parts).
//!
//! Every function accepts lists in any order, with overlaps, and returns a *normalized* list: sorted, with
//! no two intervals overlapping or touching. All run in `O(n log n)` (sorting) plus linear sweeps.

use serde::{Deserialize, Serialize};

use super::interval::Interval;

/// Sorts and coalesces overlapping **and touching** intervals (`[8,12)` and `[12,20)` give `[8,20)`):
/// the normal form every other operation works on.
pub fn merge(intervals: &[Interval]) -> Vec<Interval> {
    let mut sorted = intervals.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(sorted.len());
    for i in sorted {
        match out.last_mut() {
            Some(last) if i.start() <= last.end() => {
                if i.end() > last.end() {
                    *last = span(last.start(), i.end()).unwrap_or(*last);
                }
            }
            _ => out.push(i),
        }
    }
    out
}

/// The parts of `a` not in `b` (e.g. free time = availabilities minus missions and busy periods).
pub fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let b = merge(b);
    let mut out = Vec::new();
    for x in merge(a) {
        out.extend(subtract_one(&x, &b));
    }
    out
}

/// The instants in both `a` and `b`.
pub fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let (a, b) = (merge(a), merge(b));
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        if let Some(both) = span(a[i].start().max(b[j].start()), a[i].end().min(b[j].end())) {
            out.push(both);
        }
        if a[i].end() < b[j].end() {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// How much of a shift (or of a whole request) is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CoverageStatus {
    /// Every instant is covered.
    Complete,
    /// Some instants are covered, some are not.
    Partial,
    /// Nothing is covered.
    #[serde(rename = "none")]
    NotCovered,
}

/// Coverage of one shift: what facilities see for each line of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShiftCoverage {
    /// The shift asked for.
    pub shift: Interval,
    /// Normalized parts of the shift covered by availabilities.
    pub covered: Vec<Interval>,
    /// Normalized parts of the shift left uncovered (the exact gaps to fill by someone else).
    pub uncovered: Vec<Interval>,
    /// Summary of the two lists.
    pub status: CoverageStatus,
}

/// Coverage of a request's shifts by one doctor's availabilities: the "complete or partial" dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coverage {
    /// One entry per shift, in the order given.
    pub shifts: Vec<ShiftCoverage>,
    /// `Complete` if every shift is (also when there are no shifts), `NotCovered` if none is touched,
    /// `Partial` otherwise.
    pub status: CoverageStatus,
}

/// Computes, for each shift, its covered and uncovered parts by the union of `availabilities`.
pub fn coverage(shifts: &[Interval], availabilities: &[Interval]) -> Coverage {
    let avail = merge(availabilities);
    let per_shift: Vec<ShiftCoverage> = shifts
        .iter()
        .map(|shift| {
            let covered = intersect_one(shift, &avail);
            let uncovered = subtract_one(shift, &avail);
            let status = status_of(!covered.is_empty(), !uncovered.is_empty());
            ShiftCoverage {
                shift: *shift,
                covered,
                uncovered,
                status,
            }
        })
        .collect();
    let any_covered = per_shift.iter().any(|s| !s.covered.is_empty());
    let any_uncovered = per_shift.iter().any(|s| !s.uncovered.is_empty());
    let status = if per_shift.is_empty() {
        CoverageStatus::Complete
    } else {
        status_of(any_covered, any_uncovered)
    };
    Coverage {
        shifts: per_shift,
        status,
    }
}

fn status_of(any_covered: bool, any_uncovered: bool) -> CoverageStatus {
    match (any_covered, any_uncovered) {
        (_, false) => CoverageStatus::Complete,
        (true, true) => CoverageStatus::Partial,
        (false, true) => CoverageStatus::NotCovered,
    }
}

/// `[start, end)` if non-empty.
fn span(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> Option<Interval> {
    Interval::new(start, end).ok()
}

/// Index of the first interval of the normalized `list` that ends after `x` starts.
fn first_relevant(x: &Interval, list: &[Interval]) -> usize {
    list.partition_point(|b| b.end() <= x.start())
}

/// `x` minus a normalized list.
fn subtract_one(x: &Interval, list: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    let mut cursor = x.start();
    for b in &list[first_relevant(x, list)..] {
        if b.start() >= x.end() {
            break;
        }
        if let Some(gap) = span(cursor, b.start().min(x.end())) {
            out.push(gap);
        }
        cursor = cursor.max(b.end());
    }
    if let Some(rest) = span(cursor, x.end()) {
        out.push(rest);
    }
    out
}

/// `x` intersected with a normalized list.
fn intersect_one(x: &Interval, list: &[Interval]) -> Vec<Interval> {
    list[first_relevant(x, list)..]
        .iter()
        .take_while(|b| b.start() < x.end())
        .filter_map(|b| span(b.start().max(x.start()), b.end().min(x.end())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn iv(a: i64, b: i64) -> Interval {
        let t = |m: i64| {
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(m)
        };
        Interval::new(t(a), t(b)).unwrap()
    }

    #[test]
    fn merge_coalesces_overlapping_and_touching() {
        assert_eq!(
            merge(&[iv(30, 40), iv(0, 10), iv(10, 20), iv(35, 50), iv(60, 61)]),
            vec![iv(0, 20), iv(30, 50), iv(60, 61)]
        );
        assert_eq!(merge(&[]), vec![]);
    }

    #[test]
    fn subtract_and_intersect() {
        let a = [iv(0, 100)];
        let b = [iv(10, 20), iv(50, 60), iv(90, 200)];
        assert_eq!(subtract(&a, &b), vec![iv(0, 10), iv(20, 50), iv(60, 90)]);
        assert_eq!(intersect(&a, &b), vec![iv(10, 20), iv(50, 60), iv(90, 100)]);
        assert_eq!(subtract(&b, &a), vec![iv(100, 200)]);
    }

    #[test]
    fn coverage_reports_exact_gaps() {
        let shifts = [iv(0, 720), iv(1000, 1100), iv(2000, 2100)];
        let avail = [iv(0, 300), iv(300, 600), iv(900, 1200)];
        let c = coverage(&shifts, &avail);
        assert_eq!(c.shifts[0].covered, vec![iv(0, 600)]);
        assert_eq!(c.shifts[0].uncovered, vec![iv(600, 720)]);
        assert_eq!(c.shifts[0].status, CoverageStatus::Partial);
        assert_eq!(c.shifts[1].status, CoverageStatus::Complete);
        assert_eq!(c.shifts[2].status, CoverageStatus::NotCovered);
        assert_eq!(c.shifts[2].uncovered, vec![iv(2000, 2100)]);
        assert_eq!(c.status, CoverageStatus::Partial);
        assert_eq!(
            coverage(&shifts[1..2], &avail).status,
            CoverageStatus::Complete
        );
        assert_eq!(
            coverage(&shifts[2..], &avail).status,
            CoverageStatus::NotCovered
        );
        assert_eq!(
            serde_json::to_string(&CoverageStatus::NotCovered).unwrap(),
            "\"none\""
        );
    }
}
