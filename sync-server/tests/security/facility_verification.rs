//! Finding 3: doctors' home coordinates and RPPS went to any facility member, including a facility that
//! signed itself up a minute earlier. Now a facility is verified by staff first, and what it sees of a
//! doctor is minimised until a mission unlocks it; every read is in the doctor's audit trail.

use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::common::users::{add_site, new_staff, push_codes, request_op, signed_up_facility};
use crate::common::workflow::{config, doctor, facility, set_clock};
use crate::common::{Db, app_with, backend_tests, get, post};

async fn finding_03_an_unverified_facility_reads_no_doctor_and_posts_nothing(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    let newcomer = signed_up_facility(&t, 7, "Clinique Nouvelle", "clinic").await;
    let facility_id = newcomer.facility_id.clone().unwrap();
    let (_, me) = get(&t.router, "/v1/me", Some(&newcomer.token)).await;
    assert_eq!(me["memberships"][0]["facility_verified"], false, "{me}");
    assert_eq!(
        me["memberships"][0]["role"], "admin",
        "the granted role is shown as granted"
    );

    // Before verification: no doctor profile, no request.
    let (s, _) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&newcomer.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let site = add_site(&t, &newcomer).await;
    let codes = push_codes(
        &t,
        &newcomer,
        &[request_op(
            &newcomer,
            Uuid::now_v7(),
            &facility_id,
            &site,
            "open",
        )],
    )
    .await;
    assert_eq!(
        codes,
        ["forbidden"],
        "an unverified facility posts no request"
    );

    // The staff queue: the facility with its SIRET and administrator; a rejection needs a reason.
    let (s, q) = get(
        &t.router,
        "/v1/staff/facility-verifications",
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let entry = q["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["facility_id"] == facility_id.as_str())
        .cloned()
        .expect("queued");
    assert_eq!(entry["siret"], crate::common::siret(7));
    assert_eq!(entry["admins"][0]["email"], newcomer.email.as_str());
    let (s, _) = get(
        &t.router,
        "/v1/staff/facility-verifications",
        Some(&newcomer.token),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let path = format!("/v1/staff/facility-verifications/{facility_id}");
    let (s, v) = post(
        &t.router,
        &path,
        Some(&staff.token),
        &json!({"decision": "reject"}),
    )
    .await;
    assert_eq!(
        (s, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reason_required"))
    );
    let (s, v) = post(
        &t.router,
        &path,
        Some(&staff.token),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("verified")),
        "{v}"
    );

    // Verified: it posts, and reads the doctor minimised (commune, no coordinates, no RPPS).
    let codes = push_codes(
        &t,
        &newcomer,
        &[request_op(
            &newcomer,
            Uuid::now_v7(),
            &facility_id,
            &site,
            "open",
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);
    let (s, profile) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&newcomer.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{profile}");
    for hidden in ["base", "rpps", "contact"] {
        assert!(
            profile.get(hidden).is_none(),
            "{hidden} shown before unlock: {profile}"
        );
    }
    assert_eq!(profile["last_name"], "Test1");
    // The doctor sees who read their profile.
    let (_, audit) = get(&t.router, "/v1/me/audit", Some(&d.token)).await;
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "doctor_profile_read"
                && e["facility_name"].as_str().is_some_and(|n| !n.is_empty())),
        "the read, naming the facility: {audit}"
    );
}

async fn finding_03_a_mission_unlocks_the_rpps_and_contacts_never_the_coordinates(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let doctor_id = d.doctor_id.clone().unwrap();
    // The doctor's base, somewhere in Lannion.
    t.state
        .storage
        .change_doctor_status(&doctor_id, |doc| {
            doc.base = Some(rempla_core::domain::GeoPoint {
                lat: 48.7326,
                lon: -3.4566,
            });
            Ok::<(), ()>(())
        })
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let (admin, site) = facility(&t, 1).await;
    let (_, before) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(before["commune"]["name"], "Lannion", "{before}");
    assert!(before.get("base").is_none() && before.get("rpps").is_none());
    crate::support::accepted_mission(&t, &admin, &site, &d).await;
    let (_, after) = get(
        &t.router,
        &format!("/v1/doctors/{doctor_id}"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(after["unlocked"], true, "{after}");
    assert_eq!(after["rpps"], crate::common::rpps(1));
    assert!(after["contact"]["email"].is_string(), "{after}");
    assert!(
        after.get("base").is_none(),
        "coordinates are never shown: {after}"
    );
}

backend_tests!(
    finding_03_an_unverified_facility_reads_no_doctor_and_posts_nothing,
    finding_03_a_mission_unlocks_the_rpps_and_contacts_never_the_coordinates,
);
