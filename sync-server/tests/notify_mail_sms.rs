//! The message channels: email over a real SMTP exchange, and SMS through a gateway with credits,
//! segments and low-credit alerts. Storage behaviour runs on SQLite and PostgreSQL alike.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use common::notify::{deliveries, enqueue, notice, serve};
use common::smtp::smtp_server;
use common::users::{new_doctor, new_facility, new_staff, put};
use common::{Db, PASSWORD, app_with, backend_tests, get, post as post_json, test_config};
use rempla_server::notify::{Notice, deliver_due};
use serde_json::{Value, json};

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

backend_tests!(sms_credits_segments_and_alerts);
