//! Concurrency and the scheduler of the workflow area: concurrent actions make one mission (SQLite and
//! PostgreSQL), and the scheduler runs the jobs by itself and stops.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

mod common;

use axum::http::StatusCode;
use common::users::new_staff;
use common::workflow::{
    N1, answer, code, config, doctor, facility, open_night, propose, request, set_clock, sql,
};
use common::{Db, app_with, backend_tests, get};
use rempla_server::Config;
use serde_json::json;

// ---------------------------------------------------------------- concurrency and the scheduler

async fn concurrent_actions_make_one_mission(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let (a, site_a) = facility(&t, 1).await;
    let (b, site_b) = facility(&t, 2).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    let ra = request(&t, &a, &site_a, &[N1]).await;
    let rb = request(&t, &b, &site_b, &[N1]).await;
    // The same proposal sent twice at once (two planners): one is made.
    let (x, y) = tokio::join!(
        propose(&t, &a, &ra, &d1, json!({})),
        propose(&t, &a, &ra, &d1, json!({}))
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{x:?} {y:?}"
    );
    let pa = [x, y]
        .iter()
        .find(|r| r.0 == StatusCode::CREATED)
        .unwrap()
        .1["proposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, v) = propose(&t, &b, &rb, &d1, json!({})).await;
    let pb = v["proposal"]["id"].as_str().unwrap().to_owned();
    // The doctor accepts both overlapping proposals at once: exactly one mission.
    let (x, y) = tokio::join!(
        answer(&t, &d1, &pa, "accept"),
        answer(&t, &d1, &pb, "accept")
    );
    let ok = [&x, &y].iter().filter(|r| r.0 == StatusCode::OK).count();
    assert_eq!(ok, 1, "{x:?} {y:?}");
    let loser = if x.0 == StatusCode::OK { &y } else { &x };
    assert_eq!(
        (loser.0, code(&loser.1)),
        (StatusCode::CONFLICT, "proposal_withdrawn")
    );
    assert_eq!(sql(&t, "SELECT id FROM missions").await.len(), 1);
    let booked = sql(&t, "SELECT state FROM proposals WHERE state = 'accepted'").await;
    assert_eq!(booked.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_runs_the_jobs_by_itself_and_stops() {
    let t = app_with(
        Db::Sqlite,
        Config {
            jobs_interval_secs: 1,
            ..config()
        },
    )
    .await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d1 = doctor(&t, &staff, 1, true).await;
    let (a, site_a) = facility(&t, 1).await;
    open_night(&t, &d1, N1.0, N1.1).await;
    let r = request(&t, &a, &site_a, &[N1]).await;
    let (_, v) = propose(&t, &a, &r, &d1, json!({})).await;
    let pid = v["proposal"]["id"].as_str().unwrap().to_owned();
    set_clock(&t, "2027-01-14T00:00:00Z");
    let handle = rempla_server::jobs::spawn(t.state.clone(), rempla_server::areas::JOBS).unwrap();
    let mut expired = false;
    for _ in 0..50 {
        let (_, v) = get(&t.router, "/v1/proposals", Some(&a.token)).await;
        if v["proposals"][0]["state"] == "expired" {
            expired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(expired, "the scheduler did not expire {pid}");
    t.state.begin_shutdown();
    tokio::time::timeout(std::time::Duration::from_secs(5), handle)
        .await
        .expect("the scheduler stops on shutdown")
        .unwrap();
    assert!(rempla_server::jobs::spawn(t.state.clone(), rempla_server::areas::JOBS).is_some());
    let off = app_with(
        Db::Sqlite,
        Config {
            jobs_interval_secs: 0,
            ..config()
        },
    )
    .await;
    assert!(rempla_server::jobs::spawn(off.state.clone(), rempla_server::areas::JOBS).is_none());
}

backend_tests!(concurrent_actions_make_one_mission);
