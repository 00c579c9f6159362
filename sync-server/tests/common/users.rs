//! Users and records for HTTP tests: sign-up, activation, login with terms, sites, sync ops.
// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use rempla_core::domain::{DeviceId, OpId};
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{PASSWORD, TestApp, get, post};

#[derive(Clone, Debug)]
pub struct User {
    pub email: String,
    pub token: String,
    pub device: DeviceId,
    pub doctor_id: Option<String>,
    pub facility_id: Option<String>,
}

pub async fn login(t: &TestApp, email: &str, password: &str) -> (StatusCode, Value, DeviceId) {
    let device = DeviceId::new();
    let (s, v) = post(
        &t.router,
        "/v1/auth/login",
        None,
        &json!({"email": email, "password": password, "device_id": device, "device_name": "test", "platform": "cli"}),
    )
    .await;
    (s, v, device)
}

pub async fn accept_terms(t: &TestApp, token: &str) {
    let (_, terms) = get(&t.router, "/v1/terms/current", None).await;
    let (s, _) = post(
        &t.router,
        "/v1/terms/accept",
        Some(token),
        &json!({"version": terms["version"], "sha256": terms["sha256"]}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

pub async fn signed_in(t: &TestApp, email: &str) -> User {
    let (s, v, device) = login(t, email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    accept_terms(t, &token).await;
    User {
        email: email.into(),
        token,
        device,
        doctor_id: v["doctor_id"].as_str().map(str::to_owned),
        facility_id: v["memberships"][0]["facility_id"]
            .as_str()
            .map(str::to_owned),
    }
}

pub async fn new_doctor(t: &TestApp, n: u32) -> User {
    let email = format!("medecin{n}@example.fr");
    let (s, v) = post(
        &t.router,
        "/v1/accounts/doctors",
        None,
        &json!({"email": email, "password": PASSWORD, "rpps": super::rpps(n), "first_name": "Anne",
                "last_name": format!("Test{n}"), "specialties": ["urgences"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = t.mail.last_token(&email);
    let (s, _) = post(
        &t.router,
        "/v1/accounts/activate",
        None,
        &json!({"token": token}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    signed_in(t, &email).await
}

pub async fn new_facility(t: &TestApp, n: u32) -> User {
    let email = format!("admin{n}@ch.example.fr");
    let (s, v) = post(
        &t.router,
        "/v1/accounts/facilities",
        None,
        &json!({"email": email, "password": PASSWORD, "display_name": "Coordination",
                "facility": {"name": format!("CH {n}"), "siret": super::siret(n), "kind": "public_hospital"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = t.mail.last_token(&email);
    post(
        &t.router,
        "/v1/accounts/activate",
        None,
        &json!({"token": token}),
    )
    .await;
    signed_in(t, &email).await
}

pub async fn invite(t: &TestApp, admin: &User, role: &str, n: u32) -> User {
    let facility = admin.facility_id.clone().unwrap();
    let email = format!("{role}{n}@ch.example.fr");
    let (s, v) = post(
        &t.router,
        &format!("/v1/facilities/{facility}/members"),
        Some(&admin.token),
        &json!({"email": email, "display_name": role, "role": role}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = t.mail.last_token(&email);
    // An invited member has no password: activation requires one.
    let (s, v) = post(
        &t.router,
        "/v1/accounts/activate",
        None,
        &json!({"token": token}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    let (s, _) = post(
        &t.router,
        "/v1/accounts/activate",
        None,
        &json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    signed_in(t, &email).await
}

pub async fn new_staff(t: &TestApp) -> User {
    rempla_server::ops::add_staff(
        &t.state.storage,
        &t.state.config,
        "staff@rempla.fr",
        "Équipe",
        PASSWORD,
    )
    .await
    .unwrap();
    signed_in(t, "staff@rempla.fr").await
}

pub async fn add_site(t: &TestApp, admin: &User) -> String {
    let facility = admin.facility_id.clone().unwrap();
    let site = Uuid::now_v7();
    let (s, v) = post(
        &t.router,
        &format!("/v1/facilities/{facility}/sites"),
        Some(&admin.token),
        &json!({"id": site, "facility_id": facility, "name": "Site principal", "address": "Rue de Kergomar",
                "postcode": "22300", "commune_code": "22113", "department": "22",
                "location": {"lat": 48.73, "lon": -3.46}, "zone": "Europe/Paris"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    site.to_string()
}

pub fn now_ms() -> u64 {
    rempla_core::sync::hlc::system_time_ms()
}

pub fn availability_op(user: &User, id: Uuid, doctor_id: &str, logical: u32) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Availability,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: json!({
            "id": id, "doctor_id": doctor_id,
            "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"},
            "zone": "Europe/Paris", "kind": "night", "status": "open"
        })
        .as_object()
        .cloned()
        .unwrap(),
        hlc: Hlc::new(now_ms(), logical, user.device),
    }
}

pub fn busy_op(user: &User, id: Uuid) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::BusyPeriod,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: json!({
            "id": id, "doctor_id": user.doctor_id,
            "interval": {"start": "2027-03-05T08:00:00Z", "end": "2027-03-05T12:00:00Z"},
            "source_uid": "abc@google.com", "summary": "Dentiste"
        })
        .as_object()
        .cloned()
        .unwrap(),
        hlc: Hlc::new(now_ms(), 0, user.device),
    }
}

pub fn request_op(user: &User, id: Uuid, facility: &str, site: &str, status: &str) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Request,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: json!({
            "id": id, "facility_id": facility, "site_id": site, "specialty": "urgences",
            "shifts": [{"kind": "night", "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"}}],
            "zone": "Europe/Paris", "department": "22", "location": {"lat": 48.73, "lon": -3.46},
            "doctors_needed": 1, "status": status
        })
        .as_object()
        .cloned()
        .unwrap(),
        hlc: Hlc::new(now_ms(), 0, user.device),
    }
}

pub async fn push(t: &TestApp, user: &User, ops: &[OutboxOp]) -> (StatusCode, Value) {
    post(
        &t.router,
        "/v1/sync/push",
        Some(&user.token),
        &json!({"protocol": 1, "device_id": user.device, "ops": ops}),
    )
    .await
}

/// The status of each op of a push (`applied` or the rejection code).
pub async fn push_codes(t: &TestApp, user: &User, ops: &[OutboxOp]) -> Vec<String> {
    let (s, v) = push(t, user, ops).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            if r["status"] == "applied" {
                "applied".to_owned()
            } else {
                r["code"].as_str().unwrap().to_owned()
            }
        })
        .collect()
}

/// Every change a user can pull, following the cursor to the end.
pub async fn pull_all(t: &TestApp, token: &str) -> Vec<Value> {
    let mut cursor = Value::Null;
    let mut out = Vec::new();
    loop {
        let (s, v) = post(
            &t.router,
            "/v1/sync/pull",
            Some(token),
            &json!({"protocol": 1, "cursor": cursor, "limit": 2}),
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

pub fn ids_of(changes: &[Value], entity: &str) -> Vec<String> {
    let mut ids: Vec<String> = changes
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["entity_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// An upsert op of any synced entity with the given fields.
pub fn upsert_op(user: &User, entity: EntityKind, id: Uuid, fields: &Value) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: fields.as_object().cloned().unwrap(),
        hlc: Hlc::new(now_ms(), 0, user.device),
    }
}

/// A delete op.
pub fn delete_op(user: &User, entity: EntityKind, id: Uuid) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity,
        entity_id: id,
        kind: OpKind::Delete,
        fields: serde_json::Map::new(),
        hlc: Hlc::new(now_ms(), 0, user.device),
    }
}
