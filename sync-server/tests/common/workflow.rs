//! Helpers of the workflow suites (`workflow_*.rs`): the server clock, verified doctors, facilities with
//! a site, open nights and requests, proposals and answers, SQL reads of notices, the change feed, the
//! matching list, raw downloads, and the nights the cases use.

// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::users::{
    User, add_site_named, new_doctor, new_facility, push_applied, upsert_op, verify_through_queue,
};
use super::{TestApp, get, post, test_config};
use axum::http::StatusCode;
use rempla_core::sync::EntityKind;
use rempla_server::Config;
use rempla_server::db::{Row, Val};
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------- helpers

pub fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// Moves the server clock to `rfc3339`.
pub fn set_clock(t: &TestApp, rfc3339: &str) {
    let now = t.state.clock.now_ms();
    t.state.clock.advance(ms(rfc3339) - now);
}

/// A doctor in `urgences`, verified through the staff queue (unless `verified` is false), working in
/// the 22.
pub async fn doctor(t: &TestApp, staff: &User, n: u32, verified: bool) -> User {
    let user = new_doctor(t, n).await;
    if verified {
        verify_through_queue(t, staff, &user, n).await;
    }
    // The profile editor belongs to another area: set the working départements directly.
    let id = user.doctor_id.clone().unwrap();
    let row = t.state.storage.doctor(&id).await.unwrap().unwrap();
    let mut record = row.record;
    record["departments"] = json!(["22"]);
    t.state
        .storage
        .change_doctor_status(&id, move |d| {
            *d = serde_json::from_value(record).unwrap();
            Ok::<(), ()>(())
        })
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    user
}

/// A public hospital with one site `Site {n}`: its admin and the site id.
pub async fn facility(t: &TestApp, n: u32) -> (User, String) {
    let admin = new_facility(t, n).await;
    let site = add_site_named(t, &admin, &format!("Site {n}")).await;
    (admin, site)
}

/// An open night availability of a doctor; returns its id.
pub async fn open_night(t: &TestApp, d: &User, start: &str, end: &str) -> String {
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
pub async fn request(t: &TestApp, admin: &User, site: &str, nights: &[(&str, &str)]) -> String {
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

pub async fn propose(
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

pub async fn answer(t: &TestApp, by: &User, proposal: &str, reply: &str) -> (StatusCode, Value) {
    post(
        &t.router,
        &format!("/v1/proposals/{proposal}/answer"),
        Some(&by.token),
        &json!({"answer": reply}),
    )
    .await
}

pub fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("")
}

/// Rows of a SQL query, through the backend (tests only).
pub async fn sql(t: &TestApp, query: &'static str) -> Vec<Row> {
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

pub fn s(v: &Val) -> String {
    match v {
        Val::Text(s) => s.clone(),
        Val::Int(i) => i.to_string(),
        Val::Null => String::new(),
    }
}

/// `(account_id, kind)` of every queued notice, oldest first.
pub async fn notices(t: &TestApp) -> Vec<(String, String)> {
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

pub fn count(list: &[(String, String)], account: &str, kind: &str) -> usize {
    list.iter()
        .filter(|(a, k)| a == account && k == kind)
        .count()
}

/// Every change a user can pull (pages of 500).
pub async fn pull_all(t: &TestApp, token: &str) -> Vec<Value> {
    super::users::pull_pages(t, token, 500).await
}

pub fn record_of<'a>(changes: &'a [Value], entity: &str, id: &str) -> Option<&'a Value> {
    changes
        .iter()
        .rev()
        .find(|c| c["entity"] == entity && c["entity_id"] == id)
        .map(|c| &c["record"])
}

/// Doctor ids of the candidates the matching service lists for a request.
pub async fn listed(t: &TestApp, by: &User, request: &str) -> Vec<String> {
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

pub fn config() -> Config {
    Config {
        tier_size: 1,
        tier_wait_minutes: 60,
        ..test_config()
    }
}

pub async fn run_jobs(t: &TestApp) {
    for run in rempla_server::areas::run_due(&t.state).await {
        assert!(run.outcome.is_ok(), "{run:?}");
    }
}

pub const N1: (&str, &str) = ("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z");

pub const N2: (&str, &str) = ("2027-02-03T19:00:00Z", "2027-02-04T07:00:00Z");
