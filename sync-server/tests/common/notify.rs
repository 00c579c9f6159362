//! Helpers of the notification suites (`notify_*.rs`): notices and the delivery list, local servers
//! that speak each protocol (plain HTTP, TLS + HTTP/2 for APNs), signing keys and JWT checks, and the
//! Web Push service and app most suites deliver through.

// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::users::User;
use super::{Db, TestApp, app_with, get, test_config};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine;
use rempla_server::notify::Notice;
use rempla_server::notify::crypto::b64url_decode;
use ring::agreement;
use ring::rand::SystemRandom;
use serde_json::{Value, json};

// ---------------------------------------------------------------- accounts

pub fn notice(account: &str, key: &str) -> Notice {
    Notice {
        account_id: account.to_owned(),
        kind: "proposal_received".into(),
        title: "Nouvelle proposition".into(),
        body: "CH 1 vous propose 3 jours aux urgences.".into(),
        payload: json!({"proposal_id": "p-1"}),
        dedupe_key: key.to_owned(),
        not_before_ms: 0,
        urgent: false,
    }
}

pub async fn enqueue(t: &TestApp, n: Notice) -> bool {
    t.state
        .storage
        .enqueue_notice(n, t.state.clock.now_ms())
        .await
        .unwrap()
}

pub async fn deliveries(t: &TestApp, user: &User, query: &str) -> Vec<Value> {
    let (s, v) = get(
        &t.router,
        &format!("/v1/me/deliveries{query}"),
        Some(&user.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["deliveries"].as_array().unwrap().clone()
}

pub async fn serve(router: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    port
}

pub fn pem(der: &[u8]) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

pub fn es256_pem() -> (String, Vec<u8>) {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref(), &rng).unwrap();
    (pem(der.as_ref()), key.public_key().as_ref().to_vec())
}

/// Checks a compact JWS and returns its claims.
pub fn verify_jwt(
    jwt: &str,
    alg: &'static dyn ring::signature::VerificationAlgorithm,
    key: &[u8],
) -> (Value, Value) {
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    ring::signature::UnparsedPublicKey::new(alg, key)
        .verify(input.as_bytes(), &b64url_decode(sig).unwrap())
        .expect("JWT signature");
    let (h, c) = input.split_once('.').unwrap();
    (
        serde_json::from_slice(&b64url_decode(h).unwrap()).unwrap(),
        serde_json::from_slice(&b64url_decode(c).unwrap()).unwrap(),
    )
}

// ---------------------------------------------------------------- Web Push

/// A push service: `POST /push/{id}` answers the status configured for that id (201 by default)
/// and keeps every request (headers and encrypted body).
#[derive(Clone, Default)]
pub struct PushService {
    pub received: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
    pub statuses: Arc<Mutex<HashMap<String, u16>>>,
}

pub async fn push_endpoint(
    State(s): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    s.received.lock().unwrap().push((id.clone(), headers, body));
    let code = s.statuses.lock().unwrap().get(&id).copied().unwrap_or(201);
    StatusCode::from_u16(code).unwrap()
}

pub struct Subscriber {
    pub private: Option<agreement::EphemeralPrivateKey>,
    pub public: Vec<u8>,
    pub auth: [u8; 16],
}

pub fn subscriber() -> Subscriber {
    let rng = SystemRandom::new();
    let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
    let public = private.compute_public_key().unwrap().as_ref().to_vec();
    let mut auth = [0_u8; 16];
    ring::rand::SecureRandom::fill(&rng, &mut auth).unwrap();
    Subscriber {
        private: Some(private),
        public,
        auth,
    }
}

pub async fn webpush_app(
    db: Db,
    max_attempts: u32,
) -> (TestApp, PushService, u16, Vec<u8>, tempfile::TempDir) {
    let service = PushService::default();
    let port = serve(
        Router::new()
            .route("/push/{id}", post(push_endpoint))
            .with_state(service.clone()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (vapid_pem, vapid_public) = es256_pem();
    let key_file = dir.path().join("vapid.pem");
    std::fs::write(&key_file, vapid_pem).unwrap();
    let mut config = test_config();
    config.notify.allow_loopback_http = true;
    config.notify.vapid_key_file = Some(key_file);
    config.notify.max_attempts = max_attempts;
    let t = app_with(db, config).await;
    (t, service, port, vapid_public, dir)
}
