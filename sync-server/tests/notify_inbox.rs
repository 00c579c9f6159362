//! What decides and keeps notifications: preferences, quiet hours and dedupe; the inbox in the sync feed
//! (devices mark read but never write inbox records); and the privacy hooks (export, deletion, purge).
//! Storage behaviour runs on SQLite and PostgreSQL alike.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::notify::{deliveries, enqueue, notice};
use common::users::{User, new_doctor, put};
use common::{Db, app_with, backend_tests, get, post as post_json, test_config};
use rempla_server::notify::{Notice, deliver_due};
use serde_json::{Value, json};

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

backend_tests!(preferences_quiet_hours_and_dedupe, export_delete_and_purge);
