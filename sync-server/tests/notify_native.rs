//! Native push delivery over the real protocols: FCM HTTP v1 with its OAuth service-account assertion
//! checked by a local token endpoint, and APNs over real HTTP/2 and TLS.

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
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::IntoResponse;
use axum::routing::post;
use common::notify::{deliveries, enqueue, es256_pem, notice, serve, verify_jwt};
use common::users::{new_doctor, put};
use common::{Db, app_with, get, test_config};
use rempla_server::notify::{Notice, deliver_due};
use serde_json::{Value, json};

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
