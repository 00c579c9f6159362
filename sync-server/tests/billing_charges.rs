//! Billing over HTTP on both backends: the tariff grid (staff only, bad amounts refused with their
//! codes, audited), charges at unlock with their invoices, idempotency, credit notes, and the
//! authorization matrix of invoices and statements.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which the
// test-only unwrap allowance intends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Datelike as _, TimeZone as _, Utc};
use common::billing::{at, has, pdf_text, shifts, unlock};
use common::users::{invite, new_doctor_named, new_facility_named, new_staff, put};
use common::{Db, TestApp, app, backend_tests, call, get};
use rempla_server::audit::AuditFilter;
use rempla_server::billing::{
    CancellationFacts, ChargeOutcome, CreditOutcome, UnlockFacts, billing_date,
};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

// ---------------------------------------------------------------- HTTP world

/// Raw exchange for non-JSON answers (PDF, CSV): status, content type, bytes.
async fn raw(t: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .method("GET")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, ct, bytes.to_vec())
}

fn today(t: &TestApp) -> String {
    billing_date(t.state.clock.now_ms())
        .format("%Y-%m-%d")
        .to_string()
}

fn grid(valid_from: &str) -> Value {
    json!({"valid_from": valid_from, "day_cents": 4_005, "night_cents": 5_000, "garde_day_cents": 6_000,
           "garde_night_cents": 7_000, "astreinte_cents": 2_500, "vat_bps": 2_000})
}

async fn tariff_rules(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let admin = new_facility_named(&t, 1, "Clinique Sainte-Thérèse 1", "clinic").await;
    let doctor = new_doctor_named(&t, 1, "Françoise", "Lefèvre1").await;
    let today = today(&t);

    // Only staff set tariffs.
    for user in [&admin, &doctor] {
        let (s, v) = put(&t, "/v1/staff/tariffs", &user.token, &grid(&today)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
    }
    let (s, v) = call(
        &t.router,
        "PUT",
        "/v1/staff/tariffs",
        None,
        Some(b"{}".to_vec()),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");

    // Bad input: each refusal with its code, nothing stored.
    let cases: Vec<(Value, &str)> = vec![
        (json!({"day_cents": -1}), "negative_amount"),
        (json!({"night_cents": -100}), "negative_amount"),
        (
            json!({"garde_night_cents": 100_000_001}),
            "amount_too_large",
        ),
        (json!({"astreinte_cents": i64::MAX}), "amount_too_large"),
        (json!({"vat_bps": 10_001}), "invalid_vat_rate"),
        (json!({"vat_bps": -1}), "negative_amount"),
        (json!({"valid_from": "2026-13-01"}), "invalid_date"),
        (json!({"valid_from": "01/12/2026"}), "invalid_date"),
        (json!({"valid_from": "2020-01-01"}), "tariff_retroactive"),
        (json!({"day_cents": "40"}), "malformed_json"),
        (json!({"day_cents": 1e30}), "malformed_json"),
        (json!({"surprise": 1}), "malformed_json"),
    ];
    for (patch, code) in cases {
        let mut body = grid(&today);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, v) = put(&t, "/v1/staff/tariffs", &staff.token, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body} → {v}"
        );
    }
    let (s, v) = get(&t.router, "/v1/tariffs", Some(&doctor.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"current": null, "tariffs": []}));

    // A valid grid today, one planned; replacing the planned one is audited as a replacement.
    let (s, today_grid) = put(&t, "/v1/staff/tariffs", &staff.token, &grid(&today)).await;
    assert_eq!(s, StatusCode::OK, "{today_grid}");
    assert_eq!(today_grid["day_cents"], 4_005);
    let mut planned = grid("2099-01-01");
    planned["day_cents"] = json!(9_999);
    let (s, _) = put(&t, "/v1/staff/tariffs", &staff.token, &planned).await;
    assert_eq!(s, StatusCode::OK);
    planned["day_cents"] = json!(8_888);
    let (s, _) = put(&t, "/v1/staff/tariffs", &staff.token, &planned).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = get(&t.router, "/v1/tariffs", Some(&admin.token)).await;
    assert_eq!(v["current"]["id"], today_grid["id"]);
    assert_eq!(v["tariffs"].as_array().unwrap().len(), 2);
    assert_eq!(v["tariffs"][1]["day_cents"], 8_888);

    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                account_id: Some(staff.account_id.clone()),
                ..AuditFilter::default()
            },
            50,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = trail
        .iter()
        .filter(|e| e.entity == "tariff")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["tariff_replaced", "tariff_set", "tariff_set"]);
    assert!(trail[0].detail.contains("9999") && trail[0].detail.contains("8888"));

    // Each unlock is priced at the grid in force on its date.
    let day = |m: &ChargeOutcome| match m {
        ChargeOutcome::Charged(s) => s.totals.ht_cents,
        other => panic!("{other:?}"),
    };
    let only_day = |mission: &str, at_ms: i64| UnlockFacts {
        shifts: vec![shifts()[0]],
        ..unlock(mission, "f", "d", at_ms)
    };
    let now = t.state.clock.now_ms();
    let later = Utc
        .with_ymd_and_hms(2099, 1, 1, 0, 30, 0)
        .unwrap()
        .timestamp_millis();
    let storage = &t.state.storage;
    assert_eq!(
        day(&storage.charge_unlock(only_day("m1", now)).await.unwrap()),
        4_005
    );
    // 2098-12-31 23:30 in Paris is still the old grid; 00:30 on 1 January (23:30 UTC) the new one.
    let m2 = storage
        .charge_unlock(only_day("m2", later - 2 * 3_600_000))
        .await
        .unwrap();
    assert_eq!(day(&m2), 4_005);
    let m4 = storage
        .charge_unlock(only_day("m4", later - 3_600_000))
        .await
        .unwrap();
    assert_eq!(day(&m4), 8_888);
    assert_eq!(
        day(&storage.charge_unlock(only_day("m3", later)).await.unwrap()),
        8_888
    );
}

async fn charges_invoices_and_statements(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let admin_a = new_facility_named(&t, 1, "Clinique Sainte-Thérèse 1", "clinic").await;
    let admin_b = new_facility_named(&t, 2, "Clinique Sainte-Thérèse 2", "clinic").await;
    let viewer_a = invite(&t, &admin_a, "viewer", 1).await;
    let planner_a = invite(&t, &admin_a, "planner", 1).await;
    let doctor = new_doctor_named(&t, 1, "Françoise", "Lefèvre1").await;
    let fa = admin_a.facility_id.clone().unwrap();
    let fb = admin_b.facility_id.clone().unwrap();
    let doctor_id = doctor.doctor_id.clone().unwrap();
    let storage = &t.state.storage;
    let now = t.state.clock.now_ms();
    let year = i64::from(billing_date(now).year());

    // Without a grid, an unlock charges nothing (and issues no number).
    let m0 = Uuid::now_v7().to_string();
    assert_eq!(
        storage
            .charge_unlock(unlock(&m0, &fa, &doctor_id, now))
            .await
            .unwrap(),
        ChargeOutcome::NoTariff
    );
    let (s, _) = put(&t, "/v1/staff/tariffs", &staff.token, &grid(&today(&t))).await;
    assert_eq!(s, StatusCode::OK);

    // 2 days × 40,05 + 1 half-day (20,03: half a cent up) + 1 night garde 70,00 = 170,13 HT;
    // VAT 20 % = 34,026 → 34,03; TTC 204,16.
    let m1 = Uuid::now_v7().to_string();
    let ChargeOutcome::Charged(first) = storage
        .charge_unlock(unlock(&m1, &fa, &doctor_id, now))
        .await
        .unwrap()
    else {
        panic!("not charged")
    };
    assert_eq!(first.number, format!("{year}-000001"));
    assert_eq!(
        (
            first.totals.ht_cents,
            first.totals.vat_cents,
            first.totals.ttc_cents
        ),
        (17_013, 3_403, 20_416)
    );
    // Replayed acceptance: same invoice, no new number.
    assert_eq!(
        storage
            .charge_unlock(unlock(&m1, &fa, &doctor_id, now + 5))
            .await
            .unwrap(),
        ChargeOutcome::AlreadyCharged(first.clone())
    );
    let m2 = Uuid::now_v7().to_string();
    let ChargeOutcome::Charged(second) = storage
        .charge_unlock(unlock(&m2, &fb, &doctor_id, now + 10))
        .await
        .unwrap()
    else {
        panic!("not charged")
    };
    assert_eq!(second.number, format!("{year}-000002"));

    // The facility's billing members were told (an inbox notice per invoice, not per replay).
    let trail = storage
        .audit_trail(
            AuditFilter {
                facility_id: Some(fa.clone()),
                ..AuditFilter::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "invoice_issued")
            .count(),
        1
    );

    // Invoice as JSON and PDF: the facility's billing members and staff; nobody else.
    let path = format!("/v1/invoices/{}", first.invoice_id);
    for user in [&admin_a, &staff] {
        let (s, v) = get(&t.router, &path, Some(&user.token)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["number"], first.number.as_str());
        assert_eq!(v["ttc_cents"], 20_416);
        assert_eq!(v["lines"].as_array().unwrap().len(), 3);
        let (s, ct, pdf) = raw(&t, &format!("{path}.pdf"), &user.token).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        let text = pdf_text(&pdf);
        for needle in [
            format!("FACTURE n° {}", first.number),
            "Clinique Sainte-Thérèse 1".to_owned(),
            "Dr Françoise Lefèvre1".to_owned(),
            "Mise en relation — journée — 2 × 40,05 € 80,10 €".to_owned(),
            "Mise en relation — demi-journée — 1 × 20,03 € 20,03 €".to_owned(),
            "Total HT 170,13 €".to_owned(),
            "TVA 20 % 34,03 €".to_owned(),
            "Total TTC 204,16 €".to_owned(),
        ] {
            assert!(has(&text, &needle), "missing « {needle} » in:\n{text}");
        }
    }
    for user in [&admin_b, &doctor] {
        for p in [path.clone(), format!("{path}.pdf")] {
            let (s, v) = get(&t.router, &p, Some(&user.token)).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{p}"
            );
        }
    }
    for user in [&viewer_a, &planner_a] {
        let (s, v) = get(&t.router, &path, Some(&user.token)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
    }
    // Forged or unknown ids.
    for p in [
        format!("/v1/invoices/{}", Uuid::now_v7()),
        format!("/v1/invoices/{}.pdf", Uuid::now_v7()),
        "/v1/invoices/..%2F..%2Fetc".to_owned(),
        "/v1/invoices/1%20OR%201=1.pdf".to_owned(),
    ] {
        let (s, v) = get(&t.router, &p, Some(&staff.token)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{p}"
        );
    }

    // Lists: each facility sees only its own.
    let (s, v) = get(
        &t.router,
        &format!("/v1/facilities/{fa}/invoices"),
        Some(&admin_a.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let numbers: Vec<&str> = v["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [first.number.as_str()]);
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{fb}/invoices"),
        Some(&admin_a.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{fa}/charges"),
        Some(&doctor.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{fa}/charges"),
        Some(&viewer_a.token),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Credit note: cancelled before the start → avoir with the next number; after the start → none.
    let start_ms = at("2027-03-01T07:00:00Z").timestamp_millis();
    let CreditOutcome::Credited(avoir) = storage
        .credit_cancellation(CancellationFacts {
            mission_id: m1.clone(),
            mission_start_ms: start_ms,
            at_ms: now + 20,
        })
        .await
        .unwrap()
    else {
        panic!("no credit note")
    };
    assert_eq!(avoir.number, format!("{year}-000003"));
    assert_eq!(avoir.totals, first.totals);
    assert_eq!(
        storage
            .credit_cancellation(CancellationFacts {
                mission_id: m1.clone(),
                mission_start_ms: start_ms,
                at_ms: now + 30,
            })
            .await
            .unwrap(),
        CreditOutcome::AlreadyCredited(avoir.clone())
    );
    assert_eq!(
        storage
            .credit_cancellation(CancellationFacts {
                mission_id: m2.clone(),
                mission_start_ms: now,
                at_ms: now + 40,
            })
            .await
            .unwrap(),
        CreditOutcome::Started
    );
    assert_eq!(
        storage
            .credit_cancellation(CancellationFacts {
                mission_id: Uuid::now_v7().to_string(),
                mission_start_ms: start_ms,
                at_ms: now,
            })
            .await
            .unwrap(),
        CreditOutcome::NotCharged
    );
    let (s, ct, pdf) = raw(
        &t,
        &format!("/v1/invoices/{}.pdf", avoir.invoice_id),
        &admin_a.token,
    )
    .await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(has(&text, &format!("AVOIR n° {}", avoir.number)), "{text}");
    assert!(
        has(
            &text,
            &format!("Avoir annulant la facture n° {}", first.number)
        ),
        "{text}"
    );

    // The staff's sales journal: every document of the year, numbers 1..=3, no gap; staff only.
    let (s, v) = get(
        &t.router,
        &format!("/v1/staff/invoices?year={year}"),
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["count"].as_u64(), v["gapless"].as_bool()),
        (Some(3), Some(true))
    );
    let kinds: Vec<(i64, &str)> = v["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["seq"].as_i64().unwrap(), i["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [(1, "invoice"), (2, "invoice"), (3, "credit_note")]);
    let (_, v) = get(
        &t.router,
        "/v1/staff/invoices?year=1999",
        Some(&staff.token),
    )
    .await;
    assert_eq!(v["count"], 0);
    for user in [&admin_a, &doctor] {
        let (s, _) = get(&t.router, "/v1/staff/invoices", Some(&user.token)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    // Statement of A: one charge, credited; net zero. Period filters by unlock date.
    let day = today(&t);
    let (s, v) = get(
        &t.router,
        &format!("/v1/facilities/{fa}/charges?from={day}&to={day}"),
        Some(&admin_a.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["charges"].as_array().unwrap().len(), 1);
    assert_eq!(v["charges"][0]["invoice_number"], first.number.as_str());
    assert_eq!(v["charges"][0]["credit_note_number"], avoir.number.as_str());
    assert_eq!(v["totals"]["charged"]["ttc_cents"], 20_416);
    assert_eq!(v["totals"]["credited"]["ttc_cents"], 20_416);
    assert_eq!(
        v["totals"]["net"],
        json!({"ht_cents": 0, "vat_cents": 0, "ttc_cents": 0})
    );
    let (s, v) = get(
        &t.router,
        &format!("/v1/facilities/{fa}/charges?to=2000-01-01"),
        Some(&admin_a.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["charges"].as_array().unwrap().is_empty());
    let (s, v) = get(
        &t.router,
        &format!("/v1/facilities/{fb}/charges"),
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["totals"]["net"]["ttc_cents"], 20_416);
    for (query, code) in [
        ("from=2026-02-30", "invalid_date"),
        ("from=2026-12-01&to=2026-11-01", "invalid_period"),
        ("format=xlsx", "invalid_format"),
    ] {
        let (s, v) = get(
            &t.router,
            &format!("/v1/facilities/{fa}/charges?{query}"),
            Some(&admin_a.token),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{query}"
        );
    }
    // The facility's restitution export carries its invoices and charges, not the other facility's.
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    rempla_server::ops::export_tenant(storage, &fa, &zip_path)
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["rows"]["billing_invoices"], 2, "{manifest}");
    assert_eq!(manifest["rows"]["billing_charges"], 1, "{manifest}");
    let mut dump = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("tenant.sql").unwrap(), &mut dump).unwrap();
    assert!(dump.contains(&first.number) && dump.contains(&avoir.number));
    assert!(
        !dump.contains(&second.number),
        "another facility's invoice exported"
    );
    let (s, ct, csv) = raw(
        &t,
        &format!("/v1/facilities/{fa}/charges?format=csv"),
        &admin_a.token,
    )
    .await;
    assert_eq!(
        (s, ct.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("date;facture;mission;medecin;montant_ht"));
    assert_eq!(
        rows[1],
        format!(
            "{day};{};{m1};{doctor_id};170,13;34,03;204,16;{};{day}",
            first.number, avoir.number
        )
    );
}

backend_tests!(tariff_rules, charges_invoices_and_statements);
