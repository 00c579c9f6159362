//! Split coverage: when no single doctor covers a request, the smallest set of doctors who together
//! cover as much of it as all candidates could (all of it when possible).
//!
//! The shifts are cut at every boundary of every candidate's covered parts into elementary segments; a
//! candidate covers a segment entirely or not at all, so the question becomes set cover over segments.
//! - Greedy first: repeatedly take the candidate covering the most still-uncovered time (ties: the better
//!   ranked). Greedy set cover uses at most H(m) ≤ 1 + ln m times the optimal number of doctors, m being
//!   the largest number of segments one candidate covers.
//! - Then exact: every combination of fewer doctors than greedy found, smallest first, candidates taken
//!   in rank order (so among equally small sets the best ranked wins), after dropping candidates whose
//!   segments are a subset of a better-ranked one's. The exact search stops after [`EXACT_BUDGET`]
//!   combinations and keeps the greedy answer (reported as `greedy`).
//!
//! Each segment is then attributed to the first doctor of the set (in rank order) who covers it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Interval;
use crate::calendar::algebra::merge;
use crate::domain::DoctorId;

/// Most combinations the exact search examines before settling for greedy.
pub const EXACT_BUDGET: usize = 200_000;

/// How the set was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SplitMethod {
    /// Proven smallest.
    Exact,
    /// Greedy (within the H(m) bound of the smallest).
    Greedy,
}

/// One doctor's share of a split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SplitPart {
    /// The doctor.
    pub doctor: DoctorId,
    /// The parts of the shifts attributed to them (normalized).
    pub intervals: Vec<Interval>,
}

/// A set of doctors covering a request together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Split {
    /// The doctors, in rank order, with their shares.
    pub parts: Vec<SplitPart>,
    /// Whether every shift is entirely covered.
    pub complete: bool,
    /// What nobody covers (normalized).
    pub uncovered: Vec<Interval>,
    /// Exact or greedy.
    pub method: SplitMethod,
}

/// A fixed-size bit set over segments.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn or(&mut self, other: &Self) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
    fn subset_of(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
}

/// The smallest set of candidates covering what they can cover together. `candidates` are
/// `(doctor, covered intervals)` in rank order. `None` if nobody covers anything.
pub fn split_coverage(
    shifts: &[Interval],
    candidates: &[(DoctorId, Vec<Interval>)],
) -> Option<Split> {
    let shifts = merge(shifts);
    let mut cuts: Vec<DateTime<Utc>> = Vec::new();
    for s in &shifts {
        cuts.extend([s.start(), s.end()]);
    }
    for (_, covered) in candidates {
        for c in covered {
            cuts.extend([c.start(), c.end()]);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let segments: Vec<Interval> = cuts
        .windows(2)
        .filter_map(|w| Interval::new(w[0], w[1]).ok())
        .filter(|seg| shifts.iter().any(|s| s.contains(seg)))
        .collect();
    let n = segments.len();
    let sets: Vec<Bits> = candidates
        .iter()
        .map(|(_, covered)| {
            let covered = merge(covered);
            let mut bits = Bits::new(n);
            for (i, seg) in segments.iter().enumerate() {
                if covered.iter().any(|c| c.contains(seg)) {
                    bits.set(i);
                }
            }
            bits
        })
        .collect();
    let mut target = Bits::new(n);
    for s in &sets {
        target.or(s);
    }
    if target == Bits::new(n) {
        return None;
    }
    // Useful candidates: those whose segments are not a subset of another's (among equal sets the best
    // ranked is kept). Largest sets first, so each candidate is only compared with the kept ones.
    let counts: Vec<u32> = sets
        .iter()
        .map(|b| b.0.iter().map(|w| w.count_ones()).sum())
        .collect();
    let mut order: Vec<usize> = (0..sets.len()).filter(|&i| counts[i] > 0).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let mut useful: Vec<usize> = Vec::new();
    for i in order {
        if !useful.iter().any(|&k| sets[i].subset_of(&sets[k])) {
            useful.push(i);
        }
    }
    useful.sort_unstable();
    let greedy = greedy_cover(&segments, &sets, &useful, &target);
    let (chosen, method) = match exact_cover(&sets, &useful, &target, greedy.len()) {
        Some(better) => (better, SplitMethod::Exact),
        None if exhausted(useful.len(), greedy.len()) => (greedy, SplitMethod::Exact),
        None => (greedy, SplitMethod::Greedy),
    };
    let mut chosen = chosen;
    chosen.sort_unstable();
    let mut parts: Vec<SplitPart> = Vec::new();
    for &c in &chosen {
        let mine: Vec<Interval> = (0..n)
            .filter(|&i| {
                sets[c].get(i)
                    && !chosen
                        .iter()
                        .take_while(|&&o| o != c)
                        .any(|&o| sets[o].get(i))
            })
            .map(|i| segments[i])
            .collect();
        parts.push(SplitPart {
            doctor: candidates[c].0,
            intervals: merge(&mine),
        });
    }
    let uncovered: Vec<Interval> = (0..n)
        .filter(|&i| !target.get(i))
        .map(|i| segments[i])
        .collect();
    Some(Split {
        parts,
        complete: uncovered.is_empty(),
        uncovered: merge(&uncovered),
        method,
    })
}

fn greedy_cover(
    segments: &[Interval],
    sets: &[Bits],
    useful: &[usize],
    target: &Bits,
) -> Vec<usize> {
    let mut have = Bits::new(segments.len());
    let mut chosen = Vec::new();
    while have != *target {
        let gain = |c: usize| -> i64 {
            (0..segments.len())
                .filter(|&i| sets[c].get(i) && !have.get(i))
                .map(|i| segments[i].duration().num_seconds())
                .sum()
        };
        let Some(best) = useful
            .iter()
            .copied()
            .filter(|c| !chosen.contains(c))
            .max_by(|&a, &b| gain(a).cmp(&gain(b)).then(b.cmp(&a)))
        else {
            break;
        };
        if gain(best) == 0 {
            break;
        }
        have.or(&sets[best]);
        chosen.push(best);
    }
    chosen
}

/// Whether the exact search can try every size below `greedy` within the budget.
fn exhausted(useful: usize, greedy: usize) -> bool {
    combinations_up_to(useful, greedy.saturating_sub(1)) <= EXACT_BUDGET
}

fn combinations_up_to(n: usize, k: usize) -> usize {
    let mut total: usize = 0;
    let mut c: usize = 1;
    for i in 1..=k.min(n) {
        c = c.saturating_mul(n + 1 - i) / i;
        total = total.saturating_add(c);
    }
    total
}

/// The first (in rank order) cover with fewer than `limit` doctors, if the budget allows the search.
fn exact_cover(sets: &[Bits], useful: &[usize], target: &Bits, limit: usize) -> Option<Vec<usize>> {
    if !exhausted(useful.len(), limit) {
        return None;
    }
    for k in 1..limit {
        let mut pick: Vec<usize> = (0..k).collect();
        loop {
            let mut have = Bits(vec![0; target.0.len()]);
            for &p in &pick {
                have.or(&sets[useful[p]]);
            }
            if have == *target {
                return Some(pick.iter().map(|&p| useful[p]).collect());
            }
            // Next combination in lexicographic order.
            let mut i = k;
            while i > 0 && pick[i - 1] == useful.len() - k + i - 1 {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            pick[i - 1] += 1;
            for j in i..k {
                pick[j] = pick[j - 1] + 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;

    fn h(a: i64, b: i64) -> Interval {
        let t = |x: i64| Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap() + TimeDelta::hours(x);
        Interval::new(t(a), t(b)).unwrap()
    }

    fn doctors(n: usize) -> Vec<DoctorId> {
        let mut ids: Vec<DoctorId> = (0..n).map(|_| DoctorId::new()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn two_halves_beat_three_thirds() {
        let d = doctors(4);
        let cands = vec![
            (d[0], vec![h(0, 8)]),
            (d[1], vec![h(8, 16)]),
            (d[2], vec![h(16, 24)]),
            (d[3], vec![h(6, 24)]),
        ];
        let s = split_coverage(&[h(0, 24)], &cands).unwrap();
        assert!(s.complete);
        assert_eq!(s.method, SplitMethod::Exact);
        let who: Vec<DoctorId> = s.parts.iter().map(|p| p.doctor).collect();
        assert_eq!(who, [d[0], d[3]]);
        assert_eq!(s.parts[0].intervals, [h(0, 8)]);
        assert_eq!(s.parts[1].intervals, [h(8, 24)]);
    }

    #[test]
    fn reports_what_nobody_covers() {
        let d = doctors(2);
        let s = split_coverage(
            &[h(0, 12), h(24, 36)],
            &[(d[0], vec![h(0, 12)]), (d[1], vec![h(24, 30)])],
        )
        .unwrap();
        assert!(!s.complete);
        assert_eq!(s.uncovered, [h(30, 36)]);
        assert_eq!(s.parts.len(), 2);
        assert!(split_coverage(&[h(0, 1)], &[(d[0], vec![])]).is_none());
    }

    /// Smallest number of candidates covering the union, by trying every subset.
    fn exhaustive_min(shifts: &[Interval], cands: &[(DoctorId, Vec<Interval>)]) -> usize {
        use crate::calendar::algebra::{intersect, subtract};
        let all: Vec<Interval> = cands.iter().flat_map(|c| c.1.clone()).collect();
        let target = intersect(shifts, &all);
        (0u32..(1 << cands.len()))
            .filter(|mask| {
                let mine: Vec<Interval> = (0..cands.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .flat_map(|i| cands[i].1.clone())
                    .collect();
                subtract(&target, &mine).is_empty()
            })
            .map(u32::count_ones)
            .min()
            .unwrap_or(0) as usize
    }

    proptest! {
        #[test]
        fn covers_and_is_minimal_on_small_cases(
            raw in prop::collection::vec(prop::collection::vec((0i64..48, 1i64..16), 0..3), 1..8),
        ) {
            let shifts = [h(0, 12), h(20, 32), h(40, 48)];
            let d = doctors(raw.len());
            let cands: Vec<(DoctorId, Vec<Interval>)> = raw
                .iter()
                .zip(&d)
                .map(|(ivs, id)| {
                    let covered: Vec<Interval> = ivs.iter().map(|&(s, l)| h(s, s + l)).collect();
                    (*id, crate::calendar::algebra::intersect(&shifts, &covered))
                })
                .collect();
            let all: Vec<Interval> = cands.iter().flat_map(|c| c.1.clone()).collect();
            match split_coverage(&shifts, &cands) {
                None => prop_assert!(all.is_empty()),
                Some(s) => {
                    // Parts are within each doctor's coverage and together cover what anyone covers.
                    for p in &s.parts {
                        let own = &cands.iter().find(|c| c.0 == p.doctor).unwrap().1;
                        prop_assert!(crate::calendar::algebra::subtract(&p.intervals, own).is_empty());
                    }
                    let union: Vec<Interval> = s.parts.iter().flat_map(|p| p.intervals.clone()).collect();
                    prop_assert_eq!(merge(&union), merge(&crate::calendar::algebra::intersect(&shifts, &all)));
                    prop_assert_eq!(s.method, SplitMethod::Exact);
                    prop_assert_eq!(s.parts.len(), exhaustive_min(&shifts, &cands));
                    let gaps = crate::calendar::algebra::subtract(&shifts, &all);
                    prop_assert_eq!(s.complete, gaps.is_empty());
                }
            }
        }
    }
}
