//! Request → candidates: the doctors who can take a request, completely or in part, ranked, with the
//! split coverage when nobody takes it whole.

use serde::Serialize;

use super::error::MatchingError;
pub use super::evaluate::Reach;
use super::evaluate::{Evaluation, Prepared, evaluate};
use super::index::{DoctorEntry, MatchingIndex};
use super::model::OpenRequest;
use super::rank::{Criterion, score, tie_hash};
use super::split::{Split, split_coverage};
use crate::calendar::{Coverage, CoverageStatus, Interval};
use crate::domain::{DoctorId, RequestId};

/// One doctor who can take all or part of a request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The doctor.
    pub doctor: DoctorId,
    /// `complete` or `partial`.
    pub status: CoverageStatus,
    /// Per shift: the exact covered and uncovered parts.
    pub coverage: Coverage,
    /// How the doctor reaches the site, with the distance.
    pub reach: Reach,
    /// Total score out of 1,000.
    pub score: u32,
    /// The criteria making up the score, each explained in French.
    pub criteria: Vec<Criterion>,
    /// The per-request tie-break (lower first among equal scores).
    pub tie_break: u64,
}

/// Everything a facility sees for one request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestMatches {
    /// The request.
    pub request: RequestId,
    /// Candidates, best first (complete and partial together: coverage weighs most in the score).
    pub candidates: Vec<Candidate>,
    /// When no candidate is complete but some are partial: the smallest set of doctors covering as
    /// much as they can together.
    pub split: Option<Split>,
}

impl RequestMatches {
    /// Candidates covering every shift entirely.
    pub fn complete(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.status == CoverageStatus::Complete)
    }
}

fn candidate(request: &OpenRequest, doctor: &DoctorEntry, e: Evaluation) -> Candidate {
    let (points, criteria) = score(&e);
    Candidate {
        doctor: doctor.profile.id,
        status: e.status(),
        reach: e.reach,
        score: points,
        criteria,
        tie_break: tie_hash(request.id, doctor.profile.id),
        coverage: e.coverage,
    }
}

/// Best first: score descending, then the per-request hash. Input order never matters.
pub(crate) fn sort_ranked(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.tie_break.cmp(&b.tie_break))
            .then(a.doctor.cmp(&b.doctor))
    });
}

fn finish(request: &OpenRequest, mut candidates: Vec<Candidate>) -> RequestMatches {
    sort_ranked(&mut candidates);
    let split = if candidates.is_empty()
        || candidates
            .iter()
            .any(|c| c.status == CoverageStatus::Complete)
    {
        None
    } else {
        let shifts: Vec<Interval> = request.shifts.iter().map(|s| s.interval).collect();
        let covered: Vec<(DoctorId, Vec<Interval>)> = candidates
            .iter()
            .map(|c| {
                (
                    c.doctor,
                    c.coverage
                        .shifts
                        .iter()
                        .flat_map(|s| s.covered.iter().copied())
                        .collect(),
                )
            })
            .collect();
        split_coverage(&shifts, &covered)
    };
    RequestMatches {
        request: request.id,
        candidates,
        split,
    }
}

/// The candidates of a request, through the index (only doctors whose travel box or départements reach
/// the site are evaluated).
pub fn match_request(
    index: &MatchingIndex,
    request: RequestId,
) -> Result<RequestMatches, MatchingError> {
    let entry = index.request_entry(request)?;
    let request = &entry.request;
    let prepared = Prepared::new(index, entry);
    let candidates = index
        .doctors_reaching(entry)
        .into_iter()
        .filter_map(|n| index.doctor_at(n))
        .filter_map(|d| evaluate(&prepared, d).map(|e| candidate(request, d, e)))
        .collect();
    Ok(finish(request, candidates))
}

/// The same answer as [`match_request`] by evaluating every doctor: the reference the property tests
/// compare the index with (and a fallback for tiny data sets).
pub fn brute_force_candidates(
    index: &MatchingIndex,
    request: RequestId,
) -> Result<RequestMatches, MatchingError> {
    let entry = index.request_entry(request)?;
    let request = &entry.request;
    let prepared = Prepared::new(index, entry);
    let candidates = index
        .doctors()
        .filter_map(|d| evaluate(&prepared, d).map(|e| candidate(request, d, e)))
        .collect();
    Ok(finish(request, candidates))
}
