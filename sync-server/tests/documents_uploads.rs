//! HTTP tests of document uploads on both backends: limits, content sniffing, checksum on read, quota,
//! and insurance expiry alerts by moving the clock.

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
use common::documents::{DAY_MS, audits, notices};
use common::users::{
    exe, jpeg, new_doctor, new_facility, pdf, png, raw, raw_json, sha256_hex, sql_exec, sql_int,
    upload,
};
use common::{Db, app, backend_tests, get};
use rempla_server::documents;

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
        sql_int(&t, db, "SELECT COUNT(*) FROM document_chunks").await,
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
        &format!("UPDATE document_chunks SET content = 'AAAA' WHERE document_id = '{jpeg_id}'"),
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
            &format!("SELECT COUNT(*) FROM document_chunks WHERE document_id = '{id}'")
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

backend_tests!(uploads_are_checked, insurance_expiry_is_alerted);
