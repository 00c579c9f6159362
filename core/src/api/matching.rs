//! The matching endpoint's answer (`docs/api/matching.md`), one definition for the server that writes it
//! and the clients that read it: the ranked candidates of a request, each with their public profile
//! (never contact details), what they cover, how they reach the site and the explained criteria, and
//! the split coverage when nobody covers everything.
//!
//! These are the wire shapes of [`crate::matching`]'s results, which compute with richer types (a
//! reach is an enum, a criterion keeps the facts its explanation is written from): the `From`
//! conversions below are the one place that turns the results into the answer. Answers accept unknown
//! fields.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::CoverageStatus;
use crate::calendar::algebra::Coverage;
use crate::domain::{DoctorId, RequestId};
use crate::matching;

pub use crate::matching::{Split, SplitMethod, SplitPart};

/// A candidate's public profile: never contact details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CandidateProfile {
    /// The doctor.
    pub id: DoctorId,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialty codes.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Thesis or intern licence, as the domain serializes it (`{"kind": "thesed"}`…).
    #[serde(default)]
    pub qualification: Value,
}

/// How the candidate reaches the site: `by` is `radius` or `department`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reach {
    /// `radius` (within the doctor's travel radius) or `department` (a département they chose).
    pub by: String,
    /// Distance from the doctor's base, km (`null` when they gave no base).
    #[serde(default)]
    pub distance_km: Option<f64>,
    /// The doctor's radius, km (`radius` only; omitted otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<u16>,
}

impl From<matching::Reach> for Reach {
    fn from(reach: matching::Reach) -> Self {
        match reach {
            matching::Reach::Radius {
                distance_km,
                radius_km,
            } => Self {
                by: "radius".to_owned(),
                distance_km: Some(distance_km),
                radius_km: Some(radius_km),
            },
            matching::Reach::Department { distance_km } => Self {
                by: "department".to_owned(),
                distance_km,
                radius_km: None,
            },
        }
    }
}

/// One ranking criterion with its points and French explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Criterion {
    /// `coverage`, `distance` or `shift_kind`.
    pub name: String,
    /// Points obtained.
    pub points: u32,
    /// Points available.
    pub max_points: u32,
    /// The server's sentence (French).
    #[serde(default)]
    pub explanation: String,
}

impl From<&matching::Criterion> for Criterion {
    fn from(c: &matching::Criterion) -> Self {
        Self {
            name: c.name.to_owned(),
            points: c.points,
            max_points: c.max_points,
            explanation: c.explanation(),
        }
    }
}

/// One ranked candidate of a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Candidate {
    /// Their public profile.
    pub profile: CandidateProfile,
    /// The doctor.
    pub doctor: DoctorId,
    /// `complete` or `partial`.
    pub status: CoverageStatus,
    /// What they cover, shift by shift.
    pub coverage: Coverage,
    /// How they reach the site.
    pub reach: Reach,
    /// Total points, out of 1,000.
    pub score: u32,
    /// The criteria, explained.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// The per-request tie-break (lower first among equal scores).
    #[serde(default)]
    pub tie_break: u64,
}

impl Candidate {
    /// A matching result with the doctor's public profile.
    pub fn new(profile: CandidateProfile, c: matching::Candidate) -> Self {
        Self {
            profile,
            doctor: c.doctor,
            status: c.status,
            coverage: c.coverage,
            reach: c.reach.into(),
            score: c.score,
            criteria: c.criteria.iter().map(Criterion::from).collect(),
            tie_break: c.tie_break,
        }
    }
}

/// Answer of `GET /v1/requests/{id}/candidates`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Candidates {
    /// The request.
    pub request_id: RequestId,
    /// Candidates covering every shift.
    pub complete_count: u32,
    /// Candidates covering a part.
    pub partial_count: u32,
    /// Best first.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// Set (else `null`) when nobody covers everything but some cover a part: the smallest set of
    /// doctors covering the most together.
    #[serde(default)]
    pub split: Option<Split>,
}

impl Candidates {
    /// The answer for `request`: the candidates, their counts by status, the split.
    pub fn new(request_id: RequestId, candidates: Vec<Candidate>, split: Option<Split>) -> Self {
        let count = |status| {
            let n = candidates.iter().filter(|c| c.status == status).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        Self {
            request_id,
            complete_count: count(CoverageStatus::Complete),
            partial_count: count(CoverageStatus::Partial),
            candidates,
            split,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn candidates_read_back_and_reach_keeps_the_wire_shape() {
        let answer = json!({
            "request_id": "0193a000-0000-7000-8000-000000000001",
            "complete_count": 1, "partial_count": 0,
            "candidates": [{
                "doctor": "0193a000-0000-7000-8000-000000000002",
                "profile": {"id": "0193a000-0000-7000-8000-000000000002", "first_name": "Anne",
                            "last_name": "Martin", "specialties": ["urgences"],
                            "qualification": {"kind": "thesed"}},
                "status": "complete",
                "coverage": {"status": "complete", "shifts": [{"shift": {"start": "2030-01-07T07:00:00Z", "end": "2030-01-07T19:00:00Z"},
                             "covered": [{"start": "2030-01-07T07:00:00Z", "end": "2030-01-07T19:00:00Z"}],
                             "uncovered": [], "status": "complete"}]},
                "reach": {"by": "radius", "distance_km": 31.2, "radius_km": 50},
                "score": 912,
                "criteria": [{"name": "coverage", "points": 600, "max_points": 600, "explanation": "…"}],
                "tie_break": 1_234_567_890_u64
            }],
            "split": null
        });
        let read: Candidates = serde_json::from_value(answer.clone()).expect("the answer");
        assert_eq!(read.candidates[0].reach.radius_km, Some(50));
        assert_eq!(serde_json::to_value(&read).unwrap_or_default(), answer);
        let department = Reach::from(matching::Reach::Department { distance_km: None });
        assert_eq!(
            serde_json::to_value(&department).unwrap_or_default(),
            json!({"by": "department", "distance_km": null})
        );
    }
}
