//! Users, raw HTTP exchanges and direct SQL for the area suites (documents, privacy): sign-ups through
//! the API, raw-body uploads with any content type, answers with headers and bytes, and SQL straight
//! into either backend to check (or damage) what is stored.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use rempla_core::domain::DeviceId;
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{Db, PASSWORD, TestApp, get, post};

#[derive(Clone, Debug)]
pub struct User {
    pub email: String,
    pub token: String,
    pub device: DeviceId,
    pub account_id: String,
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

pub async fn signed_in(t: &TestApp, email: &str) -> User {
    let (s, v, device) = login(t, email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    let (_, terms) = get(&t.router, "/v1/terms/current", None).await;
    let (s, _) = post(
        &t.router,
        "/v1/terms/accept",
        Some(&token),
        &json!({"version": terms["version"], "sha256": terms["sha256"]}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    User {
        email: email.into(),
        token,
        device,
        account_id: v["account_id"].as_str().unwrap().to_owned(),
        doctor_id: v["doctor_id"].as_str().map(str::to_owned),
        facility_id: v["memberships"][0]["facility_id"]
            .as_str()
            .map(str::to_owned),
    }
}

/// Signs up (and activates) a doctor with the given names; returns the sign-up answer.
pub async fn sign_up_doctor(
    t: &TestApp,
    email: &str,
    rpps_n: u32,
    first: &str,
    last: &str,
) -> (StatusCode, Value) {
    let (s, v) = post(
        &t.router,
        "/v1/accounts/doctors",
        None,
        &json!({"email": email, "password": PASSWORD, "rpps": super::rpps(rpps_n), "first_name": first,
                "last_name": last, "specialties": ["urgences"]}),
    )
    .await;
    if s == StatusCode::CREATED {
        let token = t.mail.last_token(email);
        let (a, _) = post(
            &t.router,
            "/v1/accounts/activate",
            None,
            &json!({"token": token}),
        )
        .await;
        assert_eq!(a, StatusCode::NO_CONTENT);
    }
    (s, v)
}

pub async fn new_doctor_named(t: &TestApp, n: u32, first: &str, last: &str) -> User {
    let email = format!("medecin{n}@example.fr");
    let (s, v) = sign_up_doctor(t, &email, n, first, last).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    signed_in(t, &email).await
}

pub async fn new_doctor(t: &TestApp, n: u32) -> User {
    new_doctor_named(t, n, "Anne", &format!("Test{n}")).await
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

/// One exchange with any method, body and content type: status, headers, body bytes.
pub async fn raw(
    t: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(tk) = token {
        req = req.header("authorization", format!("Bearer {tk}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let req = req.body(Body::from(body)).unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

/// `raw` with a JSON answer.
pub async fn raw_json(
    t: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let (s, _, b) = raw(t, method, path, token, content_type, body).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// Uploads a document; `query` is the query string after `?`.
pub async fn upload(
    t: &TestApp,
    user: &User,
    query: &str,
    content_type: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    raw_json(
        t,
        "POST",
        &format!("/v1/me/documents?{query}"),
        Some(&user.token),
        Some(content_type),
        bytes.to_vec(),
    )
    .await
}

/// A small valid PDF, distinct per `n`.
pub fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\n% document {n}\ntrailer <<>>\n%%EOF\n")
        .into_bytes()
}

/// PNG signature and a header chunk, distinct per `n`.
pub fn png(n: u32) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&n.to_be_bytes());
    b
}

/// JPEG start-of-image and JFIF marker, distinct per `n`.
pub fn jpeg(n: u32) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    b.extend_from_slice(&n.to_be_bytes());
    b
}

/// A Windows executable header.
pub fn exe() -> Vec<u8> {
    let mut b = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    b.resize(512, 0);
    b
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    rempla_server::auth::sha256_hex(bytes)
}

/// Runs one SQL statement with no result straight on the test database (both backends).
pub async fn sql_exec(t: &TestApp, db: Db, sql: &str) {
    let (location, sql) = (t.db.location.clone(), sql.to_owned());
    tokio::task::spawn_blocking(move || match db {
        Db::Sqlite => {
            let c = rusqlite::Connection::open(&location).unwrap();
            c.execute_batch(&sql).unwrap();
        }
        Db::Postgres => {
            let mut c = postgres::Client::connect(&location, postgres::NoTls).unwrap();
            c.batch_execute(&sql).unwrap();
        }
    })
    .await
    .unwrap();
}

/// The first column of the first row of a query returning one integer (e.g. `SELECT COUNT(*)`).
pub async fn sql_int(t: &TestApp, db: Db, sql: &str) -> i64 {
    let (location, sql) = (t.db.location.clone(), sql.to_owned());
    tokio::task::spawn_blocking(move || match db {
        Db::Sqlite => {
            let c = rusqlite::Connection::open(&location).unwrap();
            c.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap()
        }
        Db::Postgres => {
            let mut c = postgres::Client::connect(&location, postgres::NoTls).unwrap();
            c.query_one(sql.as_str(), &[]).unwrap().get::<_, i64>(0)
        }
    })
    .await
    .unwrap()
}

/// Pushes ops for a user; returns `applied` or the rejection code of each.
pub async fn push_codes(t: &TestApp, user: &User, ops: &[OutboxOp]) -> Vec<String> {
    let (s, v) = post(
        &t.router,
        "/v1/sync/push",
        Some(&user.token),
        &json!({"protocol": 1, "device_id": user.device, "ops": ops}),
    )
    .await;
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

/// An availability op of `user` with explicit fields (merged over a night on 1 March 2027).
pub fn availability_op(
    user: &User,
    id: uuid::Uuid,
    kind: OpKind,
    fields: &Value,
    logical: u32,
) -> OutboxOp {
    let mut base = json!({
        "id": id, "doctor_id": user.doctor_id,
        "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"},
        "zone": "Europe/Paris", "kind": "night", "status": "open"
    });
    if let (Some(b), Some(f)) = (base.as_object_mut(), fields.as_object()) {
        for (k, v) in f {
            b.insert(k.clone(), v.clone());
        }
    }
    OutboxOp {
        op_id: rempla_core::domain::OpId::new(),
        entity: EntityKind::Availability,
        entity_id: id,
        kind,
        fields: if kind == OpKind::Delete {
            serde_json::Map::new()
        } else {
            base.as_object().cloned().unwrap()
        },
        hlc: Hlc::new(
            rempla_core::sync::hlc::system_time_ms(),
            logical,
            user.device,
        ),
    }
}
