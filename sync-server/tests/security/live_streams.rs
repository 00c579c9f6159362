//! Finding 4: a revoked token kept receiving `/v1/events` (after logout, password reset, closure,
//! member removal, suspension). Finding 17 (streams part): streams per account were uncapped.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use serde_json::json;
use tokio_stream::StreamExt as _;

use crate::common::users::{
    User, delete, invite, new_doctor, new_facility, new_staff, verify_through_queue,
};
use crate::common::{Db, TestApp, app_with, backend_tests, post, test_config};

async fn quick_recheck(db: Db) -> TestApp {
    let mut config = test_config();
    config.live_recheck_ms = 100;
    config.max_streams_per_account = 2;
    app_with(db, config).await
}

type Events =
    std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<Bytes, axum::Error>> + Send>>;

async fn open(t: &TestApp, user: &User) -> Result<Events, StatusCode> {
    let req = Request::builder()
        .uri("/v1/events")
        .header("authorization", format!("Bearer {}", user.token))
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(t.router.clone(), req)
        .await
        .unwrap();
    if res.status() != StatusCode::OK {
        return Err(res.status());
    }
    Ok(Box::pin(res.into_body().into_data_stream()))
}

/// Reads the stream until it ends; the text it carried. Fails the test if it is still open after 5 s.
async fn ends(mut events: Events) -> String {
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut text = String::new();
        while let Some(Ok(chunk)) = events.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text
    });
    read.await.expect("the stream of a dead session ends")
}

async fn finding_04_a_stream_ends_when_its_token_is_revoked(db: Db) {
    let t = quick_recheck(db).await;
    // Logout.
    let d = new_doctor(&t, 1).await;
    let events = open(&t, &d).await.unwrap();
    let (s, _) = post(&t.router, "/v1/auth/logout", Some(&d.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let text = ends(events).await;
    assert!(
        text.contains("event: end") && text.contains("token_revoked"),
        "{text}"
    );

    // Account closure.
    let c = new_doctor(&t, 2).await;
    let events = open(&t, &c).await.unwrap();
    let (s, v) = crate::common::call(
        &t.router,
        "DELETE",
        "/v1/me",
        Some(&c.token),
        Some(serde_json::to_vec(&json!({"password": crate::common::PASSWORD})).unwrap()),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    assert!(ends(events).await.contains("event: end"));
}

async fn finding_04_a_stream_ends_when_its_scope_is_withdrawn(db: Db) {
    let t = quick_recheck(db).await;
    let staff = new_staff(&t).await;
    // A suspended doctor.
    let d = new_doctor(&t, 1).await;
    let doctor = d.doctor_id.clone().unwrap();
    verify_through_queue(&t, &staff, &d, 1).await;
    let events = open(&t, &d).await.unwrap();
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/doctors/{doctor}/status"),
        Some(&staff.token),
        &json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ends(events).await.contains("event: end"));

    // A removed facility member.
    let admin = new_facility(&t, 1).await;
    let planner = invite(&t, &admin, "planner", 1).await;
    let events = open(&t, &planner).await.unwrap();
    let facility = admin.facility_id.clone().unwrap();
    let member = crate::common::users::membership_of(&t, &admin, &planner).await;
    let (s, v) = delete(
        &t,
        &format!("/v1/facilities/{facility}/members/{member}"),
        &admin.token,
    )
    .await;
    assert!(s.is_success(), "{v}");
    assert!(ends(events).await.contains("event: end"));
}

backend_tests!(
    finding_04_a_stream_ends_when_its_token_is_revoked,
    finding_04_a_stream_ends_when_its_scope_is_withdrawn,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_17_live_streams_per_account_are_capped() {
    let t = quick_recheck(Db::Sqlite).await;
    let d = new_doctor(&t, 1).await;
    let first = open(&t, &d).await.unwrap();
    let _second = open(&t, &d).await.unwrap();
    assert_eq!(
        open(&t, &d).await.err(),
        Some(StatusCode::TOO_MANY_REQUESTS)
    );
    drop(first);
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(events) = open(&t, &d).await {
            reopened = Some(events);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "a closed stream gives its place back");
}
