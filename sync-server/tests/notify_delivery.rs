//! How deliveries run whatever the channel: retries with backoff then a visible failure, each delivery
//! sent once by concurrent runs (and by two PostgreSQL instances), and an unconfigured channel failing
//! visibly. Storage behaviour runs on SQLite and PostgreSQL alike.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::notify::{deliveries, enqueue, notice, subscriber, webpush_app};
use common::users::{new_doctor, new_staff, put};
use common::{Db, app_with, backend_tests, get, post as post_json, test_config};
use rempla_server::notify::crypto::b64url;
use rempla_server::notify::deliver_due;
use serde_json::json;

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

backend_tests!(retries_back_off_then_fail_visibly);
