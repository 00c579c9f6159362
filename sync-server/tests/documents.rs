//! HTTP tests of the documents area on both backends: the verification queue and staff decisions, one
//! account per person (RPPS, identity key, identity file), duplicate offers refused through sync push,
//! uploads (limits, content sniffing, checksum on read, quota), insurance expiry alerts by moving the
//! clock, and the sharing scope of mission documents.

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
use common::users::{
    User, exe, jpeg, new_doctor, new_doctor_named, new_facility, new_staff, offer_op, pdf, png,
    push_codes, raw, raw_json, sha256_hex, sign_up_doctor, sql_exec, sql_int, upload,
};
use common::{Db, TestApp, app, backend_tests, get, post};
use rempla_core::sync::OpKind;
use rempla_server::documents::{self, MissionShare};
use serde_json::{Value, json};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;

async fn identity(t: &TestApp, d: &User, n: u32, birth: &str) -> (StatusCode, Value) {
    upload(
        t,
        d,
        &format!("kind=identity&name=cni-{n}.pdf&birth_date={birth}"),
        "application/pdf",
        &pdf(n),
    )
    .await
}

async fn notices(t: &TestApp, db: Db, account: &str, kind: &str) -> i64 {
    sql_int(
        t,
        db,
        &format!("SELECT COUNT(*) FROM notices WHERE account_id = '{account}' AND kind = '{kind}'"),
    )
    .await
}

async fn audits(t: &TestApp, db: Db, action: &str) -> i64 {
    sql_int(
        t,
        db,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}

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

    // Same RPPS: refused at sign-up.
    let (s, v) = sign_up_doctor(&t, "autre@example.fr", 1, "Paul", "Autre").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
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
        sql_int(&t, db, "SELECT COUNT(*) FROM document_contents").await,
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

// ---------------------------------------------------------------- uploads

async fn uploads_are_checked(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    let facility = new_facility(&t, 1).await;

    let too_big = {
        let mut b = pdf(0);
        b.resize(documents::MAX_DOCUMENT_BYTES + 1, b' ');
        b
    };
    let refused: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "kind=diploma&name=a.pdf",
            "application/pdf",
            too_big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "document_too_large",
        ),
        (
            "kind=diploma&name=a.pdf",
            "application/pdf",
            vec![],
            StatusCode::BAD_REQUEST,
            "document_empty",
        ),
        (
            "kind=diploma&name=a.pdf",
            "application/pdf",
            exe(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type_mismatch",
        ),
        (
            "kind=diploma&name=a.jpg",
            "image/jpeg",
            png(1),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type_mismatch",
        ),
        (
            "kind=diploma&name=a.pdf",
            "application/pdf",
            b"just some text".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type_mismatch",
        ),
        (
            "kind=diploma&name=a.exe",
            "application/x-msdownload",
            exe(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "kind=diploma&name=a.txt",
            "text/plain",
            pdf(1),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "kind=passport&name=a.pdf",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            "kind=insurance&name=rcp.pdf",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            "kind=insurance&name=rcp.pdf&expires_on=31-12-2027",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            "kind=diploma&name=..%2Fetc%2Fpasswd",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            "kind=diploma&name=",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            "kind=diploma",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "kind=diploma&name=a.pdf&colour=blue",
            "application/pdf",
            pdf(1),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
    ];
    for (query, ct, body, status, code) in refused {
        let (s, v) = upload(&t, &d, query, ct, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (status, Some(code)),
            "{query} as {ct}: {v}"
        );
    }
    // Only doctors keep a vault; anonymous callers are refused before the body is read.
    let (s, v) = upload(
        &t,
        &facility,
        "kind=diploma&name=a.pdf",
        "application/pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, _) = raw_json(
        &t,
        "POST",
        "/v1/me/documents?kind=diploma&name=a.pdf",
        None,
        Some("application/pdf"),
        pdf(1),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Nothing was stored by any refusal.
    assert_eq!(sql_int(&t, db, "SELECT COUNT(*) FROM documents").await, 0);
    assert_eq!(
        sql_int(&t, db, "SELECT COUNT(*) FROM document_contents").await,
        0
    );
    assert_eq!(audits(&t, db, "document_uploaded").await, 0);

    // Accepted: each of the three types, checksum returned and kept.
    let mut ids = Vec::new();
    for (query, ct, body) in [
        (
            "kind=diploma&name=Th%C3%A8se%20de%20m%C3%A9decine.pdf",
            "application/pdf",
            pdf(1),
        ),
        (
            "kind=licence&name=licence.jpg",
            "image/jpeg; charset=binary",
            jpeg(1),
        ),
        (
            "kind=insurance&name=rcp.png&expires_on=2027-12-31",
            "image/png",
            png(1),
        ),
    ] {
        let (s, v) = upload(&t, &d, query, ct, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["sha256"], sha256_hex(&body));
        assert_eq!(v["size"], body.len());
        ids.push((v["id"].as_str().unwrap().to_owned(), body));
    }
    let (_, list) = get(&t.router, "/v1/me/documents", Some(&d.token)).await;
    let docs = list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    let diploma = docs.iter().find(|x| x["kind"] == "diploma").unwrap();
    assert_eq!(diploma["name"], "Thèse de médecine.pdf");
    assert_eq!(diploma["media_type"], "application/pdf");
    let insurance = docs.iter().find(|x| x["kind"] == "insurance").unwrap();
    assert_eq!(
        (
            insurance["expires_on"].as_str(),
            insurance["expired"].as_bool()
        ),
        (Some("2027-12-31"), Some(false))
    );
    assert_eq!(audits(&t, db, "document_uploaded").await, 3);

    // Download: the same bytes, with type and checksum headers; nobody else's.
    let (id, body) = &ids[0];
    let (s, h, bytes) = raw(
        &t,
        "GET",
        &format!("/v1/me/documents/{id}"),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes, body);
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-sha256"].to_str().unwrap(), sha256_hex(body));
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    for who in [&other, &facility] {
        let (s, _) = raw_json(
            &t,
            "GET",
            &format!("/v1/me/documents/{id}"),
            Some(&who.token),
            None,
            vec![],
        )
        .await;
        assert!(
            matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{s}"
        );
        let (s, _) = raw_json(
            &t,
            "DELETE",
            &format!("/v1/me/documents/{id}"),
            Some(&who.token),
            None,
            vec![],
        )
        .await;
        assert!(
            matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{s}"
        );
    }
    let (_, list) = get(&t.router, "/v1/me/documents", Some(&other.token)).await;
    assert_eq!(list["documents"].as_array().unwrap().len(), 0);

    // Damaged storage is detected on read, never served.
    let (jpeg_id, _) = &ids[1];
    sql_exec(
        &t,
        db,
        &format!("UPDATE document_contents SET content = 'AAAA' WHERE document_id = '{jpeg_id}'"),
    )
    .await;
    let (s, v) = raw_json(
        &t,
        "GET",
        &format!("/v1/me/documents/{jpeg_id}"),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("document_corrupt"))
    );

    // Delete: gone with its content, audited.
    let (s, _) = raw_json(
        &t,
        "DELETE",
        &format!("/v1/me/documents/{id}"),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = raw_json(
        &t,
        "GET",
        &format!("/v1/me/documents/{id}"),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = raw_json(
        &t,
        "DELETE",
        &format!("/v1/me/documents/{id}"),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!("SELECT COUNT(*) FROM document_contents WHERE document_id = '{id}'")
        )
        .await,
        0
    );
    assert_eq!(audits(&t, db, "document_deleted").await, 1);

    // Quota: 50 documents at most.
    for n in 0..48 {
        let (s, v) = upload(&t, &d, "kind=other&name=x.png", "image/png", &png(100 + n)).await;
        assert_eq!(s, StatusCode::CREATED, "{n}: {v}");
    }
    let (s, v) = upload(&t, &d, "kind=other&name=x.png", "image/png", &png(999)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("document_quota"))
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM documents WHERE doctor_id = '{}'",
                d.doctor_id.clone().unwrap()
            )
        )
        .await,
        50
    );
}

async fn insurance_expiry_is_alerted(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let now = t.state.clock.now_ms();
    let expires = chrono::DateTime::from_timestamp_millis(now + 60 * DAY_MS)
        .unwrap()
        .date_naive();
    let (s, v) = upload(
        &t,
        &d,
        &format!("kind=insurance&name=rcp.pdf&expires_on={expires}"),
        "application/pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A diploma never expires into an alert, even with a date.
    let (s, _) = upload(
        &t,
        &d,
        &format!("kind=diploma&name=d.pdf&expires_on={expires}"),
        "application/pdf",
        &pdf(2),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(documents::alert_expiring(&t.state).await.unwrap(), 0);
    assert_eq!(notices(&t, db, &d.account_id, "document_expiring").await, 0);
    // 31 days later the insurance is 29 days from expiry: one alert, once.
    t.state.clock.advance(31 * DAY_MS);
    assert_eq!(documents::alert_expiring(&t.state).await.unwrap(), 1);
    assert_eq!(documents::alert_expiring(&t.state).await.unwrap(), 0);
    t.state.clock.advance(DAY_MS);
    assert_eq!(documents::alert_expiring(&t.state).await.unwrap(), 0);
    assert_eq!(notices(&t, db, &d.account_id, "document_expiring").await, 1);
    // Past expiry: no new alert, and the vault shows it expired.
    t.state.clock.advance(40 * DAY_MS);
    assert_eq!(documents::alert_expiring(&t.state).await.unwrap(), 0);
    let (_, list) = get(&t.router, "/v1/me/documents", Some(&d.token)).await;
    let ins = list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "insurance")
        .unwrap()
        .clone();
    assert_eq!(ins["expired"], true);
    // A renewed attestation is alerted in its own time.
    let renewed = chrono::DateTime::from_timestamp_millis(t.state.clock.now_ms() + 10 * DAY_MS)
        .unwrap()
        .date_naive();
    let (s, _) = upload(
        &t,
        &d,
        &format!("kind=insurance&name=rcp-2.pdf&expires_on={renewed}"),
        "application/pdf",
        &pdf(3),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // Through the scheduler, as in production.
    let runs = rempla_server::areas::run_due(&t.state).await;
    let run = runs.iter().find(|r| r.name == "document_expiry").unwrap();
    assert_eq!(run.outcome, Ok(1));
    assert!(
        runs.iter()
            .any(|r| r.name == "privacy_purge" && r.outcome.is_ok())
    );
    assert_eq!(notices(&t, db, &d.account_id, "document_expiring").await, 2);
}

// ---------------------------------------------------------------- sharing

async fn shared_documents_reach_the_mission_facility_only(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let d = new_doctor(&t, 1).await;
    let other_doctor = new_doctor(&t, 2).await;
    let f1 = new_facility(&t, 1).await;
    let f2 = new_facility(&t, 2).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    let now = t.state.clock.now_ms();
    let soon = chrono::DateTime::from_timestamp_millis(now + 200 * DAY_MS)
        .unwrap()
        .date_naive();
    let past = chrono::DateTime::from_timestamp_millis(now - 2 * DAY_MS)
        .unwrap()
        .date_naive();
    let mut ids = std::collections::BTreeMap::new();
    for (name, query, body) in [
        (
            "identity",
            "kind=identity&name=cni.pdf&birth_date=1984-02-29".to_owned(),
            pdf(1),
        ),
        (
            "insurance",
            format!("kind=insurance&name=rcp.pdf&expires_on={soon}"),
            pdf(2),
        ),
        ("diploma", "kind=diploma&name=these.pdf".to_owned(), pdf(3)),
        (
            "old_licence",
            format!("kind=licence&name=licence.pdf&expires_on={past}"),
            pdf(4),
        ),
        ("other", "kind=other&name=photo.png".to_owned(), png(5)),
    ] {
        let (s, v) = upload(
            &t,
            &d,
            &query,
            if name == "other" {
                "image/png"
            } else {
                "application/pdf"
            },
            &body,
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
        ids.insert(name, v["id"].as_str().unwrap().to_owned());
    }
    let mission = Uuid::now_v7().to_string();
    let f1_id = f1.facility_id.clone().unwrap();
    // Nothing is visible before the share.
    let (s, _) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&f1.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The default share: valid professional documents, never the identity document or an expired one.
    let shared = t
        .state
        .storage
        .share_for_mission(
            MissionShare {
                mission_id: mission.clone(),
                doctor_id: doctor_id.clone(),
                facility_id: f1_id.clone(),
                document_ids: None,
            },
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let mut expected = vec![ids["insurance"].clone(), ids["diploma"].clone()];
    expected.sort();
    let mut got = shared.clone();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(audits(&t, db, "documents_shared").await, 1);

    let (s, v) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&f1.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut listed: Vec<String> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, expected);
    let (s, _) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&d.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Other facilities, other doctors and even staff see nothing of it.
    for who in [&f2, &other_doctor, &staff] {
        let (s, _) = get(
            &t.router,
            &format!("/v1/missions/{mission}/documents"),
            Some(&who.token),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = get(
            &t.router,
            &format!("/v1/missions/{mission}/documents/{}", ids["insurance"]),
            Some(&who.token),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let reads_before = audits(&t, db, "document_read").await;
    let (s, _, bytes) = raw(
        &t,
        "GET",
        &format!("/v1/missions/{mission}/documents/{}", ids["insurance"]),
        Some(&f1.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, pdf(2));
    assert_eq!(audits(&t, db, "document_read").await, reads_before + 1);
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'document_read' AND account_id = '{}' \
                 AND facility_id = '{f1_id}' AND doctor_id = '{doctor_id}'",
                f1.account_id
            )
        )
        .await,
        1
    );
    // Unshared documents, forged ids and other missions: 404, and no audit entry.
    for path in [
        format!("/v1/missions/{mission}/documents/{}", ids["identity"]),
        format!("/v1/missions/{mission}/documents/{}", Uuid::now_v7()),
        format!(
            "/v1/missions/{}/documents/{}",
            Uuid::now_v7(),
            ids["insurance"]
        ),
    ] {
        let (s, _) = get(&t.router, &path, Some(&f1.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(audits(&t, db, "document_read").await, reads_before + 1);
    // The doctor sees who read it.
    let (s, trail) = get(&t.router, "/v1/me/audit", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    assert!(
        trail["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "document_read" && e["account_id"] == f1.account_id.as_str()),
        "{trail}"
    );

    // An explicit choice: a forged or expired id refuses the whole share and writes nothing.
    let second = Uuid::now_v7().to_string();
    for bad in [Uuid::now_v7().to_string(), ids["old_licence"].clone()] {
        let refused = t
            .state
            .storage
            .share_for_mission(
                MissionShare {
                    mission_id: second.clone(),
                    doctor_id: doctor_id.clone(),
                    facility_id: f1_id.clone(),
                    document_ids: Some(vec![ids["diploma"].clone(), bad]),
                },
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            refused.unwrap_err().code().as_str(),
            "document_not_shareable"
        );
    }
    // Another doctor's document cannot be shared as this doctor's.
    let (s, v) = upload(
        &t,
        &other_doctor,
        "kind=diploma&name=x.pdf",
        "application/pdf",
        &pdf(50),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let foreign = t
        .state
        .storage
        .share_for_mission(
            MissionShare {
                mission_id: second.clone(),
                doctor_id: doctor_id.clone(),
                facility_id: f1_id.clone(),
                document_ids: Some(vec![v["id"].as_str().unwrap().to_owned()]),
            },
            now,
        )
        .await
        .unwrap();
    assert!(foreign.is_err());
    let (s, _) = get(
        &t.router,
        &format!("/v1/missions/{second}/documents"),
        Some(&f1.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The doctor may choose to share the identity document too.
    let chosen = t
        .state
        .storage
        .share_for_mission(
            MissionShare {
                mission_id: second.clone(),
                doctor_id: doctor_id.clone(),
                facility_id: f1_id.clone(),
                document_ids: Some(vec![ids["identity"].clone()]),
            },
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chosen, [ids["identity"].clone()]);
    // Deleting a document withdraws it from every share.
    let (s, _) = raw_json(
        &t,
        "DELETE",
        &format!("/v1/me/documents/{}", ids["insurance"]),
        Some(&d.token),
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&f1.token),
    )
    .await;
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
}

/// Acceptance through the workflow's HTTP API shares documents in the acceptance transaction: a forged
/// choice refuses the whole acceptance (no mission), the doctor's choice reaches the mission's facility
/// only, and a facility-accepted application shares the default set.
async fn acceptance_shares_documents(db: Db) {
    let t = app(db).await;
    let to = |rfc: &str| {
        let target = chrono::DateTime::parse_from_rfc3339(rfc)
            .unwrap()
            .timestamp_millis();
        t.state.clock.advance(target - t.state.clock.now_ms());
    };
    to("2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let admin = new_facility(&t, 1).await;
    let other = new_facility(&t, 2).await;
    let site = common::users::add_site(&t, &admin).await;
    let d = new_doctor(&t, 1).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    let (s, _) = raw_json(
        &t,
        "PATCH",
        "/v1/me/profile",
        Some(&d.token),
        Some("application/json"),
        br#"{"departments": ["22"]}"#.to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let mut ids = std::collections::BTreeMap::new();
    for (name, query) in [
        (
            "identity",
            "kind=identity&name=cni.pdf&birth_date=1980-01-01",
        ),
        (
            "insurance",
            "kind=insurance&name=rcp.pdf&expires_on=2027-12-31",
        ),
        ("diploma", "kind=diploma&name=these.pdf"),
    ] {
        let (s, v) = upload(
            &t,
            &d,
            query,
            "application/pdf",
            &pdf(u32::try_from(ids.len()).unwrap() + 1),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.insert(name, v["id"].as_str().unwrap().to_owned());
    }
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/verifications/{doctor_id}"),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let nights = [
        ("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z"),
        ("2027-02-03T19:00:00Z", "2027-02-04T07:00:00Z"),
    ];
    let mut requests = Vec::new();
    for (start, end) in nights {
        let slot = Uuid::now_v7();
        assert_eq!(
            push_codes(
                &t,
                &d,
                &[offer_op(
                    &d,
                    slot,
                    OpKind::Upsert,
                    &json!({"interval": {"start": start, "end": end}}),
                    0
                )]
            )
            .await,
            ["applied"]
        );
        let r = Uuid::now_v7();
        assert_eq!(
            push_codes(
                &t,
                &admin,
                &[common::users::upsert_op(
                    &admin,
                    rempla_core::sync::EntityKind::Request,
                    r,
                    &json!({"id": r, "facility_id": admin.facility_id, "site_id": site, "specialty": "urgences",
                            "shifts": [{"kind": "night", "interval": {"start": start, "end": end}}],
                            "zone": "Europe/Paris", "department": "22", "location": {"lat": 48.73, "lon": -3.46},
                            "doctors_needed": 1, "status": "open", "remuneration_cents_per_day": 65_000}),
                )]
            )
            .await,
            ["applied"]
        );
        requests.push(r.to_string());
    }
    // 1. The facility proposes; the doctor accepts choosing documents.
    let (s, v) = post(
        &t.router,
        &format!("/v1/requests/{}/proposals", requests[0]),
        Some(&admin.token),
        &json!({"doctor_id": doctor_id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let proposal = v["proposal"]["id"].as_str().unwrap().to_owned();
    let accept = |docs: Value| {
        let (token, proposal) = (d.token.clone(), proposal.clone());
        let router = t.router.clone();
        async move {
            post(
                &router,
                &format!("/v1/proposals/{proposal}/answer"),
                Some(&token),
                &json!({"answer": "accept", "document_ids": docs}),
            )
            .await
        }
    };
    // A forged document id refuses the acceptance: no mission, nothing shared.
    let (s, v) = accept(json!([ids["diploma"], Uuid::now_v7().to_string()])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("document_not_shareable"),
        "{v}"
    );
    assert_eq!(sql_int(&t, db, "SELECT COUNT(*) FROM missions").await, 0);
    assert_eq!(
        sql_int(&t, db, "SELECT COUNT(*) FROM document_shares").await,
        0
    );
    let (s, v) = accept(json!([ids["diploma"], ids["identity"]])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mission = v["mission_id"].as_str().unwrap().to_owned();
    let (s, v) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut shared: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    shared.sort_unstable();
    let mut want = vec![ids["diploma"].as_str(), ids["identity"].as_str()];
    want.sort_unstable();
    assert_eq!(shared, want);
    let (s, _) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&other.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, bytes) = raw(
        &t,
        "GET",
        &format!("/v1/missions/{mission}/documents/{}", ids["diploma"]),
        Some(&admin.token),
        None,
        vec![],
    )
    .await;
    assert_eq!((s, bytes), (StatusCode::OK, pdf(3)));

    // 2. The doctor applies; the facility accepts: the default set (insurance, diploma).
    let (s, v) = post(
        &t.router,
        &format!("/v1/requests/{}/applications", requests[1]),
        Some(&d.token),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let application = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (s, v) = post(
        &t.router,
        &format!("/v1/proposals/{application}/answer"),
        Some(&admin.token),
        &json!({"answer": "accept"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let second = v["mission_id"].as_str().unwrap().to_owned();
    let (_, v) = get(
        &t.router,
        &format!("/v1/missions/{second}/documents"),
        Some(&admin.token),
    )
    .await;
    let mut shared: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    shared.sort_unstable();
    let mut want = vec![ids["diploma"].as_str(), ids["insurance"].as_str()];
    want.sort_unstable();
    assert_eq!(shared, want);

    // The doctor's export holds both missions, in data.json and as calendar events.
    let (s, _, bytes) = raw(&t, "GET", "/v1/me/export", Some(&d.token), None, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
        out
    };
    let data: Value = serde_json::from_str(&read("data.json")).unwrap();
    let ics = read("calendar.ics");
    let exported: Vec<&str> = data["records"]["mission"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(exported.len(), 2, "{data}");
    for m in [&mission, &second] {
        assert!(exported.contains(&m.as_str()));
        assert!(ics.contains(m.as_str()), "{ics}");
    }

    // Closing the account: refused while missions are ahead; once they are cancelled, the closure
    // withdraws the proposals still waiting for an answer.
    let third = Uuid::now_v7();
    let (start, end) = ("2027-02-05T19:00:00Z", "2027-02-06T07:00:00Z");
    push_codes(
        &t,
        &d,
        &[offer_op(
            &d,
            Uuid::now_v7(),
            OpKind::Upsert,
            &json!({"interval": {"start": start, "end": end}}),
            9,
        )],
    )
    .await;
    push_codes(
        &t,
        &admin,
        &[common::users::upsert_op(
            &admin,
            rempla_core::sync::EntityKind::Request,
            third,
            &json!({"id": third, "facility_id": admin.facility_id, "site_id": site, "specialty": "urgences",
                    "shifts": [{"kind": "night", "interval": {"start": start, "end": end}}],
                    "zone": "Europe/Paris", "department": "22", "location": {"lat": 48.73, "lon": -3.46},
                    "doctors_needed": 1, "status": "open", "remuneration_cents_per_day": 65_000}),
        )],
    )
    .await;
    let (s, v) = post(
        &t.router,
        &format!("/v1/requests/{third}/proposals"),
        Some(&admin.token),
        &json!({"doctor_id": doctor_id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let waiting = v["proposal"]["id"].as_str().unwrap().to_owned();
    let close = |token: String| {
        let router = t.router.clone();
        async move {
            common::call(
                &router,
                "DELETE",
                "/v1/me",
                Some(&token),
                Some(serde_json::to_vec(&json!({"password": common::PASSWORD})).unwrap()),
            )
            .await
        }
    };
    let (s, v) = close(d.token.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("missions_ahead"))
    );
    for m in [&mission, &second] {
        let (s, v) = post(
            &t.router,
            &format!("/v1/missions/{m}/cancel"),
            Some(&d.token),
            &json!({"reason": "arrêt d'activité"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = close(d.token.clone()).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM proposals WHERE id = '{waiting}' AND state = 'withdrawn'"
            )
        )
        .await,
        1
    );
    // The facility no longer reads the closed doctor's documents.
    let (s, _) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

backend_tests!(
    verification_queue_and_decisions,
    one_account_per_person,
    duplicate_offers_are_refused,
    uploads_are_checked,
    insurance_expiry_is_alerted,
    shared_documents_reach_the_mission_facility_only,
    acceptance_shares_documents,
);
