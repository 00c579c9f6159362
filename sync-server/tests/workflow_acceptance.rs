//! HTTP tests of acceptance to cancellation on SQLite and PostgreSQL: the mission, booked slots,
//! withdrawn overlapping proposals, the filled request, unlocked and audited contacts, contract signing,
//! cancellation with lateness, and every wrong state, forged id and replay on the way.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::users::{User, invite, new_staff, push_applied, upsert_op};
use common::workflow::{
    N1, answer, code, config, count, doctor, facility, listed, notices, open_night, propose,
    pull_all, record_of, request, run_jobs, s, set_clock, sql,
};
use common::{Db, TestApp, app_with, backend_tests, get, post};
use rempla_core::sync::EntityKind;
use rempla_server::audit::AuditFilter;
use serde_json::{Value, json};
use uuid::Uuid;

/// A GET answered with raw bytes (PDF), its headers and status.
async fn raw_get(
    t: &TestApp,
    path: &str,
    user: &User,
) -> (
    StatusCode,
    std::collections::HashMap<String, String>,
    Vec<u8>,
) {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method("GET")
        .uri(path)
        .header("authorization", format!("Bearer {}", user.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

const N3: (&str, &str) = ("2027-02-10T19:00:00Z", "2027-02-11T07:00:00Z");

// ---------------------------------------------------------------- acceptance to cancellation

async fn acceptance_unlock_contract_cancel(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let d2 = doctor(&t, &staff, 2, true).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, site_b) = facility(&t, 2).await;
    let viewer = invite(&t, &a, "viewer", 1).await;
    // A tariff grid in force, so the unlock is charged.
    let (st, v) = common::call(
        &t.router,
        "PUT",
        "/v1/staff/tariffs",
        Some(&staff.token),
        Some(
            serde_json::to_vec(&json!({"valid_from": "2027-01-08", "day_cents": 4000,
                "night_cents": 5000, "garde_day_cents": 6000, "garde_night_cents": 7000,
                "astreinte_cents": 2500, "vat_bps": 2000}))
            .unwrap(),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let slot1 = open_night(&t, &d1, N1.0, N1.1).await;
    let slot3 = open_night(&t, &d1, N3.0, N3.1).await;
    open_night(&t, &d2, N1.0, N1.1).await;
    let ra = request(&t, &a, &site_a, &[N1]).await;
    let ra3 = request(&t, &a, &site_a, &[N3]).await;
    let rb = request(&t, &b, &site_b, &[N1]).await;
    let (_, v) = propose(&t, &a, &ra, &d1, json!({})).await;
    let pa = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &a, &ra3, &d1, json!({})).await;
    let pa3 = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &b, &rb, &d1, json!({})).await;
    let pb = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (_, v) = propose(&t, &a, &ra, &d2, json!({})).await;
    let pa_d2 = v["proposal"]["id"].as_str().unwrap().to_owned();

    // Before acceptance: no mission, no contact details anywhere.
    let (_, v) = get(&t.router, "/v1/missions", Some(&a.token)).await;
    assert_eq!(v["missions"], json!([]));
    let (_, v) = get(
        &t.router,
        &format!("/v1/doctors/{}", d1.doctor_id.as_ref().unwrap()),
        Some(&a.token),
    )
    .await;
    assert!(v.get("contact").is_none(), "{v}");

    let d1_id = d1.doctor_id.clone().unwrap();
    assert!(listed(&t, &b, &rb).await.contains(&d1_id));

    // Acceptance.
    let (st, v) = answer(&t, &d1, &pa, "accept").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["proposal"]["state"], "accepted");
    let mid = v["mission_id"].as_str().unwrap().to_owned();
    assert_eq!(v["mission"]["status"], "confirmed");
    assert_eq!(v["mission"]["title"], "Remplacement – Site 1");
    // Replay: same mission, nothing new.
    let (st, v2) = answer(&t, &d1, &pa, "accept").await;
    assert_eq!(
        (st, v2["mission_id"].as_str()),
        (StatusCode::OK, Some(mid.as_str()))
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
    let (st, v) = answer(&t, &d1, &pa, "decline").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_answered"));

    // Facility A cancels its other request through sync: its live proposal is withdrawn by the next
    // job run, the doctor told.
    let ra3_id = Uuid::parse_str(&ra3).unwrap();
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra3_id,
            &json!({"status": "cancelled"}),
        )],
    )
    .await;
    run_jobs(&t).await;
    let (_, v) = get(&t.router, "/v1/proposals?state=withdrawn", Some(&d1.token)).await;
    let withdrawn: Vec<&str> = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(withdrawn.contains(&pa3.as_str()), "{v}");
    let pa3_notices = sql(
        &t,
        "SELECT account_id FROM notices WHERE kind = 'proposal_withdrawn'",
    )
    .await;
    assert!(pa3_notices.iter().any(|r| s(&r[0]) == d1.account_id));
    // Booked on that night: no longer listed for B's overlapping request.
    assert!(!listed(&t, &b, &rb).await.contains(&d1_id));
    // Overlapping proposals of d1 withdrawn everywhere (facility B too); the other date stays;
    // the request is filled, so d2's proposal for it is withdrawn as well.
    let states: Vec<(String, String)> = sql(&t, "SELECT id, state FROM proposals ORDER BY id")
        .await
        .iter()
        .map(|r| (s(&r[0]), s(&r[1])))
        .collect();
    let state_of = |id: &str| states.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(state_of(&pb), "withdrawn");
    assert_eq!(state_of(&pa3), "withdrawn");
    assert_eq!(state_of(&pa_d2), "withdrawn");
    let (st, v) = answer(&t, &d1, &pb, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "proposal_withdrawn"));
    let n = notices(&t).await;
    assert_eq!(count(&n, &b.account_id, "proposal_withdrawn"), 1);
    assert_eq!(count(&n, &d2.account_id, "proposal_withdrawn"), 1);
    assert_eq!(count(&n, &a.account_id, "proposal_accepted"), 1);

    // Feeds: d1's slot is booked, the mission is in both parties' feeds, the request is filled.
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "availability", &slot1).unwrap()["status"],
        "booked"
    );
    assert_eq!(
        record_of(&feed, "availability", &slot3).unwrap()["status"],
        "open"
    );
    let m = record_of(&feed, "mission", &mid).unwrap();
    assert_eq!(m["status"], "confirmed");
    assert!(m.get("contacts").is_none());
    let feed_a = pull_all(&t, &a.token).await;
    assert!(record_of(&feed_a, "mission", &mid).is_some());
    assert_eq!(
        record_of(&feed_a, "request", &ra).unwrap()["status"],
        "filled"
    );
    assert!(record_of(&pull_all(&t, &b.token).await, "mission", &mid).is_none());
    assert!(record_of(&pull_all(&t, &d2.token).await, "mission", &mid).is_none());

    // Unlocked contacts: to the two parties only, each read audited.
    let (st, v) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&a.token)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["contacts"]["doctor"]["email"], "medecin1@example.fr");
    assert_eq!(v["contacts"]["doctor"]["rpps"], common::rpps(1));
    let (st, v) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&d1.token)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["contacts"]["facility"]["name"], "CH 1");
    assert_eq!(v["contacts"]["people"][0]["email"], "admin1@ch.example.fr");
    assert!(v["contacts"].get("doctor").is_none());
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{mid}"),
        Some(&viewer.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    for u in [&b, &d2] {
        let (st, _) = get(&t.router, &format!("/v1/missions/{mid}"), Some(&u.token)).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, v) = get(&t.router, "/v1/missions", Some(&u.token)).await;
        assert_eq!(v["missions"], json!([]));
    }
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{}", Uuid::now_v7()),
        Some(&a.token),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("mission".into(), mid.clone())),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    let reads: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "contact_read")
        .collect();
    assert_eq!(reads.len(), 3);
    assert!(
        reads
            .iter()
            .any(|e| e.account_id.as_deref() == Some(&d1.account_id)
                && e.device_id.as_deref() == Some(&d1.device.to_string()))
    );
    assert!(trail.iter().any(|e| e.action == "mission_created"));
    assert!(trail.iter().any(|e| e.action == "contact_unlocked"));

    // d1 cannot be booked twice on the same night: d2's withdrawn proposal is gone, and a new
    // application of d1 to B's (still open) request is refused at acceptance.
    let (st, v) = post(
        &t.router,
        &format!("/v1/requests/{rb}/applications"),
        Some(&d1.token),
        &json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let app_b = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (st, v) = answer(&t, &b, &app_b, "accept").await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "doctor_unavailable"));

    // Contract: facts, version hash, signatures with proof; stale hashes refused.
    let (st, c) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&d1.token),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let sha = c["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(c["facts"]["fees"]["cents_per_day"], 65_000);
    assert_eq!(c["facts"]["replaced"]["name"], "CH 1");
    assert_eq!(c["facts"]["replacing"]["rpps"], common::rpps(1));
    // The unlock was charged once, in the acceptance's transaction.
    let charges = sql(&t, "SELECT mission_id, invoice_id FROM billing_charges").await;
    assert_eq!(charges.len(), 1);
    assert_eq!(s(&charges[0][0]), mid);
    let (st, _) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&b.token),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let sign = |u: &User, h: &str| {
        let (router, token, path, h) = (
            t.router.clone(),
            u.token.clone(),
            format!("/v1/missions/{mid}/contract/sign"),
            h.to_owned(),
        );
        async move { post(&router, &path, Some(&token), &json!({"sha256": h})).await }
    };
    let (st, v) = sign(&d1, &"0".repeat(64)).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "stale_contract"));
    let (st, _) = sign(&b, &sha).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = sign(&viewer, &sha).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = sign(&d1, &sha).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let proof = &v["mission"]["signatures"][0];
    assert_eq!(proof["party"], "doctor");
    assert_eq!(proof["sha256"], sha.as_str());
    assert_eq!(proof["account_id"], d1.account_id.as_str());
    assert_eq!(proof["device_id"], d1.device.to_string());
    assert!(
        proof["signed_at"]
            .as_str()
            .unwrap()
            .starts_with("2027-01-08T13:0")
    );
    let (st, _) = sign(&d1, &sha).await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = sign(&a, &sha).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(v["mission"]["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(
        count(&notices(&t).await, &a.account_id, "contract_signed"),
        1
    );
    // The PDF carries the signed version's hash.
    let (st, headers, pdf) = raw_get(&t, &format!("/v1/missions/{mid}/contract.pdf"), &a).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-contract-sha256"], sha.as_str());
    assert!(pdf.starts_with(b"%PDF-"));
    let (st, _, _) = raw_get(&t, &format!("/v1/missions/{mid}/contract.pdf"), &b).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The facility changes the agreed fee: a new version, the old hash is stale; without a fee there
    // is no contract to sign.
    let ra_id = Uuid::parse_str(&ra).unwrap();
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": 70_000}),
        )],
    )
    .await;
    let (_, c2) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_ne!(c2["sha256"], sha.as_str());
    let (st, v) = sign(&a, &sha).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "stale_contract"));
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": null}),
        )],
    )
    .await;
    let (st, v) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "fees_not_agreed"));
    push_applied(
        &t,
        &a,
        &[upsert_op(
            &a,
            EntityKind::Request,
            ra_id,
            &json!({"remuneration_cents_per_day": 65_000}),
        )],
    )
    .await;
    let (_, c3) = get(
        &t.router,
        &format!("/v1/missions/{mid}/contract"),
        Some(&a.token),
    )
    .await;
    assert_eq!(c3["sha256"], sha.as_str());

    // Contract reminder a week before the start (1 Feb 19:00 UTC), once, to both parties.
    set_clock(&t, "2027-01-25T20:00:00Z");
    run_jobs(&t).await;
    run_jobs(&t).await;
    let n = notices(&t).await;
    assert_eq!(count(&n, &d1.account_id, "contract_reminder"), 1);
    assert_eq!(count(&n, &a.account_id, "contract_reminder"), 1);
    assert_eq!(count(&n, &viewer.account_id, "contract_reminder"), 0);

    // Cancellation by the facility 30 hours before the start: recorded, slot freed, request
    // reopened, the doctor told urgently; a replay changes nothing; the other side cannot cancel
    // again; a cancelled contract cannot be signed.
    set_clock(&t, "2027-01-31T13:00:00Z");
    let cancel = |u: &User, body: Value| {
        let (router, token, path) = (
            t.router.clone(),
            u.token.clone(),
            format!("/v1/missions/{mid}/cancel"),
        );
        async move { post(&router, &path, Some(&token), &body).await }
    };
    let (st, _) = cancel(&a, json!({"reason": "  "})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = cancel(&b, json!({"reason": "x"})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = cancel(&viewer, json!({"reason": "x"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = cancel(&a, json!({"reason": "Service fermé"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let c = &v["mission"]["cancellation"];
    assert_eq!(c["by"], "facility");
    assert_eq!(c["reason"], "Service fermé");
    // The server clock runs on after being set: 30 hours, less the seconds the test took.
    let lateness = c["lateness_ms"].as_i64().unwrap();
    assert!(
        (30 * 3_600_000 - 60_000..=30 * 3_600_000).contains(&lateness),
        "{lateness}"
    );
    assert_eq!(v["mission"]["status"], "cancelled");
    let (st, v2) = cancel(&a, json!({"reason": "Service fermé"})).await;
    assert_eq!((st, &v2["mission"]), (StatusCode::OK, &v["mission"]));
    // Cancelled before its start: billing issued a credit note for the unlock.
    let charges = sql(&t, "SELECT credit_note_id FROM billing_charges").await;
    assert!(!s(&charges[0][0]).is_empty());
    let (st, v) = cancel(&d1, json!({"reason": "moi aussi"})).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "mission_cancelled"));
    let (st, v) = sign(&d1, &sha).await;
    assert_eq!((st, code(&v)), (StatusCode::CONFLICT, "mission_cancelled"));
    let rows = sql(
        &t,
        "SELECT account_id, kind, urgent FROM notices WHERE kind = 'mission_cancelled'",
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (s(&rows[0][0]), s(&rows[0][2])),
        (d1.account_id.clone(), "1".to_owned())
    );
    let feed = pull_all(&t, &d1.token).await;
    assert_eq!(
        record_of(&feed, "availability", &slot1).unwrap()["status"],
        "open"
    );
    assert!(listed(&t, &b, &rb).await.contains(&d1_id));
    assert_eq!(
        record_of(&feed, "mission", &mid).unwrap()["status"],
        "cancelled"
    );
    let feed_a = pull_all(&t, &a.token).await;
    assert_eq!(
        record_of(&feed_a, "request", &ra).unwrap()["status"],
        "open"
    );
    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("mission".into(), mid.clone())),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "mission_cancelled"
                && e.account_id.as_deref() == Some(&a.account_id))
    );
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "contract_signed")
            .count(),
        2
    );
}

backend_tests!(acceptance_unlock_contract_cancel);
