//! HTTP tests of applications and tiered alerts on SQLite and PostgreSQL, and the change feed they
//! produce.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::users::{User, invite, new_staff};
use common::workflow::{
    N1, N2, answer, code, config, count, doctor, facility, notices, open_night, propose, request,
    run_jobs, s, set_clock, sql,
};
use common::{Db, app_with, backend_tests, get, post};
use serde_json::json;
use uuid::Uuid;

// ---------------------------------------------------------------- applications and tiers

async fn applications_and_tiered_alerts(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let d3 = doctor(&t, &staff, 3, true).await;
    let pending = doctor(&t, &staff, 4, false).await;
    let (a, site_a) = facility(&t, 1).await;
    let planner = invite(&t, &a, "planner", 1).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    for d in [&d1, &d2] {
        open_night(&t, d, N1.0, N1.1).await;
        open_night(&t, d, N2.0, N2.1).await;
    }
    // d3 opened only the first night and asked to be contacted only when available.
    open_night(&t, &d3, N1.0, N1.1).await;
    let put = |u: &User, on: bool| {
        let (router, token) = (t.router.clone(), u.token.clone());
        async move {
            common::call(
                &router,
                "PUT",
                "/v1/me/matching-preferences",
                Some(&token),
                Some(serde_json::to_vec(&json!({"only_when_available": on})).unwrap()),
            )
            .await
        }
    };
    let (st, _) = put(&d3, true).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = get(&t.router, "/v1/me/matching-preferences", Some(&d3.token)).await;
    assert_eq!(v["only_when_available"], true);
    let (st, _) = put(&a, true).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let r = request(&t, &a, &site_a, &[N1, N2]).await;

    // d3 is a (partial) candidate, but is not proposed the night they did not open.
    let (st, v) = propose(&t, &a, &r, &d3, json!({})).await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_available")
    );

    // Tier 1: the single best-ranked candidate among d1 and d2; d3 never (partial, preference).
    run_jobs(&t).await;
    let alerted = |n: &[(String, String)]| {
        [&d1, &d2, &d3]
            .iter()
            .map(|d| count(n, &d.account_id, "request_alert"))
            .collect::<Vec<_>>()
    };
    let first = alerted(&notices(&t).await);
    assert_eq!(first.iter().sum::<usize>(), 1, "{first:?}");
    assert_eq!(first[2], 0);
    // Nobody answered: not before the wait, then the next tier.
    set_clock(&t, "2027-01-08T13:55:00Z");
    run_jobs(&t).await;
    assert_eq!(alerted(&notices(&t).await), first);
    set_clock(&t, "2027-01-08T14:05:00Z");
    // Two runs at once (two instances): one tier, not two.
    let (x, y) = tokio::join!(
        rempla_server::areas::run_due(&t.state),
        rempla_server::areas::run_due(&t.state)
    );
    assert!(x.iter().chain(&y).all(|r| r.outcome.is_ok()), "{x:?} {y:?}");
    assert_eq!(alerted(&notices(&t).await), vec![1, 1, 0]);
    // Without the preference d3 is alerted in the next tier.
    put(&d3, false).await;
    set_clock(&t, "2027-01-08T15:10:00Z");
    run_jobs(&t).await;
    assert_eq!(alerted(&notices(&t).await), vec![1, 1, 1]);

    // Applications: verified doctors only, once; the facility answers, not the doctor.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&pending.token),
        &json!({}),
    )
    .await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&a.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{}/applications", Uuid::now_v7()),
        Some(&d2.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d2.token),
        &json!({"shift_indexes": [1]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["proposal"]["initiator"], "doctor");
    let app = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d2.token),
        &json!({}),
    )
    .await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_exists"));
    let n = notices(&t).await;
    assert_eq!(count(&n, &a.account_id, "application_received"), 1);
    assert_eq!(count(&n, &planner.account_id, "application_received"), 1);
    assert_eq!(count(&n, &viewer.account_id, "application_received"), 0);
    let (st, _) = answer(&t, &d2, &app, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = answer(&t, &viewer, &app, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // An application counts as an answer: no more tiers for this request.
    set_clock(&t, "2027-01-08T16:20:00Z");
    run_jobs(&t).await;
    let done = sql(&t, "SELECT done FROM request_alerts").await;
    assert_eq!(s(&done[0][0]), "1");
    // A doctor who lost verification cannot be accepted.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d1.token),
        &json!({"shift_indexes": [0]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let app1 = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, _) = post(
        &t.router,
        &format!(
            "/v1/staff/doctors/{}/status",
            d1.doctor_id.as_ref().unwrap()
        ),
        Some(&staff.token),
        &json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = answer(&t, &a, &app1, "accept").await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    assert!(sql(&t, "SELECT id FROM missions").await.is_empty());
    // The planner accepts the application: a mission for the second night only.
    let (st, v) = answer(&t, &planner, &app, "accept").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["mission"]["shifts"].as_array().unwrap().len(), 1);
    assert_eq!(v["mission"]["shifts"][0]["interval"]["start"], N2.0);
    assert_eq!(
        count(&notices(&t).await, &d2.account_id, "proposal_accepted"),
        1
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
}

backend_tests!(applications_and_tiered_alerts);
