//! Helpers of the API suites (`api_*.rs`): links read from raw mail and the next change of a live-events
//! stream.

// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use super::users::*;
use super::{Db, PASSWORD, TestApp, app, post};
use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

// ---------------------------------------------------------------- authorization matrix

pub struct World {
    pub t: TestApp,
    pub doc_a: User,
    pub doc_b: User,
    pub admin_a: User,
    pub planner_a: User,
    pub viewer_a: User,
    pub admin_b: User,
    pub staff: User,
    pub revoked: User,
    pub expired_token: String,
    pub site_a: String,
    pub site_b: String,
    pub avail_a: String,
    pub busy_a: String,
    pub avail_b: String,
    pub request_a: String,
    pub request_b: String,
}

pub async fn world() -> World {
    let t = app(Db::Sqlite).await;
    let doc_a = new_doctor(&t, 1).await;
    let doc_b = new_doctor(&t, 2).await;
    let admin_a = new_facility(&t, 1).await;
    let admin_b = new_facility(&t, 2).await;
    let planner_a = invite(&t, &admin_a, "planner", 1).await;
    let viewer_a = invite(&t, &admin_a, "viewer", 1).await;
    let staff = new_staff(&t).await;
    // A registration cannot be decided outside the verification queue.
    let (s, v) = post(
        &t.router,
        &format!(
            "/v1/staff/doctors/{}/status",
            doc_a.doctor_id.as_ref().unwrap()
        ),
        Some(&staff.token),
        &json!({"status": "verified"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("use_verification_queue"))
    );
    for (n, d) in [(1, &doc_a), (2, &doc_b)] {
        verify_through_queue(&t, &staff, d, n).await;
    }
    let site_a = add_site(&t, &admin_a).await;
    let site_b = add_site(&t, &admin_b).await;
    let (avail_a, busy_a, avail_b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let a_doc = doc_a.doctor_id.clone().unwrap();
    let b_doc = doc_b.doctor_id.clone().unwrap();
    assert_eq!(
        push_codes(
            &t,
            &doc_a,
            &[
                availability_op(&doc_a, avail_a, &a_doc, 0),
                busy_op(&doc_a, busy_a)
            ]
        )
        .await,
        ["applied", "applied"]
    );
    assert_eq!(
        push_codes(&t, &doc_b, &[availability_op(&doc_b, avail_b, &b_doc, 0)]).await,
        ["applied"]
    );
    let (request_a, request_b) = (Uuid::now_v7(), Uuid::now_v7());
    let fa = admin_a.facility_id.clone().unwrap();
    let fb = admin_b.facility_id.clone().unwrap();
    assert_eq!(
        push_codes(
            &t,
            &planner_a,
            &[request_op(&planner_a, request_a, &fa, &site_a, "open")]
        )
        .await,
        ["applied"]
    );
    assert_eq!(
        push_codes(
            &t,
            &admin_b,
            &[request_op(&admin_b, request_b, &fb, &site_b, "open")]
        )
        .await,
        ["applied"]
    );
    let revoked = {
        let (_, v, device) = login(&t, &doc_a.email, PASSWORD).await;
        let token = v["token"].as_str().unwrap().to_owned();
        post(&t.router, "/v1/auth/logout", Some(&token), &json!({})).await;
        User {
            token,
            device,
            ..doc_a.clone()
        }
    };
    // A token that expires: issued now, the clock then jumps past its lifetime for this user only
    // by moving the stored expiry through a second login on another app clock is not possible, so
    // use a dedicated app clock jump at the end of the matrix instead (see `expired`).
    let (_, v, _) = login(&t, &doc_b.email, PASSWORD).await;
    let expired_token = v["token"].as_str().unwrap().to_owned();
    World {
        t,
        doc_a,
        doc_b,
        admin_a,
        planner_a,
        viewer_a,
        admin_b,
        staff,
        revoked,
        expired_token,
        site_a,
        site_b,
        avail_a: avail_a.to_string(),
        busy_a: busy_a.to_string(),
        avail_b: avail_b.to_string(),
        request_a: request_a.to_string(),
        request_b: request_b.to_string(),
    }
}
