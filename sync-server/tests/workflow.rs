//! HTTP tests of the workflow area on SQLite and PostgreSQL: proposals with their business-day
//! deadlines, reminders and expiry by moving the server clock, applications, declines, acceptance
//! (mission, booked slots, withdrawn overlapping proposals, filled request, unlocked and audited
//! contacts), cancellation with lateness, contract signing, tiered alerts, the change feed, and every
//! wrong state, forged id and replay.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::users::{
    User, add_site_named, invite, new_doctor, new_facility, new_staff, push_applied, upsert_op,
    verify_through_queue,
};
use common::{Db, TestApp, app_with, backend_tests, get, post, test_config};
use rempla_core::sync::EntityKind;
use rempla_server::Config;
use rempla_server::audit::AuditFilter;
use rempla_server::db::{Row, Val};
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------- helpers

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// Moves the server clock to `rfc3339`.
fn set_clock(t: &TestApp, rfc3339: &str) {
    let now = t.state.clock.now_ms();
    t.state.clock.advance(ms(rfc3339) - now);
}

/// A doctor in `urgences`, verified through the staff queue (unless `verified` is false), working in
/// the 22.
async fn doctor(t: &TestApp, staff: &User, n: u32, verified: bool) -> User {
    let user = new_doctor(t, n).await;
    if verified {
        verify_through_queue(t, staff, &user, n).await;
    }
    // The profile editor belongs to another area: set the working départements directly.
    let id = user.doctor_id.clone().unwrap();
    let row = t.state.storage.doctor(&id).await.unwrap().unwrap();
    let mut record = row.record;
    record["departments"] = json!(["22"]);
    let status = if verified { "verified" } else { "pending" };
    t.state
        .storage
        .set_doctor_status(&id, record, status)
        .await
        .unwrap();
    user
}

/// A public hospital with one site `Site {n}`: its admin and the site id.
async fn facility(t: &TestApp, n: u32) -> (User, String) {
    let admin = new_facility(t, n).await;
    let site = add_site_named(t, &admin, &format!("Site {n}")).await;
    (admin, site)
}

/// An open night availability of a doctor; returns its id.
async fn open_night(t: &TestApp, d: &User, start: &str, end: &str) -> String {
    let id = Uuid::now_v7();
    push_applied(
        t,
        d,
        &[upsert_op(
            d,
            EntityKind::Availability,
            id,
            &json!({"id": id, "doctor_id": d.doctor_id, "interval": {"start": start, "end": end},
                    "zone": "Europe/Paris", "kind": "night", "status": "open"}),
        )],
    )
    .await;
    id.to_string()
}

/// An open request of nights (`[start, end]` pairs) posted by `admin` at `site`; returns its id.
async fn request(t: &TestApp, admin: &User, site: &str, nights: &[(&str, &str)]) -> String {
    let id = Uuid::now_v7();
    let shifts: Vec<Value> = nights
        .iter()
        .map(|(s, e)| json!({"kind": "night", "interval": {"start": s, "end": e}}))
        .collect();
    push_applied(
        t,
        admin,
        &[upsert_op(
            admin,
            EntityKind::Request,
            id,
            &json!({"id": id, "facility_id": admin.facility_id, "site_id": site, "specialty": "urgences",
                    "shifts": shifts, "zone": "Europe/Paris", "department": "22",
                    "location": {"lat": 48.73, "lon": -3.46}, "doctors_needed": 1, "status": "open",
                    "remuneration_cents_per_day": 65_000}),
        )],
    )
    .await;
    id.to_string()
}

async fn propose(
    t: &TestApp,
    by: &User,
    request: &str,
    doctor: &User,
    body: Value,
) -> (StatusCode, Value) {
    let mut body = body;
    body["doctor_id"] = json!(doctor.doctor_id);
    post(
        &t.router,
        &format!("/v1/requests/{request}/proposals"),
        Some(&by.token),
        &body,
    )
    .await
}

async fn answer(t: &TestApp, by: &User, proposal: &str, reply: &str) -> (StatusCode, Value) {
    post(
        &t.router,
        &format!("/v1/proposals/{proposal}/answer"),
        Some(&by.token),
        &json!({"answer": reply}),
    )
    .await
}

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("")
}

/// Rows of a SQL query, through the backend (tests only).
async fn sql(t: &TestApp, query: &'static str) -> Vec<Row> {
    let backend = Arc::clone(t.state.storage.backend());
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        backend
            .read(&mut |tx| {
                out = tx.query(query, &[])?;
                Ok(())
            })
            .unwrap();
        out
    })
    .await
    .unwrap()
}

fn s(v: &Val) -> String {
    match v {
        Val::Text(s) => s.clone(),
        Val::Int(i) => i.to_string(),
        Val::Null => String::new(),
    }
}

/// `(account_id, kind)` of every queued notice, oldest first.
async fn notices(t: &TestApp) -> Vec<(String, String)> {
    sql(
        t,
        // Registration decisions (from the verification queue) are not the workflow's notices.
        "SELECT account_id, kind FROM notices WHERE kind NOT IN ('doctor_verified', 'doctor_rejected') \
         ORDER BY created_ms, dedupe_key",
    )
    .await
    .iter()
    .map(|r| (s(&r[0]), s(&r[1])))
    .collect()
}

fn count(list: &[(String, String)], account: &str, kind: &str) -> usize {
    list.iter()
        .filter(|(a, k)| a == account && k == kind)
        .count()
}

/// Every change a user can pull.
async fn pull_all(t: &TestApp, token: &str) -> Vec<Value> {
    let mut cursor = Value::Null;
    let mut out = Vec::new();
    loop {
        let (s, v) = post(
            &t.router,
            "/v1/sync/pull",
            Some(token),
            &json!({"protocol": 1, "cursor": cursor, "limit": 500}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        out.extend(v["changes"].as_array().unwrap().iter().cloned());
        cursor = v["cursor"].clone();
        if v["has_more"] == false {
            return out;
        }
    }
}

fn record_of<'a>(changes: &'a [Value], entity: &str, id: &str) -> Option<&'a Value> {
    changes
        .iter()
        .rev()
        .find(|c| c["entity"] == entity && c["entity_id"] == id)
        .map(|c| &c["record"])
}

/// Doctor ids of the candidates the matching service lists for a request.
async fn listed(t: &TestApp, by: &User, request: &str) -> Vec<String> {
    let (st, v) = get(
        &t.router,
        &format!("/v1/requests/{request}/candidates"),
        Some(&by.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["doctor"].as_str().unwrap().to_owned())
        .collect()
}

/// A GET answered with raw bytes (PDF), its headers and status.
async fn raw_get(
    t: &TestApp,
    path: &str,
    user: &User,
) -> (
    StatusCode,
    std::collections::HashMap<String, String>,
    Vec<u8>,
) {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method("GET")
        .uri(path)
        .header("authorization", format!("Bearer {}", user.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

fn config() -> Config {
    Config {
        tier_size: 1,
        tier_wait_minutes: 60,
        ..test_config()
    }
}

async fn run_jobs(t: &TestApp) {
    for run in rempla_server::areas::run_due(&t.state).await {
        assert!(run.outcome.is_ok(), "{run:?}");
    }
}

const N1: (&str, &str) = ("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z");
const N2: (&str, &str) = ("2027-02-03T19:00:00Z", "2027-02-04T07:00:00Z");
const N3: (&str, &str) = ("2027-02-10T19:00:00Z", "2027-02-11T07:00:00Z");

// ---------------------------------------------------------------- proposals, deadlines, jobs

async fn proposals_deadlines_reminders_expiry(db: Db) {
    let t = app_with(db, config()).await;
    // Friday 8 January 2027, 14:00 in Paris.
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let pending = doctor(&t, &staff, 3, false).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, _) = facility(&t, 2).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    let planner = invite(&t, &a, "planner", 1).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    open_night(&t, &d1, N2.0, N2.1).await;
    open_night(&t, &pending, N1.0, N1.1).await;
    let r = request(&t, &a, &site_a, &[N1, N2]).await;

    // Wrong callers, forged ids and wrong input change nothing.
    let (st, v) = propose(&t, &viewer, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (st, _) = propose(&t, &b, &r, &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = propose(&t, &d1, &r, &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = propose(&t, &a, &Uuid::now_v7().to_string(), &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [2]})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("invalid_shift_indexes")
    );
    let (st, _) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [0, 0]})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = propose(&t, &a, &r, &pending, json!({})).await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    // d2 opened nothing: not a candidate.
    let (st, v) = propose(&t, &a, &r, &d2, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "not_a_candidate"));
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/proposals"),
        Some(&a.token),
        &json!({"doctor_id": Uuid::now_v7()}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{r}/proposals"),
        Some(&a.token),
        &json!({"doctor_id": d1.doctor_id, "surprise": 1}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(sql(&t, "SELECT id FROM proposals").await.is_empty());
    assert!(notices(&t).await.is_empty());

    // The proposal: deadline at the end of the third business day, i.e. the end of Wednesday 13.
    let pid = Uuid::now_v7();
    let (st, v) = propose(&t, &planner, &r, &d1, json!({"id": pid})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let p = &v["proposal"];
    assert_eq!(p["state"], "sent");
    assert_eq!(p["initiator"], "facility");
    assert_eq!(p["shift_indexes"], json!([0, 1]));
    assert_eq!(p["deadline"], "2027-01-13T23:00:00Z"); // Thursday 14, 00:00 in Paris
    assert_eq!(p["shifts"].as_array().unwrap().len(), 2);
    // A retried creation answers the same proposal; a second live one is refused.
    let (st, v2) = propose(&t, &planner, &r, &d1, json!({"id": pid})).await;
    assert_eq!((st, &v2["proposal"]), (StatusCode::OK, p));
    let (st, v) = propose(&t, &a, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_exists"));
    let (st, v) = propose(&t, &b, &r, &d2, json!({"id": pid})).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(sql(&t, "SELECT id FROM proposals").await.len(), 1);
    let n = notices(&t).await;
    assert_eq!(count(&n, &d1.account_id, "proposal_received"), 1);

    // Who sees it: the doctor and the facility, over the API and in the change feed; nobody else.
    let pid = pid.to_string();
    for u in [&d1, &a, &viewer] {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&u.token)).await;
        assert_eq!(v["proposals"][0]["id"], pid.as_str(), "{v}");
        let feed = pull_all(&t, &u.token).await;
        assert_eq!(record_of(&feed, "proposal", &pid).unwrap()["state"], "sent");
    }
    for u in [&d2, &b] {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&u.token)).await;
        assert_eq!(v["proposals"], json!([]));
        assert!(record_of(&pull_all(&t, &u.token).await, "proposal", &pid).is_none());
    }
    let (_, v) = get(&t.router, "/v1/proposals?state=declined", Some(&d1.token)).await;
    assert_eq!(v["proposals"], json!([]));
    let (_, v) = get(
        &t.router,
        &format!("/v1/proposals?request_id={r}"),
        Some(&a.token),
    )
    .await;
    assert_eq!(v["proposals"].as_array().unwrap().len(), 1);
    let (_, v) = get(
        &t.router,
        &format!("/v1/proposals?request_id={}", Uuid::now_v7()),
        Some(&a.token),
    )
    .await;
    assert_eq!(v["proposals"], json!([]));
    let (st, _) = get(&t.router, "/v1/proposals?state=bogus", Some(&d1.token)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Devices may not write proposals or missions through sync.
    let forged = upsert_op(
        &d1,
        EntityKind::Proposal,
        Uuid::parse_str(&pid).unwrap(),
        &json!({"state": "accepted"}),
    );
    let (_, v) = post(
        &t.router,
        "/v1/sync/push",
        Some(&d1.token),
        &json!({"protocol": 1, "device_id": d1.device, "ops": [forged]}),
    )
    .await;
    assert_eq!(v["results"][0]["code"], "forbidden", "{v}");

    // The facility cannot answer its own proposal; strangers get 404.
    let (st, _) = answer(&t, &a, &pid, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = answer(&t, &d2, &pid, "accept").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = answer(&t, &d1, &Uuid::now_v7().to_string(), "accept").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = post(
        &t.router,
        &format!("/v1/proposals/{pid}/answer"),
        Some(&d1.token),
        &json!({"answer": "maybe"}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // Nothing to remind yet; 23 hours before the deadline, the doctor is reminded, once.
    run_jobs(&t).await;
    assert_eq!(
        count(&notices(&t).await, &d1.account_id, "proposal_reminder"),
        0
    );
    set_clock(&t, "2027-01-13T00:00:00Z");
    run_jobs(&t).await;
    run_jobs(&t).await;
    assert_eq!(
        count(&notices(&t).await, &d1.account_id, "proposal_reminder"),
        1
    );
    // At the deadline: expired, even before the job has run.
    set_clock(&t, "2027-01-13T23:00:00Z");
    let (st, v) = answer(&t, &d1, &pid, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_expired"));
    assert!(sql(&t, "SELECT id FROM missions").await.is_empty());
    run_jobs(&t).await;
    let n = notices(&t).await;
    assert_eq!(count(&n, &a.account_id, "proposal_expired"), 1);
    assert_eq!(count(&n, &planner.account_id, "proposal_expired"), 1);
    assert_eq!(count(&n, &viewer.account_id, "proposal_expired"), 0);
    assert_eq!(count(&n, &d1.account_id, "proposal_expired"), 1);
    let (st, v) = answer(&t, &d1, &pid, "decline").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_expired"));
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "proposal", &pid).unwrap()["state"],
        "expired"
    );
    // A new proposal may follow an expired one.
    let (st, v) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [1]})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["proposal"]["shifts"][0]["interval"]["start"], N2.0);
    // Sent on Thursday 14 January just after 00:00 in Paris (Wednesday 23:00 UTC): Fri 15, Mon 18,
    // Tue 19, so the end of Tuesday 19.
    assert_eq!(v["proposal"]["deadline"], "2027-01-19T23:00:00Z");
    let p2 = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, v) = answer(&t, &d1, &p2, "decline").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["proposal"]["state"], "declined");
    assert_eq!(v["mission_id"], Value::Null);
    // Replayed decline: same answer; accepting after declining: refused.
    let (st, v2) = answer(&t, &d1, &p2, "decline").await;
    assert_eq!((st, &v2["proposal"]), (StatusCode::OK, &v["proposal"]));
    let (st, v) = answer(&t, &d1, &p2, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_answered"));
    assert_eq!(
        count(&notices(&t).await, &a.account_id, "proposal_declined"),
        1
    );
    // A doctor who declined is no longer a candidate for that request, here and in the list the
    // matching service shows the facility.
    let (st, v) = propose(&t, &a, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "not_a_candidate"));
    assert!(
        !listed(&t, &a, &r)
            .await
            .contains(d1.doctor_id.as_ref().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_skips_a_public_holiday() {
    let t = app_with(Db::Sqlite, config()).await;
    // Friday 14 May 2027, 14:00 in Paris; Monday 17 is Pentecost Monday.
    set_clock(&t, "2027-05-14T12:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (a, site) = facility(&t, 1).await;
    open_night(&t, &d, "2027-06-01T19:00:00Z", "2027-06-02T07:00:00Z").await;
    let r = request(
        &t,
        &a,
        &site,
        &[("2027-06-01T19:00:00Z", "2027-06-02T07:00:00Z")],
    )
    .await;
    let (st, v) = propose(&t, &a, &r, &d, json!({})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // Tue 18, Wed 19, Thu 20: the end of Thursday 20 May, 00:00 on Friday 21 in Paris (CEST).
    assert_eq!(v["proposal"]["deadline"], "2027-05-20T22:00:00Z");
}

// ---------------------------------------------------------------- acceptance to cancellation

async fn acceptance_unlock_contract_cancel(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, site_b) = facility(&t, 2).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    // A tariff grid in force, so the unlock is charged.
    let (st, v) = common::call(
        &t.router,
        "PUT",
        "/v1/staff/tariffs",
        Some(&staff.token),
        Some(
            serde_json::to_vec(&json!({"valid_from": "2027-01-08", "day_cents": 4000,
                "night_cents": 5000, "garde_day_cents": 6000, "garde_night_cents": 7000,
                "astreinte_cents": 2500, "vat_bps": 2000}))
            .unwrap(),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let slot1 = open_night(&t, &d1, N1.0, N1.1).await;
    let slot3 = open_night(&t, &d1, N3.0, N3.1).await;
    open_night(&t, &d2, N1.0, N1.1).await;
    let ra = request(&t, &a, &site_a, &[N1]).await;
    let ra3 = request(&t, &a, &site_a, &[N3]).await;
    let rb = request(&t, &b, &site_b, &[N1]).await;
    let (_, v) = propose(&t, &a, &ra, &d1, json!({})).await;
    let pa = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &a, &ra3, &d1, json!({})).await;
    let pa3 = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &b, &rb, &d1, json!({})).await;
    let pb = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &a, &ra, &d2, json!({})).await;
    let pa_d2 = v["proposal"]["id"].as_str().unwrap().to_owned();

    // Before acceptance: no mission, no contact details anywhere.
    let (_, v) = get(&t.router, "/v1/missions", Some(&a.token)).await;
    assert_eq!(v["missions"], json!([]));
    let (_, v) = get(
        &t.router,
        &format!("/v1/doctors/{}", d1.doctor_id.as_ref().unwrap()),
        Some(&a.token),
    )
    .await;
    assert!(v.get("contact").is_none(), "{v}");

    let d1_id = d1.doctor_id.clone().unwrap();
    assert!(listed(&t, &b, &rb).await.contains(&d1_id));

    // Acceptance.
    let (st, v) = answer(&t, &d1, &pa, "accept").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["proposal"]["state"], "accepted");
    let mid = v["mission_id"].as_str().unwrap().to_owned();
    assert_eq!(v["mission"]["status"], "confirmed");
    assert_eq!(v["mission"]["title"], "Remplacement – Site 1");
    // Replay: same mission, nothing new.
    let (st, v2) = answer(&t, &d1, &pa, "accept").await;
    assert_eq!(
        (st, v2["mission_id"].as_str()),
        (StatusCode::OK, Some(mid.as_str()))
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
    let (st, v) = answer(&t, &d1, &pa, "decline").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_answered"));

    // Facility A cancels its other request through sync: its live proposal is withdrawn by the next
    // job run, the doctor told.
    let ra3_id = Uuid::parse_str(&ra3).unwrap();
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra3_id,
            &json!({"status": "cancelled"}),
        )],
    )
    .await;
    run_jobs(&t).await;
    let (_, v) = get(&t.router, "/v1/proposals?state=withdrawn", Some(&d1.token)).await;
    let withdrawn: Vec<&str> = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(withdrawn.contains(&pa3.as_str()), "{v}");
    let pa3_notices = sql(
        &t,
        "SELECT account_id FROM notices WHERE kind = 'proposal_withdrawn'",
    )
    .await;
    assert!(pa3_notices.iter().any(|r| s(&r[0]) == d1.account_id));
    // Booked on that night: no longer listed for B's overlapping request.
    assert!(!listed(&t, &b, &rb).await.contains(&d1_id));
    // Overlapping proposals of d1 withdrawn everywhere (facility B too); the other date stays;
    // the request is filled, so d2's proposal for it is withdrawn as well.
    let states: Vec<(String, String)> = sql(&t, "SELECT id, state FROM proposals ORDER BY id")
        .await
        .iter()
        .map(|r| (s(&r[0]), s(&r[1])))
        .collect();
    let state_of = |id: &str| states.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(state_of(&pb), "withdrawn");
    assert_eq!(state_of(&pa3), "withdrawn");
    assert_eq!(state_of(&pa_d2), "withdrawn");
    let (st, v) = answer(&t, &d1, &pb, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_withdrawn"));
    let n = notices(&t).await;
    assert_eq!(count(&n, &b.account_id, "proposal_withdrawn"), 1);
    assert_eq!(count(&n, &d2.account_id, "proposal_withdrawn"), 1);
    assert_eq!(count(&n, &a.account_id, "proposal_accepted"), 1);

    // Feeds: d1's slot is booked, the mission is in both parties' feeds, the request is filled.
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "availability", &slot1).unwrap()["status"],
        "booked"
    );
    assert_eq!(
        record_of(&feed, "availability", &slot3).unwrap()["status"],
        "open"
    );
    let m = record_of(&feed, "mission", &mid).unwrap();
    assert_eq!(m["status"], "confirmed");
    assert!(m.get("contacts").is_none());
    let feed_a = pull_all(&t, &a.token).await;
    assert!(record_of(&feed_a, "mission", &mid).is_some());
    assert_eq!(
        record_of(&feed_a, "request", &ra).unwrap()["status"],
        "filled"
    );
    assert!(record_of(&pull_all(&t, &b.token).await, "mission", &mid).is_none());
    assert!(record_of(&pull_all(&t, &d2.token).await, "mission", &mid).is_none());

    // Unlocked contacts: to the two parties only, each read audited.
    let (st, v) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&a.token)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["contacts"]["doctor"]["email"], "medecin1@example.fr");
    assert_eq!(v["contacts"]["doctor"]["rpps"], common::rpps(1));
    let (st, v) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&d1.token)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["contacts"]["facility"]["name"], "CH 1");
    assert_eq!(v["contacts"]["people"][0]["email"], "admin1@ch.example.fr");
    assert!(v["contacts"].get("doctor").is_none());
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{mid}"),
        Some(&viewer.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    for u in [&b, &d2] {
        let (st, _) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&u.token)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, v) = get(&t.router, "/v1/missions", Some(&u.token)).await;
        assert_eq!(v["missions"], json!([]));
    }
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{}", Uuid::now_v7()),
        Some(&a.token),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("mission".into(), mid.clone())),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    let reads: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "contact_read")
        .collect();
    assert_eq!(reads.len(), 3);
    assert!(
        reads
            .iter()
            .any(|e| e.account_id.as_deref() == Some(&d1.account_id)
                && e.device_id.as_deref() == Some(&d1.device.to_string()))
    );
    assert!(trail.iter().any(|e| e.action == "mission_created"));
    assert!(trail.iter().any(|e| e.action == "contact_unlocked"));

    // d1 cannot be booked twice on the same night: d2's withdrawn proposal is gone, and a new
    // application of d1 to B's (still open) request is refused at acceptance.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{rb}/applications"),
        Some(&d1.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let app_b = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, v) = answer(&t, &b, &app_b, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "doctor_unavailable"));

    // Contract: facts, version hash, signatures with proof; stale hashes refused.
    let (st, c) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&d1.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let sha = c["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(c["facts"]["fees"]["cents_per_day"], 65_000);
    assert_eq!(c["facts"]["replaced"]["name"], "CH 1");
    assert_eq!(c["facts"]["replacing"]["rpps"], common::rpps(1));
    // The unlock was charged once, in the acceptance's transaction.
    let charges = sql(&t, "SELECT mission_id, invoice_id FROM billing_charges").await;
    assert_eq!(charges.len(), 1);
    assert_eq!(s(&charges[0][0]), mid);
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&b.token),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let sign = |u: &User, h: &str| {
        let (router, token, path, h) = (
            t.router.clone(),
            u.token.clone(),
            format!("/v1/missions/{mid}/contract/sign"),
            h.to_owned(),
        );
        async move { post(&router, &path, Some(&token), &json!({"sha256": h})).await }
    };
    let (st, v) = sign(&d1, &"0".repeat(64)).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "stale_contract"));
    let (st, _) = sign(&b, &sha).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = sign(&viewer, &sha).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = sign(&d1, &sha).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let proof = &v["mission"]["signatures"][0];
    assert_eq!(proof["party"], "doctor");
    assert_eq!(proof["sha256"], sha.as_str());
    assert_eq!(proof["account_id"], d1.account_id.as_str());
    assert_eq!(proof["device_id"], d1.device.to_string());
    assert!(
        proof["signed_at"]
            .as_str()
            .unwrap()
            .starts_with("2027-01-08T13:0")
    );
    let (st, _) = sign(&d1, &sha).await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = sign(&a, &sha).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(v["mission"]["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(
        count(&notices(&t).await, &a.account_id, "contract_signed"),
        1
    );
    // The PDF carries the signed version's hash.
    let (st, headers, pdf) = raw_get(&t, &format!("/v1/missions/{mid}/contract.pdf"), &a).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-contract-sha256"], sha.as_str());
    assert!(pdf.starts_with(b"%PDF-"));
    let (st, _, _) = raw_get(&t, &format!("/v1/missions/{mid}/contract.pdf"), &b).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The facility changes the agreed fee: a new version, the old hash is stale; without a fee there
    // is no contract to sign.
    let ra_id = Uuid::parse_str(&ra).unwrap();
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": 70_000}),
        )],
    )
    .await;
    let (_, c2) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_ne!(c2["sha256"], sha.as_str());
    let (st, v) = sign(&a, &sha).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "stale_contract"));
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": null}),
        )],
    )
    .await;
    let (st, v) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "fees_not_agreed"));
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": 65_000}),
        )],
    )
    .await;
    let (_, c3) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_eq!(c3["sha256"], sha.as_str());

    // Contract reminder a week before the start (1 Feb 19:00 UTC), once, to both parties.
    set_clock(&t, "2027-01-25T20:00:00Z");
    run_jobs(&t).await;
    run_jobs(&t).await;
    let n = notices(&t).await;
    assert_eq!(count(&n, &d1.account_id, "contract_reminder"), 1);
    assert_eq!(count(&n, &a.account_id, "contract_reminder"), 1);
    assert_eq!(count(&n, &viewer.account_id, "contract_reminder"), 0);

    // Cancellation by the facility 30 hours before the start: recorded, slot freed, request
    // reopened, the doctor told urgently; a replay changes nothing; the other side cannot cancel
    // again; a cancelled contract cannot be signed.
    set_clock(&t, "2027-01-31T13:00:00Z");
    let cancel = |u: &User, body: Value| {
        let (router, token, path) = (
            t.router.clone(),
            u.token.clone(),
            format!("/v1/missions/{mid}/cancel"),
        );
        async move { post(&router, &path, Some(&token), &body).await }
    };
    let (st, _) = cancel(&a, json!({"reason": "  "})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = cancel(&b, json!({"reason": "x"})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = cancel(&viewer, json!({"reason": "x"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = cancel(&a, json!({"reason": "Service fermé"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let c = &v["mission"]["cancellation"];
    assert_eq!(c["by"], "facility");
    assert_eq!(c["reason"], "Service fermé");
    // The server clock runs on after being set: 30 hours, less the seconds the test took.
    let lateness = c["lateness_ms"].as_i64().unwrap();
    assert!(
        (30 * 3_600_000 - 60_000..=30 * 3_600_000).contains(&lateness),
        "{lateness}"
    );
    assert_eq!(v["mission"]["status"], "cancelled");
    let (st, v2) = cancel(&a, json!({"reason": "Service fermé"})).await;
    assert_eq!((st, &v2["mission"]), (StatusCode::OK, &v["mission"]));
    // Cancelled before its start: billing issued a credit note for the unlock.
    let charges = sql(&t, "SELECT credit_note_id FROM billing_charges").await;
    assert!(!s(&charges[0][0]).is_empty());
    let (st, v) = cancel(&d1, json!({"reason": "moi aussi"})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "mission_cancelled"));
    let (st, v) = sign(&d1, &sha).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "mission_cancelled"));
    let rows = sql(
        &t,
        "SELECT account_id, kind, urgent FROM notices WHERE kind = 'mission_cancelled'",
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (s(&rows[0][0]), s(&rows[0][2])),
        (d1.account_id.clone(), "1".to_owned())
    );
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "availability", &slot1).unwrap()["status"],
        "open"
    );
    assert!(listed(&t, &b, &rb).await.contains(&d1_id));
    assert_eq!(
        record_of(&feed, "mission", &mid).unwrap()["status"],
        "cancelled"
    );
    let feed_a = pull_all(&t, &a.token).await;
    assert_eq!(
        record_of(&feed_a, "request", &ra).unwrap()["status"],
        "open"
    );
    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("mission".into(), mid.clone())),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "mission_cancelled"
                && e.account_id.as_deref() == Some(&a.account_id))
    );
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "contract_signed")
            .count(),
        2
    );
}

// ---------------------------------------------------------------- applications and tiers

async fn applications_and_tiered_alerts(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let d3 = doctor(&t, &staff, 3, true).await;
    let pending = doctor(&t, &staff, 4, false).await;
    let (a, site_a) = facility(&t, 1).await;
    let planner = invite(&t, &a, "planner", 1).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    for d in [&d1, &d2] {
        open_night(&t, d, N1.0, N1.1).await;
        open_night(&t, d, N2.0, N2.1).await;
    }
    // d3 opened only the first night and asked to be contacted only when available.
    open_night(&t, &d3, N1.0, N1.1).await;
    let put = |u: &User, on: bool| {
        let (router, token) = (t.router.clone(), u.token.clone());
        async move {
            common::call(
                &router,
                "PUT",
                "/v1/me/matching-preferences",
                Some(&token),
                Some(serde_json::to_vec(&json!({"only_when_available": on})).unwrap()),
            )
            .await
        }
    };
    let (st, _) = put(&d3, true).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = get(&t.router, "/v1/me/matching-preferences", Some(&d3.token)).await;
    assert_eq!(v["only_when_available"], true);
    let (st, _) = put(&a, true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let r = request(&t, &a, &site_a, &[N1, N2]).await;

    // d3 is a (partial) candidate, but is not proposed the night they did not open.
    let (st, v) = propose(&t, &a, &r, &d3, json!({})).await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_available")
    );

    // Tier 1: the single best-ranked candidate among d1 and d2; d3 never (partial, preference).
    run_jobs(&t).await;
    let alerted = |n: &[(String, String)]| {
        [&d1, &d2, &d3]
            .iter()
            .map(|d| count(n, &d.account_id, "request_alert"))
            .collect::<Vec<_>>()
    };
    let first = alerted(&notices(&t).await);
    assert_eq!(first.iter().sum::<usize>(), 1, "{first:?}");
    assert_eq!(first[2], 0);
    // Nobody answered: not before the wait, then the next tier.
    set_clock(&t, "2027-01-08T13:55:00Z");
    run_jobs(&t).await;
    assert_eq!(alerted(&notices(&t).await), first);
    set_clock(&t, "2027-01-08T14:05:00Z");
    // Two runs at once (two instances): one tier, not two.
    let (x, y) = tokio::join!(
        rempla_server::areas::run_due(&t.state),
        rempla_server::areas::run_due(&t.state)
    );
    assert!(x.iter().chain(&y).all(|r| r.outcome.is_ok()), "{x:?} {y:?}");
    assert_eq!(alerted(&notices(&t).await), vec![1, 1, 0]);
    // Without the preference d3 is alerted in the next tier.
    put(&d3, false).await;
    set_clock(&t, "2027-01-08T15:10:00Z");
    run_jobs(&t).await;
    assert_eq!(alerted(&notices(&t).await), vec![1, 1, 1]);

    // Applications: verified doctors only, once; the facility answers, not the doctor.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&pending.token),
        &json!({}),
    )
    .await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&a.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{}/applications", Uuid::now_v7()),
        Some(&d2.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d2.token),
        &json!({"shift_indexes": [1]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["proposal"]["initiator"], "doctor");
    let app = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d2.token),
        &json!({}),
    )
    .await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_exists"));
    let n = notices(&t).await;
    assert_eq!(count(&n, &a.account_id, "application_received"), 1);
    assert_eq!(count(&n, &planner.account_id, "application_received"), 1);
    assert_eq!(count(&n, &viewer.account_id, "application_received"), 0);
    let (st, _) = answer(&t, &d2, &app, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = answer(&t, &viewer, &app, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // An application counts as an answer: no more tiers for this request.
    set_clock(&t, "2027-01-08T16:20:00Z");
    run_jobs(&t).await;
    let done = sql(&t, "SELECT done FROM request_alerts").await;
    assert_eq!(s(&done[0][0]), "1");
    // A doctor who lost verification cannot be accepted.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d1.token),
        &json!({"shift_indexes": [0]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let app1 = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, _) = post(
        &t.router,
        &format!(
            "/v1/staff/doctors/{}/status",
            d1.doctor_id.as_ref().unwrap()
        ),
        Some(&staff.token),
        &json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = answer(&t, &a, &app1, "accept").await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    assert!(sql(&t, "SELECT id FROM missions").await.is_empty());
    // The planner accepts the application: a mission for the second night only.
    let (st, v) = answer(&t, &planner, &app, "accept").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["mission"]["shifts"].as_array().unwrap().len(), 1);
    assert_eq!(v["mission"]["shifts"][0]["interval"]["start"], N2.0);
    assert_eq!(
        count(&notices(&t).await, &d2.account_id, "proposal_accepted"),
        1
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
}

// ---------------------------------------------------------------- concurrency and the scheduler

async fn concurrent_actions_make_one_mission(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, site_b) = facility(&t, 2).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    let ra = request(&t, &a, &site_a, &[N1]).await;
    let rb = request(&t, &b, &site_b, &[N1]).await;
    // The same proposal sent twice at once (two planners): one is made.
    let (x, y) = tokio::join!(
        propose(&t, &a, &ra, &d1, json!({})),
        propose(&t, &a, &ra, &d1, json!({}))
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{x:?} {y:?}"
    );
    let pa = [x, y]
        .iter()
        .find(|r| r.0 == StatusCode::CREATED)
        .unwrap()
        .1["proposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, v) = propose(&t, &b, &rb, &d1, json!({})).await;
    let pb = v["proposal"]["id"].as_str().unwrap().to_owned();
    // The doctor accepts both overlapping proposals at once: exactly one mission.
    let (x, y) = tokio::join!(
        answer(&t, &d1, &pa, "accept"),
        answer(&t, &d1, &pb, "accept")
    );
    let ok = [&x, &y].iter().filter(|r| r.0 == StatusCode::OK).count();
    assert_eq!(ok, 1, "{x:?} {y:?}");
    let loser = if x.0 == StatusCode::OK { &y } else { &x };
    assert_eq!(
        (loser.0, code(&loser.1)),
        (StatusCode::CONFLICT, "proposal_withdrawn")
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
    let booked = sql(&t, "SELECT state FROM proposals WHERE state = 'accepted'").await;
    assert_eq!(booked.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_runs_the_jobs_by_itself_and_stops() {
    let t = app_with(
        Db::Sqlite,
        Config {
            jobs_interval_secs: 1,
            ..config()
        },
    )
    .await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let (a, site_a) = facility(&t, 1).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    let r = request(&t, &a, &site_a, &[N1]).await;
    let (_, v) = propose(&t, &a, &r, &d1, json!({})).await;
    let pid = v["proposal"]["id"].as_str().unwrap().to_owned();
    set_clock(&t, "2027-01-14T00:00:00Z");
    let handle = rempla_server::jobs::spawn(t.state.clone(), rempla_server::areas::JOBS).unwrap();
    let mut expired = false;
    for _ in 0..50 {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&a.token)).await;
        if v["proposals"][0]["state"] == "expired" {
            expired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(expired, "the scheduler did not expire {pid}");
    t.state.begin_shutdown();
    tokio::time::timeout(std::time::Duration::from_secs(5), handle)
        .await
        .expect("the scheduler stops on shutdown")
        .unwrap();
    assert!(rempla_server::jobs::spawn(t.state.clone(), rempla_server::areas::JOBS).is_some());
    let off = app_with(
        Db::Sqlite,
        Config {
            jobs_interval_secs: 0,
            ..config()
        },
    )
    .await;
    assert!(rempla_server::jobs::spawn(off.state.clone(), rempla_server::areas::JOBS).is_none());
}

backend_tests!(
    proposals_deadlines_reminders_expiry,
    acceptance_unlock_contract_cancel,
    applications_and_tiered_alerts,
    concurrent_actions_make_one_mission,
);
