//! Billing and PDF tests: the contract and invoice PDFs read back with a PDF text extractor, the tariff
//! grid over HTTP (staff only, bad amounts refused with their codes, audited), charges at unlock with
//! their invoices, idempotency, credit notes, the authorization matrix of invoices and statements, and
//! gapless invoice numbers under 50 concurrent unlocks on SQLite, PostgreSQL, and two PostgreSQL
//! instances sharing one database.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which the
// test-only unwrap allowance intends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Datelike as _, TimeZone as _, Utc};
use common::users::{invite, new_doctor_named, new_facility_named, new_staff, put};
use common::{Db, TestApp, app, backend_tests, call, get};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_server::audit::AuditFilter;
use rempla_server::billing::{
    self, CancellationFacts, ChargeOutcome, CreditOutcome, UnlockFacts, billing_date,
};
use rempla_server::db::Storage;
use rempla_server::pdf::contract::{
    self, ContractFacts, ContractShift, Fees, ReplacedParty, ReplacingParty,
};
use rempla_server::pdf::invoice::{self, Customer, InvoiceFacts, InvoiceLine, Issuer};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

// ---------------------------------------------------------------- helpers

/// The text of a PDF as a reader extracts it, without any whitespace: extractors guess spaces from
/// glyph positions and join wrapped lines, so words are compared without them (see [`has`]).
fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_extract::extract_text_from_mem(bytes).expect("PDF readable");
    squash(&text)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether the extracted (squashed) `text` contains `needle`.
fn has(text: &str, needle: &str) -> bool {
    text.contains(&squash(needle))
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn interval(a: &str, b: &str) -> Interval {
    Interval::new(at(a), at(b)).unwrap()
}

fn contract_facts() -> ContractFacts {
    ContractFacts {
        mission_id: "0190a000-0000-7000-8000-000000000001".into(),
        revision: 3,
        replaced: ReplacedParty {
            name: "Centre hospitalier de Lannion-Trestel".into(),
            siret: Some("26220015500019".into()),
            address: "Rue de Kergomar, 22300 Lannion".into(),
            representative: Some("Mme Hélène Le Gœrrec, directrice des affaires médicales".into()),
            ordre_department: None,
        },
        replacing: ReplacingParty {
            first_name: "Françoise".into(),
            last_name: "Lefèvre".into(),
            rpps: "10005000017".into(),
            specialty: Some("médecine d'urgence".into()),
            thesed: Some(true),
            ordre_department: Some("Côtes-d'Armor (22)".into()),
        },
        place: "Service des urgences, Rue de Kergomar, 22300 Lannion".into(),
        zone: chrono_tz::Europe::Paris,
        shifts: vec![
            ContractShift {
                kind: ShiftKind::Day,
                interval: interval("2027-03-01T07:00:00Z", "2027-03-01T19:00:00Z"),
            },
            ContractShift {
                kind: ShiftKind::GardeNight,
                interval: interval("2027-03-01T19:00:00Z", "2027-03-02T07:00:00Z"),
            },
        ],
        fees: Fees::PerDay {
            cents_per_day: 65_000,
        },
        drawn_up_at: Some(at("2026-11-23T10:00:00Z")),
    }
}

// ---------------------------------------------------------------- PDFs

#[test]
fn contract_pdf_reads_back_with_parties_dates_fees_accents_and_hash() {
    let facts = contract_facts();
    let bytes = contract::render(&facts).unwrap();
    let text = pdf_text(&bytes);
    let hash = facts.version_hash();
    assert_eq!(hash.len(), 64);
    for needle in [
        "CONTRAT DE REMPLACEMENT",
        "Centre hospitalier de Lannion-Trestel",
        "SIRET 26220015500019",
        "Mme Hélène Le Gœrrec",
        "Dr Françoise Lefèvre",
        "n° RPPS 10005000017",
        "médecine d'urgence",
        "Côtes-d'Armor (22)",
        "« le remplaçant »",
        "garde de nuit du lundi 1 mars 2027 à 20:00 au mardi 2 mars 2027 à 08:00",
        "journée du lundi 1 mars 2027 à 08:00 au lundi 1 mars 2027 à 20:00",
        "650,00 € par jour",
        "R. 4127-86",
        "conseil départemental de l'Ordre des médecins avant le début du remplacement",
        "conciliation",
        "Établi le lundi 23 novembre 2026",
        &hash,
    ] {
        assert!(has(&text, needle), "missing « {needle} » in:\n{text}");
    }
    // Same facts, same hash and same text; any change of a fact changes the hash.
    assert_eq!(contract_facts().version_hash(), hash);
    assert_eq!(
        pdf_text(&contract::render(&contract_facts()).unwrap()),
        text
    );
    let mut changed = contract_facts();
    changed.fees = Fees::PerDay {
        cents_per_day: 65_001,
    };
    assert_ne!(changed.version_hash(), hash);
    let mut changed = contract_facts();
    changed.replacing.rpps = "10005000025".into();
    assert_ne!(changed.version_hash(), hash);
}

#[test]
fn contract_fee_variants_and_bad_facts() {
    let mut facts = contract_facts();
    facts.fees = Fees::Retrocession { share_bps: 7_250 };
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "72,50 % des honoraires"), "{text}");
    facts.fees = Fees::Fixed {
        total_cents: 123_456_789,
    };
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "1 234 567,89 €"), "{text}");
    facts.replacing.thesed = Some(false);
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "licence de remplacement"), "{text}");

    facts.fees = Fees::Unstated;
    facts.replacing.specialty = None;
    facts.replacing.thesed = None;
    facts.replacing.ordre_department = None;
    facts.drawn_up_at = None;
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(
        has(&text, "convenus directement entre les parties"),
        "{text}"
    );
    assert!(
        has(
            &text,
            "n° RPPS 10005000017, inscrit(e) au tableau du conseil départemental de l'Ordre des médecins, ci-après « le remplaçant »"
        ),
        "{text}"
    );
    assert!(has(&text, "Établi et signé électroniquement"), "{text}");
    assert!(has(&text, "version 3"), "{text}");
    let mut bumped = contract_facts();
    bumped.revision = 4;
    assert_ne!(bumped.version_hash(), contract_facts().version_hash());

    let mut bad = contract_facts();
    bad.shifts.clear();
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = contract_facts();
    bad.fees = Fees::Retrocession { share_bps: 10_001 };
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = contract_facts();
    bad.fees = Fees::Fixed { total_cents: -1 };
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
}

#[test]
fn a_long_contract_spans_pages_and_keeps_every_shift() {
    let mut facts = contract_facts();
    let start = at("2027-01-04T07:00:00Z");
    facts.shifts = (0..60)
        .map(|d| ContractShift {
            kind: ShiftKind::Day,
            interval: Interval::new(
                start + chrono::Duration::days(d),
                start + chrono::Duration::days(d) + chrono::Duration::hours(12),
            )
            .unwrap(),
        })
        .collect();
    let bytes = contract::render(&facts).unwrap();
    let doc = lopdf_pages(&bytes);
    assert!(doc >= 2, "{doc} pages");
    let text = pdf_text(&bytes);
    assert!(has(&text, "jeudi 4 mars 2027"), "last shift missing");
    assert!(has(&text, "page 1 / "), "{text}");
}

fn lopdf_pages(bytes: &[u8]) -> usize {
    // pdf-extract re-exports lopdf; count the pages the way a reader does.
    pdf_extract::Document::load_mem(bytes)
        .unwrap()
        .get_pages()
        .len()
}

fn invoice_facts() -> InvoiceFacts {
    InvoiceFacts {
        credit_note: false,
        number: "2026-000042".into(),
        issued_on: "lundi 23 novembre 2026".into(),
        cancels: None,
        issuer: Issuer {
            name: "Rempla SAS".into(),
            address: "1 rue de la Paix, 75002 Paris".into(),
            siret: "12345678900011".into(),
            vat_number: "FR12345678901".into(),
        },
        customer: Customer {
            name: "Clinique Sainte-Thérèse".into(),
            siret: Some("73221000010010".into()),
            address: Some("Rue de Kergomar, 22300".into()),
        },
        subject: "Mise en relation avec Dr Françoise Lefèvre".into(),
        lines: vec![
            InvoiceLine {
                label: "Mise en relation — journée".into(),
                quantity: 3,
                unit_cents: 4_005,
                total_cents: 12_015,
            },
            InvoiceLine {
                label: "Mise en relation — garde de nuit".into(),
                quantity: 1,
                unit_cents: 7_000,
                total_cents: 7_000,
            },
        ],
        ht_cents: 19_015,
        vat_bps: 2_000,
        vat_cents: 3_803,
        ttc_cents: 22_818,
    }
}

#[test]
fn invoice_pdf_reads_back_with_number_customer_lines_and_totals() {
    let text = pdf_text(&invoice::render(&invoice_facts()).unwrap());
    for needle in [
        "FACTURE n° 2026-000042",
        "Rempla SAS",
        "TVA intracommunautaire FR12345678901",
        "Clinique Sainte-Thérèse",
        "SIRET 73221000010010",
        "Mise en relation — journée — 3 × 40,05 €",
        "120,15 €",
        "Mise en relation — garde de nuit — 1 × 70,00 €",
        "Total HT 190,15 €",
        "TVA 20 % 38,03 €",
        "Total TTC 228,18 €",
        "indemnité forfaitaire pour frais de recouvrement de 40 €",
    ] {
        assert!(has(&text, needle), "missing « {needle} » in:\n{text}");
    }
    let mut credit = invoice_facts();
    credit.credit_note = true;
    credit.number = "2026-000043".into();
    credit.cancels = Some("2026-000042".into());
    let text = pdf_text(&invoice::render(&credit).unwrap());
    assert!(has(&text, "AVOIR n° 2026-000043"), "{text}");
    assert!(
        has(&text, "Avoir annulant la facture n° 2026-000042"),
        "{text}"
    );
    assert!(!has(&text, "293 B"), "VAT exemption on a taxed invoice");
    let mut exempt = invoice_facts();
    exempt.vat_bps = 0;
    exempt.vat_cents = 0;
    exempt.ttc_cents = exempt.ht_cents;
    let text = pdf_text(&invoice::render(&exempt).unwrap());
    assert!(
        has(&text, "TVA non applicable, article 293 B du CGI"),
        "{text}"
    );
    assert!(has(&text, "Total TTC 190,15 €"), "{text}");
    // Totals that do not add up are refused rather than printed.
    let mut bad = invoice_facts();
    bad.ttc_cents += 1;
    assert_eq!(invoice::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = invoice_facts();
    bad.ht_cents -= 1;
    assert_eq!(invoice::render(&bad).unwrap_err().code(), "pdf_facts");
}

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

fn shifts() -> Vec<(ShiftKind, Interval)> {
    vec![
        (
            ShiftKind::Day,
            interval("2027-03-01T07:00:00Z", "2027-03-01T19:00:00Z"),
        ),
        (
            ShiftKind::Day,
            interval("2027-03-02T07:00:00Z", "2027-03-02T19:00:00Z"),
        ),
        (
            ShiftKind::Morning,
            interval("2027-03-03T07:00:00Z", "2027-03-03T13:00:00Z"),
        ),
        (
            ShiftKind::GardeNight,
            interval("2027-03-03T19:00:00Z", "2027-03-04T07:00:00Z"),
        ),
    ]
}

fn unlock(mission: &str, facility: &str, doctor: &str, at_ms: i64) -> UnlockFacts {
    UnlockFacts {
        mission_id: mission.to_owned(),
        facility_id: facility.to_owned(),
        doctor_id: doctor.to_owned(),
        shifts: shifts(),
        zone: chrono_tz::Europe::Paris,
        at_ms,
    }
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

// ---------------------------------------------------------------- gapless numbering

async fn set_grid(storage: &Storage) {
    let tariff = billing::Tariff {
        id: Uuid::now_v7().to_string(),
        valid_from: "2000-01-01".into(),
        day_cents: 4_005,
        night_cents: 5_000,
        garde_day_cents: 6_000,
        garde_night_cents: 7_000,
        astreinte_cents: 2_500,
        vat_bps: 2_000,
        created_ms: 0,
        created_by: "test".into(),
    };
    storage.put_tariff(tariff, "test".into()).await.unwrap();
}

/// 50 unlocks at once, spread over `instances` (each its own backend/connection pool), plus replays of
/// some of them: numbers are exactly 1..=50 of the year, no gap, no duplicate, one per mission.
async fn concurrent_unlocks(instances: &[Storage]) {
    set_grid(&instances[0]).await;
    let at_ms = Utc
        .with_ymd_and_hms(2027, 6, 15, 10, 0, 0)
        .unwrap()
        .timestamp_millis();
    let missions: Vec<String> = (0..50).map(|_| Uuid::now_v7().to_string()).collect();
    let mut tasks = Vec::new();
    for (i, mission) in missions.iter().enumerate() {
        // Every fifth mission is unlocked twice at once (a replayed acceptance on another instance).
        let copies = if i % 5 == 0 { 2 } else { 1 };
        for c in 0..copies {
            let storage = instances[(i + c) % instances.len()].clone();
            let facts = unlock(mission, &format!("f{}", i % 3), "d", at_ms);
            tasks.push(tokio::spawn(
                async move { storage.charge_unlock(facts).await },
            ));
        }
    }
    let mut charged = Vec::new();
    let mut replays = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            ChargeOutcome::Charged(s) => charged.push(s),
            ChargeOutcome::AlreadyCharged(_) => replays += 1,
            ChargeOutcome::NoTariff => panic!("no tariff"),
        }
    }
    assert_eq!((charged.len(), replays), (50, 10));
    let mut numbers: Vec<String> = charged.iter().map(|s| s.number.clone()).collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("2027-{n:06}")).collect();
    assert_eq!(numbers, expected);
    let stored = instances[0].invoice_numbers(2027).await.unwrap();
    assert_eq!(
        stored.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>()
    );
    // The next year starts again at 1.
    let next_year = Utc
        .with_ymd_and_hms(2028, 1, 1, 0, 30, 0)
        .unwrap()
        .timestamp_millis();
    let ChargeOutcome::Charged(s) = instances[instances.len() - 1]
        .charge_unlock(unlock(&Uuid::now_v7().to_string(), "f0", "d", next_year))
        .await
        .unwrap()
    else {
        panic!("not charged")
    };
    assert_eq!(s.number, "2028-000001");
}

/// Fifty unlocks at once: on SQLite through two storages over one file, on PostgreSQL through one
/// (two PostgreSQL instances have their own test below).
async fn fifty_concurrent_unlocks(db: Db) {
    let t = common::open_db(db).await;
    let instances = match db {
        Db::Sqlite => vec![
            t.storage.clone(),
            common::second_instance(db, &t.location).await,
        ],
        Db::Postgres => vec![t.storage.clone()],
    };
    concurrent_unlocks(&instances).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_unlocks_two_postgres_instances() {
    let db = common::open_db(Db::Postgres).await;
    let second = common::second_instance(Db::Postgres, &db.location).await;
    concurrent_unlocks(&[db.storage.clone(), second]).await;
}

// ---------------------------------------------------------------- facts from core domain records

#[test]
fn facts_are_built_from_core_domain_records() {
    use rempla_core::domain::{
        Doctor, Mission, MissionId, MissionStatus, ProposalId, RequestId, RequestShift,
    };
    let facility = common::fixtures::facility(7);
    let site = common::fixtures::site(facility.id);
    let doctor = Doctor {
        first_name: "Zoé".into(),
        last_name: "Œuvrard".into(),
        travel_radius_km: 50,
        ..common::fixtures::doctor(3)
    };
    let shifts = shifts();
    let mission = Mission {
        id: MissionId::new(),
        proposal_id: ProposalId::new(),
        request_id: RequestId::new(),
        doctor_id: doctor.id,
        facility_id: facility.id,
        site_id: site.id,
        title: "Remplacement".into(),
        location: None,
        zone: chrono_tz::Europe::Paris,
        // Out of order on purpose: the contract sorts them.
        shifts: shifts
            .iter()
            .rev()
            .map(|(kind, interval)| RequestShift {
                kind: *kind,
                interval: *interval,
            })
            .collect(),
        status: MissionStatus::Confirmed,
        started_at: None,
        ended_at: None,
        revision: 0,
    };

    let unlock = UnlockFacts::from_mission(&mission, 42);
    assert_eq!(unlock.mission_id, mission.id.to_string());
    assert_eq!(unlock.facility_id, facility.id.to_string());
    assert_eq!(unlock.doctor_id, doctor.id.to_string());
    assert_eq!(unlock.shifts.len(), 4);
    assert_eq!(unlock.at_ms, 42);
    let cancel = CancellationFacts::from_mission(&mission, 43);
    assert_eq!(
        cancel.mission_start_ms,
        at("2027-03-01T07:00:00Z").timestamp_millis()
    );

    let facts = ContractFacts::from_mission(
        &mission,
        ReplacedParty::from_facility(&facility, &site, Some("Dr Paul Martin".into())),
        ReplacingParty::from_doctor(&doctor, Some("Côtes-d'Armor (22)".into())),
        contract::place_of(&site),
        Fees::Retrocession { share_bps: 7_000 },
        Some(at("2026-11-23T10:00:00Z")),
    );
    assert!(
        facts
            .shifts
            .windows(2)
            .all(|w| w[0].interval < w[1].interval)
    );
    assert_eq!(facts.replaced.ordre_department.as_deref(), Some("22"));
    assert_eq!(facts.replacing.rpps, common::rpps(3));
    let text = pdf_text(&contract::render(&facts).unwrap());
    for needle in [
        "Cabinet du Dr Martin, 3 place du Général-Leclerc, 22300",
        "représenté(e) par Dr Paul Martin",
        "Dr Zoé Œuvrard",
        &format!("n° RPPS {}", common::rpps(3)),
        "70,00 % des honoraires",
        "demi-journée",
    ] {
        // "demi-journée" is a billing label, never in a contract: it proves `has` can fail.
        assert_eq!(
            has(&text, needle),
            needle != "demi-journée",
            "« {needle} » in:\n{text}"
        );
    }
}

backend_tests!(
    tariff_rules,
    charges_invoices_and_statements,
    #[worker_threads = 4]
    fifty_concurrent_unlocks,
);
