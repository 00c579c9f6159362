//! HTTP tests of calendar feeds on SQLite and PostgreSQL: a doctor's feed is exactly their missions as
//! Python's `icalendar` + `recurring-ical-events` read it (one event per shift, cancelled ones
//! `CANCELLED`, zones described), conditional fetches answer 304, rotation and revocation kill the
//! old address, a facility's feed per site shows its missions and open shifts, and a feed dies with
//! its owner's right to read. Everything wrong about an address is the same 404.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names,
    clippy::case_sensitive_file_extension_comparisons
)]

mod common;

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use common::users::{User, delete, invite, membership_of, new_staff, raw};
use common::workflow::{answer, config, doctor, facility, open_night, propose, request, set_clock};
use common::{Db, TestApp, app_with, backend_tests, get, post};
use serde_json::{Value, json};

const N1: (&str, &str) = ("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z");
const N2: (&str, &str) = ("2027-02-03T19:00:00Z", "2027-02-04T07:00:00Z");
const N3: (&str, &str) = ("2027-02-10T19:00:00Z", "2027-02-11T07:00:00Z");

/// The path part of a feed's address (the test router has no host).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or_else(String::new, |i| rest[i..].to_owned())
}

async fn make_feed(t: &TestApp, user: &User, body: Value) -> (StatusCode, Value) {
    post(&t.router, "/v1/me/feeds", Some(&user.token), &body).await
}

async fn fetch(
    t: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let mut req = Request::builder().method("GET").uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = t
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The feed as Python's calendar libraries read and expand it.
fn python_reads(ics: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, ics).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/read_feed.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&file)
        .args(["2026-10-01T00:00:00Z", "2029-01-01T00:00:00Z"])
        .output()
        .expect("python3 (scripts/setup-debian.sh installs it with icalendar and recurring-ical-events)");
    assert!(
        out.status.success(),
        "python could not read the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A mission of `doctor` for `nights` at `site`; returns its id.
async fn mission(
    t: &TestApp,
    admin: &User,
    site: &str,
    d: &User,
    nights: &[(&str, &str)],
) -> String {
    for n in nights {
        open_night(t, d, n.0, n.1).await;
    }
    let r = request(t, admin, site, nights).await;
    let (s, v) = propose(t, admin, &r, d, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = answer(t, d, v["proposal"]["id"].as_str().unwrap(), "accept").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["mission_id"].as_str().unwrap().to_owned()
}

async fn a_doctor_feed_is_exactly_the_missions_in_the_database(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (a, site) = facility(&t, 1).await;
    let two_nights = mission(&t, &a, &site, &d, &[N1, N2]).await;
    let cancelled = mission(&t, &a, &site, &d, &[N3]).await;
    let (s, v) = post(
        &t.router,
        &format!("/v1/missions/{cancelled}/cancel"),
        Some(&a.token),
        &json!({"reason": "service fermé"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (s, feed) = make_feed(&t, &d, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    assert_eq!(feed["scope"], "doctor");
    let url = feed["url"].as_str().unwrap();
    assert!(
        url.ends_with(".ics")
            && feed["webcal_url"]
                .as_str()
                .unwrap()
                .starts_with("webcal://")
    );
    let path = path_of(url);
    let (s, headers, body) = fetch(&t, &path, &[]).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let last_modified = headers["last-modified"].to_str().unwrap().to_owned();

    // What a calendar program shows: one event per shift, with the database's instants and ids.
    let read = python_reads(&body);
    assert_eq!(read["name"], "Rempla – mes missions");
    assert_eq!(read["timezones"], json!(["Europe/Paris"]));
    assert!(
        read["refresh"].as_str().unwrap().contains("1:00:00")
            || read["refresh"].as_str().unwrap().contains("PT60M"),
        "{}",
        read["refresh"]
    );
    let events: Vec<(String, String, String, String)> = read["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["uid"].as_str().unwrap().to_owned(),
                e["start"].as_str().unwrap().to_owned(),
                e["end"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = vec![
        (
            format!("{two_nights}-0@rempla.fr"),
            N1.0.to_owned(),
            N1.1.to_owned(),
            "CONFIRMED".to_owned(),
        ),
        (
            format!("{two_nights}-1@rempla.fr"),
            N2.0.to_owned(),
            N2.1.to_owned(),
            "CONFIRMED".to_owned(),
        ),
        (
            format!("{cancelled}-0@rempla.fr"),
            N3.0.to_owned(),
            N3.1.to_owned(),
            "CANCELLED".to_owned(),
        ),
    ];
    assert_eq!(events, want);
    let first = &read["events"][0];
    assert!(
        first["summary"]
            .as_str()
            .unwrap()
            .starts_with("Mission – CH 1"),
        "{first}"
    );
    assert!(
        first["location"]
            .as_str()
            .unwrap()
            .contains("Rue de Kergomar")
            || !first["location"].as_str().unwrap().is_empty()
    );
    // Compared with the database itself, not only with what the test made.
    let rows = common::workflow::sql(&t, "SELECT id FROM missions").await;
    assert_eq!(rows.len(), 2);

    // Conditional requests: the same content is 304, by ETag or by date.
    let (s, h, body304) = fetch(&t, &path, &[("if-none-match", etag.as_str())]).await;
    assert_eq!((s, body304.as_str()), (StatusCode::NOT_MODIFIED, ""));
    assert_eq!(h["etag"], etag.as_str());
    let (s, _, _) = fetch(&t, &path, &[("if-modified-since", last_modified.as_str())]).await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    let (s, _, _) = fetch(&t, &path, &[("if-none-match", "\"autre\"")]).await;
    assert_eq!(s, StatusCode::OK);
    // A change shows: a new mission moves the ETag.
    t.state.clock.advance(60_000);
    mission(
        &t,
        &a,
        &site,
        &d,
        &[("2027-02-17T19:00:00Z", "2027-02-18T07:00:00Z")],
    )
    .await;
    let (s, h, _) = fetch(&t, &path, &[("if-none-match", etag.as_str())]).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(h["etag"], etag.as_str());

    // Every fetch is audited, in the doctor's own trail.
    let trail = t
        .state
        .storage
        .audit_trail(
            rempla_server::audit::AuditFilter {
                doctor_id: d.doctor_id.clone(),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .filter(|e| e.action == "calendar_feed_read")
            .count()
            >= 3
    );

    // Wrong secrets and ids are all the same 404; rotation kills the old address, revocation all.
    let id = feed["id"].as_str().unwrap();
    for bad in [
        format!("/feeds/{id}/pas-le-bon-secret.ics"),
        format!("/feeds/{}/x.ics", uuid::Uuid::now_v7()),
        format!("/feeds/{id}/{}.ics", "A".repeat(500)),
    ] {
        let (s, _, body) = fetch(&t, &bad, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}: {body}");
    }
    let (s, rotated) = post(
        &t.router,
        &format!("/v1/me/feeds/{id}/rotate"),
        Some(&d.token),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["url"], feed["url"]);
    assert_eq!(fetch(&t, &path, &[]).await.0, StatusCode::NOT_FOUND);
    let new_path = path_of(rotated["url"].as_str().unwrap());
    assert_eq!(fetch(&t, &new_path, &[]).await.0, StatusCode::OK);
    let (_, list) = get(&t.router, "/v1/me/feeds", Some(&d.token)).await;
    assert_eq!(
        list["feeds"][0]["url"], rotated["url"],
        "the address can be shown again"
    );
    assert!(list["feeds"][0]["last_read_ms"].is_i64());
    let (s, _) = delete(&t, &format!("/v1/me/feeds/{id}"), &d.token).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&t, &new_path, &[]).await.0, StatusCode::NOT_FOUND);
    let (_, list) = get(&t.router, "/v1/me/feeds", Some(&d.token)).await;
    assert_eq!(list["feeds"], json!([]));
}

async fn a_facility_feed_shows_its_missions_and_open_shifts_while_its_owner_may_read(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (a, site) = facility(&t, 1).await;
    let (b, _) = facility(&t, 2).await;
    let booked = mission(&t, &a, &site, &d, &[N1]).await;
    let open = request(&t, &a, &site, &[N2, N3]).await;
    let (s, feed) = make_feed(
        &t,
        &a,
        json!({"facility_id": a.facility_id, "site_id": site}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    assert_eq!(feed["name"], "Rempla – CH 1 – Site 1");
    let (s, _, body) = fetch(&t, &path_of(feed["url"].as_str().unwrap()), &[]).await;
    assert_eq!(s, StatusCode::OK);
    let read = python_reads(&body);
    let uids: Vec<&str> = read["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uid"].as_str().unwrap())
        .collect();
    assert_eq!(
        uids,
        [
            format!("{booked}-0@rempla.fr"),
            format!("{open}-0@rempla.fr"),
            format!("{open}-1@rempla.fr")
        ]
    );
    assert!(
        read["events"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Dr Anne Test1 – Site 1")
    );
    assert!(
        read["events"][1]["summary"]
            .as_str()
            .unwrap()
            .starts_with("À pourvoir – ")
    );
    assert_eq!(read["events"][1]["status"], "TENTATIVE");

    // Who may make which feed.
    let (s, v) = make_feed(&t, &d, json!({"facility_id": a.facility_id})).await;
    assert_eq!(
        (s, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unexpected_field"))
    );
    let (s, _) = make_feed(&t, &b, json!({"facility_id": a.facility_id})).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another facility's calendar is not theirs"
    );
    let (s, _) = make_feed(
        &t,
        &a,
        json!({"facility_id": a.facility_id, "site_id": uuid::Uuid::now_v7()}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = make_feed(
        &t,
        &a,
        json!({"facility_id": a.facility_id, "colour": "red"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (s, v) = make_feed(&t, &a, json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // A member's feed dies when the member leaves.
    let viewer = invite(&t, &a, "viewer", 1).await;
    let (s, vfeed) = make_feed(&t, &viewer, json!({"facility_id": a.facility_id})).await;
    assert_eq!(s, StatusCode::CREATED, "{vfeed}");
    let vpath = path_of(vfeed["url"].as_str().unwrap());
    assert_eq!(fetch(&t, &vpath, &[]).await.0, StatusCode::OK);
    let facility_id = a.facility_id.clone().unwrap();
    let member = membership_of(&t, &a, &viewer).await;
    let (s, _) = delete(
        &t,
        &format!("/v1/facilities/{facility_id}/members/{member}"),
        &a.token,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&t, &vpath, &[]).await.0, StatusCode::NOT_FOUND);

    // Bounded: 20 feeds an account, 30 fetches a minute a feed.
    for _ in 0..19 {
        let (s, v) = make_feed(&t, &a, json!({"facility_id": a.facility_id})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = make_feed(&t, &a, json!({"facility_id": a.facility_id})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_many_feeds"))
    );
    let path = path_of(feed["url"].as_str().unwrap());
    let mut statuses = Vec::new();
    for _ in 0..35 {
        statuses.push(fetch(&t, &path, &[]).await.0);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Other routes keep answering meanwhile.
    let (s, _, _) = raw(&t, "GET", "/v1/health", None, None, Vec::new()).await;
    assert_eq!(s, StatusCode::OK);
}

backend_tests!(
    a_doctor_feed_is_exactly_the_missions_in_the_database,
    a_facility_feed_shows_its_missions_and_open_shifts_while_its_owner_may_read,
);
