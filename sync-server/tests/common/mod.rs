//! Test helpers shared by the integration suites: throwaway PostgreSQL cluster, storage for both
//! backends, an in-memory app with a capturing mailer, and HTTP helpers over `tower::ServiceExt`.
// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(
    dead_code,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::zombie_processes
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

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

/// Which database a case runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

fn find_pg_bin(name: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    candidates.sort();
    candidates.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts (once per test binary) a throwaway PostgreSQL cluster from the Debian packages, installing
/// them when missing, or uses `REMPLA_TEST_DATABASE_URL`. Panics (fails the test) when impossible:
/// PostgreSQL tests never skip.
fn pg_admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("REMPLA_TEST_DATABASE_URL") {
            return url;
        }
        if find_pg_bin("initdb").is_none() && is_root() {
            let status = Command::new("sh")
                .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null"])
                .status()
                .expect("apt-get");
            assert!(status.success(), "apt-get install postgresql failed");
        }
        let initdb = find_pg_bin("initdb").expect("PostgreSQL is not installed (initdb missing): run scripts/setup-debian.sh");
        let pg_ctl = find_pg_bin("pg_ctl").expect("pg_ctl missing");
        let dir = std::env::temp_dir().join(format!("rempla-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            assert!(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().unwrap().success());
        }
        let data = dir.join("data");
        let out = as_postgres(&initdb)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.display()
        );
        let out = as_postgres(&pg_ctl)
            .args(["-w", "-l"])
            .arg(dir.join("log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl start failed: {}", String::from_utf8_lossy(&out.stderr));
        // Stop the cluster when this test process exits.
        let me = std::process::id();
        let stop = if is_root() {
            format!("runuser -u postgres -- {} -D {} -m immediate stop", pg_ctl.display(), data.display())
        } else {
            format!("{} -D {} -m immediate stop", pg_ctl.display(), data.display())
        };
        let watchdog = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
            dir.display()
        );
        Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    })
}

/// A fresh, empty PostgreSQL database.
pub fn fresh_pg_database() -> String {
    let admin = pg_admin_url().to_owned();
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    std::thread::spawn(move || {
        let mut client =
            postgres::Client::connect(&admin, postgres::NoTls).expect("connect to PostgreSQL");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("bad url"),
        }
    })
    .join()
    .unwrap()
}

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
            let url = fresh_pg_database();
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
    );
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

/// Valid RPPS numbers for tests.
pub fn rpps(n: u32) -> String {
    rempla_core::domain::Rpps::with_key(&format!("10{:08}", 5_000_000 + n))
        .unwrap()
        .to_string()
}

/// A valid SIRET for tests.
pub fn siret(n: u32) -> String {
    for key in 0..10 {
        let s = format!("7322{:09}{key}", 100_000 + n);
        if rempla_core::domain::Siret::parse(&s).is_ok() {
            return s;
        }
    }
    panic!("no siret")
}
