//! HTTP tests of the authorization matrix through the axum router: every role against every route of a
//! world of doctors, facilities and staff.

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
use common::api::world;
use common::users::*;
use common::{call, get, post};
use rempla_core::domain::OpId;
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix() {
    let w = world().await;
    let t = &w.t;
    let fa = w.admin_a.facility_id.clone().unwrap();
    let doc_a_id = w.doc_a.doctor_id.clone().unwrap();
    let doc_b_id = w.doc_b.doctor_id.clone().unwrap();
    // A facility that signed itself up a minute ago, not verified by staff.
    let unverified = signed_up_facility(t, 90, "Clinique Nouvelle", "clinic").await;
    let roles: Vec<(&str, &User)> = vec![
        ("unverified", &unverified),
        ("doctor", &w.doc_a),
        ("other_doctor", &w.doc_b),
        ("admin_a", &w.admin_a),
        ("planner_a", &w.planner_a),
        ("viewer_a", &w.viewer_a),
        ("member_b", &w.admin_b),
        ("staff", &w.staff),
    ];

    // Reads: what each role pulls.
    for (role, user) in &roles {
        let changes = pull_all(t, &user.token).await;
        let text = serde_json::to_string(&changes).unwrap();
        assert!(
            !text.contains("@example.fr"),
            "{role} received contact details"
        );
        let availabilities = ids_of(&changes, "availability");
        let busy = ids_of(&changes, "busy_period");
        let requests = ids_of(&changes, "request");
        let mut both = vec![w.request_a.clone(), w.request_b.clone()];
        both.sort();
        let (want_avail, want_busy, want_req): (Vec<String>, Vec<String>, Vec<String>) = match *role
        {
            "doctor" => (
                vec![w.avail_a.clone()],
                vec![w.busy_a.clone()],
                both.clone(),
            ),
            "other_doctor" => (vec![w.avail_b.clone()], vec![], both.clone()),
            "admin_a" | "planner_a" | "viewer_a" => (vec![], vec![], vec![w.request_a.clone()]),
            "member_b" => (vec![], vec![], vec![w.request_b.clone()]),
            "staff" => (vec![], vec![], both.clone()),
            "unverified" => (vec![], vec![], vec![]),
            _ => unreachable!(),
        };
        assert_eq!(availabilities, want_avail, "{role} availabilities");
        assert_eq!(busy, want_busy, "{role} busy periods");
        assert_eq!(requests, want_req, "{role} requests");
    }

    // Endpoint × role → expected status.
    let doctor_a_path = format!("/v1/doctors/{doc_a_id}");
    let facility_a_path = format!("/v1/facilities/{fa}");
    for (role, user) in &roles {
        let (s, v) = get(&t.router, &doctor_a_path, Some(&user.token)).await;
        match *role {
            "doctor" | "staff" => {
                assert_eq!(s, StatusCode::OK, "{role}");
                assert_eq!(v["contact"]["email"], "medecin1@example.fr", "{role}");
            }
            "other_doctor" | "unverified" => assert_eq!(s, StatusCode::NOT_FOUND, "{role}"),
            _ => {
                // Before any mission together: the public profile and a commune, never the
                // coordinates of the doctor's base, the RPPS or the contact details.
                assert_eq!(s, StatusCode::OK, "{role}");
                assert!(v.get("contact").is_none(), "{role} sees contact details");
                assert!(v.get("rpps").is_none(), "{role} sees the RPPS");
                assert!(v.get("base").is_none(), "{role} sees the base");
                assert_eq!(v["unlocked"], false, "{role}");
            }
        }
        let (s, _) = get(&t.router, &facility_a_path, Some(&user.token)).await;
        let want = if matches!(*role, "admin_a" | "planner_a" | "viewer_a" | "staff") {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{role} GET facility A");
        let site = json!({"id": Uuid::now_v7(), "facility_id": fa, "name": "Annexe", "address": "Rue",
            "postcode": "22300", "commune_code": "22113", "department": "22",
            "location": {"lat": 48.7, "lon": -3.4}, "zone": "Europe/Paris"});
        let (s, v) = post(
            &t.router,
            &format!("{facility_a_path}/sites"),
            Some(&user.token),
            &site,
        )
        .await;
        let want = if *role == "admin_a" {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, want, "{role} POST site: {v}");
        let invite = json!({"email": format!("invite-{role}@example.org"), "display_name": "X", "role": "admin"});
        let (s, _) = post(
            &t.router,
            &format!("{facility_a_path}/members"),
            Some(&user.token),
            &invite,
        )
        .await;
        // Members of the facility without the right and staff (read-only) are refused; anyone else
        // does not learn the facility exists.
        let want = match *role {
            "admin_a" => StatusCode::ACCEPTED,
            "planner_a" | "viewer_a" | "staff" => StatusCode::FORBIDDEN,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(s, want, "{role} POST member");
        // The facility's invitations: its managers, and staff read-only; members without the right
        // are refused; anyone else learns nothing.
        let (s, _) = get(
            &t.router,
            &format!("{facility_a_path}/invitations"),
            Some(&user.token),
        )
        .await;
        let want = match *role {
            "admin_a" | "staff" => StatusCode::OK,
            "planner_a" | "viewer_a" => StatusCode::FORBIDDEN,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(s, want, "{role} GET invitations");
        let (s, _) = call(
            &t.router,
            "DELETE",
            &format!("{facility_a_path}/invitations/{}", Uuid::now_v7()),
            Some(&user.token),
            None,
        )
        .await;
        let want = match *role {
            "planner_a" | "viewer_a" | "staff" => StatusCode::FORBIDDEN,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(s, want, "{role} DELETE invitation");
        // One's own offers: everyone may list (a doctor's list is empty); answering someone else's
        // or an unknown one tells nothing; a doctor or staff account joins no facility.
        let (s, v) = get(&t.router, "/v1/me/invitations", Some(&user.token)).await;
        assert_eq!(s, StatusCode::OK, "{role} GET my invitations: {v}");
        if matches!(*role, "doctor" | "other_doctor" | "staff") {
            assert_eq!(v["invitations"], json!([]), "{role}");
        }
        let (s, v) = post(
            &t.router,
            &format!("/v1/me/invitations/{}/accept", Uuid::now_v7()),
            Some(&user.token),
            &json!({}),
        )
        .await;
        let want = match *role {
            "doctor" | "other_doctor" | "staff" => (StatusCode::FORBIDDEN, "wrong_account_kind"),
            _ => (StatusCode::BAD_REQUEST, "invalid_token"),
        };
        assert_eq!(
            (s, v["code"].as_str().unwrap_or_default()),
            want,
            "{role} accept"
        );
        // Paged lists: everyone reads their own.
        for path in ["/v1/proposals?limit=1", "/v1/missions?limit=1"] {
            let (s, v) = get(&t.router, path, Some(&user.token)).await;
            assert_eq!(s, StatusCode::OK, "{role} {path}: {v}");
        }
        let (s, v) = post(
            &t.router,
            &format!("/v1/staff/doctors/{doc_b_id}/status"),
            Some(&user.token),
            &json!({"status": "suspended"}),
        )
        .await;
        if *role == "staff" {
            assert_eq!(s, StatusCode::OK);
            // Back to verified for the next checks.
            let (s, _) = post(
                &t.router,
                &format!("/v1/staff/doctors/{doc_b_id}/status"),
                Some(&user.token),
                &json!({"status": "verified"}),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
        } else {
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("forbidden")),
                "{role} staff action"
            );
        }
        let (s, _) = get(&t.router, "/v1/me", Some(&user.token)).await;
        assert_eq!(s, StatusCode::OK);
    }

    // Writes through push: own vs foreign data.
    let fb = w.admin_b.facility_id.clone().unwrap();
    let avail_a: Uuid = w.avail_a.parse().unwrap();
    let request_a: Uuid = w.request_a.parse().unwrap();
    let mut note = serde_json::Map::new();
    note.insert("note".into(), json!("modifiée"));
    let edit_avail_a = |u: &User| OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Availability,
        entity_id: avail_a,
        kind: OpKind::Upsert,
        fields: note.clone(),
        hlc: Hlc::new(now_ms(), 7, u.device),
    };
    let mut status = serde_json::Map::new();
    status.insert("status".into(), json!("cancelled"));
    let cancel_request_a = |u: &User| OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Request,
        entity_id: request_a,
        kind: OpKind::Upsert,
        fields: status.clone(),
        hlc: Hlc::new(now_ms(), 7, u.device),
    };
    for (role, user) in &roles {
        let codes = push_codes(t, user, &[edit_avail_a(user)]).await;
        let want = if *role == "doctor" {
            "applied"
        } else {
            "forbidden"
        };
        assert_eq!(codes, [want], "{role} edits doctor A's availability");
        let codes = push_codes(
            t,
            user,
            &[request_op(user, Uuid::now_v7(), &fb, &w.site_b, "open")],
        )
        .await;
        let want = if *role == "member_b" {
            "applied"
        } else {
            "forbidden"
        };
        assert_eq!(codes, [want], "{role} posts a request for facility B");
        // A planner of A using B's site for A's request: refused.
        let codes = push_codes(
            t,
            user,
            &[request_op(user, Uuid::now_v7(), &fa, &w.site_b, "open")],
        )
        .await;
        assert_eq!(codes, ["forbidden"], "{role} uses another facility's site");
        let codes = push_codes(
            t,
            user,
            &[request_op(user, Uuid::now_v7(), &fa, &w.site_a, "open")],
        )
        .await;
        let want = if matches!(*role, "admin_a" | "planner_a") {
            "applied"
        } else {
            "forbidden"
        };
        assert_eq!(codes, [want], "{role} posts a request for facility A");
    }
    // The planner cancels A's request: doctors now receive it as a deletion, A still sees it.
    assert_eq!(
        push_codes(t, &w.planner_a, &[cancel_request_a(&w.planner_a)]).await,
        ["applied"]
    );
    let seen_by_doctor = pull_all(t, &w.doc_b.token).await;
    let last = seen_by_doctor
        .iter()
        .rev()
        .find(|c| c["entity_id"] == w.request_a.as_str())
        .unwrap();
    assert_eq!(last["record"], Value::Null);
    let seen_by_viewer = pull_all(t, &w.viewer_a.token).await;
    let last = seen_by_viewer
        .iter()
        .rev()
        .find(|c| c["entity_id"] == w.request_a.as_str())
        .unwrap();
    assert_eq!(last["record"]["status"], "cancelled");
    // A pending doctor sees no request at all.
    let pending = new_doctor(t, 9).await;
    assert!(ids_of(&pull_all(t, &pending.token).await, "request").is_empty());

    // Anonymous, revoked and expired callers on every authenticated endpoint.
    let authed: Vec<(&str, String)> = vec![
        ("GET", "/v1/me".into()),
        ("GET", doctor_a_path.clone()),
        ("GET", facility_a_path.clone()),
        ("POST", format!("{facility_a_path}/sites")),
        ("POST", format!("{facility_a_path}/members")),
        ("GET", format!("{facility_a_path}/invitations")),
        (
            "DELETE",
            format!("{facility_a_path}/invitations/{}", Uuid::now_v7()),
        ),
        ("GET", "/v1/me/invitations".into()),
        (
            "POST",
            format!("/v1/me/invitations/{}/accept", Uuid::now_v7()),
        ),
        (
            "POST",
            format!("/v1/me/invitations/{}/decline", Uuid::now_v7()),
        ),
        ("GET", "/v1/proposals".into()),
        ("GET", "/v1/missions".into()),
        ("POST", format!("/v1/staff/doctors/{doc_b_id}/status")),
        ("POST", "/v1/sync/push".into()),
        ("POST", "/v1/sync/pull".into()),
        ("GET", "/v1/events".into()),
        ("POST", "/v1/auth/logout".into()),
        ("POST", "/v1/terms/accept".into()),
    ];
    t.state.clock.advance(0);
    for (method, path) in &authed {
        let body = (*method == "POST").then(|| b"{}".to_vec());
        let (s, v) = call(&t.router, method, path, None, body.clone()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "anonymous {path}"
        );
        let (s, v) = call(
            &t.router,
            method,
            path,
            Some(&w.revoked.token),
            body.clone(),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_revoked")),
            "revoked {path}"
        );
        let (s, v) = call(&t.router, method, path, Some("forged-token"), body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "forged {path}"
        );
    }
    // Expiry: 91 days later every token of the world is past its lifetime.
    t.state.clock.advance(91 * 86_400_000);
    for (method, path) in &authed {
        let body = (*method == "POST").then(|| b"{}".to_vec());
        let (s, v) = call(&t.router, method, path, Some(&w.expired_token), body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_expired")),
            "expired {path}"
        );
    }
}
