//! Posts N open requests for the first facility of an account, through core's store and sync client
//! exactly as the app does (built by `requests::build_request`, saved with their outbox ops, pushed in
//! batches). Used by `scripts/bench-desktop.sh` to measure a cold start with 1,000 open requests.
//!
//! `seed_requests SERVER EMAIL COUNT` (password from `REMPLA_PASSWORD`).

use std::process::ExitCode;

use chrono::{Duration, Utc};
use rempla_client::{self as client, ClientConfig, NoEvents, SyncClient};
use rempla_core::calendar::ShiftKind;
use rempla_core::domain::Site;
use rempla_core::domain::{RequestDraft, ShiftDraft, build_request};
use rempla_store::Store;

fn run() -> Result<usize, String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, server, email, count] = args.as_slice() else {
        return Err("usage: seed_requests SERVER EMAIL COUNT (password in REMPLA_PASSWORD)".into());
    };
    let count: usize = count.parse().map_err(|e| format!("COUNT: {e}"))?;
    let password = std::env::var("REMPLA_PASSWORD").map_err(|_| "REMPLA_PASSWORD is not set")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut store = Store::open(dir.path().join("seed.sqlite3")).map_err(|e| e.to_string())?;
    let config = ClientConfig::default();
    let login = client::login(&mut store, server, email, &password, "seed", "cli", &config)
        .map_err(|e| e.to_string())?;
    let facility_id = login
        .memberships
        .first()
        .map(|m| m.facility_id)
        .ok_or("the account has no facility")?;
    let sync = SyncClient::from_store(&store, &config).map_err(|e| e.to_string())?;
    let facility = sync
        .api()
        .facility(facility_id)
        .map_err(|e| e.to_string())?;
    let site: Site = facility
        .sites
        .first()
        .cloned()
        .ok_or("the facility has no site")?;
    let first = Utc::now().date_naive() + Duration::days(14);
    for i in 0..count {
        let draft = RequestDraft {
            facility_id,
            site_id: site.id.to_string(),
            specialty: "medecine-generale".into(),
            shifts: vec![ShiftDraft {
                kind: if i % 3 == 0 {
                    ShiftKind::Night
                } else {
                    ShiftKind::Day
                },
                date: first + Duration::days(i64::try_from(i % 300).unwrap_or(0)),
                start: None,
                end: None,
                repeat: None,
            }],
            doctors_needed: 1,
            thesed_only: false,
            languages: vec![],
            remuneration_euros_per_day: Some(700),
        };
        let request = build_request(&draft, &site).map_err(|e| e.to_string())?;
        store
            .save_own_request(&request)
            .map_err(|e| e.to_string())?;
    }
    let report = sync
        .sync(&mut store, &NoEvents)
        .map_err(|e| e.to_string())?;
    if report.rejected > 0 {
        return Err(format!(
            "{} request(s) refused by the server",
            report.rejected
        ));
    }
    Ok(report.applied)
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} requests posted");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed_requests: {e}");
            ExitCode::FAILURE
        }
    }
}
