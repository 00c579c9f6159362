//! Doctor → requests: the open requests one doctor's calendar fits, completely or in part, best first.
//! On the phone the index holds that one doctor and the cached open requests; the same rules as
//! request → candidates apply ([`super::evaluate`]), so both directions always agree.

use serde::Serialize;

use super::error::MatchingError;
use super::evaluate::{Prepared, Reach, evaluate};
use super::index::MatchingIndex;
use super::rank::{Criterion, score, tie_hash};
use crate::calendar::{Coverage, CoverageStatus};
use crate::domain::{DoctorId, GeoPoint, RequestId};

/// One request that fits the doctor's calendar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestFit {
    /// The request.
    pub request: RequestId,
    /// Where its site is (for the map).
    pub location: GeoPoint,
    /// `complete` or `partial`.
    pub status: CoverageStatus,
    /// Per shift: what the doctor's free time covers.
    pub coverage: Coverage,
    /// How the doctor reaches the site.
    pub reach: Reach,
    /// Score out of 1,000 (the same as the facility sees).
    pub score: u32,
    /// The criteria, explained.
    pub criteria: Vec<Criterion>,
    /// The per-request tie-break.
    pub tie_break: u64,
}

fn fits(
    index: &MatchingIndex,
    doctor: DoctorId,
    requests: impl Iterator<Item = u32>,
) -> Result<Vec<RequestFit>, MatchingError> {
    let entry = index.doctor(doctor)?;
    let mut out: Vec<RequestFit> = requests
        .filter_map(|n| index.request_at(n))
        // A request on none of the doctor's open days cannot fit (cheap test on two sorted lists).
        .filter(|r| r.days.iter().any(|d| entry.days.binary_search(d).is_ok()))
        .filter_map(|r_entry| {
            let r = &r_entry.request;
            let e = evaluate(&Prepared::new(index, r_entry), entry)?;
            let (points, criteria) = score(&e);
            Some(RequestFit {
                request: r.id,
                location: r.location,
                status: e.status(),
                reach: e.reach,
                score: points,
                criteria,
                tie_break: tie_hash(r.id, doctor),
                coverage: e.coverage,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.tie_break.cmp(&b.tie_break))
            .then(a.request.cmp(&b.request))
    });
    Ok(out)
}

/// The open requests the doctor can take, best first, through the index.
pub fn requests_for_doctor(
    index: &MatchingIndex,
    doctor: DoctorId,
) -> Result<Vec<RequestFit>, MatchingError> {
    let profile = &index.doctor(doctor)?.profile;
    let reachable = index.requests_reachable(profile);
    fits(index, doctor, reachable.into_iter())
}

/// The same by evaluating every request: the reference for property tests.
pub fn brute_force_requests_for_doctor(
    index: &MatchingIndex,
    doctor: DoctorId,
) -> Result<Vec<RequestFit>, MatchingError> {
    let all: Vec<u32> = (0..u32::try_from(index.request_capacity()).unwrap_or(u32::MAX)).collect();
    fits(index, doctor, all.into_iter())
}
