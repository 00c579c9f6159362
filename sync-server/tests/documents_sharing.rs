//! HTTP tests of the sharing scope of mission documents on both backends: shared documents reach the
//! mission's facility only, and acceptance through the workflow shares them in its own transaction.

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
use common::documents::{DAY_MS, audits};
use common::users::{
    new_doctor, new_facility, new_staff, offer_op, pdf, png, push_codes, raw, raw_json, sql_int,
    upload,
};
use common::{Db, app, backend_tests, get, post};
use rempla_core::sync::OpKind;
use rempla_server::documents::MissionShare;
use serde_json::{Value, json};
use uuid::Uuid;

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
    shared_documents_reach_the_mission_facility_only,
    acceptance_shares_documents,
);
