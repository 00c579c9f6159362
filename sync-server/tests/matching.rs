//! The matching endpoints over HTTP, on both backends: request → candidates (complete, partial, split,
//! explanations, no contact details), doctor → requests with map clusters, who may see what, and an
//! index that follows every write (availability edits and deletions, series, profile changes,
//! request status) without a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::users::{
    User, add_site, delete_op, new_doctor, new_facility, new_staff, push_codes, sql_exec, sql_int,
    upsert_op,
};
use common::{Db, PASSWORD, TestApp, app, backend_tests, call, get, post, second_instance};
use rempla_core::domain::DoctorId;
use rempla_core::matching::DoctorProfile;
use rempla_core::sync::EntityKind;
use rempla_server::Storage;
use rempla_server::matching::{MatchingService, REBUILD_AFTER_MS};
use rempla_server::privacy;
use serde_json::{Value, json};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;

/// Lannion (22), where `add_site` puts the site.
const SITE: (f64, f64) = (48.73, -3.46);

/// Gives a doctor a place to work from and a status, as staff and the profile screen would.
async fn set_profile(
    t: &TestApp,
    doctor: &User,
    status: &str,
    base: Option<(f64, f64)>,
    radius: u16,
    departments: &[&str],
) {
    let id = doctor.doctor_id.clone().unwrap();
    let row = t.state.storage.doctor(&id).await.unwrap().unwrap();
    let mut record = row.record.clone();
    record["status"] = json!(status);
    record["base"] = base.map_or(Value::Null, |(lat, lon)| json!({"lat": lat, "lon": lon}));
    if base.is_none() {
        record.as_object_mut().unwrap().remove("base");
    }
    record["travel_radius_km"] = json!(radius);
    record["departments"] = json!(departments);
    t.state
        .storage
        .change_doctor_status(&id, move |d| {
            *d = serde_json::from_value(record).unwrap();
            Ok::<(), ()>(())
        })
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

fn availability(doctor: &User, id: Uuid, start: &str, end: &str, rrule: Option<&str>) -> Value {
    let mut v = json!({
        "id": id, "doctor_id": doctor.doctor_id, "interval": {"start": start, "end": end},
        "zone": "Europe/Paris", "kind": "night", "status": "open"
    });
    if let Some(r) = rrule {
        v["recurrence"] = json!({"rrule": r, "exdates": []});
    }
    v
}

fn request(id: Uuid, facility: &str, site: &str, status: &str) -> Value {
    json!({
        "id": id, "facility_id": facility, "site_id": site, "specialty": "urgences",
        "shifts": [
            {"kind": "night", "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"}},
            {"kind": "night", "interval": {"start": "2027-03-02T19:00:00Z", "end": "2027-03-03T07:00:00Z"}}
        ],
        "zone": "Europe/Paris", "department": "22", "location": {"lat": SITE.0, "lon": SITE.1},
        "doctors_needed": 1, "status": status
    })
}

async fn candidates(t: &TestApp, token: &str, request: Uuid) -> (StatusCode, Value) {
    get(
        &t.router,
        &format!("/v1/requests/{request}/candidates"),
        Some(token),
    )
    .await
}

fn doctor_ids(v: &Value) -> Vec<(String, String)> {
    v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["doctor"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn matching_endpoints(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let other_admin = new_facility(&t, 2).await;
    let staff = new_staff(&t).await;
    let site = add_site(&t, &admin).await;
    let facility = admin.facility_id.clone().unwrap();

    // Near and verified, both nights; verified by département only, first night only; pending.
    let near = new_doctor(&t, 1).await;
    let by_department = new_doctor(&t, 2).await;
    let pending = new_doctor(&t, 3).await;
    let far = new_doctor(&t, 4).await;
    set_profile(&t, &near, "verified", Some((48.58, -3.82)), 50, &[]).await;
    set_profile(&t, &by_department, "verified", None, 0, &["22"]).await;
    set_profile(&t, &pending, "pending", Some(SITE), 50, &[]).await;
    // Strasbourg, 30 km radius: too far from Lannion.
    set_profile(&t, &far, "verified", Some((48.58, 7.75)), 30, &[]).await;

    // `near` offers a weekly Monday+Tuesday night series; the others single nights.
    let series = Uuid::now_v7();
    let codes = push_codes(
        &t,
        &near,
        &[upsert_op(
            &near,
            EntityKind::Availability,
            series,
            &availability(
                &near,
                series,
                "2027-02-01T19:00:00Z",
                "2027-02-02T07:00:00Z",
                Some("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=20"),
            ),
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);
    let partial_slot = Uuid::now_v7();
    let codes = push_codes(
        &t,
        &by_department,
        &[upsert_op(
            &by_department,
            EntityKind::Availability,
            partial_slot,
            &availability(
                &by_department,
                partial_slot,
                "2027-03-01T19:00:00Z",
                "2027-03-02T07:00:00Z",
                None,
            ),
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);
    for doctor in [&pending, &far] {
        let id = Uuid::now_v7();
        let codes = push_codes(
            &t,
            doctor,
            &[upsert_op(
                doctor,
                EntityKind::Availability,
                id,
                &availability(
                    doctor,
                    id,
                    "2027-03-01T19:00:00Z",
                    "2027-03-03T07:00:00Z",
                    None,
                ),
            )],
        )
        .await;
        assert_eq!(codes, ["applied"]);
    }

    let request_id = Uuid::now_v7();
    let codes = push_codes(
        &t,
        &admin,
        &[upsert_op(
            &admin,
            EntityKind::Request,
            request_id,
            &request(request_id, &facility, &site, "open"),
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);

    // The facility sees the near doctor complete (ranked first), the département doctor partial.
    let (s, v) = candidates(&t, &admin.token, request_id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let near_id = near.doctor_id.clone().unwrap();
    let dep_id = by_department.doctor_id.clone().unwrap();
    assert_eq!(
        doctor_ids(&v),
        [
            (near_id.clone(), "complete".to_owned()),
            (dep_id.clone(), "partial".to_owned())
        ]
    );
    assert_eq!(
        (v["complete_count"].as_u64(), v["partial_count"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(v["split"].is_null(), "someone covers everything: no split");
    let first = &v["candidates"][0];
    assert!(first["profile"].get("contact").is_none() && first["profile"]["last_name"] == "Test1");
    let criteria = first["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 3);
    assert!(
        criteria
            .iter()
            .all(|c| c["explanation"].as_str().is_some_and(|e| !e.is_empty()))
    );
    assert!(
        !v.to_string().contains("@example.fr"),
        "no contact details before unlock"
    );
    let partial = &v["candidates"][1]["coverage"]["shifts"];
    assert_eq!(partial[0]["uncovered"].as_array().unwrap().len(), 0);
    assert_eq!(partial[1]["covered"].as_array().unwrap().len(), 0);

    // Staff see them too; another facility, a doctor and nobody do not.
    assert_eq!(
        candidates(&t, &staff.token, request_id).await.0,
        StatusCode::OK
    );
    assert_eq!(
        candidates(&t, &other_admin.token, request_id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        candidates(&t, &near.token, request_id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &t.router,
            &format!("/v1/requests/{request_id}/candidates"),
            None
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = get(
        &t.router,
        "/v1/requests/pas-un-uuid/candidates",
        Some(&admin.token),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(
        candidates(&t, &admin.token, Uuid::now_v7()).await.0,
        StatusCode::NOT_FOUND
    );

    // The index follows writes: the near doctor removes their series → only a partial candidate,
    // so the split appears; the département doctor then extends their night → complete.
    assert_eq!(
        push_codes(
            &t,
            &near,
            &[delete_op(&near, EntityKind::Availability, series)]
        )
        .await,
        ["applied"]
    );
    let (_, v) = candidates(&t, &admin.token, request_id).await;
    assert_eq!(doctor_ids(&v), [(dep_id.clone(), "partial".to_owned())]);
    assert_eq!(v["split"]["parts"].as_array().map(Vec::len), Some(1), "{v}");
    let codes = push_codes(
        &t,
        &by_department,
        &[upsert_op(
            &by_department,
            EntityKind::Availability,
            partial_slot,
            &availability(
                &by_department,
                partial_slot,
                "2027-03-01T19:00:00Z",
                "2027-03-03T07:00:00Z",
                None,
            ),
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);
    let (_, v) = candidates(&t, &admin.token, request_id).await;
    assert_eq!(doctor_ids(&v), [(dep_id.clone(), "complete".to_owned())]);

    // Doctor → requests, with clusters for the map; only for verified doctors.
    let (s, v) = get(
        &t.router,
        "/v1/me/requests?zoom=6",
        Some(&by_department.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["requests"][0]["request"], json!(request_id));
    assert_eq!(v["requests"][0]["status"], "complete");
    assert_eq!(v["clusters"][0]["count"], 1);
    assert_eq!(v["clusters"][0]["request"], json!(request_id));
    let (s, v) = get(&t.router, "/v1/me/requests", Some(&near.token)).await;
    assert_eq!(
        (s, v["requests"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    assert!(v.get("clusters").is_none());
    assert_eq!(
        get(&t.router, "/v1/me/requests", Some(&pending.token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&t.router, "/v1/me/requests", Some(&admin.token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = get(
        &t.router,
        "/v1/me/requests?zoom=99",
        Some(&by_department.token),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    let (s, _) = get(
        &t.router,
        "/v1/me/requests?zoom=-1",
        Some(&by_department.token),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // A profile change through the staff endpoint reaches the index: suspended → gone.
    let (s, v) = post(
        &t.router,
        &format!("/v1/staff/doctors/{dep_id}/status"),
        Some(&staff.token),
        &json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = candidates(&t, &admin.token, request_id).await;
    assert_eq!(doctor_ids(&v), []);

    // A request that is no longer open has no candidates.
    let codes = push_codes(
        &t,
        &admin,
        &[upsert_op(
            &admin,
            EntityKind::Request,
            request_id,
            &json!({"status": "cancelled"}),
        )],
    )
    .await;
    assert_eq!(codes, ["applied"]);
    let (s, v) = candidates(&t, &admin.token, request_id).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
}

/// The profile of `id` in an instance's index, brought up to date first (`None`: not in the index).
async fn indexed(
    service: &MatchingService,
    storage: &Storage,
    now_ms: i64,
    id: &str,
) -> Option<DoctorProfile> {
    let guard = service.fresh(storage, now_ms).await.unwrap();
    let loaded = guard.as_ref().unwrap();
    loaded
        .index
        .doctor(id.parse::<DoctorId>().unwrap())
        .ok()
        .map(|e| e.profile.clone())
}

/// Doctor-profile changes written through one instance reach another instance's index at its next
/// query, which reloads only the profiles changed since its position: a profile broken behind the
/// storage's back (no change recorded) stays as it was, where a full reload would drop it. A created
/// profile appears, a purged one leaves, and the removal mark is pruned after two index lifetimes.
async fn profile_changes_reach_another_instance(db: Db) {
    let t = app(db).await;
    let changed = new_doctor(&t, 1).await;
    let untouched = new_doctor(&t, 2).await;
    set_profile(&t, &changed, "verified", Some(SITE), 30, &[]).await;
    set_profile(&t, &untouched, "verified", Some(SITE), 40, &[]).await;
    let changed_id = changed.doctor_id.clone().unwrap();
    let untouched_id = untouched.doctor_id.clone().unwrap();

    // Instance B: its own storage handle and index over the same database. Its clock stays put, so
    // it never rebuilds from scratch in this test: every change below comes through catch-up.
    let storage_b = second_instance(db, &t.db.location).await;
    let service_b = MatchingService::new();
    let now_b = t.state.clock.now_ms();
    let p = indexed(&service_b, &storage_b, now_b, &changed_id)
        .await
        .unwrap();
    assert_eq!(p.travel_radius_km, 30);
    assert!(p.departments.is_empty());
    let p = indexed(&service_b, &storage_b, now_b, &untouched_id)
        .await
        .unwrap();
    assert_eq!(p.travel_radius_km, 40);

    // Through instance A: one profile changes; the other is broken without a change position.
    set_profile(&t, &changed, "verified", Some(SITE), 80, &["22", "29"]).await;
    sql_exec(
        &t,
        db,
        &format!("UPDATE doctors SET record = '{{}}' WHERE id = '{untouched_id}'"),
    )
    .await;
    let p = indexed(&service_b, &storage_b, now_b, &changed_id)
        .await
        .unwrap();
    assert_eq!(p.travel_radius_km, 80);
    assert_eq!(p.departments.len(), 2);
    let p = indexed(&service_b, &storage_b, now_b, &untouched_id).await;
    assert_eq!(
        p.map(|p| p.travel_radius_km),
        Some(40),
        "only changed profiles are reloaded"
    );

    // A new doctor appears.
    let created = new_doctor(&t, 3).await;
    let created_id = created.doctor_id.clone().unwrap();
    assert!(
        indexed(&service_b, &storage_b, now_b, &created_id)
            .await
            .is_some()
    );

    // A closed account purged after its year leaves B's index; the others stay.
    let (s, v) = call(
        &t.router,
        "DELETE",
        "/v1/me",
        Some(&changed.token),
        Some(serde_json::to_vec(&json!({"password": PASSWORD})).unwrap()),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    t.state.clock.advance(366 * DAY_MS);
    assert_eq!(privacy::purge_expired(&t.state).await.unwrap().accounts, 1);
    assert!(
        indexed(&service_b, &storage_b, now_b, &changed_id)
            .await
            .is_none()
    );
    assert!(
        indexed(&service_b, &storage_b, now_b, &created_id)
            .await
            .is_some()
    );
    let marks = format!("SELECT COUNT(*) FROM doctor_changes WHERE id = '{changed_id}'");
    assert_eq!(sql_int(&t, db, &marks).await, 1);
    // The removal mark outlives two index lifetimes (the clock also runs on meanwhile: a minute of
    // margin), then the next purge drops it.
    t.state.clock.advance(2 * REBUILD_AFTER_MS - 60_000);
    privacy::purge_expired(&t.state).await.unwrap();
    assert_eq!(sql_int(&t, db, &marks).await, 1);
    t.state.clock.advance(120_000);
    privacy::purge_expired(&t.state).await.unwrap();
    assert_eq!(sql_int(&t, db, &marks).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_changes_reach_another_sqlite_instance() {
    profile_changes_reach_another_instance(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_changes_reach_another_postgres_instance() {
    profile_changes_reach_another_instance(Db::Postgres).await;
}

backend_tests!(matching_endpoints);
