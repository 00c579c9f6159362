//! `rempla calendar --store PATH add|list|remove|export|import`: a doctor's offline calendar kept in a
//! local store file, exactly as a phone keeps it (every change also queues its sync op).

use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use rempla_client::session;
use rempla_core::calendar::shift::resolve_local;
use rempla_core::calendar::territory::Department;
use rempla_core::calendar::{CalendarError, Interval, ShiftKind};
use rempla_core::domain::{
    Availability, AvailabilityDraft, AvailabilityId, BusyId, BusyPeriod, DoctorId,
};
use rempla_core::ical::{
    CalendarExport, CalendarHeader, ImportOptions, MissionEvent, export_calendar, import_busy_bytes,
};
use rempla_store::Store;

use crate::cli::{AddArgs, CalendarAction, CalendarArgs};
use crate::failure::Failure;
use crate::format::{describe_interval, parse_date, status_label};

/// Most occurrences one `list` prints; a wider window is refused rather than flooding the terminal.
const MAX_LISTED: usize = 20_000;
/// Largest `.ics` file read from disk before parsing.
const MAX_ICS_BYTES: u64 = 10 * 1024 * 1024;

/// Runs one calendar action on the store file.
pub fn run(args: CalendarArgs, json: bool) -> Result<ExitCode, Failure> {
    let mut store = Store::open(&args.store)?;
    let doctor = session::local_doctor(&mut store)?;
    match args.action {
        CalendarAction::Add(add) => {
            let availability = build_availability(doctor, &add)?;
            store.add_availability(&availability)?;
            print_added(&availability, json);
        }
        CalendarAction::List { from, to } => {
            list(&store, doctor, from.as_deref(), to.as_deref(), json)?;
        }
        CalendarAction::Remove { id, occurrence } => {
            remove(&mut store, &id, occurrence.as_deref(), json)?;
        }
        CalendarAction::Export { output } => export(&store, doctor, output.as_deref())?,
        CalendarAction::Import { file, zone } => import(&mut store, doctor, &file, &zone, json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The form on the command line → core's draft, which checks every rule (same codes as the phones).
fn build_availability(doctor: DoctorId, add: &AddArgs) -> Result<Availability, Failure> {
    let custom = match (add.start.as_deref(), add.end.as_deref()) {
        (Some(start), Some(end)) => Some((parse_instant(start)?, parse_instant(end)?)),
        (None, None) => None,
        _ if add.kind == ShiftKind::Custom => return Err(CalendarError::CustomNeedsBounds.into()),
        _ => return Err(CalendarError::BoundsNeedCustom.into()),
    };
    let draft = AvailabilityDraft {
        kind: add.kind,
        date: add.date.as_deref().map(parse_date).transpose()?,
        department: Department::parse(&add.department)?,
        custom,
        rrule: add.repeat.clone(),
        exceptions: add
            .except
            .iter()
            .map(|d| parse_date(d))
            .collect::<Result<_, _>>()?,
        note: add.note.clone(),
    };
    Ok(draft.build(AvailabilityId::new(), doctor)?)
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.to_utc())
        .map_err(|e| {
            Failure::rejected(
                "invalid_datetime",
                format!("« {text} » n'est pas une date RFC 3339 ({e})"),
            )
        })
}

fn print_added(a: &Availability, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "added": a }));
    } else {
        let series = a
            .recurrence
            .as_ref()
            .map_or(String::new(), |r| format!(", répétée ({})", r.rrule));
        println!(
            "Disponibilité ajoutée {} : {} {}{series}",
            a.id,
            a.kind.label_fr(),
            describe_interval(&a.interval, a.zone)
        );
    }
}

fn list(
    store: &Store,
    doctor: DoctorId,
    from: Option<&str>,
    to: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let paris = chrono_tz::Europe::Paris;
    let from = if let Some(d) = from {
        parse_date(d)?
    } else {
        let today = Utc::now().with_timezone(&paris).date_naive();
        today.with_day0(0).unwrap_or(today)
    };
    let to = match to {
        Some(d) => parse_date(d)?,
        None => from
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(from),
    };
    let start = resolve_local(paris, from.and_time(chrono::NaiveTime::MIN))?.to_utc();
    let end = resolve_local(paris, to.and_time(chrono::NaiveTime::MIN))?.to_utc();
    let window = Interval::new(start, end)
        .map_err(|_| Failure::rejected("empty_window", "--to doit être après --from"))?;
    let rows = store.occurrences(doctor, window, MAX_LISTED)?;
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|(o, a)| {
                serde_json::json!({
                    "id": a.id, "kind": a.kind, "start": o.start(), "end": o.end(),
                    "zone": a.zone.name(), "status": a.status, "series": a.recurrence.is_some(),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(items));
        return Ok(());
    }
    if rows.is_empty() {
        println!("Aucune disponibilité du {from} au {to}.");
    }
    for (occurrence, a) in &rows {
        let series = if a.recurrence.is_some() {
            "  [série]"
        } else {
            ""
        };
        println!(
            "{}  {:<22} {:<9} {}{series}",
            describe_interval(occurrence, a.zone),
            a.kind.label_fr(),
            status_label(a.status),
            a.id
        );
    }
    Ok(())
}

fn remove(
    store: &mut Store,
    id: &str,
    occurrence: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let id: AvailabilityId = id.parse()?;
    let Some(date) = occurrence else {
        store.remove_availability(id)?;
        if json {
            println!("{}", serde_json::json!({ "removed": id }));
        } else {
            println!("Disponibilité {id} supprimée.");
        }
        return Ok(());
    };
    let date = parse_date(date)?;
    let mut availability = store
        .get_availability(id)?
        .ok_or_else(|| Failure::rejected("not_found", format!("aucune disponibilité {id}")))?;
    let start = availability.remove_occurrence(date)?;
    store.update_availability(&availability)?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "removed_occurrence": start, "id": id })
        );
    } else {
        println!("Occurrence du {date} retirée de la série {id}.");
    }
    Ok(())
}

fn export(store: &Store, doctor: DoctorId, output: Option<&Path>) -> Result<(), Failure> {
    let availabilities = store.list_availabilities(doctor)?;
    let now = Utc::now();
    let horizon = Interval::new(now - Duration::days(31), now + Duration::days(2 * 366))?;
    let missions: &[MissionEvent] = &[];
    let text = export_calendar(&CalendarExport {
        availabilities: &availabilities,
        missions,
        dtstamp: now,
        horizon,
        open_shifts: &[],
        header: CalendarHeader::default(),
    });
    match output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            Failure::io(
                "write_failed",
                format!("écriture de {} impossible : {e}", path.display()),
            )
        })?,
        None => print!("{text}"),
    }
    Ok(())
}

fn import(
    store: &mut Store,
    doctor: DoctorId,
    file: &Path,
    zone: &str,
    json: bool,
) -> Result<(), Failure> {
    let zone: Tz = zone.parse().map_err(|_| {
        Failure::rejected(
            "unknown_zone",
            format!("fuseau horaire inconnu : « {zone} »"),
        )
    })?;
    let size = std::fs::metadata(file)
        .map_err(|e| {
            Failure::io(
                "read_failed",
                format!("lecture de {} impossible : {e}", file.display()),
            )
        })?
        .len();
    if size > MAX_ICS_BYTES {
        return Err(Failure::rejected(
            "too_large",
            format!("fichier de {size} octets : 10 Mo au plus"),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::io(
            "read_failed",
            format!("lecture de {} impossible : {e}", file.display()),
        )
    })?;
    let now = Utc::now();
    let options = ImportOptions::new(
        zone,
        Interval::new(now - Duration::days(366), now + Duration::days(2 * 366))?,
    );
    let imported = import_busy_bytes(&bytes, &options)?;
    let periods: Vec<BusyPeriod> = imported
        .into_iter()
        .map(|b| BusyPeriod {
            id: BusyId::new(),
            doctor_id: doctor,
            interval: b.interval,
            source_uid: b.source_uid,
            summary: b.summary,
        })
        .collect();
    let source = format!(
        "ics:{}",
        file.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    let summary = store.replace_busy_source(doctor, &source, &periods)?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "source": source, "periods": periods.len(), "upserted": summary.upserted,
                                "removed": summary.removed, "unchanged": summary.unchanged })
        );
    } else {
        println!(
            "{} périodes occupées importées de {} ({} nouvelles ou modifiées, {} retirées, {} inchangées).",
            periods.len(),
            file.display(),
            summary.upserted,
            summary.removed,
            summary.unchanged
        );
    }
    Ok(())
}
