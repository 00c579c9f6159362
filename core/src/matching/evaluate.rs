//! The rules for one (request, doctor) pair: hard filters, exact coverage, hour caps. Every query —
//! indexed or brute force, request → doctors or doctor → requests — decides through [`evaluate`], so the
//! index can only change *which* pairs are looked at, never the answer for a pair.
//!
//! Hard filters, in order: the doctor is verified and active; has the specialty; did not decline this
//! request; is thesed if the request says so; speaks every required language; and reaches the site —
//! within their own travel radius of it (great-circle distance from their base), or the site's
//! département is one of their chosen départements.
//!
//! Coverage: the doctor's free time is their `open` slots minus their `booked` and `held` slots and their
//! imported busy periods (calendar algebra `subtract`); an intern's free time is cut at the end of the last
//! day of their licence, midnight in the site's time zone. `algebra::coverage` then gives, per shift, the
//! covered and uncovered parts. Shifts are then kept in chronological order while the hour caps hold
//! ([`super::caps`]); the coverage is recomputed on the kept parts. A doctor covering nothing is not a
//! candidate.

use chrono::{DateTime, Days, TimeDelta, Utc};
use serde::Serialize;

use super::caps::{WINDOW, keep_within_caps};
use super::index::{DoctorEntry, MatchingIndex, RequestEntry};
use super::model::OpenRequest;
use crate::calendar::algebra::{Coverage, coverage, subtract};
use crate::calendar::{CoverageStatus, Interval, ShiftKind, resolve_local};
use crate::domain::{AvailabilityStatus, DoctorId, Qualification};
use crate::geo::haversine_km;

/// Why a doctor reaches a site.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Reach {
    /// Within the doctor's travel radius.
    Radius {
        /// Great-circle distance from the doctor's base, km.
        distance_km: f64,
        /// The doctor's radius, km.
        radius_km: u16,
    },
    /// The site's département is one the doctor chose (whatever the distance).
    Department {
        /// Distance from the doctor's base, if they gave one.
        distance_km: Option<f64>,
    },
}

impl Reach {
    /// Distance from the doctor's base to the site, if known.
    pub fn distance_km(&self) -> Option<f64> {
        match self {
            Self::Radius { distance_km, .. } => Some(*distance_km),
            Self::Department { distance_km } => *distance_km,
        }
    }
}

/// The outcome of [`evaluate`] for a pair that passes every filter and covers something.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Per-shift covered and uncovered parts, after hour caps.
    pub coverage: Coverage,
    /// How the doctor reaches the site.
    pub reach: Reach,
    /// Per shift: the kind asked for.
    pub asked_kinds: Vec<ShiftKind>,
    /// Per shift: the kinds of the open slots that cover part of it, as a bit set ([`kind_bit`]).
    pub covering_kinds: Vec<u8>,
    /// Shifts dropped because of the hour caps (they were otherwise covered, at least in part).
    pub capped_shifts: usize,
}

impl Evaluation {
    /// Complete or partial.
    pub fn status(&self) -> CoverageStatus {
        self.coverage.status
    }
}

/// What every evaluation of one request needs, borrowed from its index entry (computed once when the
/// request was indexed, not once per doctor).
pub struct Prepared<'a> {
    /// The request.
    pub request: &'a OpenRequest,
    shifts: &'a [Interval],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    declined: &'a [DoctorId],
}

impl<'a> Prepared<'a> {
    /// Prepares an indexed request for evaluation.
    pub(crate) fn new(index: &'a MatchingIndex, entry: &'a RequestEntry) -> Self {
        Self {
            request: &entry.request,
            shifts: &entry.shifts,
            from: entry.from,
            to: entry.to,
            declined: index.declined_by(entry.request.id),
        }
    }
}

/// Applies the rules of this module to one pair; `None` if the doctor is not a candidate.
pub fn evaluate(prepared: &Prepared<'_>, doctor: &DoctorEntry) -> Option<Evaluation> {
    let request = prepared.request;
    let (from, to, shifts) = (prepared.from, prepared.to, prepared.shifts);
    let profile = &doctor.profile;
    if !profile.proposable()
        || !profile.specialties.contains(&request.specialty)
        || prepared.declined.contains(&profile.id)
    {
        return None;
    }
    if request.thesed_only && profile.qualification != Qualification::Thesed {
        return None;
    }
    if !request
        .languages
        .iter()
        .all(|l| profile.languages.iter().any(|s| s.eq_ignore_ascii_case(l)))
    {
        return None;
    }
    // A cheap test first (most doctors fail it), then one pass over the doctor's slots from a week before
    // the request to a week after it: open slots meeting a shift, slots blocking the request's span, booked missions for caps.
    let meets = |iv: &Interval| {
        let at = shifts.partition_point(|sh| sh.end() <= iv.start());
        shifts.get(at).is_some_and(|sh| sh.overlaps(iv))
    };
    if !doctor
        .slots_meeting(from, to)
        .any(|s| s.status == AvailabilityStatus::Open && meets(&s.interval))
    {
        return None;
    }
    let mut open: Vec<(Interval, ShiftKind)> = Vec::new();
    let mut blocked: Vec<Interval> = Vec::new();
    let mut booked: Vec<Interval> = Vec::new();
    let (wide_from, wide_to) = (from - WINDOW, to + WINDOW);
    for s in doctor.slots_meeting(wide_from, wide_to) {
        let in_span = s.interval.start() < to && s.interval.end() > from;
        match s.status {
            AvailabilityStatus::Open => {
                if in_span && meets(&s.interval) {
                    open.push((s.interval, s.kind));
                }
            }
            AvailabilityStatus::Held => {
                if in_span {
                    blocked.push(s.interval);
                }
            }
            AvailabilityStatus::Booked => {
                if in_span {
                    blocked.push(s.interval);
                }
                booked.push(s.interval);
            }
        }
    }
    if open.is_empty() {
        return None;
    }
    let reach = reach(request, profile)?;
    blocked.extend(doctor.busy_meeting(from, to));
    if let Qualification::Intern {
        licence_valid_until,
    } = profile.qualification
    {
        // The licence covers its last day entirely, in the site's local time.
        let end = licence_valid_until
            .checked_add_days(Days::new(1))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|local| resolve_local(request.zone, local).ok())
            .map(|t| t.with_timezone(&Utc));
        match end {
            Some(end) if end < to => blocked.push(Interval::new(end.max(from), to).ok()?),
            Some(_) => {}
            None => return None,
        }
    }
    let open_intervals: Vec<Interval> = open.iter().map(|(i, _)| *i).collect();
    let free = subtract(&open_intervals, &blocked);
    let raw = coverage(shifts, &free);
    if raw.status == CoverageStatus::NotCovered {
        return None;
    }
    let groups: Vec<&[Interval]> = raw.shifts.iter().map(|s| s.covered.as_slice()).collect();
    let kept = keep_within_caps(&booked, &groups);
    let capped_shifts = groups
        .iter()
        .zip(&kept)
        .filter(|(g, k)| !g.is_empty() && !**k)
        .count();
    let final_coverage = if capped_shifts == 0 {
        raw
    } else {
        let allowed: Vec<Interval> = groups
            .iter()
            .zip(&kept)
            .filter(|(_, k)| **k)
            .flat_map(|(g, _)| g.iter().copied())
            .collect();
        coverage(shifts, &allowed)
    };
    if final_coverage.status == CoverageStatus::NotCovered {
        return None;
    }
    let covering_kinds = final_coverage
        .shifts
        .iter()
        .map(|sc| {
            open.iter()
                .filter(|(i, _)| sc.covered.iter().any(|c| c.overlaps(i)))
                .fold(0_u8, |mask, (_, k)| mask | kind_bit(*k))
        })
        .collect();
    Some(Evaluation {
        coverage: final_coverage,
        reach,
        asked_kinds: request.shifts.iter().map(|s| s.kind).collect(),
        covering_kinds,
        capped_shifts,
    })
}

/// The bit of a shift kind in [`Evaluation::covering_kinds`] (its position in [`ShiftKind::ALL`]).
pub fn kind_bit(kind: ShiftKind) -> u8 {
    ShiftKind::ALL
        .iter()
        .position(|k| *k == kind)
        .map_or(0, |i| 1 << i)
}

/// Whether and how the doctor reaches the request's site.
fn reach(request: &OpenRequest, profile: &super::model::DoctorProfile) -> Option<Reach> {
    let distance = profile.base.map(|b| haversine_km(b, request.location));
    if let Some(d) = distance
        && d <= f64::from(profile.travel_radius_km)
    {
        return Some(Reach::Radius {
            distance_km: d,
            radius_km: profile.travel_radius_km,
        });
    }
    if profile.departments.contains(&request.department) {
        return Some(Reach::Department {
            distance_km: distance,
        });
    }
    None
}

/// Total length of a list of intervals.
pub(crate) fn total(intervals: &[Interval]) -> TimeDelta {
    intervals.iter().map(Interval::duration).sum()
}
