//! `rempla dataset generate`: the seeded national synthetic dataset, as the JSON dataset file and/or as
//! CSV tables for PostgreSQL `COPY` (used by `scripts/bench-matching.sh`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use rempla_core::calendar::Department;
use rempla_core::domain::{AvailabilityStatus, DoctorStatus, Qualification, Specialty};
use rempla_core::matching::{Dataset, SyntheticConfig, generate};

use crate::cli::DatasetAction;
use crate::failure::Failure;
use crate::format::parse_date;

/// Runs `rempla dataset …`.
pub fn run(action: DatasetAction, json: bool) -> Result<ExitCode, Failure> {
    let DatasetAction::Generate {
        seed,
        doctors,
        slots_per_doctor,
        facilities,
        requests,
        start,
        weeks,
        output,
        csv,
    } = action;
    let config = SyntheticConfig {
        seed,
        doctors,
        slots_per_doctor,
        facilities,
        requests,
        start: parse_date(&start)?,
        weeks,
    };
    let data = generate(&config)?;
    if let Some(path) = &output {
        let file = create(path)?;
        let mut out = BufWriter::new(file);
        data.write_json(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| {
                Failure::io(
                    "write_failed",
                    format!("écriture de {} impossible : {e}", path.display()),
                )
            })?;
    }
    if let Some(dir) = &csv {
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::io(
                "write_failed",
                format!("création de {} impossible : {e}", dir.display()),
            )
        })?;
        write_csv(&data, dir).map_err(|e| {
            Failure::io(
                "write_failed",
                format!("écriture CSV dans {} impossible : {e}", dir.display()),
            )
        })?;
    }
    if json {
        println!(
            "{}",
            serde_json::json!({ "seed": seed, "doctors": data.doctors.len(), "slots": data.slots.len(),
                                "facilities": data.facilities.len(), "requests": data.requests.len(),
                                "output": output, "csv": csv })
        );
    } else {
        println!(
            "Jeu synthétique (graine {seed}) : {} médecins, {} créneaux, {} établissements, {} demandes ouvertes.",
            data.doctors.len(),
            data.slots.len(),
            data.facilities.len(),
            data.requests.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn create(path: &Path) -> Result<File, Failure> {
    File::create(path).map_err(|e| {
        Failure::io(
            "write_failed",
            format!("création de {} impossible : {e}", path.display()),
        )
    })
}

/// `{a,b}`: a PostgreSQL array literal (codes are slugs, digits and ASCII letters: nothing to escape).
fn pg_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let list: Vec<&str> = items.into_iter().collect();
    format!("\"{{{}}}\"", list.join(","))
}

fn table(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(dir.join(name))?))
}

/// Writes doctors.csv, slots.csv, busy.csv, requests.csv, shifts.csv, declines.csv (no header; column
/// order documented in docs/matching.md and used by scripts/bench-matching.sh).
fn write_csv(data: &Dataset, dir: &Path) -> std::io::Result<()> {
    let mut out = table(dir, "doctors.csv")?;
    for d in &data.doctors {
        let intern_until = match d.qualification {
            Qualification::Thesed => String::new(),
            Qualification::Intern {
                licence_valid_until,
            } => licence_valid_until.to_string(),
        };
        let (lat, lon) = d.base.map_or((String::new(), String::new()), |b| {
            (b.lat.to_string(), b.lon.to_string())
        });
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            d.id,
            d.status == DoctorStatus::Verified,
            d.active,
            pg_array(d.specialties.iter().map(Specialty::code)),
            intern_until,
            lat,
            lon,
            d.travel_radius_km,
            pg_array(d.departments.iter().map(Department::code)),
            pg_array(d.languages.iter().map(String::as_str)),
        )?;
    }
    out.flush()?;
    let status = |s: AvailabilityStatus| match s {
        AvailabilityStatus::Open => "open",
        AvailabilityStatus::Held => "held",
        AvailabilityStatus::Booked => "booked",
    };
    let mut out = table(dir, "slots.csv")?;
    for s in &data.slots {
        writeln!(
            out,
            "{},{},{},{},{:?}",
            s.doctor,
            s.interval.start().to_rfc3339(),
            s.interval.end().to_rfc3339(),
            status(s.status),
            s.kind
        )?;
    }
    out.flush()?;
    let mut out = table(dir, "busy.csv")?;
    for b in &data.busy {
        writeln!(
            out,
            "{},{},{}",
            b.doctor,
            b.interval.start().to_rfc3339(),
            b.interval.end().to_rfc3339()
        )?;
    }
    out.flush()?;
    let mut out = table(dir, "requests.csv")?;
    let mut shifts = table(dir, "shifts.csv")?;
    for r in &data.requests {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            r.id,
            r.specialty.code(),
            r.department.code(),
            r.zone.name(),
            r.location.lat,
            r.location.lon,
            r.thesed_only,
            pg_array(r.languages.iter().map(String::as_str)),
        )?;
        for (i, s) in r.shifts.iter().enumerate() {
            writeln!(
                shifts,
                "{},{},{:?},{},{}",
                r.id,
                i,
                s.kind,
                s.interval.start().to_rfc3339(),
                s.interval.end().to_rfc3339()
            )?;
        }
    }
    out.flush()?;
    shifts.flush()?;
    let mut out = table(dir, "declines.csv")?;
    for (r, d) in &data.declines {
        writeln!(out, "{r},{d}")?;
    }
    out.flush()
}
