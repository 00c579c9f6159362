//! Finding 1: push endpoints were an SSRF (any https host accepted, redirects followed, answer bodies
//! shown back to the account).

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::json;

use crate::common::notify::{
    PushService, deliveries, enqueue, notice, push_endpoint, serve, subscriber, webpush_app,
};
use crate::common::users::{new_doctor, put};
use crate::common::{Db, app_with, backend_tests, test_config};
use rempla_server::notify::crypto::b64url;
use rempla_server::notify::deliver_due;
use rempla_server::notify::queries::PushTarget;

fn webpush(endpoint: &str) -> serde_json::Value {
    let sub = subscriber();
    json!({"kind": "webpush", "endpoint": endpoint, "p256dh": b64url(&sub.public), "auth": b64url(&sub.auth)})
}

async fn finding_01_push_endpoints_on_private_addresses_are_refused_at_registration(db: Db) {
    let t = app_with(db, test_config()).await;
    let doc = new_doctor(&t, 1).await;
    for endpoint in [
        "https://127.0.0.1/push",
        "https://10.0.0.1:6379/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://[fd12::1]/push",
        "https://[::ffff:10.0.0.1]/push",
        "https://localhost/push",
        "https://localhost.:8443/push",
        "https://224.0.0.1/push",
    ] {
        let (s, v) = put(&t, "/v1/me/push-targets", &doc.token, &webpush(endpoint)).await;
        assert_eq!(
            (s, v["code"].as_str(), v["detail"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("validation"),
                Some("blocked_destination")
            ),
            "{endpoint}: {v}"
        );
    }
    let (s, v) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &webpush("https://push.example.com/x"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "a public push service is accepted: {v}");
}

async fn finding_01_a_stored_private_endpoint_is_never_connected_to(db: Db) {
    // A target stored before the guard existed (or under an older policy) is checked again at send
    // time: the local service below must receive nothing, and the failure is final, not retried.
    let service = PushService::default();
    let port = serve(
        Router::new()
            .route("/push/{id}", post(push_endpoint))
            .with_state(service.clone()),
    )
    .await;
    let (t, _, _, _, _dir) = webpush_app(db, 6).await;
    let doc = new_doctor(&t, 1).await;
    let sub = subscriber();
    t.state
        .storage
        .put_push_target(PushTarget {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: doc.account_id.clone(),
            device_id: "old-device".into(),
            kind: "webpush".into(),
            address: format!("https://10.0.0.1:{port}/push/internal"),
            p256dh: Some(b64url(&sub.public)),
            auth: Some(b64url(&sub.auth)),
            topic: None,
            created_ms: 0,
        })
        .await
        .unwrap();
    assert!(enqueue(&t, notice(&doc.account_id, "k-ssrf")).await);
    deliver_due(&t.state).await.unwrap();
    assert!(service.received.lock().unwrap().is_empty());
    let list = deliveries(&t, &doc, "").await;
    let push = list
        .iter()
        .find(|d| d["channel"] == "webpush")
        .expect("a web push delivery");
    assert_eq!(push["state"], "failed", "{push}");
    assert_eq!(push["last_code"], "blocked_destination", "{push}");
    assert_eq!(push["attempts"], 1, "not retried: {push}");
}
backend_tests!(
    finding_01_push_endpoints_on_private_addresses_are_refused_at_registration,
    finding_01_a_stored_private_endpoint_is_never_connected_to,
);

async fn redirect_to_internal(headers: HeaderMap) -> impl IntoResponse {
    let _ = headers;
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, "http://127.0.0.1:9/internal")],
        "",
    )
}

async fn answer_with_secret() -> impl IntoResponse {
    (
        StatusCode::BAD_REQUEST,
        "SECRET-INTERNAL-ANSWER redis_version:7.2.4",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_01_redirects_are_not_followed_and_answer_bodies_never_reach_the_account() {
    let (t, service, port, _, _dir) = webpush_app(Db::Sqlite, 1).await;
    let internal = serve(
        Router::new()
            .route("/internal", post(push_endpoint))
            .with_state(service.clone()),
    )
    .await;
    let odd = serve(
        Router::new()
            .route("/redirect", post(redirect_to_internal))
            .route("/secret", post(answer_with_secret)),
    )
    .await;
    let doc = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    let (s, _) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &webpush(&format!("http://127.0.0.1:{odd}/redirect")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = put(
        &t,
        "/v1/me/push-targets",
        &other.token,
        &webpush(&format!("http://127.0.0.1:{odd}/secret")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(enqueue(&t, notice(&doc.account_id, "k-redirect")).await);
    assert!(enqueue(&t, notice(&other.account_id, "k-secret")).await);
    deliver_due(&t.state).await.unwrap();
    let _ = (port, internal);
    assert!(
        service.received.lock().unwrap().is_empty(),
        "the redirect target got nothing"
    );

    let redirected = deliveries(&t, &doc, "").await;
    let push = redirected
        .iter()
        .find(|d| d["channel"] == "webpush")
        .unwrap();
    assert_eq!(
        (push["state"].as_str(), push["last_code"].as_str()),
        (Some("failed"), Some("http_307")),
        "{push}"
    );
    let secret = deliveries(&t, &other, "").await;
    let push = secret.iter().find(|d| d["channel"] == "webpush").unwrap();
    assert_eq!(push["last_code"], "http_400");
    let shown = serde_json::to_string(&secret).unwrap();
    assert!(
        !shown.contains("SECRET-INTERNAL-ANSWER") && !shown.contains("redis"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_01_an_account_holds_a_bounded_number_of_push_targets() {
    let mut config = test_config();
    config.notify.max_push_targets = 3;
    let t = app_with(Db::Sqlite, config).await;
    let doc = new_doctor(&t, 1).await;
    for n in 0..3 {
        let (s, v) = put(
            &t,
            "/v1/me/push-targets",
            &doc.token,
            &webpush(&format!("https://push.example.com/{n}")),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // The same device replaces its own web push target; other devices' targets pile up.
        t.state
            .storage
            .put_push_target(PushTarget {
                id: uuid::Uuid::now_v7().to_string(),
                account_id: doc.account_id.clone(),
                device_id: format!("device-{n}"),
                kind: "fcm".into(),
                address: format!("{}{n}", "a".repeat(30)),
                p256dh: None,
                auth: None,
                topic: None,
                created_ms: 0,
            })
            .await
            .unwrap();
    }
    let (s, v) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &json!({"kind": "apns", "token": "ab".repeat(32)}),
    )
    .await;
    assert_eq!(
        (s, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_many_push_targets")),
        "{v}"
    );
    // Replacing this device's own web push target is still allowed.
    let (s, v) = put(
        &t,
        "/v1/me/push-targets",
        &doc.token,
        &webpush("https://push.example.com/renewed"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
