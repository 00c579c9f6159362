//! Ranking on objective criteria only: how much of the request is covered, how far the doctor comes
//! from, and whether they offered the same kind of shift. Never the name, the id order or the sign-up
//! date: equal scores are ordered by a hash of (request id, doctor id), which is fixed for a pair (so a
//! list is stable from one look to the next) but unrelated from one request to another (so no doctor is
//! always first among equals).
//!
//! Score = the sum of three criteria, in integer points out of 1,000 (integers, so that no platform's
//! floating-point rounding can reorder two candidates):
//!
//! | criterion | points | value |
//! |---|---|---|
//! | coverage | 600 | covered time ÷ requested time |
//! | distance | 250 | 1 − distance ÷ 300 km (0 beyond 300 km); 125 when the doctor gave no base |
//! | shift kind | 150 | per covered shift: 1 if an offered slot has the kind asked for, ½ if it is of the same family (day: day, morning, afternoon, day garde; night: night, night garde, astreinte), 0 otherwise; averaged |

use std::fmt::Write as _;

use serde::Serialize;

use super::evaluate::{Evaluation, Reach, kind_bit, total};
use crate::calendar::ShiftKind;
use crate::domain::{DoctorId, RequestId};

/// The points of each criterion (they add up to 1,000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Weights {
    /// Share of the requested time covered.
    pub coverage: u32,
    /// Closeness.
    pub distance: u32,
    /// Same kind of shift as asked.
    pub shift_kind: u32,
}

/// The weights in force.
pub const WEIGHTS: Weights = Weights {
    coverage: 600,
    distance: 250,
    shift_kind: 150,
};

/// Distance at which the distance criterion reaches zero, in metres.
const DISTANCE_ZERO_M: i64 = 300_000;

/// The facts a criterion was scored on: kept as numbers so that ranking thousands of candidates does not
/// format thousands of sentences; [`Criterion::explanation`] writes the French text when it is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Facts {
    /// Coverage of the requested time.
    Coverage {
        /// Seconds covered.
        covered_s: i64,
        /// Seconds asked for.
        asked_s: i64,
        /// Shifts covered entirely.
        whole: usize,
        /// Shifts asked for.
        shifts: usize,
        /// Shifts dropped by the hour caps.
        capped: usize,
    },
    /// How the doctor reaches the site.
    Distance(Reach),
    /// Fit of the offered shift kinds.
    ShiftKind {
        /// Covered shifts offered with the very kind asked for.
        same: u32,
        /// Covered shifts offered with a kind of the same family.
        near: u32,
        /// Covered shifts.
        covered: u32,
    },
}

/// One criterion of a score, with its plain-French explanation for the UI (serialized as
/// `{name, points, max_points, explanation}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Stable name: `coverage`, `distance` or `shift_kind`.
    pub name: &'static str,
    /// Points obtained.
    pub points: u32,
    /// Points available.
    pub max_points: u32,
    /// What the points were computed from.
    pub facts: Facts,
}

impl Serialize for Criterion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Criterion", 4)?;
        s.serialize_field("name", self.name)?;
        s.serialize_field("points", &self.points)?;
        s.serialize_field("max_points", &self.max_points)?;
        s.serialize_field("explanation", &self.explanation())?;
        s.end()
    }
}

impl Criterion {
    /// What the facility (or the doctor) reads, in French.
    pub fn explanation(&self) -> String {
        match self.facts {
            Facts::Coverage {
                covered_s,
                asked_s,
                whole,
                shifts,
                capped,
            } => {
                let percent = if asked_s > 0 {
                    covered_s * 100 / asked_s
                } else {
                    0
                };
                let mut text = format!(
                    "Couvre {} sur {} demandées ({percent} %) : {whole} créneau{} sur {shifts} en entier.",
                    hours(covered_s),
                    hours(asked_s),
                    if whole > 1 { "x" } else { "" },
                );
                if capped > 0 {
                    let plural = capped > 1;
                    let _ = write!(
                        text,
                        " {capped} créneau{} écarté{} pour respecter les plafonds (24 h d'affilée, 48 h sur 7 jours).",
                        if plural { "x" } else { "" },
                        if plural { "s" } else { "" },
                    );
                }
                text
            }
            Facts::Distance(Reach::Radius {
                distance_km,
                radius_km,
            }) => format!(
                "À {} du site, dans son rayon de déplacement de {radius_km} km.",
                km_text(distance_km)
            ),
            Facts::Distance(Reach::Department {
                distance_km: Some(d),
            }) => format!(
                "À {} du site, dans un département où il accepte d'exercer.",
                km_text(d)
            ),
            Facts::Distance(Reach::Department { distance_km: None }) => {
                "Adresse de départ non renseignée : retenu pour un département où il accepte d'exercer."
                    .to_owned()
            }
            Facts::ShiftKind {
                same,
                near,
                covered,
            } => {
                let mut text = format!(
                    "Type de créneau proposé identique à la demande pour {same} créneau{} couvert{} sur {covered}",
                    if same > 1 { "x" } else { "" },
                    if same > 1 { "s" } else { "" },
                );
                if near > 0 {
                    let _ = write!(text, ", de la même famille (jour ou nuit) pour {near}");
                }
                text.push('.');
                text
            }
        }
    }
}

/// The total score and its criteria.
pub fn score(evaluation: &Evaluation) -> (u32, Vec<Criterion>) {
    let criteria = vec![
        coverage_criterion(evaluation),
        distance_criterion(&evaluation.reach),
        kind_criterion(evaluation),
    ];
    (criteria.iter().map(|c| c.points).sum(), criteria)
}

/// The tie-break of a (request, doctor) pair: FNV-1a over the 32 id bytes, then the SplitMix64
/// finaliser. Written here (not `std`'s `DefaultHasher`) because the value must never change with the
/// Rust version or the platform: it decides an order users see.
pub fn tie_hash(request: RequestId, doctor: DoctorId) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in request
        .as_uuid()
        .as_bytes()
        .iter()
        .chain(doctor.as_uuid().as_bytes())
    {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn coverage_criterion(e: &Evaluation) -> Criterion {
    let asked_s: i64 = e
        .coverage
        .shifts
        .iter()
        .map(|s| s.shift.duration().num_seconds())
        .sum();
    let covered_s: i64 = e
        .coverage
        .shifts
        .iter()
        .map(|s| total(&s.covered).num_seconds())
        .sum();
    let points = if asked_s > 0 {
        u32::try_from(i64::from(WEIGHTS.coverage) * covered_s / asked_s).unwrap_or(0)
    } else {
        0
    };
    let whole = e
        .coverage
        .shifts
        .iter()
        .filter(|s| s.uncovered.is_empty())
        .count();
    Criterion {
        name: "coverage",
        points,
        max_points: WEIGHTS.coverage,
        facts: Facts::Coverage {
            covered_s,
            asked_s,
            whole,
            shifts: e.coverage.shifts.len(),
            capped: e.capped_shifts,
        },
    }
}

fn distance_criterion(reach: &Reach) -> Criterion {
    let points = match reach.distance_km() {
        Some(km) => {
            // Whole metres, then integer arithmetic: the same points on every platform.
            #[allow(clippy::cast_possible_truncation)]
            let m = (km * 1000.0).round() as i64;
            let left = (DISTANCE_ZERO_M - m).max(0);
            u32::try_from(i64::from(WEIGHTS.distance) * left / DISTANCE_ZERO_M).unwrap_or(0)
        }
        None => WEIGHTS.distance / 2,
    };
    Criterion {
        name: "distance",
        points,
        max_points: WEIGHTS.distance,
        facts: Facts::Distance(*reach),
    }
}

fn family(kind: ShiftKind) -> u8 {
    match kind {
        ShiftKind::Day | ShiftKind::Morning | ShiftKind::Afternoon | ShiftKind::GardeDay => 0,
        ShiftKind::Night | ShiftKind::GardeNight | ShiftKind::Astreinte => 1,
        ShiftKind::Custom => 2,
    }
}

fn kind_criterion(e: &Evaluation) -> Criterion {
    let (mut same, mut near, mut covered) = (0_u32, 0_u32, 0_u32);
    for ((sc, kinds), asked) in e
        .coverage
        .shifts
        .iter()
        .zip(&e.covering_kinds)
        .zip(&e.asked_kinds)
    {
        if sc.covered.is_empty() {
            continue;
        }
        covered += 1;
        if kinds & kind_bit(*asked) != 0 {
            same += 1;
        } else if ShiftKind::ALL
            .iter()
            .any(|k| kinds & kind_bit(*k) != 0 && family(*k) == family(*asked))
        {
            near += 1;
        }
    }
    let points = if covered > 0 {
        WEIGHTS.shift_kind * (2 * same + near) / (2 * covered)
    } else {
        0
    };
    Criterion {
        name: "shift_kind",
        points,
        max_points: WEIGHTS.shift_kind,
        facts: Facts::ShiftKind {
            same,
            near,
            covered,
        },
    }
}

/// "36 h" or "36 h 30".
fn hours(seconds: i64) -> String {
    let minutes = seconds / 60;
    match minutes % 60 {
        0 => format!("{} h", minutes / 60),
        m => format!("{} h {m:02}", minutes / 60),
    }
}

/// "12 km" or "0,8 km" (French decimal comma).
fn km_text(km: f64) -> String {
    if km < 10.0 {
        format!("{km:.1} km").replace('.', ",")
    } else {
        format!("{km:.0} km")
    }
}
