//! The whole business story over real HTTP (a TCP socket, reqwest), from sign-up to account deletion:
//! two facilities and several doctors register, staff verify them from the queues, requests are posted
//! and matched, proposals are reminded, expire, are declined and accepted; acceptance unlocks contacts
//! (audited), makes the contract, shares documents and charges the facility with an invoice; the
//! mission is cancelled; a doctor exports and deletes their account. Authorization is checked at every
//! step (nothing visible before unlock, nothing across facilities).
//!
//! The server runs in this process (`in_process`) so the test can move its clock for reminders, expiry
//! and retention; everything else is the production code path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    clippy::case_sensitive_file_extension_comparisons
)]

mod in_process;

use std::io::Read;

use chrono::{Duration, Utc};
use in_process::{PASSWORD, availability, pdf, request, start};
use rempla_core::domain::DeviceId;
use rempla_core::sync::EntityKind;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn from_sign_up_to_deletion() {
    let s = start(false).await;
    let staff = s.new_staff().await;
    let today = Utc::now().date_naive().to_string();
    let t = s
        .call("PUT", "/v1/staff/tariffs", Some(&staff.token), Some(&json!({"valid_from": today, "day_cents": 4000,
            "night_cents": 5000, "garde_day_cents": 6000, "garde_night_cents": 7000, "astreinte_cents": 2500, "vat_bps": 2000})))
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.json);

    // Two facilities, far apart.
    let lannion = s.new_facility(1, "Centre hospitalier de Lannion").await;
    let rennes = s.new_facility(2, "CHU de Rennes").await;
    let site_a = s
        .add_site(&lannion, "22", "22300", "22113", 48.73, -3.46)
        .await;
    let site_b = s
        .add_site(&rennes, "35", "35000", "35238", 48.11, -1.68)
        .await;
    // Self-registered facilities wait for staff, who check their SIRET from the facilities' queue.
    let waiting = s.get("/v1/staff/facility-verifications", &staff).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.json);
    for facility in [&lannion, &rennes] {
        let id = facility.facility_id.clone().unwrap_or_default();
        assert!(
            waiting.json["facilities"]
                .as_array()
                .is_some_and(|l| l.iter().any(|f| f["facility_id"] == id.as_str())),
            "{}",
            waiting.json
        );
        s.approve_facility(&staff, facility).await;
    }

    // Register: three doctors of the Côtes-d'Armor, pending until staff decide.
    let anne = s.new_doctor(1, "Le Goff", "22").await;
    let yann = s.new_doctor(2, "Kerbrat", "22").await;
    let fake = s.new_doctor(3, "Inconnu", "22").await;
    assert_eq!(
        s.get("/v1/me/requests", &anne).await.status,
        StatusCode::FORBIDDEN,
        "pending doctors see no requests"
    );

    // Verify, from the staff queue.
    let queue = s.get("/v1/staff/verifications", &staff).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.json);
    assert_eq!(queue.json["pending"].as_array().unwrap().len(), 3);
    assert_eq!(
        s.get("/v1/staff/verifications", &anne).await.status,
        StatusCode::FORBIDDEN
    );
    for d in [&anne, &yann] {
        let a = s
            .post(
                &format!(
                    "/v1/staff/verifications/{}",
                    d.doctor_id.as_deref().unwrap()
                ),
                &staff,
                &json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    }
    let no_reason = s
        .post(
            &format!(
                "/v1/staff/verifications/{}",
                fake.doctor_id.as_deref().unwrap()
            ),
            &staff,
            &json!({"decision": "reject", "reason": " "}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let rejected = s
        .post(
            &format!(
                "/v1/staff/verifications/{}",
                fake.doctor_id.as_deref().unwrap()
            ),
            &staff,
            &json!({"decision": "reject", "reason": "Pièce d'identité illisible"}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.json);

    // Calendars: Anne offers four nights, Yann the first one, the rejected doctor all of them.
    let anne_slot = Uuid::now_v7();
    assert_eq!(
        s.push(
            &anne,
            EntityKind::Availability,
            anne_slot,
            availability(&anne, anne_slot, 40, 4)
        )
        .await,
        ["applied"]
    );
    let yann_slot = Uuid::now_v7();
    assert_eq!(
        s.push(
            &yann,
            EntityKind::Availability,
            yann_slot,
            availability(&yann, yann_slot, 40, 1)
        )
        .await,
        ["applied"]
    );
    let fake_slot = Uuid::now_v7();
    assert_eq!(
        s.push(
            &fake,
            EntityKind::Availability,
            fake_slot,
            availability(&fake, fake_slot, 40, 4)
        )
        .await,
        ["applied"]
    );

    // Post: Lannion asks for two nights; Rennes has its own request.
    let first = Uuid::now_v7();
    assert_eq!(
        s.push(
            &lannion,
            EntityKind::Request,
            first,
            request(first, &lannion, &site_a, "22", 48.73, -3.46, 40, 2, 1)
        )
        .await,
        ["applied"]
    );
    let theirs = Uuid::now_v7();
    assert_eq!(
        s.push(
            &rennes,
            EntityKind::Request,
            theirs,
            request(theirs, &rennes, &site_b, "35", 48.11, -1.68, 40, 2, 1)
        )
        .await,
        ["applied"]
    );

    // Match: Anne complete, Yann partial, the rejected doctor never; no contact details anywhere.
    let c = s
        .get(&format!("/v1/requests/{first}/candidates"), &lannion)
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.json);
    let ranked = ids(&c.json["candidates"], "doctor");
    assert_eq!(
        ranked,
        [
            anne.doctor_id.clone().unwrap(),
            yann.doctor_id.clone().unwrap()
        ]
    );
    assert_eq!(c.json["candidates"][0]["status"], "complete");
    assert_eq!(c.json["candidates"][1]["status"], "partial");
    assert!(
        !c.json.to_string().contains("@exemple.fr"),
        "no contact before unlock"
    );
    assert_eq!(
        s.get(&format!("/v1/requests/{first}/candidates"), &rennes)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "nothing across facilities"
    );
    assert_eq!(
        s.get(&format!("/v1/requests/{theirs}/candidates"), &lannion)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "nor does Lannion see Rennes' request"
    );
    let profile = s
        .get(
            &format!("/v1/doctors/{}", anne.doctor_id.as_deref().unwrap()),
            &lannion,
        )
        .await;
    assert!(profile.json.get("contact").is_none(), "{}", profile.json);

    // Propose to Yann (first night); a rejected doctor cannot be proposed.
    let p = s
        .post(
            &format!("/v1/requests/{first}/proposals"),
            &lannion,
            &json!({"doctor_id": yann.doctor_id, "shift_indexes": [0]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.json);
    let to_yann = p.json["proposal"]["id"].as_str().unwrap().to_owned();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(p.json["proposal"]["deadline"].as_str().unwrap())
            .unwrap();
    assert!(
        deadline.timestamp_millis() - s.state.clock.now_ms() >= 3 * DAY_MS,
        "three business days, at least"
    );
    let refused = s
        .post(
            &format!("/v1/requests/{first}/proposals"),
            &lannion,
            &json!({"doctor_id": fake.doctor_id}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, Some("doctor_not_verified"))
    );
    assert_eq!(
        s.post(
            &format!("/v1/requests/{first}/proposals"),
            &rennes,
            &json!({"doctor_id": anne.doctor_id})
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "another facility cannot propose on this request"
    );
    s.run_jobs().await;
    let inbox = s.get("/v1/notifications", &yann).await;
    assert!(
        inbox.json.to_string().contains("proposal_received"),
        "{}",
        inbox.json
    );

    // Remind: a day before the deadline; expire: past it. Yann's late acceptance is refused.
    s.advance(deadline.timestamp_millis() - s.state.clock.now_ms() - 20 * 3_600_000);
    s.run_jobs().await;
    assert!(
        s.get("/v1/notifications", &yann)
            .await
            .json
            .to_string()
            .contains("proposal_reminder")
    );
    s.advance(21 * 3_600_000);
    s.run_jobs().await;
    let late = s
        .post(
            &format!("/v1/proposals/{to_yann}/answer"),
            &yann,
            &json!({"answer": "accept"}),
        )
        .await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, Some("proposal_expired"))
    );
    let listed = s.get("/v1/proposals", &lannion).await;
    assert!(
        listed.json.to_string().contains("\"expired\""),
        "{}",
        listed.json
    );

    // Decline: Anne declines the request; she is no longer a candidate for it.
    let p = s
        .post(
            &format!("/v1/requests/{first}/proposals"),
            &lannion,
            &json!({"doctor_id": anne.doctor_id}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.json);
    let declined = p.json["proposal"]["id"].as_str().unwrap().to_owned();
    let d = s
        .post(
            &format!("/v1/proposals/{declined}/answer"),
            &anne,
            &json!({"answer": "decline"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.json);
    let again = s
        .post(
            &format!("/v1/requests/{first}/proposals"),
            &lannion,
            &json!({"doctor_id": anne.doctor_id}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let c = s
        .get(&format!("/v1/requests/{first}/candidates"), &lannion)
        .await;
    assert!(!ids(&c.json["candidates"], "doctor").contains(anne.doctor_id.as_ref().unwrap()));

    // Accept: a second request; Anne accepts and shares her insurance certificate.
    let insurance_expiry = (Utc::now() + Duration::days(300)).date_naive();
    let up = s
        .upload(
            &format!("/v1/me/documents?kind=insurance&name=rcp.pdf&expires_on={insurance_expiry}"),
            &anne,
            "application/pdf",
            pdf("Attestation RCP"),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.json);
    let insurance = up.json["id"].as_str().unwrap().to_owned();
    let second = Uuid::now_v7();
    assert_eq!(
        s.push(
            &lannion,
            EntityKind::Request,
            second,
            request(second, &lannion, &site_a, "22", 48.73, -3.46, 42, 2, 1)
        )
        .await,
        ["applied"]
    );
    let p = s
        .post(
            &format!("/v1/requests/{second}/proposals"),
            &lannion,
            &json!({"doctor_id": anne.doctor_id}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.json);
    let to_anne = p.json["proposal"]["id"].as_str().unwrap().to_owned();
    let forged = s
        .post(
            &format!("/v1/proposals/{to_anne}/answer"),
            &yann,
            &json!({"answer": "accept"}),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::NOT_FOUND,
        "another doctor cannot answer: {}",
        forged.json
    );
    let ok = s
        .post(
            &format!("/v1/proposals/{to_anne}/answer"),
            &anne,
            &json!({"answer": "accept", "document_ids": [insurance]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    let mission = ok.json["mission_id"].as_str().unwrap().to_owned();
    let replay = s
        .post(
            &format!("/v1/proposals/{to_anne}/answer"),
            &anne,
            &json!({"answer": "accept", "document_ids": [insurance]}),
        )
        .await;
    assert_eq!(
        (replay.status, replay.json["mission_id"].as_str()),
        (StatusCode::OK, Some(mission.as_str())),
        "a replay changes nothing"
    );

    // Unlock: both parties see each other's contacts for this mission, every read audited; nobody else.
    let m = s.get(&format!("/v1/missions/{mission}"), &lannion).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.json);
    assert_eq!(m.json["contacts"]["doctor"]["email"], anne.email);
    let m = s.get(&format!("/v1/missions/{mission}"), &anne).await;
    assert!(m.json["contacts"]["facility"].is_object(), "{}", m.json);
    for outsider in [&rennes, &yann] {
        assert_eq!(
            s.get(&format!("/v1/missions/{mission}"), outsider)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    let trail = s.get("/v1/me/audit", &anne).await;
    assert!(
        trail.json.to_string().contains("contact_read"),
        "{}",
        trail.json
    );

    // Contract: rendered as PDF, signed by both with the version hash; a stale hash is refused.
    let contract = s
        .get(&format!("/v1/missions/{mission}/contract"), &lannion)
        .await;
    assert_eq!(contract.status, StatusCode::OK, "{}", contract.json);
    let hash = contract.json["sha256"].as_str().unwrap().to_owned();
    let pdf_file = s
        .get(&format!("/v1/missions/{mission}/contract.pdf"), &anne)
        .await;
    assert_eq!(pdf_file.status, StatusCode::OK);
    assert!(
        pdf_file.bytes.starts_with(b"%PDF"),
        "{}",
        pdf_file.content_type
    );
    let stale = s
        .post(
            &format!("/v1/missions/{mission}/contract/sign"),
            &anne,
            &json!({"sha256": "0".repeat(64)}),
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, Some("stale_contract"))
    );
    for party in [&anne, &lannion] {
        let signed = s
            .post(
                &format!("/v1/missions/{mission}/contract/sign"),
                party,
                &json!({"sha256": hash}),
            )
            .await;
        assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.json);
    }

    // Documents: shared with Lannion for this mission only.
    let shared = s
        .get(&format!("/v1/missions/{mission}/documents"), &lannion)
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.json);
    assert_eq!(
        ids(&shared.json["documents"], "id"),
        std::slice::from_ref(&insurance)
    );
    let file = s
        .get(
            &format!("/v1/missions/{mission}/documents/{insurance}"),
            &lannion,
        )
        .await;
    assert!(file.bytes.starts_with(b"%PDF"));
    assert_eq!(
        s.get(&format!("/v1/missions/{mission}/documents"), &rennes)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Charge and invoice: the unlock made one invoice, visible to Lannion only.
    let fa = lannion.facility_id.clone().unwrap();
    let invoices = s
        .get(&format!("/v1/facilities/{fa}/invoices"), &lannion)
        .await;
    assert_eq!(invoices.status, StatusCode::OK, "{}", invoices.json);
    let invoice = invoices.json["invoices"][0].clone();
    assert!(
        invoice["number"].as_str().unwrap().ends_with("-000001"),
        "{invoice}"
    );
    assert_eq!(invoice["ht_cents"], 10_000, "two nights at 50 €");
    assert_eq!(invoice["ttc_cents"], 12_000);
    let invoice_id = invoice["id"].as_str().unwrap().to_owned();
    let pdf_invoice = s
        .get(&format!("/v1/invoices/{invoice_id}.pdf"), &lannion)
        .await;
    assert!(pdf_invoice.bytes.starts_with(b"%PDF"));
    assert_eq!(
        s.get(&format!("/v1/invoices/{invoice_id}"), &rennes)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(&format!("/v1/facilities/{fa}/charges"), &rennes)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let fb = rennes.facility_id.clone().unwrap();
    let none = s
        .get(&format!("/v1/facilities/{fb}/invoices"), &rennes)
        .await;
    assert_eq!(none.json["invoices"].as_array().map(Vec::len), Some(0));

    // Cancel: Lannion cancels; the lateness is recorded and Anne is told.
    let cancel = s
        .post(
            &format!("/v1/missions/{mission}/cancel"),
            &lannion,
            &json!({"reason": "Service fermé"}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.json);
    assert!(
        cancel.json["mission"]["cancellation"]["lateness_ms"]
            .as_i64()
            .unwrap()
            > 0
    );
    s.run_jobs().await;
    assert!(
        s.get("/v1/notifications", &anne)
            .await
            .json
            .to_string()
            .contains("mission_cancelled")
    );

    // Export: one ZIP with the data, the calendar and the documents.
    let export = s.get("/v1/me/export", &anne).await;
    assert_eq!(export.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(export.bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    assert!(names.iter().any(|n| n == "data.json"), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(".ics")), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("documents/")),
        "{names:?}"
    );
    let mut ics = String::new();
    let ics_name = names.iter().find(|n| n.ends_with(".ics")).unwrap().clone();
    zip.by_name(&ics_name)
        .unwrap()
        .read_to_string(&mut ics)
        .unwrap();
    assert!(ics.contains("BEGIN:VCALENDAR") && ics.contains(&anne_slot.to_string()));

    // Delete: Yann closes his account; he cannot sign in any more, and a year later he is purged.
    let del = s
        .call(
            "DELETE",
            "/v1/me",
            Some(&yann.token),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert!(del.status.is_success(), "{}", del.json);
    let login = s
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(&json!({"email": yann.email, "password": PASSWORD,
        "device_id": DeviceId::new(), "device_name": "x", "platform": "cli"})),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    s.advance(366 * DAY_MS);
    s.run_jobs().await;
    // A year on, the staff member's device token has expired too: sign in again.
    let staff = s.sign_in("equipe@rempla.fr").await;
    // Booking data past the retention period (90 days by default) is gone, invoices stay.
    let lannion = s.sign_in(&lannion.email).await;
    let missions = s.get("/v1/missions", &lannion).await;
    assert_eq!(
        missions.json["missions"].as_array().map(Vec::len),
        Some(0),
        "{}",
        missions.json
    );
    let proposals = s.get("/v1/proposals", &lannion).await;
    assert_eq!(
        proposals.json["proposals"].as_array().map(Vec::len),
        Some(0),
        "{}",
        proposals.json
    );
    let invoices = s
        .get(&format!("/v1/facilities/{fa}/invoices"), &lannion)
        .await;
    assert!(!invoices.json["invoices"].as_array().unwrap().is_empty());
    let gone = s
        .get(
            &format!("/v1/doctors/{}", yann.doctor_id.as_deref().unwrap()),
            &staff,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.json);
    assert!(!staff.account_id.is_empty());
}
