//! Server-specific test helpers shared by the integration suites: storage for both backends, an
//! in-memory app with a capturing mailer, and HTTP helpers over `tower::ServiceExt`. The PostgreSQL
//! cluster, `Db`, `backend_tests!`, identifiers and domain fixtures come from `rempla-test-support`.
//! A family of suites split by feature (`api_*.rs`, `billing_*.rs`, `documents_*.rs`, `notify_*.rs`,
//! `workflow_*.rs`) shares its own helpers through the module of that name here.
// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rempla_server::auth::terms::Terms;
use rempla_server::db::postgres::PostgresBackend;
use rempla_server::db::sqlite::SqliteBackend;
use rempla_server::mail::{Mail, Mailer, SendFuture};
use rempla_server::{AppState, Config, Storage};
use serde_json::Value;
use tower::ServiceExt;

pub mod smtp;
pub mod users;

// Helpers of one family of suites each (`api_*.rs`, `billing_*.rs`…), shared by its files.
pub mod api;
pub mod billing;
pub mod documents;
pub mod notify;
pub mod workflow;

// Not every suite uses each of them.
#[allow(unused_imports)]
pub use rempla_test_support::{Db, backend_tests, fixtures, rpps, siret};

/// A storage of the given kind, plus what keeps it alive (temp dir) and its location.
pub struct TestDb {
    pub storage: Storage,
    pub location: String,
    pub _dir: tempfile::TempDir,
}

pub async fn open_db(db: Db) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let (backend, location): (Arc<dyn rempla_server::db::Backend>, String) = match db {
        Db::Sqlite => {
            let path = dir.path().join("rempla.sqlite3");
            (
                Arc::new(SqliteBackend::open(&path).unwrap()),
                path.display().to_string(),
            )
        }
        Db::Postgres => {
            let url = rempla_test_support::pg::fresh_database();
            let u = url.clone();
            let b = tokio::task::spawn_blocking(move || PostgresBackend::connect(&u))
                .await
                .unwrap()
                .unwrap();
            (Arc::new(b), url)
        }
    };
    TestDb {
        storage: rempla_server::storage_on(backend).await.unwrap(),
        location,
        _dir: dir,
    }
}

/// A second storage over the same database (another server instance).
pub async fn second_instance(db: Db, location: &str) -> Storage {
    let backend: Arc<dyn rempla_server::db::Backend> = match db {
        Db::Sqlite => Arc::new(SqliteBackend::open(location).unwrap()),
        Db::Postgres => {
            let u = location.to_owned();
            Arc::new(
                tokio::task::spawn_blocking(move || PostgresBackend::connect(&u))
                    .await
                    .unwrap()
                    .unwrap(),
            )
        }
    };
    rempla_server::storage_on(backend).await.unwrap()
}

/// A mailer that keeps messages in memory.
#[derive(Clone, Default)]
pub struct MemoryMailer(pub Arc<Mutex<Vec<Mail>>>);

impl Mailer for MemoryMailer {
    fn send(&self, mail: Mail) -> SendFuture<'_> {
        let store = Arc::clone(&self.0);
        Box::pin(async move {
            store.lock().unwrap().push(mail);
            Ok(())
        })
    }
}

impl MemoryMailer {
    /// The token in the last link sent to `to`.
    pub fn last_token(&self, to: &str) -> String {
        let mails = self.0.lock().unwrap();
        let mail = mails
            .iter()
            .rev()
            .find(|m| m.to == to)
            .expect("no mail for recipient");
        token_in(&mail.text)
    }
}

/// Extracts `token=…` from a text.
pub fn token_in(text: &str) -> String {
    let start = text.find("token=").expect("no token in mail") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Cheap argon2 for tests (the cost is a parameter, the algorithm is the same).
pub fn test_config() -> Config {
    Config {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        rate_per_ip_per_minute: 1_000_000,
        rate_per_account_per_minute: 1_000_000,
        login_per_minute: 1_000,
        public_url: "http://127.0.0.1:9".into(),
        ..Config::default()
    }
}

/// An app over a storage with a memory mailer.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub mail: MemoryMailer,
    pub db: TestDb,
}

pub async fn app_with(db: Db, config: Config) -> TestApp {
    let db = open_db(db).await;
    let mail = MemoryMailer::default();
    let state = AppState::new(
        config,
        db.storage.clone(),
        Arc::new(mail.clone()),
        Terms::new("2026-11-01", "CGU de test"),
    )
    .with_server_key(rempla_server::server_key::ServerKey::random().unwrap());
    TestApp {
        router: rempla_server::router(state.clone()),
        state,
        mail,
        db,
    }
}

pub async fn app(db: Db) -> TestApp {
    app_with(db, test_config()).await
}

/// One HTTP exchange: status and JSON body (`Value::Null` when empty or not JSON).
pub async fn call(
    router: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, Body::from)).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub async fn post(
    router: &Router,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    call(
        router,
        "POST",
        path,
        token,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

pub async fn get(router: &Router, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(router, "GET", path, token, None).await
}

pub const PASSWORD: &str = "motdepasse-solide-42";
