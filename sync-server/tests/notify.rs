//! Notification delivery over real protocols: each channel against a local server that speaks it
//! (Web Push service that decrypts RFC 8291 bodies and checks VAPID, FCM OAuth + send endpoints that
//! check the service-account assertion, APNs over real HTTP/2, SMTP, an SMS gateway), plus
//! preferences, quiet hours, dedupe, retries with backoff, failed deliveries, SMS credits and bad input.
//! Storage behaviour runs on SQLite and PostgreSQL alike.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine;
use common::smtp::smtp_server;
use common::users::{User, new_doctor, new_facility, new_staff, put};
use common::{
    Db, PASSWORD, TestApp, app_with, backend_tests, call, get, post as post_json, test_config,
};
use rempla_server::notify::crypto::{b64url, b64url_decode, webpush_decrypt};
use rempla_server::notify::{Notice, deliver_due};
use ring::agreement;
use ring::rand::SystemRandom;
use serde_json::{Value, json};

// ---------------------------------------------------------------- accounts

fn notice(account: &str, key: &str) -> Notice {
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

async fn enqueue(t: &TestApp, n: Notice) -> bool {
    t.state
        .storage
        .enqueue_notice(n, t.state.clock.now_ms())
        .await
        .unwrap()
}

async fn deliveries(t: &TestApp, user: &User, query: &str) -> Vec<Value> {
    let (s, v) = get(
        &t.router,
        &format!("/v1/me/deliveries{query}"),
        Some(&user.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["deliveries"].as_array().unwrap().clone()
}

async fn serve(router: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    port
}

/// Serves `router` over TLS (a fresh test CA's certificate for 127.0.0.1) speaking HTTP/2 only, as
/// APNs does; returns the port and the CA certificate (PEM) a client must trust.
async fn serve_tls_h2(router: Router) -> (u16, String) {
    use tokio_rustls::rustls;
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Rempla test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
                let service = hyper_util::service::TowerToHyperService::new(router);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .http2_only()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
            });
        }
    });
    (port, ca.pem())
}

fn pem(der: &[u8]) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

fn es256_pem() -> (String, Vec<u8>) {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref(), &rng).unwrap();
    (pem(der.as_ref()), key.public_key().as_ref().to_vec())
}

/// Checks a compact JWS and returns its claims.
fn verify_jwt(
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
struct PushService {
    received: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
    statuses: Arc<Mutex<HashMap<String, u16>>>,
}

async fn push_endpoint(
    State(s): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    s.received.lock().unwrap().push((id.clone(), headers, body));
    let code = s.statuses.lock().unwrap().get(&id).copied().unwrap_or(201);
    StatusCode::from_u16(code).unwrap()
}

struct Subscriber {
    private: Option<agreement::EphemeralPrivateKey>,
    public: Vec<u8>,
    auth: [u8; 16],
}

fn subscriber() -> Subscriber {
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

async fn webpush_app(
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

async fn webpush_delivered_encrypted_and_signed(db: Db) {
    let (t, service, port, vapid_public, _dir) = webpush_app(db, 6).await;
    let doc = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    // Web clients subscribe with the server's VAPID key.
    let (s, v) = get(&t.router, "/v1/push/vapid-public-key", None).await;
    assert_eq!(
        (s, v["key"].as_str()),
        (StatusCode::OK, Some(b64url(&vapid_public).as_str()))
    );

    let mut sub = subscriber();
    let endpoint = format!("http://127.0.0.1:{port}/push/ok");
    let (s, target) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "webpush", "endpoint": endpoint, "p256dh": b64url(&sub.public), "auth": b64url(&sub.auth)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{target}");
    assert!(
        target.get("auth").is_none(),
        "the auth secret is never sent back"
    );
    // A second subscription, gone at the push service: delivering to it removes it.
    let gone = subscriber();
    let (s, _) = call(
        &t.router,
        "PUT",
        "/v1/me/push-targets",
        Some(&other.token),
        Some(
            serde_json::to_vec(
                &json!({"kind": "webpush", "endpoint": format!("http://127.0.0.1:{port}/push/gone"),
            "p256dh": b64url(&gone.public), "auth": b64url(&gone.auth)}),
            )
            .unwrap(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    service.statuses.lock().unwrap().insert("gone".into(), 410);

    assert!(enqueue(&t, notice(&doc.account_id, "k-doc")).await);
    assert!(enqueue(&t, notice(&other.account_id, "k-other")).await);
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.notices, 2);

    let received = service.received.lock().unwrap().clone();
    let (_, headers, body) = received
        .iter()
        .find(|(id, ..)| id == "ok")
        .expect("push received");
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert_eq!(headers["ttl"], "86400");
    assert_eq!(headers["urgency"], "normal");
    // RFC 8292: a JWT for the push service's origin, signed by the key announced in k=.
    let auth = headers["authorization"].to_str().unwrap();
    let rest = auth.strip_prefix("vapid t=").unwrap();
    let (jwt, k) = rest.split_once(", k=").unwrap();
    assert_eq!(b64url_decode(k).unwrap(), vapid_public);
    let (header, claims) = verify_jwt(
        jwt,
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        &vapid_public,
    );
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], format!("http://127.0.0.1:{port}"));
    assert_eq!(claims["sub"], "mailto:contact@rempla.fr");
    assert!(claims["exp"].as_i64().unwrap() > t.state.clock.now_ms() / 1000);
    // RFC 8291: only the subscriber's private key and auth secret open the body.
    let plain = webpush_decrypt(body, sub.private.take().unwrap(), &sub.public, &sub.auth).unwrap();
    let doc_json: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(doc_json["title"], "Nouvelle proposition");
    assert_eq!(doc_json["kind"], "proposal_received");
    assert_eq!(doc_json["payload"]["proposal_id"], "p-1");

    let mine = deliveries(&t, &doc, "?state=sent").await;
    assert!(mine.iter().any(|d| d["channel"] == "webpush"), "{mine:?}");
    // The gone subscription: failed with its code, target removed, failure visible to its owner.
    let failed = deliveries(&t, &other, "?state=failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["last_code"], "unregistered");
    let (_, targets) = get(&t.router, "/v1/me/push-targets", Some(&other.token)).await;
    assert_eq!(targets["targets"].as_array().unwrap().len(), 0);
    // The doctor never sees the other account's deliveries.
    assert!(
        deliveries(&t, &doc, "")
            .await
            .iter()
            .all(|d| d["account_id"] == doc.account_id.as_str())
    );

    // Inbox: in the feed and in the inbox page, for the recipient only.
    let (s, inbox) = get(&t.router, "/v1/notifications", Some(&doc.token)).await;
    assert_eq!(s, StatusCode::OK);
    let items = inbox["notifications"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Nouvelle proposition");
    assert_eq!(items[0]["read_at"], Value::Null);
    let (_, pulled) = post_json(
        &t.router,
        "/v1/sync/pull",
        Some(&doc.token),
        &json!({"protocol": 1}),
    )
    .await;
    let notes: Vec<&Value> = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "notification")
        .collect();
    assert_eq!(notes.len(), 1, "{pulled}");
    assert_eq!(notes[0]["record"]["kind"], "proposal_received");
    let (_, pulled) = post_json(
        &t.router,
        "/v1/sync/pull",
        Some(&other.token),
        &json!({"protocol": 1}),
    )
    .await;
    let theirs: Vec<&Value> = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "notification")
        .collect();
    assert_eq!(theirs.len(), 1);
    assert_ne!(theirs[0]["entity_id"], notes[0]["entity_id"]);

    // A second run sends nothing again (one delivery per channel per notice).
    let before = service.received.lock().unwrap().len();
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!((run.notices, run.sent), (0, 0));
    assert_eq!(service.received.lock().unwrap().len(), before);
}

async fn retries_back_off_then_fail_visibly(db: Db) {
    let (t, service, port, _, _dir) = webpush_app(db, 3).await;
    let doc = new_doctor(&t, 1).await;
    let staff = new_staff(&t).await;
    let sub = subscriber();
    service.statuses.lock().unwrap().insert("down".into(), 503);
    let (s, _) = put(&t, "/v1/me/push-targets", &doc.token, &json!({"kind": "webpush",
        "endpoint": format!("http://127.0.0.1:{port}/push/down"), "p256dh": b64url(&sub.public), "auth": b64url(&sub.auth)})).await;
    assert_eq!(s, StatusCode::OK);
    let mut prefs = json!({"channels": {"email": false, "push": true, "sms": false}});
    let (s, v) = put(&t, "/v1/me/notification-preferences", &doc.token, &prefs).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    enqueue(&t, notice(&doc.account_id, "retry")).await;
    let count = || service.received.lock().unwrap().len();

    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!((run.sent, run.retried), (0, 1));
    assert_eq!(count(), 1);
    let d = &deliveries(&t, &doc, "").await[0];
    assert_eq!(
        (
            d["state"].as_str(),
            d["attempts"].as_i64(),
            d["last_code"].as_str()
        ),
        (Some("pending"), Some(1), Some("http_503"))
    );
    let first_delay = d["next_attempt_ms"].as_i64().unwrap() - t.state.clock.now_ms();
    assert!((55_000..=60_000).contains(&first_delay), "{first_delay}");
    // Not due yet: nothing sent.
    deliver_due(&t.state).await.unwrap();
    assert_eq!(count(), 1);
    t.state.clock.advance(61_000);
    deliver_due(&t.state).await.unwrap();
    assert_eq!(count(), 2);
    let d = &deliveries(&t, &doc, "").await[0];
    let second_delay = d["next_attempt_ms"].as_i64().unwrap() - t.state.clock.now_ms();
    assert!(
        (115_000..=120_000).contains(&second_delay),
        "backoff doubles: {second_delay}"
    );
    t.state.clock.advance(121_000);
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.failed, 1);
    assert_eq!(count(), 3);
    let failed = deliveries(&t, &doc, "?state=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (
            failed[0]["attempts"].as_i64(),
            failed[0]["last_code"].as_str()
        ),
        (Some(3), Some("http_503"))
    );
    // Kept: no more attempts however late.
    t.state.clock.advance(86_400_000);
    deliver_due(&t.state).await.unwrap();
    assert_eq!(count(), 3);
    // Staff see failed deliveries of everyone; others may not ask.
    let (s, v) = get(
        &t.router,
        "/v1/staff/deliveries?state=failed",
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["deliveries"][0]["account_id"], doc.account_id.as_str());
    let (s, v) = get(&t.router, "/v1/staff/deliveries", Some(&doc.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // Staff put a failed delivery back in the queue once the service is up again.
    let failed_id = failed[0]["id"].as_str().unwrap().to_owned();
    let retry = format!("/v1/staff/deliveries/{failed_id}/retry");
    let (s, _) = post_json(&t.router, &retry, Some(&doc.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    service.statuses.lock().unwrap().insert("down".into(), 201);
    let (s, _) = post_json(&t.router, &retry, Some(&staff.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = post_json(&t.router, &retry, Some(&staff.token), &json!({})).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "only failed deliveries are retried"
    );
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.sent, 1);
    assert_eq!(count(), 4);
    assert_eq!(deliveries(&t, &doc, "?state=sent").await.len(), 1);
    let (s, v) = get(&t.router, "/v1/me/deliveries?state=lost", Some(&doc.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    // A notice to a kind the user switched push off for creates no push delivery.
    prefs["kinds"] = json!({"proposal_received": {"push": false}});
    put(&t, "/v1/me/notification-preferences", &doc.token, &prefs).await;
    enqueue(&t, notice(&doc.account_id, "muted")).await;
    deliver_due(&t.state).await.unwrap();
    assert_eq!(deliveries(&t, &doc, "").await.len(), 1);
    assert_eq!(count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_send_each_delivery_once() {
    let (t, service, port, _, _dir) = webpush_app(Db::Sqlite, 6).await;
    let doc = new_doctor(&t, 1).await;
    let sub = subscriber();
    put(&t, "/v1/me/push-targets", &doc.token, &json!({"kind": "webpush",
        "endpoint": format!("http://127.0.0.1:{port}/push/ok"), "p256dh": b64url(&sub.public), "auth": b64url(&sub.auth)})).await;
    for i in 0..10 {
        enqueue(&t, notice(&doc.account_id, &format!("n{i}"))).await;
    }
    // Two "instances" (same database) racing.
    let (a, b) = tokio::join!(deliver_due(&t.state), deliver_due(&t.state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.notices + b.notices, 10);
    deliver_due(&t.state).await.unwrap();
    assert_eq!(service.received.lock().unwrap().len(), 10);
}

// ---------------------------------------------------------------- preferences, quiet hours, dedupe

async fn preferences_quiet_hours_and_dedupe(db: Db) {
    let t = app_with(db, test_config()).await;
    let doc = new_doctor(&t, 1).await;
    let mails = || {
        t.mail
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == doc.email && m.subject.starts_with("Rempla : "))
            .count()
    };
    // Defaults: e-mail and push on, SMS off.
    let (s, v) = get(
        &t.router,
        "/v1/me/notification-preferences",
        Some(&doc.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v["channels"],
        json!({"email": true, "push": true, "sms": false})
    );
    // Dedupe: the same key twice is one notice and one e-mail, however many runs.
    assert!(enqueue(&t, notice(&doc.account_id, "same")).await);
    assert!(!enqueue(&t, notice(&doc.account_id, "same")).await);
    deliver_due(&t.state).await.unwrap();
    deliver_due(&t.state).await.unwrap();
    assert_eq!(mails(), 1);
    let mail = t
        .mail
        .0
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.to == doc.email && m.subject.starts_with("Rempla"))
        .cloned()
        .unwrap();
    assert_eq!(mail.subject, "Rempla : Nouvelle proposition");
    assert!(mail.text.contains("CH 1 vous propose 3 jours"));
    assert!(mail.html.contains("<h2>Nouvelle proposition</h2>"));

    // Quiet hours around now (UTC): a normal notice waits until they end, an urgent one goes now.
    let now = chrono::Utc::now()
        + chrono::Duration::milliseconds(
            t.state.clock.now_ms() - chrono::Utc::now().timestamp_millis(),
        );
    let start = (now - chrono::Duration::hours(1))
        .format("%H:%M")
        .to_string();
    let end = (now + chrono::Duration::hours(2))
        .format("%H:%M")
        .to_string();
    let (s, v) = put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"quiet_hours": {"start": start, "end": end, "time_zone": "UTC"}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    enqueue(&t, notice(&doc.account_id, "quiet")).await;
    enqueue(
        &t,
        Notice {
            urgent: true,
            ..notice(&doc.account_id, "urgent")
        },
    )
    .await;
    deliver_due(&t.state).await.unwrap();
    assert_eq!(
        mails(),
        2,
        "only the urgent notice is mailed in quiet hours"
    );
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&doc.token)).await;
    assert_eq!(
        inbox["notifications"].as_array().unwrap().len(),
        3,
        "the inbox is never quiet"
    );
    let pending = deliveries(&t, &doc, "?state=pending").await;
    assert_eq!(pending.len(), 1);
    let wait = pending[0]["next_attempt_ms"].as_i64().unwrap() - t.state.clock.now_ms();
    assert!((60 * 60_000..=2 * 60 * 60_000).contains(&wait), "{wait}");
    t.state.clock.advance(wait + 1_000);
    deliver_due(&t.state).await.unwrap();
    assert_eq!(mails(), 3);

    // A kind switched off for e-mail.
    put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"kinds": {"proposal_received": {"email": false}}}),
    )
    .await;
    enqueue(&t, notice(&doc.account_id, "muted")).await;
    deliver_due(&t.state).await.unwrap();
    assert_eq!(mails(), 3);

    // Bad preferences: clear codes, nothing stored.
    for (body, code) in [
        (json!({"channels": {"fax": true}}), "unknown_channel"),
        (
            json!({"quiet_hours": {"start": "22h", "end": "07:00", "time_zone": "Europe/Paris"}}),
            "invalid_quiet_hours",
        ),
        (
            json!({"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Lune/Mer"}}),
            "invalid_time_zone",
        ),
        (json!({"sms_phone": "06 12 34 56 78"}), "invalid_phone"),
        (
            json!({"kinds": {"Bad Kind": {"email": true}}}),
            "invalid_kind",
        ),
    ] {
        let (s, v) = put(&t, "/v1/me/notification-preferences", &doc.token, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(v["detail"].as_str().unwrap().contains(code), "{v}");
    }
    let (s, v) = put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"unknown": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (_, v) = get(
        &t.router,
        "/v1/me/notification-preferences",
        Some(&doc.token),
    )
    .await;
    assert_eq!(v["kinds"]["proposal_received"]["email"], false);
}

// ---------------------------------------------------------------- push target validation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_targets_are_validated_and_replaced_per_device() {
    let mut config = test_config();
    config.notify.allow_loopback_http = true;
    let t = app_with(Db::Sqlite, config).await;
    let doc = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    let sub = subscriber();
    let (p, a) = (b64url(&sub.public), b64url(&sub.auth));
    let cases = [
        json!({"kind": "webpush", "endpoint": "http://push.example.com/x", "p256dh": p, "auth": a}),
        json!({"kind": "webpush", "endpoint": "ftp://127.0.0.1/x", "p256dh": p, "auth": a}),
        json!({"kind": "webpush", "endpoint": "https://user:pw@push.example.com/x", "p256dh": p, "auth": a}),
        json!({"kind": "webpush", "endpoint": format!("https://push.example.com/{}", "x".repeat(3000)), "p256dh": p, "auth": a}),
        json!({"kind": "webpush", "endpoint": "pas une url", "p256dh": p, "auth": a}),
        json!({"kind": "webpush", "endpoint": "https://push.example.com/x", "p256dh": b64url(&[4; 33]), "auth": a}),
        json!({"kind": "webpush", "endpoint": "https://push.example.com/x", "p256dh": "!!!", "auth": a}),
        json!({"kind": "webpush", "endpoint": "https://push.example.com/x", "p256dh": b64url(&[4; 65]), "auth": a}),
        json!({"kind": "webpush", "endpoint": "https://push.example.com/x", "p256dh": p, "auth": b64url(&[1; 8])}),
        json!({"kind": "fcm", "token": "court"}),
        json!({"kind": "fcm", "token": format!("{}<script>", "a".repeat(40))}),
        json!({"kind": "apns", "token": "zz".repeat(40)}),
        json!({"kind": "apns", "token": "ab".repeat(32), "topic": "bad topic"}),
    ];
    for body in cases {
        let (s, v) = put(&t, "/v1/me/push-targets", &doc.token, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation")),
            "{body}"
        );
    }
    for body in [
        json!({"kind": "pigeon", "token": "x"}),
        json!({"kind": "fcm", "token": "a".repeat(30), "extra": 1}),
    ] {
        let (s, v) = put(&t, "/v1/me/push-targets", &doc.token, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("malformed_json")),
            "{body}"
        );
    }
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&doc.token)).await;
    assert_eq!(v["targets"].as_array().unwrap().len(), 0, "nothing stored");

    // One target per device and kind: a new FCM token replaces the old one.
    let (s, first) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "fcm", "token": "a".repeat(30)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, second) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "fcm", "token": "b".repeat(30)}),
    )
    .await;
    assert_eq!(first["id"], second["id"]);
    put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "apns", "token": "AB".repeat(32), "topic": "fr.rempla.app"}),
    )
    .await;
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&doc.token)).await;
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert!(targets.iter().any(|x| x["address"] == "b".repeat(30)));
    assert!(targets.iter().any(|x| x["address"] == "ab".repeat(32)));
    // The same token registered by another account moves to it (shared phone, new user).
    put(
        &t,
        "/v1/me/push-targets",
        &other.token,
        &json!({"kind": "fcm", "token": "b".repeat(30)}),
    )
    .await;
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&doc.token)).await;
    assert_eq!(v["targets"].as_array().unwrap().len(), 1);
    // Someone else's target cannot be deleted (404), one's own can.
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&other.token)).await;
    let theirs = v["targets"][0]["id"].as_str().unwrap().to_owned();
    let (s, _) = call(
        &t.router,
        "DELETE",
        &format!("/v1/me/push-targets/{theirs}"),
        Some(&doc.token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &t.router,
        "DELETE",
        &format!("/v1/me/push-targets/{theirs}"),
        Some(&other.token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Without a key the VAPID endpoint says so.
    let (s, v) = get(&t.router, "/v1/push/vapid-public-key", None).await;
    assert_eq!((s, &v["key"]), (StatusCode::OK, &Value::Null));
    let (s, _) = get(&t.router, "/v1/me/push-targets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------- FCM

#[derive(Clone)]
struct FcmServer {
    public_der: Arc<Vec<u8>>,
    token_uri: Arc<Mutex<String>>,
    sent: Arc<Mutex<Vec<Value>>>,
    token_requests: Arc<Mutex<u32>>,
    flaky_left: Arc<Mutex<u32>>,
}

async fn fcm_token(State(s): State<FcmServer>, body: String) -> axum::response::Response {
    *s.token_requests.lock().unwrap() += 1;
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%3A", ":")))
        .collect();
    assert_eq!(
        form["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let (header, claims) = verify_jwt(
        &form["assertion"],
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &s.public_der,
    );
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "key-1");
    assert_eq!(claims["iss"], "rempla@test-project.iam.gserviceaccount.com");
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/firebase.messaging"
    );
    assert_eq!(claims["aud"], *s.token_uri.lock().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    axum::Json(
        json!({"access_token": "ya29.test-token", "expires_in": 3599, "token_type": "Bearer"}),
    )
    .into_response()
}

async fn fcm_send(
    State(s): State<FcmServer>,
    Path(project): Path<String>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    assert_eq!(project, "test-project");
    if headers["authorization"] != "Bearer ya29.test-token" {
        return (StatusCode::UNAUTHORIZED, "bad token").into_response();
    }
    let token = body["message"]["token"].as_str().unwrap().to_owned();
    if token.starts_with("gone") {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"code": 404, "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}}))).into_response();
    }
    if token.starts_with("flaky") {
        let mut left = s.flaky_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "120")],
                "quota",
            )
                .into_response();
        }
    }
    s.sent.lock().unwrap().push(body);
    axum::Json(json!({"name": "projects/test-project/messages/1"})).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fcm_http_v1_with_oauth_assertion() {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let public_der = key
        .to_public_key()
        .to_pkcs1_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    let server = FcmServer {
        public_der: Arc::new(public_der),
        token_uri: Arc::default(),
        sent: Arc::default(),
        token_requests: Arc::default(),
        flaky_left: Arc::new(Mutex::new(1)),
    };
    let port = serve(
        Router::new()
            .route("/token", post(fcm_token))
            .route("/v1/projects/{project}/messages:send", post(fcm_send))
            .with_state(server.clone()),
    )
    .await;
    let token_uri = format!("http://127.0.0.1:{port}/token");
    *server.token_uri.lock().unwrap() = token_uri.clone();
    let dir = tempfile::tempdir().unwrap();
    let account_file = dir.path().join("service-account.json");
    std::fs::write(
        &account_file,
        json!({
            "type": "service_account", "project_id": "test-project", "private_key_id": "key-1",
            "private_key": key.to_pkcs8_pem(LineEnding::LF).unwrap().as_str(),
            "client_email": "rempla@test-project.iam.gserviceaccount.com", "token_uri": token_uri,
        })
        .to_string(),
    )
    .unwrap();
    let mut config = test_config();
    config.notify.fcm_service_account_file = Some(account_file);
    config.notify.fcm_base_url = format!("http://127.0.0.1:{port}");
    let t = app_with(Db::Sqlite, config).await;
    let ok = new_doctor(&t, 1).await;
    let gone = new_doctor(&t, 2).await;
    let flaky = new_doctor(&t, 3).await;
    for (user, token) in [
        (&ok, format!("ok{}", "a".repeat(30))),
        (&gone, format!("gone{}", "b".repeat(30))),
        (&flaky, format!("flaky{}", "c".repeat(30))),
    ] {
        let (s, v) = put(
            &t,
            "/v1/me/push-targets",
            &user.token,
            &json!({"kind": "fcm", "token": token}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        put(
            &t,
            "/v1/me/notification-preferences",
            &user.token,
            &json!({"channels": {"email": false}}),
        )
        .await;
        enqueue(
            &t,
            Notice {
                urgent: true,
                ..notice(&user.account_id, &user.email)
            },
        )
        .await;
    }
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!((run.sent, run.failed, run.retried), (1, 1, 1), "{run:?}");
    {
        let sent = server.sent.lock().unwrap();
        let m = &sent[0]["message"];
        assert_eq!(m["notification"]["title"], "Nouvelle proposition");
        assert_eq!(m["android"]["priority"], "high");
        assert_eq!(m["data"]["kind"], "proposal_received");
        assert_eq!(
            serde_json::from_str::<Value>(m["data"]["payload"].as_str().unwrap()).unwrap()["proposal_id"],
            "p-1"
        );
    }
    // UNREGISTERED: target removed, failure kept.
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&gone.token)).await;
    assert_eq!(v["targets"].as_array().unwrap().len(), 0);
    assert_eq!(
        deliveries(&t, &gone, "").await[0]["last_code"],
        "unregistered"
    );
    // 429 with Retry-After: 120 s honoured (longer than the 60 s first backoff).
    let d = &deliveries(&t, &flaky, "").await[0];
    assert_eq!(d["last_code"], "http_429");
    let wait = d["next_attempt_ms"].as_i64().unwrap() - t.state.clock.now_ms();
    assert!((115_000..=120_000).contains(&wait), "{wait}");
    t.state.clock.advance(wait + 1_000);
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.sent, 1);
    assert_eq!(server.sent.lock().unwrap().len(), 2);
    // The access token was cached across sends.
    assert_eq!(*server.token_requests.lock().unwrap(), 1);
}

// ---------------------------------------------------------------- APNs over HTTP/2

/// Protocol version, headers, body and device token of one APNs request.
type Seen = (Version, HeaderMap, Value, String);

#[derive(Clone)]
struct ApnsServer {
    public: Arc<Vec<u8>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn apns_send(
    State(s): State<ApnsServer>,
    Path(token): Path<String>,
    version: Version,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    let bearer = headers["authorization"]
        .to_str()
        .unwrap()
        .strip_prefix("bearer ")
        .unwrap()
        .to_owned();
    let (header, claims) = verify_jwt(
        &bearer,
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        &s.public,
    );
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("ES256"), Some("KEY123"))
    );
    assert_eq!(claims["iss"], "TEAM456");
    s.seen
        .lock()
        .unwrap()
        .push((version, headers, body, token.clone()));
    if token.starts_with("dead") {
        return (
            StatusCode::GONE,
            axum::Json(json!({"reason": "Unregistered", "timestamp": 0})),
        )
            .into_response();
    }
    ([("apns-id", "00000000-0000-0000-0000-000000000001")], "").into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apns_over_real_http2() {
    let (key_pem, public) = es256_pem();
    let server = ApnsServer {
        public: Arc::new(public),
        seen: Arc::default(),
    };
    let (port, ca_pem) = serve_tls_h2(
        Router::new()
            .route("/3/device/{token}", post(apns_send))
            .with_state(server.clone()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("AuthKey.p8");
    std::fs::write(&key_file, key_pem).unwrap();
    let ca_file = dir.path().join("test-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let mut config = test_config();
    config.notify.apns_key_file = Some(key_file);
    config.notify.apns_key_id = "KEY123".into();
    config.notify.apns_team_id = "TEAM456".into();
    config.notify.apns_base_url = format!("https://127.0.0.1:{port}");
    config.notify.apns_ca_file = Some(ca_file);
    let t = app_with(Db::Sqlite, config).await;
    let ok = new_doctor(&t, 1).await;
    let dead = new_doctor(&t, 2).await;
    put(
        &t,
        "/v1/me/push-targets",
        &ok.token,
        &json!({"kind": "apns", "token": "ab".repeat(32)}),
    )
    .await;
    put(&t, "/v1/me/push-targets", &dead.token, &json!({"kind": "apns", "token": format!("dead{}", "0".repeat(60)), "topic": "fr.rempla.autre"})).await;
    enqueue(&t, notice(&ok.account_id, "a")).await;
    enqueue(
        &t,
        Notice {
            urgent: true,
            ..notice(&dead.account_id, "b")
        },
    )
    .await;
    deliver_due(&t.state).await.unwrap();
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (version, headers, body, token) in &seen {
        assert_eq!(*version, Version::HTTP_2, "APNs speaks HTTP/2 only");
        assert_eq!(headers["apns-push-type"], "alert");
        assert_eq!(body["aps"]["alert"]["title"], "Nouvelle proposition");
        if token.starts_with("dead") {
            assert_eq!(headers["apns-topic"], "fr.rempla.autre");
            assert_eq!(headers["apns-priority"], "10");
        } else {
            assert_eq!(headers["apns-topic"], "fr.rempla.app");
            assert_eq!(headers["apns-priority"], "5");
        }
    }
    assert_eq!(
        deliveries(&t, &ok, "?state=sent")
            .await
            .iter()
            .filter(|d| d["channel"] == "apns")
            .count(),
        1
    );
    let failed = deliveries(&t, &dead, "?state=failed").await;
    assert_eq!(
        failed
            .iter()
            .filter(|d| d["channel"] == "apns" && d["last_code"] == "unregistered")
            .count(),
        1
    );
    let (_, v) = get(&t.router, "/v1/me/push-targets", Some(&dead.token)).await;
    assert_eq!(v["targets"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_over_real_smtp() {
    let (port, inbox) = smtp_server();
    let db = common::open_db(Db::Sqlite).await;
    let config = rempla_server::Config {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..test_config()
    };
    let mailer = rempla_server::make_mailer(&config).unwrap();
    let state = rempla_server::AppState::new(
        config,
        db.storage.clone(),
        mailer,
        rempla_server::auth::terms::Terms::new("2026-11-01", "CGU de test"),
    );
    rempla_server::ops::add_staff(
        &state.storage,
        &state.config,
        "equipe@rempla.fr",
        "Équipe",
        PASSWORD,
    )
    .await
    .unwrap();
    let accounts = state
        .storage
        .account_by_email("equipe@rempla.fr")
        .await
        .unwrap()
        .unwrap();
    state
        .storage
        .enqueue_notice(
            Notice {
                title: "Document expirant".into(),
                body: "Votre attestation RCP expire dans 30 jours.".into(),
                kind: "document_expiring".into(),
                ..notice(&accounts.id, "mail-1")
            },
            state.clock.now_ms(),
        )
        .await
        .unwrap();
    let run = deliver_due(&state).await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    let messages = inbox.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let raw = messages[0].replace("=\r\n", "");
    assert!(raw.contains("To: equipe@rempla.fr"), "{raw}");
    assert!(raw.contains("Subject: Rempla : Document expirant"), "{raw}");
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("text/html"));
}

// ---------------------------------------------------------------- SMS

#[derive(Clone, Default)]
struct SmsGatewayServer {
    received: Arc<Mutex<Vec<Value>>>,
}

async fn sms_messages(
    State(s): State<SmsGatewayServer>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    if headers["authorization"] != "Bearer sms-secret" {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    s.received.lock().unwrap().push(body);
    (StatusCode::ACCEPTED, axum::Json(json!({"id": "msg-1"}))).into_response()
}

async fn sms_credits_segments_and_alerts(db: Db) {
    let gateway = SmsGatewayServer::default();
    let port = serve(
        Router::new()
            .route("/messages", post(sms_messages))
            .with_state(gateway.clone()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("sms.key");
    std::fs::write(&key_file, "sms-secret\n").unwrap();
    let mut config = test_config();
    config.notify.sms_gateway_url = Some(format!("http://127.0.0.1:{port}"));
    config.notify.sms_api_key_file = Some(key_file);
    config.notify.sms_low_credit_threshold = 2;
    let t = app_with(db, config).await;
    let doc = new_doctor(&t, 1).await;
    let admin = new_facility(&t, 1).await;
    let other_admin = new_facility(&t, 2).await;
    let staff = new_staff(&t).await;
    let facility = admin.facility_id.clone().unwrap();
    let (s, v) = put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"channels": {"email": false, "sms": true}, "sms_phone": "+33612345678"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Top-ups: staff only, positive, known facility.
    let path = format!("/v1/staff/facilities/{facility}/sms-credits");
    let (s, _) = post_json(&t.router, &path, Some(&admin.token), &json!({"amount": 10})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for amount in [0, -5, 2_000_000] {
        let (s, v) = post_json(
            &t.router,
            &path,
            Some(&staff.token),
            &json!({"amount": amount}),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation"))
        );
    }
    let (s, _) = post_json(
        &t.router,
        &format!("/v1/staff/facilities/{}/sms-credits", uuid::Uuid::now_v7()),
        Some(&staff.token),
        &json!({"amount": 3}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = post_json(&t.router, &path, Some(&staff.token), &json!({"amount": 3})).await;
    assert_eq!((s, v["balance"].as_i64()), (StatusCode::OK, Some(3)));

    // A 200-letter text on behalf of the facility: GSM-7, two parts, two credits.
    let long = Notice {
        body: "a".repeat(200),
        payload: json!({"facility_id": facility}),
        ..notice(&doc.account_id, "sms-1")
    };
    enqueue(&t, long.clone()).await;
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.sent, 1, "{run:?}");
    let sms = gateway.received.lock().unwrap()[0].clone();
    assert_eq!(sms["to"], "+33612345678");
    assert_eq!(sms["sender"], "CH 1");
    assert!(
        sms["text"]
            .as_str()
            .unwrap()
            .starts_with("CH 1 : Nouvelle proposition."),
        "{sms}"
    );
    assert_eq!(
        (sms["encoding"].as_str(), sms["segments"].as_i64()),
        (Some("gsm7"), Some(2))
    );
    let (s, credits) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/sms-credits"),
        Some(&admin.token),
    )
    .await;
    assert_eq!((s, credits["balance"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(credits["moves"][0]["delta"], -2);
    // Another facility sees nothing of it; a doctor neither.
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/sms-credits"),
        Some(&other_admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/sms-credits"),
        Some(&doc.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Balance at the threshold: the facility's administrator is alerted (in the inbox) once.
    deliver_due(&t.state).await.unwrap();
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&admin.token)).await;
    let alerts: Vec<&Value> = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "sms_credits_low")
        .collect();
    assert_eq!(alerts.len(), 1, "{inbox}");
    assert!(
        alerts[0]["body"]
            .as_str()
            .unwrap()
            .contains("Il reste 1 crédits SMS")
    );

    // Not enough credits left: refused, kept as failed with a clear code, nothing sent or debited.
    enqueue(
        &t,
        Notice {
            dedupe_key: "sms-2".into(),
            ..long
        },
    )
    .await;
    let run = deliver_due(&t.state).await.unwrap();
    assert_eq!(run.failed, 1);
    assert_eq!(gateway.received.lock().unwrap().len(), 1);
    let failed = deliveries(&t, &doc, "?state=failed").await;
    assert_eq!(failed[0]["last_code"], "sms_credits_exhausted");
    let (_, credits) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/sms-credits"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(credits["balance"], 1);
    // A short UCS-2 text (œ) not tied to a facility goes under the platform's name, free for facilities.
    enqueue(
        &t,
        Notice {
            body: "Cœur".into(),
            ..notice(&doc.account_id, "sms-3")
        },
    )
    .await;
    deliver_due(&t.state).await.unwrap();
    let sms = gateway.received.lock().unwrap()[1].clone();
    assert_eq!(
        (
            sms["sender"].as_str(),
            sms["encoding"].as_str(),
            sms["segments"].as_i64()
        ),
        (Some("Rempla"), Some("ucs2"), Some(1))
    );
    let (_, credits) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/sms-credits"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(credits["balance"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfigured_channel_is_a_visible_failure() {
    let t = app_with(Db::Sqlite, test_config()).await;
    let doc = new_doctor(&t, 1).await;
    put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"channels": {"email": false}}),
    )
    .await;
    put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "fcm", "token": "a".repeat(30)}),
    )
    .await;
    enqueue(&t, notice(&doc.account_id, "x")).await;
    deliver_due(&t.state).await.unwrap();
    let d = deliveries(&t, &doc, "?state=failed").await;
    assert_eq!(d[0]["last_code"], "channel_unconfigured");
}

// ---------------------------------------------------------------- the inbox in the sync feed

fn op(
    user: &User,
    entity: rempla_core::sync::EntityKind,
    id: uuid::Uuid,
    fields: &Value,
) -> rempla_core::sync::OutboxOp {
    rempla_core::sync::OutboxOp {
        op_id: rempla_core::domain::OpId::new(),
        entity,
        entity_id: id,
        kind: rempla_core::sync::OpKind::Upsert,
        fields: fields.as_object().cloned().unwrap(),
        hlc: rempla_core::sync::Hlc::new(rempla_core::sync::hlc::system_time_ms(), 0, user.device),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_mark_read_but_never_write_inbox_records() {
    use rempla_core::sync::EntityKind;
    let t = app_with(Db::Sqlite, test_config()).await;
    let doc = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    enqueue(&t, notice(&doc.account_id, "n")).await;
    deliver_due(&t.state).await.unwrap();
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&doc.token)).await;
    let id: uuid::Uuid = inbox["notifications"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let push = |user: &User, o| {
        let body = json!({"protocol": 1, "device_id": user.device, "ops": [o]});
        let token = user.token.clone();
        let router = t.router.clone();
        async move { post_json(&router, "/v1/sync/push", Some(&token), &body).await }
    };
    // Forging the inbox record: refused, unchanged.
    let (s, v) = push(
        &doc,
        op(
            &doc,
            EntityKind::Notification,
            id,
            &json!({"title": "Faux"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["results"][0]["code"], "forbidden", "{v}");
    // Marking it read is the device's job; the inbox page shows the mark.
    let (_, v) = push(
        &doc,
        op(
            &doc,
            EntityKind::NotificationRead,
            id,
            &json!({"read_at": "2026-11-23T08:00:00Z"}),
        ),
    )
    .await;
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&doc.token)).await;
    assert_eq!(inbox["notifications"][0]["title"], "Nouvelle proposition");
    assert_eq!(inbox["notifications"][0]["read_at"], "2026-11-23T08:00:00Z");
    assert_eq!(inbox["unread"], 0);
    // Someone else's inbox stays empty, and paging works with the cursor.
    let (_, theirs) = get(&t.router, "/v1/notifications", Some(&other.token)).await;
    assert_eq!(theirs["notifications"].as_array().unwrap().len(), 0);
    for i in 0..3 {
        enqueue(&t, notice(&doc.account_id, &format!("p{i}"))).await;
    }
    deliver_due(&t.state).await.unwrap();
    let (_, page) = get(&t.router, "/v1/notifications?limit=3", Some(&doc.token)).await;
    assert_eq!(page["notifications"].as_array().unwrap().len(), 3);
    assert_eq!(page["unread"], 3);
    let cursor = page["next_before"].as_i64().unwrap();
    let (_, rest) = get(
        &t.router,
        &format!("/v1/notifications?limit=3&before={cursor}"),
        Some(&doc.token),
    )
    .await;
    assert_eq!(rest["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(rest["notifications"][0]["id"], id.to_string());
    assert_eq!(rest["next_before"], Value::Null);
}

// ---------------------------------------------------------------- privacy hooks

async fn export_delete_and_purge(db: Db) {
    let t = app_with(db, test_config()).await;
    let doc = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "fcm", "token": "a".repeat(30)}),
    )
    .await;
    put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"sms_phone": "+33612345678"}),
    )
    .await;
    enqueue(&t, notice(&doc.account_id, "d1")).await;
    enqueue(&t, notice(&other.account_id, "o1")).await;
    deliver_due(&t.state).await.unwrap();
    let data = t
        .state
        .storage
        .notification_data(&doc.account_id)
        .await
        .unwrap();
    assert_eq!(data["preferences"]["sms_phone"], "+33612345678");
    assert_eq!(data["push_targets"].as_array().unwrap().len(), 1);
    assert_eq!(data["notifications"].as_array().unwrap().len(), 1);
    assert!(data["deliveries"].as_array().unwrap().len() >= 2, "{data}");
    assert!(!data.to_string().contains(&other.account_id));
    // Retention: finished deliveries older than the limit go, pending ones and newer ones stay.
    let now = t.state.clock.now_ms();
    assert_eq!(
        t.state
            .storage
            .purge_notifications(now - 1_000)
            .await
            .unwrap(),
        0
    );
    let purged = t
        .state
        .storage
        .purge_notifications(now + 1_000)
        .await
        .unwrap();
    assert!(purged >= 3, "{purged}");
    // Deletion removes this account's data only.
    t.state
        .storage
        .delete_notification_data(&doc.account_id)
        .await
        .unwrap();
    let data = t
        .state
        .storage
        .notification_data(&doc.account_id)
        .await
        .unwrap();
    assert_eq!(data["push_targets"].as_array().unwrap().len(), 0);
    assert_eq!(data["preferences"]["sms_phone"], Value::Null);
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&doc.token)).await;
    assert_eq!(inbox["notifications"].as_array().unwrap().len(), 0);
    let (_, inbox) = get(&t.router, "/v1/notifications", Some(&other.token)).await;
    assert_eq!(inbox["notifications"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_instances_send_each_delivery_once() {
    let (t, service, port, _, _dir) = webpush_app(Db::Postgres, 6).await;
    let second = rempla_server::AppState::new(
        (*t.state.config).clone(),
        common::second_instance(Db::Postgres, &t.db.location).await,
        Arc::new(common::MemoryMailer::default()),
        rempla_server::auth::terms::Terms::new("2026-11-01", "CGU de test"),
    );
    let doc = new_doctor(&t, 1).await;
    let sub = subscriber();
    put(&t, "/v1/me/push-targets", &doc.token, &json!({"kind": "webpush",
        "endpoint": format!("http://127.0.0.1:{port}/push/ok"), "p256dh": b64url(&sub.public), "auth": b64url(&sub.auth)})).await;
    put(
        &t,
        "/v1/me/notification-preferences",
        &doc.token,
        &json!({"channels": {"email": false}}),
    )
    .await;
    for i in 0..20 {
        enqueue(&t, notice(&doc.account_id, &format!("n{i}"))).await;
    }
    let (a, b) = tokio::join!(deliver_due(&t.state), deliver_due(&second));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.notices + b.notices, 20, "{a:?} {b:?}");
    deliver_due(&second).await.unwrap();
    deliver_due(&t.state).await.unwrap();
    let received = service.received.lock().unwrap().len();
    assert_eq!(received, 20);
    assert_eq!(
        deliveries(&t, &doc, "?state=sent&limit=500").await.len(),
        20
    );
}

backend_tests!(
    webpush_delivered_encrypted_and_signed,
    retries_back_off_then_fail_visibly,
    preferences_quiet_hours_and_dedupe,
    sms_credits_segments_and_alerts,
    export_delete_and_purge,
);
