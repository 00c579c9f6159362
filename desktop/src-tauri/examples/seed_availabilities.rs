//! Adds N availabilities to a doctor's calendar through core's store and sync client, exactly as the
//! app does (core's `AvailabilityDraft` in the département's zone, saved with their outbox ops, pushed
//! in batches): one-off days, nights and half-days over the coming year, and a weekly series every
//! tenth. Used by `scripts/bench-desktop.sh` (ROLE=doctor) to measure a cold start of the doctor's
//! month view with 1,000 availabilities.
//!
//! `seed_availabilities SERVER EMAIL COUNT DEPARTMENT` (password from `REMPLA_PASSWORD`).

use std::process::ExitCode;

use chrono::{Duration, Utc};
use rempla_client::{self as client, ClientConfig, NoEvents, SyncClient};
use rempla_core::calendar::{Department, ShiftKind};
use rempla_core::domain::{AvailabilityDraft, AvailabilityId, DoctorId};
use rempla_store::Store;

const KINDS: [ShiftKind; 2] = [ShiftKind::Day, ShiftKind::Night];

fn run() -> Result<usize, String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, server, email, count, department] = args.as_slice() else {
        return Err(
            "usage: seed_availabilities SERVER EMAIL COUNT DEPARTMENT (password in REMPLA_PASSWORD)"
                .into(),
        );
    };
    let count: usize = count.parse().map_err(|e| format!("COUNT: {e}"))?;
    let department = Department::parse(department).map_err(|e| e.to_string())?;
    let password = std::env::var("REMPLA_PASSWORD").map_err(|_| "REMPLA_PASSWORD is not set")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut store = Store::open(dir.path().join("seed.sqlite3")).map_err(|e| e.to_string())?;
    let config = ClientConfig::default();
    let login = client::login(&mut store, server, email, &password, "seed", "cli", &config)
        .map_err(|e| e.to_string())?;
    let doctor: DoctorId = login
        .doctor_id
        .as_deref()
        .ok_or("the account is not a doctor's")?
        .parse()
        .map_err(|_| "unreadable doctor id")?;
    let first = Utc::now().date_naive() + Duration::days(3);
    let mut added = 0;
    // A day and a night each date (08–20 then 20–08: adjacent, never overlapping), date after date;
    // the series — four weekly nights each — start two years on, one after the other, clear of them.
    for i in 0..count {
        let series = i % 10 == 9;
        let n = i64::try_from(i).unwrap_or(0);
        let (kind, date, rrule) = if series {
            let start = first + Duration::days(731 + 28 * (n / 10));
            (
                ShiftKind::Night,
                start,
                Some("FREQ=WEEKLY;COUNT=4".to_owned()),
            )
        } else {
            (KINDS[i % 2], first + Duration::days(n / 2), None)
        };
        let draft = AvailabilityDraft {
            kind,
            date: Some(date),
            department,
            custom: None,
            rrule,
            exceptions: vec![],
            note: None,
        };
        let availability = draft
            .build(AvailabilityId::new(), doctor)
            .map_err(|e| e.to_string())?;
        store
            .add_availability(&availability)
            .map_err(|e| e.to_string())?;
        added += 1;
    }
    let sync = SyncClient::from_store(&store, &config).map_err(|e| e.to_string())?;
    let report = sync
        .sync(&mut store, &NoEvents)
        .map_err(|e| e.to_string())?;
    // The demo calendar may already offer one of these exact slots: the server keeps one (its
    // `duplicate_offer`), which is no failure of the seed; any other refusal is.
    let other: Vec<String> = report
        .conflicts
        .iter()
        .filter(|c| c.code != "duplicate_offer")
        .map(|c| format!("{} ({})", c.code, c.reason))
        .take(3)
        .collect();
    if !other.is_empty() {
        return Err(format!("refused by the server: {}", other.join("; ")));
    }
    added -= report.conflicts.len().min(added);
    Ok(added)
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} availabilities added and pushed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed_availabilities: {e}");
            ExitCode::FAILURE
        }
    }
}
