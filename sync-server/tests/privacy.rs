//! HTTP tests of the privacy area on both backends: "Mon profil" (view, correction with the core
//! validators, audit), the ZIP export parsed back, account closure then the purge one year later, the
//! booking-data retention purge, and the retention setting's validation.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which
// the test-only unwrap allowance intends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names
)]

mod common;

use std::io::Read;

use axum::http::StatusCode;
use common::users::{
    SignUp, add_site, login, new_doctor, new_facility, new_staff, offer_op, pdf, push_codes, raw,
    raw_json, sha256_hex, sign_up_doctor, sql_int, upload, upsert_op,
};
use common::{Db, PASSWORD, TestApp, app, app_with, backend_tests, call, get, post, test_config};
use rempla_core::sync::{EntityKind, OpKind};
use rempla_server::privacy;
use serde_json::{Value, json};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;

async fn patch(t: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    call(
        &t.router,
        "PATCH",
        "/v1/me/profile",
        Some(token),
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

async fn close(t: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    call(
        &t.router,
        "DELETE",
        "/v1/me",
        Some(token),
        Some(serde_json::to_vec(&json!({"password": password})).unwrap()),
    )
    .await
}

async fn profile_is_seen_and_corrected(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let d = new_doctor(&t, 1).await;
    let f = new_facility(&t, 1).await;
    let (s, p) = get(&t.router, "/v1/me/profile", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["account"]["email"], d.email.as_str());
    assert_eq!(p["doctor"]["last_name"], "Test1");
    assert_eq!(p["doctor"]["contact"]["email"], d.email.as_str());

    let (s, p) = patch(
        &t,
        &d.token,
        &json!({"phone": "06 12 34 56 78", "travel_radius_km": 80, "departments": ["22", "2a"],
                "languages": ["en"], "first_name": "Anne-Marie", "display_name": "Dr Anne-Marie Test1"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["doctor"]["first_name"], "Anne-Marie");
    assert_eq!(p["doctor"]["travel_radius_km"], 80);
    assert_eq!(p["doctor"]["departments"], json!(["22", "2A"]));
    assert!(p["doctor"]["contact"]["phone"].is_string());
    assert_eq!(p["account"]["display_name"], "Dr Anne-Marie Test1");
    // Audited with the field names, never the values.
    let (_, trail) = get(&t.router, "/v1/me/audit", Some(&d.token)).await;
    let entry = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "profile_updated")
        .unwrap()
        .clone();
    assert!(entry["detail"].as_str().unwrap().contains("contact"));
    assert!(!entry["detail"].as_str().unwrap().contains("06"));

    // Bad values: clear codes, nothing changed.
    for (body, status, code) in [
        (
            json!({"phone": "12"}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"contact_email": "pas-une-adresse"}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"travel_radius_km": 5000}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"departments": ["99"]}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"languages": ["english"]}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"last_name": "   "}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"display_name": ""}),
            StatusCode::BAD_REQUEST,
            "validation",
        ),
        (
            json!({"rpps": "10000000000"}),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            json!({"status": "verified"}),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
    ] {
        let (s, v) = patch(&t, &d.token, &body).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{body}: {v}");
    }
    let (_, p2) = get(&t.router, "/v1/me/profile", Some(&d.token)).await;
    assert_eq!(p2["doctor"], p["doctor"]);
    assert_eq!(p2["doctor"]["status"], "pending");

    // A facility member corrects their display name but has no doctor fields.
    let (s, v) = patch(
        &t,
        &f.token,
        &json!({"display_name": "Coordination médicale"}),
    )
    .await;
    assert_eq!(
        (s, v["account"]["display_name"].as_str()),
        (StatusCode::OK, Some("Coordination médicale"))
    );
    let (s, v) = patch(&t, &f.token, &json!({"phone": "0612345678"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );

    // Once verified against the identity document, names are locked.
    let (s, _) = upload(
        &t,
        &d,
        "kind=identity&name=cni.pdf&birth_date=1980-01-01",
        "application/pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/verifications/{}", d.doctor_id.clone().unwrap()),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = patch(&t, &d.token, &json!({"last_name": "Autre"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("name_locked"))
    );
    // Nor through a new identity document with another birth date; a renewed card of the same person is fine.
    let (s, v) = upload(
        &t,
        &d,
        "kind=identity&name=cni2.pdf&birth_date=1980-01-02",
        "application/pdf",
        &pdf(2),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("identity_locked"))
    );
    let (s, _) = upload(
        &t,
        &d,
        "kind=identity&name=cni2.pdf&birth_date=1980-01-01",
        "application/pdf",
        &pdf(2),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = patch(&t, &d.token, &json!({"phone": ""})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, p3) = get(&t.router, "/v1/me/profile", Some(&d.token)).await;
    assert!(p3["doctor"]["contact"].get("phone").is_none());
    assert_eq!(p3["doctor"]["last_name"], "Test1");
}

fn zip_entries(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        out.insert(f.name().to_owned(), buf);
    }
    out
}

async fn export_holds_everything(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let d = new_doctor(&t, 1).await;
    let other = new_doctor(&t, 2).await;
    let slot = Uuid::now_v7();
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[offer_op(
                &d,
                slot,
                OpKind::Upsert,
                &json!({"note": "de garde"}),
                0
            )]
        )
        .await,
        ["applied"]
    );
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
    let (s, doc) = upload(
        &t,
        &d,
        "kind=identity&name=ma%20carte.pdf&birth_date=1979-12-31",
        "application/pdf",
        &pdf(7),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/verifications/{}", d.doctor_id.clone().unwrap()),
        Some(&staff.token),
        &json!({"decision": "reject", "reason": "photo floue"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let (s, h, bytes) = raw(&t, "GET", "/v1/me/export", Some(&d.token), None, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/zip");
    let files = zip_entries(&bytes);
    let data: Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["account"]["email"], d.email.as_str());
    assert!(data["account"].get("password_hash").is_none());
    assert_eq!(data["profile"]["doctor"]["last_name"], "Test1");
    assert_eq!(data["doctor"]["rpps"], common::rpps(1));
    assert_eq!(data["identity"]["birth_date"], "1979-12-31");
    let avails = data["records"]["availability"].as_array().unwrap();
    assert_eq!(avails.len(), 1, "only the caller's own calendar");
    assert_eq!(avails[0]["id"], slot.to_string());
    assert_eq!(avails[0]["note"], "de garde");
    assert_eq!(data["verification_decisions"][0]["reason"], "photo floue");
    assert!(
        data["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "doctor_rejected")
    );
    assert!(!data["terms_acceptances"].as_array().unwrap().is_empty());
    assert!(!data["devices"].as_array().unwrap().is_empty());
    let actions: Vec<&str> = data["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"document_uploaded") && actions.contains(&"doctor_rejected"),
        "{actions:?}"
    );
    // The calendar is valid iCalendar with the availability in it.
    let ics = String::from_utf8(files["calendar.ics"].clone()).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR"));
    assert!(ics.contains(&slot.to_string()), "{ics}");
    // The documents, byte for byte, matching their listed checksum.
    let listed = &data["documents"][0];
    assert_eq!(listed["sha256"], sha256_hex(&pdf(7)));
    let file = listed["file"].as_str().unwrap();
    assert_eq!(files[file], pdf(7));
    assert!(file.starts_with("documents/") && !file.contains(' '));
    // Nothing of the other doctor.
    let text = String::from_utf8_lossy(&files["data.json"]);
    assert!(!text.contains(other.doctor_id.as_deref().unwrap()));
    assert!(!text.contains(&other.email));
    // The export itself is audited.
    assert_eq!(
        sql_int(
            &t,
            db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'data_exported'"
        )
        .await,
        1
    );
    // A facility member exports too (no doctor part, no documents).
    let f = new_facility(&t, 1).await;
    let (s, _, bytes) = raw(&t, "GET", "/v1/me/export", Some(&f.token), None, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let files = zip_entries(&bytes);
    let data: Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(data["memberships"].as_array().unwrap().len(), 1);
    assert!(data.get("documents").is_none());
    let (s, _) = get(&t.router, "/v1/me/export", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn closure_then_purge_after_a_year(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let f = new_facility(&t, 1).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    let slot = Uuid::now_v7();
    assert_eq!(
        push_codes(&t, &d, &[offer_op(&d, slot, OpKind::Upsert, &json!({}), 0)]).await,
        ["applied"]
    );
    let (s, _) = upload(
        &t,
        &d,
        "kind=identity&name=cni.pdf&birth_date=1975-05-05",
        "application/pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    // A wrong password changes nothing.
    let (s, v) = close(&t, &d.token, "pas-le-bon-mot-de-passe").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_password"))
    );
    let (s, _) = get(&t.router, "/v1/me/profile", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK);
    // The last administrator of a facility cannot leave it orphaned.
    let (s, v) = close(&t, &f.token, PASSWORD).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    let (s, _) = get(&t.router, "/v1/me/profile", Some(&f.token)).await;
    assert_eq!(s, StatusCode::OK);

    let (s, v) = close(&t, &d.token, PASSWORD).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    // Tokens revoked, login impossible.
    let (s, v) = get(&t.router, "/v1/me/profile", Some(&d.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    let (s, _, _) = login(&t, &d.email, PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Personal data erased at once; identifiers kept.
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!("SELECT COUNT(*) FROM documents WHERE doctor_id = '{doctor_id}'")
        )
        .await,
        0
    );
    assert_eq!(
        sql_int(&t, db, "SELECT COUNT(*) FROM document_chunks").await,
        0
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM doctors WHERE id = '{doctor_id}' AND record LIKE '%Test1%'"
            )
        )
        .await,
        0
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!("SELECT COUNT(*) FROM doctors WHERE id = '{doctor_id}' AND status = 'closed'")
        )
        .await,
        1
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM records WHERE id = '{slot}' AND state LIKE '%\"deleted\":\"%'"
            )
        )
        .await,
        1,
        "the availability became a tombstone"
    );
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM accounts WHERE id = '{}' AND password_hash IS NULL",
                d.account_id
            )
        )
        .await,
        1
    );
    // Hidden from facilities.
    let (s, _) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&f.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The RPPS and e-mail stay taken during the retention year.
    assert_eq!(
        sign_up_doctor(&t, &d.email, 1, "Anne", "Test1").await,
        SignUp::NoMail,
        "a closed account's address gets no mail and no new account"
    );
    // Not purged before a year, purged after.
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().accounts, 0);
    t.state.clock.advance(364 * DAY_MS);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().accounts, 0);
    t.state.clock.advance(2 * DAY_MS);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().accounts, 1);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().accounts, 0);
    for sql in [
        format!(
            "SELECT COUNT(*) FROM accounts WHERE id = '{}'",
            d.account_id
        ),
        format!("SELECT COUNT(*) FROM doctors WHERE id = '{doctor_id}'"),
        format!("SELECT COUNT(*) FROM doctor_identities WHERE doctor_id = '{doctor_id}'"),
        format!(
            "SELECT COUNT(*) FROM tokens WHERE account_id = '{}'",
            d.account_id
        ),
        format!(
            "SELECT COUNT(*) FROM terms_acceptances WHERE account_id = '{}'",
            d.account_id
        ),
        format!("SELECT COUNT(*) FROM records WHERE doctor_id = '{doctor_id}'"),
    ] {
        assert_eq!(sql_int(&t, db, &sql).await, 0, "{sql}");
    }
    // The same person may register again.
    assert_eq!(
        sign_up_doctor(&t, &d.email, 1, "Anne", "Test1").await,
        SignUp::Created
    );
    // The facility account is untouched (its token expired meanwhile: it logs in again).
    let (s, v, _) = login(&t, &f.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn booking_data_is_purged_after_retention(db: Db) {
    let t = app_with(
        db,
        rempla_server::Config {
            booking_retention_days: 90,
            ..test_config()
        },
    )
    .await;
    let d = new_doctor(&t, 1).await;
    let (one_off, series, later) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[
                offer_op(&d, one_off, OpKind::Upsert, &json!({}), 0),
                offer_op(
                    &d,
                    series,
                    OpKind::Upsert,
                    &json!({"interval": {"start": "2027-03-03T19:00:00Z", "end": "2027-03-04T07:00:00Z"},
                            "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=4"}}),
                    1
                ),
                offer_op(
                    &d,
                    later,
                    OpKind::Upsert,
                    &json!({"interval": {"start": "2027-09-01T19:00:00Z", "end": "2027-09-02T07:00:00Z"}}),
                    2
                ),
            ]
        )
        .await,
        ["applied", "applied", "applied"]
    );
    let end_ms = chrono::DateTime::parse_from_rfc3339("2027-03-02T07:00:00Z")
        .unwrap()
        .timestamp_millis();
    let move_to = |target: i64| t.state.clock.advance(target - t.state.clock.now_ms());
    move_to(end_ms + 89 * DAY_MS);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().bookings, 0);
    move_to(end_ms + 91 * DAY_MS);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().bookings, 1);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().bookings, 0);
    let live = |id: Uuid| {
        format!(
            "SELECT COUNT(*) FROM records WHERE id = '{id}' AND state NOT LIKE '%\"deleted\":\"%'"
        )
    };
    assert_eq!(sql_int(&t, db, &live(one_off)).await, 0);
    assert_eq!(sql_int(&t, db, &live(series)).await, 1, "a series is kept");
    assert_eq!(sql_int(&t, db, &live(later)).await, 1);
    assert_eq!(
        sql_int(
            &t,
            db,
            &format!(
                "SELECT COUNT(*) FROM records WHERE id = '{one_off}' AND state LIKE '%interval%'"
            )
        )
        .await,
        0,
        "the purged record keeps no field"
    );
}

#[test]
fn retention_setting_is_one_of_three_values() {
    for days in [90, 120, 240] {
        let c = rempla_server::Config {
            booking_retention_days: days,
            ..rempla_server::Config::default()
        };
        assert!(c.validate().is_ok(), "{days}");
    }
    for days in [0, 30, 100, 365] {
        let c = rempla_server::Config {
            booking_retention_days: days,
            ..rempla_server::Config::default()
        };
        assert!(
            c.validate().unwrap_err().contains("90, 120 ou 240"),
            "{days}"
        );
    }
    assert!(rempla_server::Config::default().validate().is_ok());
}

#[tokio::test]
async fn privacy_endpoints_need_a_token() {
    let t = app(Db::Sqlite).await;
    for (method, path) in [
        ("GET", "/v1/me/profile"),
        ("PATCH", "/v1/me/profile"),
        ("GET", "/v1/me/export"),
        ("GET", "/v1/me/audit"),
        ("DELETE", "/v1/me"),
    ] {
        let (s, v) = raw_json(
            &t,
            method,
            path,
            None,
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "{method} {path}"
        );
    }
}

/// The whole trust life cycle as facilities see it: a pending doctor is no candidate; approved through
/// the queue (with an identity document) they appear in matching and their profile is visible; once
/// they close their account they are gone from both.
async fn verified_then_closed_doctor_in_matching(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let admin = new_facility(&t, 1).await;
    let site = add_site(&t, &admin).await;
    let facility = admin.facility_id.clone().unwrap();
    let d = new_doctor(&t, 1).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    let (s, v) = patch(&t, &d.token, &json!({"departments": ["22"]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        push_codes(
            &t,
            &d,
            &[offer_op(&d, Uuid::now_v7(), OpKind::Upsert, &json!({}), 0)]
        )
        .await,
        ["applied"]
    );
    let request = Uuid::now_v7();
    assert_eq!(
        push_codes(
            &t,
            &admin,
            &[upsert_op(
                &admin,
                EntityKind::Request,
                request,
                &json!({
                    "id": request, "facility_id": facility, "site_id": site, "specialty": "urgences",
                    "shifts": [{"kind": "night", "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"}}],
                    "zone": "Europe/Paris", "department": "22", "location": {"lat": 48.73, "lon": -3.46},
                    "doctors_needed": 1, "status": "open"
                }),
            )]
        )
        .await,
        ["applied"]
    );
    let candidates = || async {
        let (s, v) = get(
            &t.router,
            &format!("/v1/requests/{request}/candidates"),
            Some(&admin.token),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["doctor"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        candidates().await.is_empty(),
        "a pending doctor is no candidate"
    );
    let (s, _) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = upload(
        &t,
        &d,
        "kind=identity&name=cni.pdf&birth_date=1982-03-04",
        "application/pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = post(
        &t.router,
        &format!("/v1/staff/verifications/{doctor_id}"),
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(candidates().await, std::slice::from_ref(&doctor_id));
    let (s, v) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v.get("contact").is_none(),
        "no contact details before unlock"
    );

    let (s, _) = close(&t, &d.token, PASSWORD).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        candidates().await.is_empty(),
        "a closed account is no candidate"
    );
    let (s, _) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

backend_tests!(
    profile_is_seen_and_corrected,
    export_holds_everything,
    closure_then_purge_after_a_year,
    booking_data_is_purged_after_retention,
    verified_then_closed_doctor_in_matching,
);
