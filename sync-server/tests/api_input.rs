//! HTTP tests of hostile input through the axum router: refused with its code and nothing stored, and
//! replayed ops answered with the same outcome and no double effect.

// Cases are generic functions called by the #[test]s below (so clippy does not see them as tests): a
// panic in them is a test failure, which the test-only unwrap allowance intends. Short names (a, b, s,
// t, v) keep the many small assertions readable.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod common;

use axum::http::StatusCode;
use common::users::*;
use common::{Db, PASSWORD, app, call, get, post};
use rempla_core::domain::OpId;
use rempla_core::sync::protocol::MAX_BODY_BYTES;
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------- hostile input

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_is_refused_and_nothing_is_stored() {
    let t = app(Db::Sqlite).await;
    let a = new_doctor(&t, 1).await;
    let b = new_doctor(&t, 2).await;
    let a_id = a.doctor_id.clone().unwrap();
    let b_id = b.doctor_id.clone().unwrap();
    let b_slot = Uuid::now_v7();
    assert_eq!(
        push_codes(&t, &b, &[availability_op(&b, b_slot, &b_id, 0)]).await,
        ["applied"]
    );
    let baseline = t.state.storage.counts().await.unwrap();
    let b_before = pull_all(&t, &b.token).await;

    let raw = |body: Vec<u8>| {
        let router = t.router.clone();
        let token = a.token.clone();
        async move { call(&router, "POST", "/v1/sync/push", Some(&token), Some(body)).await }
    };
    let good = serde_json::to_vec(&json!({"protocol": 1, "device_id": a.device,
        "ops": [availability_op(&a, Uuid::now_v7(), &a_id, 0)]}))
    .unwrap();
    // Malformed and truncated JSON.
    for body in [
        b"{".to_vec(),
        b"null".to_vec(),
        b"\xff\xfe".to_vec(),
        good[..good.len() / 2].to_vec(),
        b"{\"protocol\":1}".to_vec(),
    ] {
        let (s, v) = raw(body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("malformed_json")),
            "{v}"
        );
    }
    // Unknown entity kinds and fields in the envelope.
    let mut odd: Value = serde_json::from_slice(&good).unwrap();
    // (`mission` and `proposal` are known kinds now, refused per op as server-owned: tests/workflow_*.rs.)
    odd["ops"][0]["entity"] = json!("spaceship");
    let (s, v) = raw(serde_json::to_vec(&odd).unwrap()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let mut extra: Value = serde_json::from_slice(&good).unwrap();
    extra["admin"] = json!(true);
    let (s, _) = raw(serde_json::to_vec(&extra).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Oversized bodies, on push and on an account endpoint.
    let mut big = b"{\"protocol\":1,\"pad\":\"".to_vec();
    big.resize(MAX_BODY_BYTES + 10, b'a');
    let (s, v) = raw(big.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );
    let (s, v) = call(&t.router, "POST", "/v1/auth/login", None, Some(big)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );
    // Unknown protocol versions.
    for version in [0, 2, 65_535, 1_000_000] {
        let (s, v) = raw(serde_json::to_vec(
            &json!({"protocol": version, "device_id": a.device, "ops": []}),
        )
        .unwrap())
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unsupported_protocol"))
        );
    }
    let (s, v) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&a.token),
        &json!({"protocol": 7}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_protocol"))
    );
    // Too many ops in a batch.
    let many: Vec<OutboxOp> = (0..501)
        .map(|i| availability_op(&a, Uuid::now_v7(), &a_id, i))
        .collect();
    let (s, v) = push(&t, &a, &many).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("batch_too_large"))
    );
    // Another device's id in the envelope.
    let (s, v) = post(
        &t.router,
        "/v1/sync/push",
        Some(&a.token),
        &json!({"protocol": 1, "device_id": b.device, "ops": []}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // Forged ops: other users' entity ids and doctor ids, another device's clock, a far-future clock,
    // a status the server owns, a bad cursor.
    let mut foreign = availability_op(&a, b_slot, &a_id, 1);
    foreign.fields.remove("doctor_id");
    let other_owner = availability_op(&a, Uuid::now_v7(), &b_id, 2);
    let mut other_clock = availability_op(&a, Uuid::now_v7(), &a_id, 3);
    other_clock.hlc = Hlc::new(now_ms(), 3, b.device);
    let mut future = availability_op(&a, Uuid::now_v7(), &a_id, 4);
    future.hlc = Hlc::new(now_ms() + 3_600_000, 0, a.device);
    let mut booked = availability_op(&a, Uuid::now_v7(), &a_id, 5);
    booked.fields.insert("status".into(), json!("booked"));
    let delete_foreign = OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Availability,
        entity_id: b_slot,
        kind: OpKind::Delete,
        fields: serde_json::Map::new(),
        hlc: Hlc::new(now_ms(), 6, a.device),
    };
    let busy_for_b = {
        let mut o = busy_op(&a, Uuid::now_v7());
        o.fields.insert("doctor_id".into(), json!(b_id));
        o
    };
    let codes = push_codes(
        &t,
        &a,
        &[
            foreign,
            other_owner,
            other_clock,
            future,
            booked,
            delete_foreign,
            busy_for_b,
        ],
    )
    .await;
    assert_eq!(
        codes,
        [
            "forbidden",
            "forbidden",
            "forbidden",
            "clock_drift",
            "forbidden_field",
            "forbidden",
            "forbidden"
        ]
    );
    let (s, v) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&a.token),
        &json!({"protocol": 1, "cursor": "../../etc"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    // Bad sign-ups.
    for body in [
        json!({"email": "pas-un-email", "password": PASSWORD, "rpps": common::rpps(5), "first_name": "A", "last_name": "B", "specialties": ["urgences"]}),
        json!({"email": "x@example.fr", "password": "court", "rpps": common::rpps(5), "first_name": "A", "last_name": "B", "specialties": ["urgences"]}),
        json!({"email": "x@example.fr", "password": PASSWORD, "rpps": "10000001917", "first_name": "A", "last_name": "B", "specialties": ["urgences"]}),
        json!({"email": "x@example.fr", "password": PASSWORD, "rpps": common::rpps(5), "first_name": " ", "last_name": "B", "specialties": ["urgences"]}),
        json!({"email": "x@example.fr", "password": PASSWORD, "rpps": common::rpps(5), "first_name": "A", "last_name": "B", "specialties": ["astrologie"]}),
    ] {
        let (s, v) = post(&t.router, "/v1/accounts/doctors", None, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation")),
            "{body}"
        );
    }
    let (s, v) = call(
        &t.router,
        "POST",
        "/v1/auth/login",
        None,
        Some(b"email=a&password=b".to_vec()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    // Unknown routes and methods answer JSON too.
    let (s, v) = get(&t.router, "/v1/admin", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, v) = call(&t.router, "DELETE", "/v1/sync/push", None, None).await;
    assert!(s.is_client_error());
    assert_eq!(v["code"], "not_found");

    // Nothing stored: records unchanged, only the outcomes of the rejected ops recorded, B unchanged.
    let after = t.state.storage.counts().await.unwrap();
    assert_eq!(after.records, baseline.records);
    assert_eq!(after.accounts, baseline.accounts);
    assert_eq!(after.ops, baseline.ops + 7);
    assert_eq!(pull_all(&t, &b.token).await, b_before);
    assert!(ids_of(&pull_all(&t, &a.token).await, "availability").is_empty());
}

#[tokio::test]
async fn replayed_ops_get_the_same_outcome_and_no_double_effect() {
    let t = app(Db::Sqlite).await;
    let a = new_doctor(&t, 1).await;
    let a_id = a.doctor_id.clone().unwrap();
    let slot = Uuid::now_v7();
    let create = availability_op(&a, slot, &a_id, 0);
    let mut future = availability_op(&a, Uuid::now_v7(), &a_id, 1);
    future.hlc = Hlc::new(now_ms() + 3_600_000, 0, a.device);
    let (_, first) = push(&t, &a, &[create.clone(), future.clone()]).await;
    let counts = t.state.storage.counts().await.unwrap();
    let (_, cursor_page) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&a.token),
        &json!({"protocol": 1}),
    )
    .await;
    // The device never got the answer and sends the same batch again, twice.
    for _ in 0..2 {
        let (s, again) = push(&t, &a, &[create.clone(), future.clone()]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["results"], first["results"]);
    }
    assert_eq!(t.state.storage.counts().await.unwrap(), counts);
    let (_, v) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&a.token),
        &json!({"protocol": 1, "cursor": cursor_page["cursor"]}),
    )
    .await;
    assert_eq!(v["changes"], json!([]), "a replay makes no new change");
    assert_eq!(first["results"][0]["status"], "applied");
    assert_eq!(first["results"][1]["code"], "clock_drift");
    // The server clock moved past the op clocks it accepted.
    let server: Hlc = serde_json::from_value(first["server_hlc"].clone()).unwrap();
    assert!(server > create.hlc);
}
