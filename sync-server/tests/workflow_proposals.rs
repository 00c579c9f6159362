//! HTTP tests of proposals on SQLite and PostgreSQL: business-day deadlines (public holidays skipped),
//! reminders and expiry by moving the server clock.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::users::{invite, new_staff, upsert_op};
use common::workflow::{
    N1, N2, answer, code, config, count, doctor, facility, listed, notices, open_night, propose,
    pull_all, record_of, request, run_jobs, s, set_clock, sql,
};
use common::{Db, app_with, backend_tests, get, post};
use rempla_core::sync::EntityKind;
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------- proposals, deadlines, jobs

async fn proposals_deadlines_reminders_expiry(db: Db) {
    let t = app_with(db, config()).await;
    // Friday 8 January 2027, 14:00 in Paris.
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let pending = doctor(&t, &staff, 3, false).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, _) = facility(&t, 2).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    let planner = invite(&t, &a, "planner", 1).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    open_night(&t, &d1, N2.0, N2.1).await;
    open_night(&t, &pending, N1.0, N1.1).await;
    let r = request(&t, &a, &site_a, &[N1, N2]).await;

    // Wrong callers, forged ids and wrong input change nothing.
    let (st, v) = propose(&t, &viewer, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (st, _) = propose(&t, &b, &r, &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = propose(&t, &d1, &r, &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = propose(&t, &a, &Uuid::now_v7().to_string(), &d1, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [2]})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("invalid_shift_indexes")
    );
    let (st, _) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [0, 0]})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = propose(&t, &a, &r, &pending, json!({})).await;
    assert_eq!(
        (st, code(&v)),
        (StatusCode::CONFLICT, "doctor_not_verified")
    );
    // d2 opened nothing: not a candidate.
    let (st, v) = propose(&t, &a, &r, &d2, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "not_a_candidate"));
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/proposals"),
        Some(&a.token),
        &json!({"doctor_id": Uuid::now_v7()}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st, _) = post(
        &t.router,
        &format!("/v1/requests/{r}/proposals"),
        Some(&a.token),
        &json!({"doctor_id": d1.doctor_id, "surprise": 1}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(sql(&t, "SELECT id FROM proposals").await.is_empty());
    assert!(notices(&t).await.is_empty());

    // The proposal: deadline at the end of the third business day, i.e. the end of Wednesday 13.
    let pid = Uuid::now_v7();
    let (st, v) = propose(&t, &planner, &r, &d1, json!({"id": pid})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let p = &v["proposal"];
    assert_eq!(p["state"], "sent");
    assert_eq!(p["initiator"], "facility");
    assert_eq!(p["shift_indexes"], json!([0, 1]));
    assert_eq!(p["deadline"], "2027-01-13T23:00:00Z"); // Thursday 14, 00:00 in Paris
    assert_eq!(p["shifts"].as_array().unwrap().len(), 2);
    // A retried creation answers the same proposal; a second live one is refused.
    let (st, v2) = propose(&t, &planner, &r, &d1, json!({"id": pid})).await;
    assert_eq!((st, &v2["proposal"]), (StatusCode::OK, p));
    let (st, v) = propose(&t, &a, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_exists"));
    let (st, v) = propose(&t, &b, &r, &d2, json!({"id": pid})).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(sql(&t, "SELECT id FROM proposals").await.len(), 1);
    let n = notices(&t).await;
    assert_eq!(count(&n, &d1.account_id, "proposal_received"), 1);

    // Who sees it: the doctor and the facility, over the API and in the change feed; nobody else.
    let pid = pid.to_string();
    for u in [&d1, &a, &viewer] {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&u.token)).await;
        assert_eq!(v["proposals"][0]["id"], pid.as_str(), "{v}");
        let feed = pull_all(&t, &u.token).await;
        assert_eq!(record_of(&feed, "proposal", &pid).unwrap()["state"], "sent");
    }
    for u in [&d2, &b] {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&u.token)).await;
        assert_eq!(v["proposals"], json!([]));
        assert!(record_of(&pull_all(&t, &u.token).await, "proposal", &pid).is_none());
    }
    let (_, v) = get(&t.router, "/v1/proposals?state=declined", Some(&d1.token)).await;
    assert_eq!(v["proposals"], json!([]));
    let (_, v) = get(
        &t.router,
        &format!("/v1/proposals?request_id={r}"),
        Some(&a.token),
    )
    .await;
    assert_eq!(v["proposals"].as_array().unwrap().len(), 1);
    let (_, v) = get(
        &t.router,
        &format!("/v1/proposals?request_id={}", Uuid::now_v7()),
        Some(&a.token),
    )
    .await;
    assert_eq!(v["proposals"], json!([]));
    let (st, _) = get(&t.router, "/v1/proposals?state=bogus", Some(&d1.token)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Devices may not write proposals or missions through sync.
    let forged = upsert_op(
        &d1,
        EntityKind::Proposal,
        Uuid::parse_str(&pid).unwrap(),
        &json!({"state": "accepted"}),
    );
    let (_, v) = post(
        &t.router,
        "/v1/sync/push",
        Some(&d1.token),
        &json!({"protocol": 1, "device_id": d1.device, "ops": [forged]}),
    )
    .await;
    assert_eq!(v["results"][0]["code"], "forbidden", "{v}");

    // The facility cannot answer its own proposal; strangers get 404.
    let (st, _) = answer(&t, &a, &pid, "accept").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = answer(&t, &d2, &pid, "accept").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = answer(&t, &d1, &Uuid::now_v7().to_string(), "accept").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = post(
        &t.router,
        &format!("/v1/proposals/{pid}/answer"),
        Some(&d1.token),
        &json!({"answer": "maybe"}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // Nothing to remind yet; 23 hours before the deadline, the doctor is reminded, once.
    run_jobs(&t).await;
    assert_eq!(
        count(&notices(&t).await, &d1.account_id, "proposal_reminder"),
        0
    );
    set_clock(&t, "2027-01-13T00:00:00Z");
    run_jobs(&t).await;
    run_jobs(&t).await;
    assert_eq!(
        count(&notices(&t).await, &d1.account_id, "proposal_reminder"),
        1
    );
    // At the deadline: expired, even before the job has run.
    set_clock(&t, "2027-01-13T23:00:00Z");
    let (st, v) = answer(&t, &d1, &pid, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_expired"));
    assert!(sql(&t, "SELECT id FROM missions").await.is_empty());
    run_jobs(&t).await;
    let n = notices(&t).await;
    assert_eq!(count(&n, &a.account_id, "proposal_expired"), 1);
    assert_eq!(count(&n, &planner.account_id, "proposal_expired"), 1);
    assert_eq!(count(&n, &viewer.account_id, "proposal_expired"), 0);
    assert_eq!(count(&n, &d1.account_id, "proposal_expired"), 1);
    let (st, v) = answer(&t, &d1, &pid, "decline").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_expired"));
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "proposal", &pid).unwrap()["state"],
        "expired"
    );
    // A new proposal may follow an expired one.
    let (st, v) = propose(&t, &a, &r, &d1, json!({"shift_indexes": [1]})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["proposal"]["shifts"][0]["interval"]["start"], N2.0);
    // Sent on Thursday 14 January just after 00:00 in Paris (Wednesday 23:00 UTC): Fri 15, Mon 18,
    // Tue 19, so the end of Tuesday 19.
    assert_eq!(v["proposal"]["deadline"], "2027-01-19T23:00:00Z");
    let p2 = v["proposal"]["id"].as_str().unwrap().to_owned();
    // A reason too long, or with control characters, is refused before anything changes.
    let answer_with = |reason: String| {
        let (router, token, path) = (
            t.router.clone(),
            d1.token.clone(),
            format!("/v1/proposals/{p2}/answer"),
        );
        async move {
            post(
                &router,
                &path,
                Some(&token),
                &json!({"answer": "decline", "reason": reason}),
            )
            .await
        }
    };
    let (st, v) = answer_with("x".repeat(501)).await;
    assert_eq!(
        (st, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_long")),
        "{v}"
    );
    let (st, v) = answer_with("pas\u{7}ici".into()).await;
    assert_eq!(
        (st, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_reason")),
        "{v}"
    );
    // Declined with a reason: kept with the proposal, in the doctor's feed (with the facility's
    // name), in the facility's list and in the notice its members get.
    let why = "Déjà pris ce week-end, une autre fois volontiers";
    let (st, v) = answer_with(format!("  {why} ")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["proposal"]["state"], "declined");
    assert_eq!(v["proposal"]["answer_reason"], why);
    assert_eq!(v["mission_id"], Value::Null);
    let feed = pull_all(&t, &d1.token).await;
    let record = record_of(&feed, "proposal", &p2).unwrap();
    assert_eq!(record["answer_reason"], why);
    assert!(
        record["facility_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{record}"
    );
    assert!(
        record["site_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{record}"
    );
    let (st, listed_by_facility) = get(
        &t.router,
        &format!("/v1/proposals?request_id={r}"),
        Some(&a.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        listed_by_facility["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == p2.as_str() && p["answer_reason"] == why),
        "{listed_by_facility}"
    );
    let bodies = sql(
        &t,
        "SELECT body FROM notices WHERE kind = 'proposal_declined' ORDER BY created_ms",
    )
    .await;
    assert!(
        bodies.iter().any(|row| s(&row[0]).contains(why)),
        "{:?}",
        bodies.iter().map(|row| s(&row[0])).collect::<Vec<_>>()
    );
    // Replayed decline: same answer; accepting after declining: refused.
    let (st, v2) = answer(&t, &d1, &p2, "decline").await;
    assert_eq!((st, &v2["proposal"]), (StatusCode::OK, &v["proposal"]));
    let (st, v) = answer(&t, &d1, &p2, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_answered"));
    assert_eq!(
        count(&notices(&t).await, &a.account_id, "proposal_declined"),
        1
    );
    // A doctor who declined is no longer a candidate for that request, here and in the list the
    // matching service shows the facility.
    let (st, v) = propose(&t, &a, &r, &d1, json!({})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "not_a_candidate"));
    assert!(
        !listed(&t, &a, &r)
            .await
            .contains(d1.doctor_id.as_ref().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_skips_a_public_holiday() {
    let t = app_with(Db::Sqlite, config()).await;
    // Friday 14 May 2027, 14:00 in Paris; Monday 17 is Pentecost Monday.
    set_clock(&t, "2027-05-14T12:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (a, site) = facility(&t, 1).await;
    open_night(&t, &d, "2027-06-01T19:00:00Z", "2027-06-02T07:00:00Z").await;
    let r = request(
        &t,
        &a,
        &site,
        &[("2027-06-01T19:00:00Z", "2027-06-02T07:00:00Z")],
    )
    .await;
    let (st, v) = propose(&t, &a, &r, &d, json!({})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // Tue 18, Wed 19, Thu 20: the end of Thursday 20 May, 00:00 on Friday 21 in Paris (CEST).
    assert_eq!(v["proposal"]["deadline"], "2027-05-20T22:00:00Z");
}

backend_tests!(proposals_deadlines_reminders_expiry);
