//! The server in this process for the story tests (`story.rs`, `story_unlocks.rs`): `rempla_server::serve`
//! on a loopback socket with an in-memory inbox, so a test can move its clock for reminders, expiry and
//! retention; HTTP calls as a user, sign-up and sign-in, sites, sync pushes, and the JSON records the
//! stories post.
//!
//! Here rather than in the harness library (`tests/src`): it runs the server crate in-process, and
//! `rempla-server` is only a dev-dependency of this crate (the library drives real server processes).

#![allow(
    dead_code,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    clippy::case_sensitive_file_extension_comparisons
)]

use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use rempla_core::domain::{DeviceId, OpId};
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use rempla_e2e::pg::PgCluster;
use rempla_server::auth::terms::Terms;
use rempla_server::mail::{Mail, Mailer, SendFuture};
use rempla_server::{AppState, Config, Storage};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = "Histoire-complète-2026";

/// E-mails kept in memory (the SMTP exchange itself is tested against a real SMTP server elsewhere).
#[derive(Clone, Default)]
pub struct Inbox(pub Arc<Mutex<Vec<Mail>>>);

impl Mailer for Inbox {
    fn send(&self, mail: Mail) -> SendFuture<'_> {
        self.0.lock().unwrap().push(mail);
        Box::pin(async { Ok(()) })
    }
}

impl Inbox {
    pub fn token_for(&self, to: &str) -> String {
        let mails = self.0.lock().unwrap();
        let mail = mails.iter().rev().find(|m| m.to == to).expect("mail");
        let at = mail.text.find("token=").expect("token") + "token=".len();
        mail.text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub mail: Inbox,
    pub _data: tempfile::TempDir,
    pub _pg: Option<PgCluster>,
}

pub async fn start(postgres: bool) -> Server {
    let data = tempfile::tempdir().unwrap();
    let pg = postgres.then(|| PgCluster::start().unwrap());
    let config = Config {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        rate_per_ip_per_minute: 1_000_000,
        rate_per_account_per_minute: 1_000_000,
        login_per_minute: 100_000,
        jobs_interval_secs: 0,
        data: data.path().to_path_buf(),
        database_url: pg.as_ref().map(PgCluster::url),
        ..Config::default()
    };
    let storage: Storage = rempla_server::open_storage(&config).await.unwrap();
    let mail = Inbox::default();
    let state = AppState::new(
        config,
        storage,
        Arc::new(mail.clone()),
        Terms::new("2026-11-01", "Conditions générales de test"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(rempla_server::serve(listener, state.clone()));
    Server {
        base,
        state,
        mail,
        _data: data,
        _pg: pg,
    }
}

#[derive(Clone)]
pub struct User {
    pub email: String,
    pub token: String,
    pub device: DeviceId,
    pub account_id: String,
    pub doctor_id: Option<String>,
    pub facility_id: Option<String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub bytes: Vec<u8>,
    pub content_type: String,
}

impl Answer {
    pub fn code(&self) -> Option<&str> {
        self.json["code"].as_str()
    }
}

impl Server {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let client = reqwest::Client::new();
        let mut req = client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = res.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            bytes,
            content_type,
        }
    }

    pub async fn get(&self, path: &str, user: &User) -> Answer {
        self.call("GET", path, Some(&user.token), None).await
    }

    pub async fn post(&self, path: &str, user: &User, body: &Value) -> Answer {
        self.call("POST", path, Some(&user.token), Some(body)).await
    }

    pub async fn upload(
        &self,
        path: &str,
        user: &User,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let res = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&user.token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            bytes,
            content_type: String::new(),
        }
    }

    pub async fn sign_in(&self, email: &str) -> User {
        let device = DeviceId::new();
        let a = self
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(&json!({"email": email, "password": PASSWORD,
                "device_id": device, "device_name": "story", "platform": "desktop"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        let token = a.json["token"].as_str().unwrap().to_owned();
        let terms = self.call("GET", "/v1/terms/current", None, None).await.json;
        let t = self
            .call(
                "POST",
                "/v1/terms/accept",
                Some(&token),
                Some(&json!({"version": terms["version"], "sha256": terms["sha256"]})),
            )
            .await;
        assert_eq!(t.status, StatusCode::NO_CONTENT);
        User {
            email: email.to_owned(),
            token,
            device,
            account_id: a.json["account_id"].as_str().unwrap().to_owned(),
            doctor_id: a.json["doctor_id"].as_str().map(str::to_owned),
            facility_id: a.json["memberships"][0]["facility_id"]
                .as_str()
                .map(str::to_owned),
        }
    }

    pub async fn activate(&self, email: &str) {
        let token = self.mail.token_for(email);
        let a = self
            .call(
                "POST",
                "/v1/accounts/activate",
                None,
                Some(&json!({"token": token})),
            )
            .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.json);
    }

    pub async fn new_facility(&self, n: u64, name: &str) -> User {
        let email = format!("coordination{n}@etablissement.example.fr");
        let a = self
            .call("POST", "/v1/accounts/facilities", None, Some(&json!({"email": email, "password": PASSWORD,
                "display_name": "Coordination", "facility": {"name": name, "siret": rempla_e2e::device::siret(n),
                "kind": "public_hospital"}})))
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.json);
        self.activate(&email).await;
        self.sign_in(&email).await
    }

    /// Rempla's staff account (`equipe@rempla.fr`, made by the operator's command), signed in.
    pub async fn new_staff(&self) -> User {
        rempla_server::ops::add_staff(
            &self.state.storage,
            &self.state.config,
            "equipe@rempla.fr",
            "Équipe",
            PASSWORD,
        )
        .await
        .unwrap();
        self.sign_in("equipe@rempla.fr").await
    }

    /// Staff approve a self-registered facility from the facilities' queue.
    pub async fn approve_facility(&self, staff: &User, admin: &User) {
        let id = admin.facility_id.clone().unwrap_or_default();
        let a = self
            .post(
                &format!("/v1/staff/facility-verifications/{id}"),
                staff,
                &json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    }

    pub async fn add_site(
        &self,
        admin: &User,
        department: &str,
        postcode: &str,
        commune: &str,
        lat: f64,
        lon: f64,
    ) -> String {
        let facility = admin.facility_id.clone().unwrap();
        let site = Uuid::now_v7();
        let a = self
            .post(&format!("/v1/facilities/{facility}/sites"), admin, &json!({"id": site, "facility_id": facility,
                "name": "Site principal", "address": "1 rue de l'Hôpital", "postcode": postcode, "commune_code": commune,
                "department": department, "location": {"lat": lat, "lon": lon}, "zone": "Europe/Paris"}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
        site.to_string()
    }

    /// A doctor registered with RPPS, activated, signed in, with an identity document on file and
    /// accepting any site of `department`.
    pub async fn new_doctor(&self, n: u64, last_name: &str, department: &str) -> User {
        let email = format!("medecin{n}@exemple.fr");
        let a = self
            .call("POST", "/v1/accounts/doctors", None, Some(&json!({"email": email, "password": PASSWORD,
                "rpps": rempla_e2e::device::rpps(n), "first_name": "Camille", "last_name": last_name,
                "specialties": ["urgences"]})))
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.json);
        self.activate(&email).await;
        let user = self.sign_in(&email).await;
        let birth = format!("19{:02}-0{}-1{}", 60 + n % 30, 1 + n % 9, n % 10);
        let up = self
            .upload(
                &format!("/v1/me/documents?kind=identity&name=cni.pdf&birth_date={birth}"),
                &user,
                "application/pdf",
                pdf(&format!("Carte d'identité {last_name}")),
            )
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.json);
        let p = self
            .call(
                "PATCH",
                "/v1/me/profile",
                Some(&user.token),
                Some(&json!({"departments": [department], "travel_radius_km": 50})),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.json);
        user
    }

    pub async fn push(
        &self,
        user: &User,
        entity: EntityKind,
        id: Uuid,
        fields: Value,
    ) -> Vec<String> {
        let op = OutboxOp {
            op_id: OpId::new(),
            entity,
            entity_id: id,
            kind: OpKind::Upsert,
            fields: fields.as_object().cloned().unwrap(),
            hlc: Hlc::new(
                u64::try_from(self.state.clock.now_ms()).unwrap(),
                0,
                user.device,
            ),
        };
        let a = self
            .post(
                "/v1/sync/push",
                user,
                &json!({"protocol": 1, "device_id": user.device, "ops": [op]}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        a.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap_or("applied").to_owned())
            .collect()
    }

    pub async fn run_jobs(&self) {
        rempla_server::areas::run_due(&self.state).await;
    }

    pub fn advance(&self, ms: i64) {
        self.state.clock.advance(ms);
    }
}

/// A small valid PDF (the vault sniffs content: the bytes must really be a PDF).
pub fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% {text}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

/// A night starting `days` from now at 20:00 Paris (19:00 UTC in winter is close enough: the shift
/// templates are the server's business; here both sides use the same instants).
pub fn night(days: i64) -> Value {
    let start = (Utc::now() + Duration::days(days))
        .date_naive()
        .and_hms_opt(19, 0, 0)
        .unwrap()
        .and_utc();
    json!({"start": start.to_rfc3339(), "end": (start + Duration::hours(12)).to_rfc3339()})
}

pub fn availability(doctor: &User, id: Uuid, from_day: i64, nights: i64) -> Value {
    let first = night(from_day);
    let last = night(from_day + nights - 1);
    json!({"id": id, "doctor_id": doctor.doctor_id, "interval": {"start": first["start"], "end": last["end"]},
           "zone": "Europe/Paris", "kind": "night", "status": "open"})
}

pub fn request(
    id: Uuid,
    facility: &User,
    site: &str,
    department: &str,
    lat: f64,
    lon: f64,
    first_day: i64,
    nights: i64,
    needed: u32,
) -> Value {
    let shifts: Vec<Value> = (0..nights)
        .map(|d| json!({"kind": "night", "interval": night(first_day + d)}))
        .collect();
    json!({"id": id, "facility_id": facility.facility_id, "site_id": site, "specialty": "urgences", "shifts": shifts,
           "zone": "Europe/Paris", "department": department, "location": {"lat": lat, "lon": lon},
           "doctors_needed": needed, "status": "open", "remuneration_cents_per_day": 90_000})
}
