//! HTTP tests of live events through the axum router: changes streamed in scope only, and two instances
//! on one PostgreSQL database forwarding them to each other's clients.

// Cases are generic functions called by the #[test]s below (so clippy does not see them as tests): a
// panic in them is a test failure, which the test-only unwrap allowance intends. Short names (a, b, s,
// t, v) keep the many small assertions readable.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::users::*;
use common::{Db, app, post, test_config};
use serde_json::json;
use uuid::Uuid;

// ---------------------------------------------------------------- live events

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_changes_in_scope_only() {
    let t = app(Db::Sqlite).await;
    let a = new_doctor(&t, 1).await;
    let b = new_doctor(&t, 2).await;
    let open = |user: &User| {
        let router = t.router.clone();
        let token = user.token.clone();
        async move {
            let req = axum::http::Request::builder()
                .uri("/v1/events")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()["content-type"], "text/event-stream");
            res.into_body().into_data_stream()
        }
    };
    let mut stream_a = open(&a).await;
    let mut stream_b = open(&b).await;
    let slot_a = Uuid::now_v7();
    let slot_b = Uuid::now_v7();
    push_codes(
        &t,
        &a,
        &[availability_op(
            &a,
            slot_a,
            a.doctor_id.as_ref().unwrap(),
            0,
        )],
    )
    .await;
    push_codes(
        &t,
        &b,
        &[availability_op(
            &b,
            slot_b,
            b.doctor_id.as_ref().unwrap(),
            0,
        )],
    )
    .await;
    let first_a = next_change(&mut stream_a).await.expect("event for A");
    assert!(first_a.starts_with("event: change\ndata: "), "{first_a}");
    assert!(first_a.contains(&slot_a.to_string()));
    // B's first event is B's own change: A's never reached B.
    let first_b = next_change(&mut stream_b).await.expect("event for B");
    assert!(first_b.contains(&slot_b.to_string()), "{first_b}");
    assert!(!first_b.contains(&slot_a.to_string()));
}

async fn next_change<S>(s: &mut S) -> Result<String, tokio::time::error::Elapsed>
where
    S: tokio_stream::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin,
{
    next_change_within(s, 10).await
}

async fn next_change_within<S>(s: &mut S, secs: u64) -> Result<String, tokio::time::error::Elapsed>
where
    S: tokio_stream::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin,
{
    use tokio_stream::StreamExt;
    tokio::time::timeout(std::time::Duration::from_secs(secs), async {
        let mut text = String::new();
        while !text.contains("\n\n") {
            let chunk = s.next().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text
    })
    .await
}

/// Two instances on one PostgreSQL database: a change pushed through one reaches an SSE client of the
/// other (LISTEN/NOTIFY), and a pull through either sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_forward_live_events() {
    let a = app(Db::Postgres).await;
    let storage_b = common::second_instance(Db::Postgres, &a.db.location).await;
    let state_b = rempla_server::AppState::new(
        test_config(),
        storage_b,
        Arc::new(common::MemoryMailer::default()),
        rempla_server::auth::terms::Terms::new("2026-11-01", "CGU de test"),
    );
    let router_b = rempla_server::router(state_b);
    let doctor = new_doctor(&a, 1).await;
    let req = axum::http::Request::builder()
        .uri("/v1/events")
        .header("authorization", format!("Bearer {}", doctor.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(router_b.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body().into_data_stream();
    // Instance B's listener subscribes asynchronously: push until one change comes through (the first
    // normally does); every pushed change must then be pullable through B.
    let mut pushed = Vec::new();
    let mut received = None;
    for attempt in 0..5u32 {
        let slot = Uuid::now_v7();
        pushed.push(slot.to_string());
        let op = availability_op(&doctor, slot, doctor.doctor_id.as_ref().unwrap(), attempt);
        assert_eq!(push_codes(&a, &doctor, &[op]).await, ["applied"]);
        if let Ok(event) = next_change_within(&mut stream, 2).await {
            received = Some(event);
            break;
        }
    }
    let event = received.expect("event forwarded by the other instance");
    assert!(
        pushed.iter().any(|id| event.contains(id.as_str())),
        "{event}"
    );
    let slot = &pushed[0];
    let (s, v) = post(
        &router_b,
        "/v1/sync/pull",
        Some(&doctor.token),
        &json!({"protocol": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["changes"][0]["entity_id"], slot.as_str());
    assert_eq!(v["changes"].as_array().unwrap().len(), pushed.len());
}
