//! `rempla match --dataset FILE --request ID | --doctor ID`: the matching engine on a dataset file, so
//! anyone can check the rules (docs/matching.md) on their own data.

use std::path::Path;
use std::process::ExitCode;

use rempla_core::calendar::{CoverageStatus, Interval};
use rempla_core::domain::{DoctorId, RequestId};
use rempla_core::matching::{
    Candidate, Dataset, MatchingError, MatchingIndex, Reach, RequestFit, RequestMatches,
    SplitMethod, match_request, requests_for_doctor,
};

use crate::cli::MatchArgs;
use crate::failure::Failure;
use crate::format::describe_interval;

/// Largest dataset file read (the national synthetic dataset is about 700 MB).
const MAX_DATASET_BYTES: u64 = 4 * 1024 * 1024 * 1024;

impl From<MatchingError> for Failure {
    fn from(e: MatchingError) -> Self {
        Failure::rejected(e.code(), e.to_string())
    }
}

/// Reads and checks a dataset file: a missing file is an I/O failure (exit 3), bad content is refused
/// with the dataset's error code (exit 1).
pub fn load(path: &Path) -> Result<(Dataset, MatchingIndex), Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| {
            Failure::io(
                "read_failed",
                format!("lecture de {} impossible : {e}", path.display()),
            )
        })?
        .len();
    if size > MAX_DATASET_BYTES {
        return Err(Failure::rejected(
            "too_large",
            format!("fichier de {size} octets : 4 Go au plus"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::io(
            "read_failed",
            format!("lecture de {} impossible : {e}", path.display()),
        )
    })?;
    let dataset = Dataset::from_json(&bytes)?;
    let index = dataset.index()?;
    Ok((dataset, index))
}

/// Runs `rempla match`.
pub fn run(args: &MatchArgs, json: bool) -> Result<ExitCode, Failure> {
    // Ids are checked before the (possibly large) file is read.
    let request: Option<RequestId> = args.request.as_deref().map(str::parse).transpose()?;
    let doctor: Option<DoctorId> = args.doctor.as_deref().map(str::parse).transpose()?;
    let (_, index) = load(&args.dataset)?;
    match (request, doctor) {
        (Some(r), _) => {
            let m = match_request(&index, r)?;
            if json {
                print_json(serde_json::to_string_pretty(&m))?;
            } else {
                print_request(&index, &m, args.limit);
            }
        }
        (None, Some(d)) => {
            let fits = requests_for_doctor(&index, d)?;
            if json {
                print_json(serde_json::to_string_pretty(
                    &serde_json::json!({ "doctor": d, "requests": fits }),
                ))?;
            } else {
                print_doctor(&index, d, &fits, args.limit);
            }
        }
        (None, None) => {
            return Err(Failure::rejected(
                "usage",
                "--request ou --doctor est requis",
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json(text: serde_json::Result<String>) -> Result<(), Failure> {
    let text =
        text.map_err(|e| Failure::io("write_failed", format!("sortie JSON impossible : {e}")))?;
    println!("{text}");
    Ok(())
}

fn status_fr(status: CoverageStatus) -> &'static str {
    match status {
        CoverageStatus::Complete => "complet",
        CoverageStatus::Partial => "partiel",
        CoverageStatus::NotCovered => "aucun",
    }
}

fn reach_fr(reach: &Reach) -> String {
    match reach {
        Reach::Radius {
            distance_km,
            radius_km,
        } => format!("{distance_km:.1} km (rayon {radius_km} km)"),
        Reach::Department {
            distance_km: Some(d),
        } => format!("{d:.1} km (département choisi)"),
        Reach::Department { distance_km: None } => "département choisi".to_owned(),
    }
}

fn print_gaps(uncovered: &[Interval], zone: chrono_tz::Tz) {
    for gap in uncovered {
        println!("       non couvert : {}", describe_interval(gap, zone));
    }
}

fn print_candidate(rank: usize, c: &Candidate, zone: chrono_tz::Tz) {
    println!(
        "{rank:>3}. médecin {}  {}  score {}/1000  {}",
        c.doctor,
        status_fr(c.status),
        c.score,
        reach_fr(&c.reach)
    );
    for criterion in &c.criteria {
        println!(
            "       - {} ({}/{})",
            criterion.explanation(),
            criterion.points,
            criterion.max_points
        );
    }
    if c.status == CoverageStatus::Partial {
        let gaps: Vec<Interval> = c
            .coverage
            .shifts
            .iter()
            .flat_map(|s| s.uncovered.iter().copied())
            .collect();
        print_gaps(&gaps, zone);
    }
}

fn print_request(index: &MatchingIndex, m: &RequestMatches, limit: usize) {
    let Ok(request) = index.request(m.request) else {
        return;
    };
    let zone = request.zone;
    println!(
        "Demande {} — {} (département {}), {} créneau{}",
        request.id,
        request.specialty.label(),
        request.department.code(),
        request.shifts.len(),
        if request.shifts.len() > 1 { "x" } else { "" }
    );
    for s in &request.shifts {
        println!("  {}", describe_interval(&s.interval, zone));
    }
    let complete = m.complete().count();
    println!(
        "{} candidat{} : {complete} complet{}, {} partiel{}",
        m.candidates.len(),
        if m.candidates.len() > 1 { "s" } else { "" },
        if complete > 1 { "s" } else { "" },
        m.candidates.len() - complete,
        if m.candidates.len() - complete > 1 {
            "s"
        } else {
            ""
        }
    );
    for (i, c) in m.candidates.iter().take(limit).enumerate() {
        print_candidate(i + 1, c, zone);
    }
    if m.candidates.len() > limit {
        println!(
            "  … {} de plus (--limit ou --json)",
            m.candidates.len() - limit
        );
    }
    if let Some(split) = &m.split {
        println!(
            "Couverture à plusieurs ({}, {}) : {} médecin{}",
            if split.complete {
                "complète"
            } else {
                "incomplète"
            },
            match split.method {
                SplitMethod::Exact => "minimale prouvée",
                SplitMethod::Greedy => "gloutonne",
            },
            split.parts.len(),
            if split.parts.len() > 1 { "s" } else { "" }
        );
        for part in &split.parts {
            println!("  médecin {}", part.doctor);
            for iv in &part.intervals {
                println!("       {}", describe_interval(iv, zone));
            }
        }
        print_gaps(&split.uncovered, zone);
    }
}

fn print_doctor(index: &MatchingIndex, doctor: DoctorId, fits: &[RequestFit], limit: usize) {
    println!(
        "Médecin {doctor} : {} demande{} compatible{}",
        fits.len(),
        if fits.len() > 1 { "s" } else { "" },
        if fits.len() > 1 { "s" } else { "" }
    );
    for (i, f) in fits.iter().take(limit).enumerate() {
        let Ok(request) = index.request(f.request) else {
            continue;
        };
        println!(
            "{:>3}. demande {}  {}  {}  score {}/1000  {}",
            i + 1,
            f.request,
            request.specialty.label(),
            status_fr(f.status),
            f.score,
            reach_fr(&f.reach)
        );
        for s in &f.coverage.shifts {
            for iv in &s.covered {
                println!("       couvert : {}", describe_interval(iv, request.zone));
            }
        }
    }
    if fits.len() > limit {
        println!("  … {} de plus (--limit ou --json)", fits.len() - limit);
    }
}
