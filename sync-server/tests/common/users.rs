//! Users and records for HTTP tests: sign-up, activation, login with terms, sites, sync ops.
// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use rempla_core::domain::{DeviceId, OpId};
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::{Value, json};
use uuid::Uuid;

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
        account_id: v["account_id"].as_str().unwrap().to_owned(),
        doctor_id: v["doctor_id"].as_str().map(str::to_owned),
        facility_id: v["memberships"][0]["facility_id"]
            .as_str()
            .map(str::to_owned),
    }
}

/// A new, activated and signed-in doctor `Anne Test{n}` in `urgences` (pending verification).
pub async fn new_doctor(t: &TestApp, n: u32) -> User {
    new_doctor_named(t, n, "Anne", &format!("Test{n}")).await
}

/// The admin of a new public hospital `CH {n}`.
pub async fn new_facility(t: &TestApp, n: u32) -> User {
    new_facility_named(t, n, &format!("CH {n}"), "public_hospital").await
}

/// The admin of a new facility with the given name and kind (e.g. `clinic`).
pub async fn new_facility_named(t: &TestApp, n: u32, name: &str, kind: &str) -> User {
    let user = signed_up_facility(t, n, name, kind).await;
    // Staff verified the facility (the queue itself is tested in `security/facility_verification.rs`).
    t.state
        .storage
        .decide_facility(
            user.facility_id.clone().unwrap(),
            rempla_server::accounts::facility_verification::Verdict::Approve,
            None,
            ("staff".into(), "staff".into()),
            t.state.clock.now_ms(),
            false,
        )
        .await
        .unwrap()
        .unwrap();
    user
}

/// A facility that signed itself up and activated its admin, not verified by staff yet.
pub async fn signed_up_facility(t: &TestApp, n: u32, name: &str, kind: &str) -> User {
    let email = format!("admin{n}@ch.example.fr");
    let (s, v) = post(
        &t.router,
        "/v1/accounts/facilities",
        None,
        &json!({"email": email, "password": PASSWORD, "display_name": "Coordination",
                "facility": {"name": name, "siret": super::siret(u64::from(n)), "kind": kind}}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let token = t.mail.last_token(&email);
    let (s, v) = post(
        &t.router,
        "/v1/accounts/activate",
        None,
        &json!({"token": token}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    signed_in(t, &email).await
}

/// Invites `{role}{n}@ch.example.fr` into the admin's facility and accepts the offer through the
/// e-mail's token, as someone without an account does (the account is made then), then signs in.
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
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    // An offer only: no account exists until the person accepts.
    assert!(
        t.state
            .storage
            .account_by_email(&email)
            .await
            .unwrap()
            .is_none()
    );
    let token = t.mail.last_token(&email);
    let (s, v) = post(
        &t.router,
        "/v1/invitations/accept",
        None,
        &json!({"token": token, "display_name": role, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    signed_in(t, &email).await
}

/// The membership id of `member` in `admin`'s facility, as the members list shows it.
pub async fn membership_of(t: &TestApp, admin: &User, member: &User) -> String {
    let facility = admin.facility_id.clone().unwrap();
    let (s, list) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/members"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["account_id"] == member.account_id.as_str())
        .and_then(|m| m["member_id"].as_str())
        .unwrap_or_else(|| panic!("{} is no member", member.email))
        .to_owned()
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

/// A site `Site principal` in Lannion (22) of the admin's facility; returns its id.
pub async fn add_site(t: &TestApp, admin: &User) -> String {
    add_site_named(t, admin, "Site principal").await
}

/// A site with the given name in Lannion (22) of the admin's facility; returns its id.
pub async fn add_site_named(t: &TestApp, admin: &User, name: &str) -> String {
    let facility = admin.facility_id.clone().unwrap();
    let site = Uuid::now_v7();
    let (s, v) = post(
        &t.router,
        &format!("/v1/facilities/{facility}/sites"),
        Some(&admin.token),
        &json!({"id": site, "facility_id": facility, "name": name, "address": "Rue de Kergomar",
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

/// A night availability; each call starts one minute later than the previous one, so every call is a
/// distinct offer (the server refuses a doctor's duplicate offers with `duplicate_offer`).
pub fn availability_op(user: &User, id: Uuid, doctor_id: &str, logical: u32) -> OutboxOp {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let minute = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 300;
    let start = format!("2027-03-01T{:02}:{:02}:00Z", 19 + minute / 60, minute % 60);
    OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Availability,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: json!({
            "id": id, "doctor_id": doctor_id,
            "interval": {"start": start, "end": "2027-03-02T07:00:00Z"},
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

/// One DELETE without a body.
pub async fn delete(t: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    super::call(&t.router, "DELETE", path, Some(token), None).await
}

/// One PUT with a JSON body.
pub async fn put(t: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    super::call(
        &t.router,
        "PUT",
        path,
        Some(token),
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
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

/// Pushes ops that must all be applied.
pub async fn push_applied(t: &TestApp, user: &User, ops: &[OutboxOp]) {
    let (s, v) = push(t, user, ops).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), ops.len(), "{v}");
    for r in results {
        assert_eq!(r["status"], "applied", "{v}");
    }
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

/// Every change a user can pull, following the cursor to the end (pages of 2, so paging is exercised).
pub async fn pull_all(t: &TestApp, token: &str) -> Vec<Value> {
    pull_pages(t, token, 2).await
}

/// Every change a user can pull, in pages of `limit`.
pub async fn pull_pages(t: &TestApp, token: &str, limit: u32) -> Vec<Value> {
    let mut cursor = Value::Null;
    let mut out = Vec::new();
    loop {
        let (s, v) = post(
            &t.router,
            "/v1/sync/pull",
            Some(token),
            &json!({"protocol": 1, "cursor": cursor, "limit": limit}),
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

// ---------------------------------------------------------------- documents and privacy suites

/// What a sign-up led to. The server answers every sign-up alike (202, "look in your mailbox"), so the
/// outcome is read from the mail the address received, as its owner would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// A new account: its activation link came, and was followed.
    Created,
    /// The address has an account: its owner was told, nothing was made.
    AlreadyRegistered,
    /// The RPPS is held by another account: the address was told, nothing was made.
    RppsTaken,
    /// No mail (the per-address mail limit held it back).
    NoMail,
}

/// Signs a doctor up with RPPS number `rpps_n` and activates the account when one was made.
pub async fn sign_up_doctor(
    t: &TestApp,
    email: &str,
    rpps_n: u32,
    first: &str,
    last: &str,
) -> SignUp {
    let before = t.mail.0.lock().unwrap().len();
    let (s, v) = post(
        &t.router,
        "/v1/accounts/doctors",
        None,
        &json!({"email": email, "password": PASSWORD, "rpps": super::rpps(u64::from(rpps_n)), "first_name": first,
                "last_name": last, "specialties": ["urgences"]}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        v,
        json!({"email": email.to_lowercase()}),
        "the one answer of every sign-up"
    );
    let subject = t.mail.0.lock().unwrap()[before..]
        .iter()
        .rev()
        .find(|m| m.to == email)
        .map(|m| m.subject.clone());
    match subject.as_deref() {
        Some("Activez votre compte Rempla") => {
            let token = t.mail.last_token(email);
            let (a, _) = post(
                &t.router,
                "/v1/accounts/activate",
                None,
                &json!({"token": token}),
            )
            .await;
            assert_eq!(a, StatusCode::NO_CONTENT);
            SignUp::Created
        }
        Some("Vous avez déjà un compte Rempla") => SignUp::AlreadyRegistered,
        Some("Votre inscription sur Rempla") => SignUp::RppsTaken,
        Some(other) => panic!("unexpected mail after a sign-up: {other}"),
        None => SignUp::NoMail,
    }
}

pub async fn new_doctor_named(t: &TestApp, n: u32, first: &str, last: &str) -> User {
    let email = format!("medecin{n}@example.fr");
    assert_eq!(
        sign_up_doctor(t, &email, n, first, last).await,
        SignUp::Created
    );
    signed_in(t, &email).await
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
    b.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    b
}

/// JPEG start-of-image and JFIF marker, distinct per `n`.
pub fn jpeg(n: u32) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    b.extend_from_slice(&n.to_be_bytes());
    b.extend_from_slice(&[0xFF, 0xD9]);
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

/// The first column of the first row of a query returning one text value.
pub async fn sql_text(t: &TestApp, db: Db, sql: &str) -> String {
    let (location, sql) = (t.db.location.clone(), sql.to_owned());
    tokio::task::spawn_blocking(move || match db {
        Db::Sqlite => {
            let c = rusqlite::Connection::open(&location).unwrap();
            c.query_row(&sql, [], |r| r.get::<_, String>(0)).unwrap()
        }
        Db::Postgres => {
            let mut c = postgres::Client::connect(&location, postgres::NoTls).unwrap();
            c.query_one(sql.as_str(), &[]).unwrap().get::<_, String>(0)
        }
    })
    .await
    .unwrap()
}

/// An availability op of `user` with explicit fields (merged over a night on 1 March 2027).
pub fn offer_op(user: &User, id: Uuid, kind: OpKind, fields: &Value, logical: u32) -> OutboxOp {
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
        op_id: OpId::new(),
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

/// Verifies a pending doctor the only way the server allows: an identity document on file, then the
/// staff verification queue's approval. `n` keeps identities distinct (birth date and file).
pub async fn verify_through_queue(t: &TestApp, staff: &User, doctor: &User, n: u32) {
    let birth = format!("19{:02}-0{}-1{}", 60 + n % 30, 1 + n % 9, n % 10);
    let (s, v) = upload(
        t,
        doctor,
        &format!("kind=identity&name=cni-{n}.pdf&birth_date={birth}"),
        "application/pdf",
        &pdf(10_000 + n),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post(
        &t.router,
        &format!(
            "/v1/staff/verifications/{}",
            doctor.doctor_id.as_deref().unwrap()
        ),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("verified")),
        "{v}"
    );
}
