//! HTTP tests of the verification side of the documents area on both backends: the verification queue
//! and staff decisions, one account per person (RPPS, identity key, identity file), and duplicate offers
//! refused through sync push.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which
// the test-only unwrap allowance intends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names
)]

mod common;

use axum::http::StatusCode;
use common::documents::{audits, identity, notices};
use common::users::{
    SignUp, User, new_doctor, new_doctor_named, new_staff, offer_op, pdf, push_codes, raw,
    sha256_hex, sign_up_doctor, sql_int, upload,
};
use common::{Db, TestApp, app, backend_tests, get, post};
use rempla_core::sync::OpKind;
use serde_json::json;
use uuid::Uuid;

async fn status_of(t: &TestApp, d: &User) -> String {
    let (s, v) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["doctor"]["status"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- verification

async fn verification_queue_and_decisions(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let a = new_doctor(&t, 1).await;
    let b = new_doctor(&t, 2).await;
    let a_id = a.doctor_id.clone().unwrap();
    let b_id = b.doctor_id.clone().unwrap();

    // Oldest first, identity document still missing.
    let (s, q) = get(&t.router, "/v1/staff/verifications", Some(&staff.token)).await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let ids: Vec<&str> = q["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["doctor_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a_id.as_str(), b_id.as_str()]);
    assert!(q["pending"][0]["identity_document"].is_null());
    // Only staff see the queue or decide.
    for who in [&a, &b] {
        let (s, v) = get(&t.router, "/v1/staff/verifications", Some(&who.token)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        let (s, _) = post(
            &t.router,
            &format!("/v1/staff/verifications/{a_id}"),
            Some(&who.token),
            &json!({"decision": "approve"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    // No approval without an identity document; nothing changes.
    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/verifications/{a_id}"),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("identity_document_missing"))
    );
    assert_eq!(status_of(&t, &a).await, "pending");
    assert_eq!(audits(&t, db, "doctor_verified").await, 0);

    assert!(!t.state.storage.has_identity_document(&a_id).await.unwrap());
    let (s, doc) = identity(&t, &a, 1, "1985-04-12").await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    assert!(t.state.storage.has_identity_document(&a_id).await.unwrap());
    let (_, q) = get(&t.router, "/v1/staff/verifications", Some(&staff.token)).await;
    let first = &q["pending"][0];
    assert_eq!(first["doctor_id"], a_id.as_str());
    assert_eq!(first["birth_date"], "1985-04-12");
    assert_eq!(first["identity_document"]["id"], doc["id"]);
    assert_eq!(first["identity_document"]["sha256"], sha256_hex(&pdf(1)));
    // Staff read the identity document itself; the read is audited.
    let (s, h, bytes) = raw(
        &t,
        "GET",
        &format!("/v1/staff/verifications/{a_id}/document"),
        Some(&staff.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, pdf(1));
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(audits(&t, db, "identity_document_read").await, 1);
    let (s, _) = get(
        &t.router,
        &format!("/v1/staff/verifications/{b_id}/document"),
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A rejection needs a reason.
    for body in [
        json!({"decision": "reject"}),
        json!({"decision": "reject", "reason": "  "}),
    ] {
        let (s, v) = post(
            &t.router,
            &format!("/v1/staff/verifications/{b_id}"),
            Some(&staff.token),
            &body,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("reason_required"))
        );
    }
    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/verifications/{b_id}"),
        Some(&staff.token),
        &json!({"decision": "maybe"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    assert_eq!(status_of(&t, &b).await, "pending");
    assert_eq!(notices(&t, db, &b.account_id, "doctor_rejected").await, 0);

    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/verifications/{b_id}"),
        Some(&staff.token),
        &json!({"decision": "reject", "reason": "pièce d'identité illisible"}),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("rejected")),
        "{v}"
    );
    assert_eq!(status_of(&t, &b).await, "rejected");
    assert_eq!(notices(&t, db, &b.account_id, "doctor_rejected").await, 1);
    assert_eq!(
        sql_int(
            &t,
            db,
            "SELECT COUNT(*) FROM notices WHERE kind = 'doctor_rejected' AND body LIKE '%illisible%'"
        )
        .await,
        1
    );

    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/verifications/{a_id}"),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("verified")),
        "{v}"
    );
    assert_eq!(status_of(&t, &a).await, "verified");
    assert_eq!(notices(&t, db, &a.account_id, "doctor_verified").await, 1);
    assert_eq!(audits(&t, db, "doctor_verified").await, 1);
    assert_eq!(audits(&t, db, "doctor_rejected").await, 1);
    // A decision is taken once.
    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/verifications/{a_id}"),
        Some(&staff.token),
        &json!({"decision": "reject", "reason": "trop tard"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_pending"))
    );
    assert_eq!(status_of(&t, &a).await, "verified");
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/verifications/{}", Uuid::now_v7()),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A new identity document puts a rejected doctor back in the queue.
    let (s, _) = identity(&t, &b, 2, "1990-01-31").await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(status_of(&t, &b).await, "pending");
    let (_, q) = get(&t.router, "/v1/staff/verifications", Some(&staff.token)).await;
    let ids: Vec<&str> = q["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["doctor_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b_id.as_str()]);
}

async fn one_account_per_person(db: Db) {
    let t = app(db).await;
    let a = new_doctor_named(&t, 1, "Jean-Pierre", "Lefèvre").await;
    let (s, _) = identity(&t, &a, 1, "1980-06-15").await;
    assert_eq!(s, StatusCode::CREATED);

    // Same RPPS: no account made at sign-up (the address is told by mail, the form tells nobody).
    assert_eq!(
        sign_up_doctor(&t, "autre@example.fr", 1, "Paul", "Autre").await,
        SignUp::RppsTaken
    );

    // Same person under another RPPS and e-mail: names spelled differently, same birth date.
    let c = new_doctor_named(&t, 3, "jean pierre", "LEFEVRE").await;
    let (s, v) = identity(&t, &c, 3, "1980-06-15").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_identity")),
        "{v}"
    );
    // The same identity file under another birth date.
    let (s, v) = identity(&t, &c, 1, "1981-01-01").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_identity"))
    );
    // Nothing was written for the refused uploads.
    let (_, list) = get(&t.router, "/v1/me/documents", Some(&c.token)).await;
    assert_eq!(list["documents"].as_array().unwrap().len(), 0);
    let c_id = c.doctor_id.clone().unwrap();
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!("SELECT COUNT(*) FROM doctor_identities WHERE doctor_id = '{c_id}'")
        )
        .await,
        0
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            "SELECT COUNT(DISTINCT document_id) FROM document_chunks"
        )
        .await,
        1
    );
    // A different person (other birth date, own file) is fine.
    let (s, _) = identity(&t, &c, 3, "1981-01-01").await;
    assert_eq!(s, StatusCode::CREATED);

    // Bad identity input.
    let (s, v) = upload(
        &t,
        &c,
        "kind=identity&name=cni.pdf",
        "application/pdf",
        &pdf(9),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("birth_date_required")
    );
    for birth in ["1850-01-01", "2020-01-01", "15/06/1980"] {
        let (s, v) = identity(&t, &c, 9, birth).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation")),
            "{birth}"
        );
    }
    let (s, v) = upload(
        &t,
        &c,
        "kind=diploma&name=these.pdf&birth_date=1981-01-01",
        "application/pdf",
        &pdf(9),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
}

async fn duplicate_offers_are_refused(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    let (x, y, z) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        push_codes(&t, &d, &[offer_op(&d, x, OpKind::Upsert, &json!({}), 0)]).await,
        ["applied"]
    );
    // The same offer under a new id, also with another spelling of the same instants.
    let same_instants = json!({"interval": {"start": "2027-03-01T20:00:00+01:00", "end": "2027-03-02T07:00:00.000Z"}});
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[
                offer_op(&d, y, OpKind::Upsert, &json!({}), 1),
                offer_op(&d, y, OpKind::Upsert, &same_instants, 2),
            ]
        )
        .await,
        ["duplicate_offer", "duplicate_offer"]
    );
    // Another doctor may offer the same night; another kind or period is another offer.
    assert_eq!(
        push_codes(
            &t,
            &other,
            &[offer_op(
                &other,
                Uuid::now_v7(),
                OpKind::Upsert,
                &json!({}),
                0
            )]
        )
        .await,
        ["applied"]
    );
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[
                offer_op(&d, y, OpKind::Upsert, &json!({"kind": "garde_night"}), 3),
                offer_op(
                    &d,
                    z,
                    OpKind::Upsert,
                    &json!({"interval": {"start": "2027-03-02T19:00:00Z", "end": "2027-03-03T07:00:00Z"}}),
                    4
                ),
            ]
        )
        .await,
        ["applied", "applied"]
    );
    // Moving z onto x's period duplicates it; editing x's note does not.
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[
                offer_op(
                    &d,
                    z,
                    OpKind::Upsert,
                    &json!({"interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"}}),
                    5
                ),
                {
                    let mut op = offer_op(&d, x, OpKind::Upsert, &json!({}), 6);
                    op.fields = json!({"note": "garde calme"}).as_object().cloned().unwrap();
                    op
                },
            ]
        )
        .await,
        ["duplicate_offer", "applied"]
    );
    // Once x is deleted, its period may be offered again.
    let fresh = Uuid::now_v7();
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[
                offer_op(&d, x, OpKind::Delete, &json!({}), 7),
                offer_op(&d, fresh, OpKind::Upsert, &json!({}), 8),
            ]
        )
        .await,
        ["applied", "applied"]
    );
    // Refused offers were not stored.
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM records WHERE entity = 'availability' AND doctor_id = '{}'",
                d.doctor_id.clone().unwrap()
            )
        )
        .await,
        4
    );
}

backend_tests!(
    verification_queue_and_decisions,
    one_account_per_person,
    duplicate_offers_are_refused,
);
