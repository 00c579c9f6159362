//! Web Push delivery over the real protocol: a local push service that decrypts RFC 8291 bodies and
//! checks the VAPID signature, and the validation of push targets (replaced per device). Storage
//! behaviour runs on SQLite and PostgreSQL alike.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::notify::{deliveries, enqueue, notice, subscriber, verify_jwt, webpush_app};
use common::users::{new_doctor, put};
use common::{Db, app_with, backend_tests, call, get, post as post_json, test_config};
use rempla_server::notify::crypto::{b64url, b64url_decode, webpush_decrypt};
use rempla_server::notify::deliver_due;
use serde_json::{Value, json};

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

backend_tests!(webpush_delivered_encrypted_and_signed);
