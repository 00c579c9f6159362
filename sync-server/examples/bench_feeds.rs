//! Calendar feed benchmark (`scripts/bench-feeds.sh`): a busy facility's feed — a year of missions on
//! several sites, day and night, plus open requests — fetched through the real router on the embedded
//! SQLite store, against the ceiling of reading the same rows straight from the SQLite file (no
//! parsing, no rendering, no HTTP). Reports the median and p95 of a full fetch, of a `304`, and the
//! ratio to the ceiling. Bound (issue 15): a year of missions in under 50 ms.
//!
//! The missions are written straight into the change feed's table, as the workflow stores them
//! (a record per mission): making 1,500 missions through proposals and answers would measure the
//! workflow, not the feed.
//!
//! `cargo run --release -p rempla-server --example bench_feeds -- [--days N] [--sites N] [--runs N] [--bound-ms N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::DeviceId;
use rempla_core::domain::{
    ContactDetails, Doctor, DoctorId, DoctorStatus, Email, Facility, FacilityId, FacilityKind,
    GeoPoint, Member, MemberId, MemberRole, Mission, MissionId, MissionStatus, Postcode,
    ProposalId, Qualification, RequestId, RequestShift, Rpps, Siret, Site, SiteId, Specialty,
};
use rempla_core::sync::hlc::Hlc;
use rempla_core::sync::merge::MergeState;
use rempla_server::accounts::queries::{Account, AccountKind};
use rempla_server::server_key::ServerKey;
use rempla_server::{AppState, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rpps(n: u64) -> String {
    let payload = format!("1000{n:06}");
    let digits: Vec<u32> = payload.chars().filter_map(|c| c.to_digit(10)).collect();
    let mut total = 0;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut d = *d;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        total += d;
    }
    format!("{payload}{}", (10 - total % 10) % 10)
}

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    inm: Option<&str>,
) -> (StatusCode, Vec<u8>, Option<String>) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(e) = inm {
        req = req.header("if-none-match", e);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let res = router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let etag = res
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, bytes.to_vec(), etag)
}

fn median_p95(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (days, sites_n, runs, bound_ms) = (
        arg("--days", 365),
        arg("--sites", 2),
        arg("--runs", 30),
        arg("--bound-ms", 50),
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        data: dir.path().join("data"),
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        rate_per_ip_per_minute: 1_000_000,
        rate_per_account_per_minute: 1_000_000,
        ..Config::default()
    };
    let storage = rempla_server::open_storage(&cfg).await.unwrap();
    let mailer = rempla_server::make_mailer(&cfg).unwrap();
    let terms = rempla_server::load_terms(&cfg).unwrap();
    let state = AppState::new(cfg.clone(), storage.clone(), mailer, terms)
        .with_server_key(ServerKey::random().unwrap());
    let router = rempla_server::router(state.clone());

    // A verified facility with its sites and an administrator who signs in.
    let password = "banc-d-essai-2026".to_owned();
    let hash = rempla_server::auth::hash_password(&state, password.clone())
        .await
        .unwrap();
    let facility = Facility {
        id: FacilityId::new(),
        name: "CHU du Banc d'essai".into(),
        siret: Siret::parse("73282932000074").unwrap(),
        kind: FacilityKind::PublicHospital,
    };
    let now = state.clock.now_ms();
    let account = |email: &str, kind, doctor: Option<String>, name: &str| Account {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.into(),
        password_hash: Some(hash.clone()),
        kind,
        doctor_id: doctor,
        display_name: name.into(),
        activated: true,
        created_ms: now,
    };
    let admin = account("admin@banc.fr", AccountKind::Facility, None, "Coordination");
    let member = Member {
        id: MemberId::new(),
        facility_id: facility.id,
        display_name: "Coordination".into(),
        role: MemberRole::Admin,
        delegations: vec![],
    };
    storage
        .create_facility(admin.clone(), facility.clone(), member)
        .await
        .unwrap();
    storage
        .decide_facility(
            facility.id.to_string(),
            rempla_server::accounts::facility_verification::Verdict::Approve,
            None,
            ("bench".into(), "bench".into()),
            now,
            false,
        )
        .await
        .unwrap();
    let mut sites = Vec::new();
    for i in 0..sites_n {
        let site = Site {
            id: SiteId::new(),
            facility_id: facility.id,
            name: format!("Site {i}"),
            address: format!("{i} rue de l'Hôpital"),
            postcode: Postcode::parse("22300").unwrap(),
            commune_code: "22113".into(),
            department: "22".into(),
            location: GeoPoint {
                lat: 48.73,
                lon: -3.46,
            },
            zone: Paris,
        };
        storage.put_site(site.clone()).await.unwrap();
        sites.push(site);
    }
    // Thirty doctors (their names are on the events).
    let mut doctors = Vec::new();
    for n in 0..30 {
        let d = Doctor {
            id: DoctorId::new(),
            rpps: Rpps::parse(&rpps(n)).unwrap(),
            first_name: "Camille".into(),
            last_name: format!("Banc{n}"),
            specialties: vec![Specialty::parse("urgences").unwrap()],
            status: DoctorStatus::Verified,
            qualification: Qualification::Thesed,
            base: None,
            travel_radius_km: 0,
            departments: vec!["22".into()],
            languages: vec![],
            contact: Some(ContactDetails {
                email: Email::parse(&format!("banc{n}@exemple.fr")).unwrap(),
                phone: None,
            }),
        };
        let acc = account(
            &format!("banc{n}@exemple.fr"),
            AccountKind::Doctor,
            Some(d.id.to_string()),
            "Dr",
        );
        storage.create_doctor(acc, d.clone()).await.unwrap();
        doctors.push(d);
    }

    // A year of missions: every site, a day and a night every day.
    let device = DeviceId::new();
    let first = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let mut rows = Vec::new();
    for day in 0..days {
        for (s, site) in sites.iter().enumerate() {
            for (k, (kind, start_h, hours)) in [(ShiftKind::Day, 7, 12), (ShiftKind::Night, 19, 12)]
                .into_iter()
                .enumerate()
            {
                let start = first
                    + chrono::Duration::days(i64::try_from(day).unwrap())
                    + chrono::Duration::hours(start_h);
                let shift = RequestShift {
                    kind,
                    interval: Interval::new(start, start + chrono::Duration::hours(hours)).unwrap(),
                };
                let doctor =
                    &doctors[(usize::try_from(day).unwrap() * 2 + s * 7 + k) % doctors.len()];
                let mission = Mission {
                    id: MissionId::new(),
                    proposal_id: ProposalId::new(),
                    request_id: RequestId::new(),
                    doctor_id: doctor.id,
                    facility_id: facility.id,
                    site_id: site.id,
                    title: format!("Remplacement – {}", site.name),
                    location: Some(site.address.clone()),
                    zone: Paris,
                    shifts: vec![shift],
                    status: MissionStatus::Confirmed,
                    started_at: None,
                    ended_at: None,
                    revision: 1,
                };
                let Value::Object(fields) = serde_json::to_value(&mission).unwrap() else {
                    unreachable!()
                };
                let clock = Hlc::new(u64::try_from(now).unwrap(), 0, device);
                let state = MergeState {
                    clocks: fields.keys().map(|k| (k.clone(), clock)).collect(),
                    fields,
                    deleted: None,
                };
                rows.push((
                    mission.id.to_string(),
                    doctor.id.to_string(),
                    serde_json::to_string(&state).unwrap(),
                    clock.to_string(),
                ));
            }
        }
    }
    let db = cfg.sqlite_path();
    let inserted = rows.len();
    tokio::task::spawn_blocking(move || {
        let mut c = rusqlite::Connection::open(db).unwrap();
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare("INSERT INTO records (entity, id, doctor_id, facility_id, account_id, state, hlc, seq) VALUES ('mission', ?1, ?2, ?3, NULL, ?4, ?5, ?6)").unwrap();
            for (i, (id, doctor, state, hlc)) in rows.iter().enumerate() {
                st.execute(rusqlite::params![id, doctor, facility.id.to_string(), state, hlc, i64::try_from(i).unwrap() + 1_000_000]).unwrap();
            }
        }
        tx.commit().unwrap();
    })
    .await
    .unwrap();

    // Sign in, make the facility's feed.
    let (s, login, _) = call(&router, "POST", "/v1/auth/login", None, Some(json!({"email": "admin@banc.fr", "password": password, "device_id": uuid::Uuid::now_v7(), "device_name": "banc", "platform": "cli"})), None).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&login));
    let login: Value = serde_json::from_slice(&login).unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let (_, terms, _) = call(&router, "GET", "/v1/terms/current", None, None, None).await;
    let terms: Value = serde_json::from_slice(&terms).unwrap();
    call(
        &router,
        "POST",
        "/v1/terms/accept",
        Some(&token),
        Some(json!({"version": terms["version"], "sha256": terms["sha256"]})),
        None,
    )
    .await;
    let (s, feed, _) = call(
        &router,
        "POST",
        "/v1/me/feeds",
        Some(&token),
        Some(json!({"facility_id": facility.id})),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&feed));
    let feed: Value = serde_json::from_slice(&feed).unwrap();
    let url = feed["url"].as_str().unwrap();
    let path = &url[url.find("/feeds/").unwrap()..];

    // Full fetches, then 304s (the rate limit is per minute: advance the clock between batches).
    let (mut full, mut cached, mut size, mut etag) = (Vec::new(), Vec::new(), 0, String::new());
    for i in 0..runs {
        if i % 25 == 24 {
            state.clock.advance(61_000);
        }
        let t0 = Instant::now();
        let (s, body, e) = call(&router, "GET", path, None, None, None).await;
        full.push(t0.elapsed());
        assert_eq!(s, StatusCode::OK);
        size = body.len();
        etag = e.unwrap();
        let events = String::from_utf8_lossy(&body)
            .matches("BEGIN:VEVENT")
            .count();
        assert_eq!(events, inserted, "every mission is in the feed");
    }
    state.clock.advance(61_000);
    for i in 0..runs {
        if i % 25 == 24 {
            state.clock.advance(61_000);
        }
        let t0 = Instant::now();
        let (s, _, _) = call(&router, "GET", path, None, None, Some(&etag)).await;
        cached.push(t0.elapsed());
        assert_eq!(s, StatusCode::NOT_MODIFIED);
    }
    // The ceiling: the same rows read straight from the SQLite file.
    let (db, fid) = (cfg.sqlite_path(), facility.id.to_string());
    let ceiling = tokio::task::spawn_blocking(move || {
        let c = rusqlite::Connection::open(db).unwrap();
        let mut times = Vec::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let mut st = c.prepare_cached("SELECT id, state, hlc FROM records WHERE entity = 'mission' AND facility_id = ?1").unwrap();
            let n = st.query_map([&fid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))).unwrap().count();
            assert_eq!(n, inserted);
            times.push(t0.elapsed());
        }
        times
    })
    .await
    .unwrap();
    let (full_med, full_p95) = median_p95(full);
    let (cached_med, cached_p95) = median_p95(cached);
    let (ceil_med, _) = median_p95(ceiling);
    println!(
        "feed of {inserted} mission events ({days} days × {sites_n} sites × day and night), {:.0} KiB",
        size as f64 / 1024.0
    );
    println!("full fetch: median {full_med:.1} ms, p95 {full_p95:.1} ms");
    println!("304 (If-None-Match): median {cached_med:.1} ms, p95 {cached_p95:.1} ms");
    println!(
        "ceiling (the same rows read from the SQLite file): median {ceil_med:.2} ms — full fetch {:.1}× the ceiling",
        full_med / ceil_med.max(0.001)
    );
    if bound_ms > 0 {
        assert!(
            full_med < bound_ms as f64,
            "median {full_med:.1} ms is above the {bound_ms} ms bound"
        );
        println!("bound: median under {bound_ms} ms — ok");
    }
}
