//! HTTP tests of health, readiness, the OpenAPI document and the operations (backup, restore, tenant
//! export).

// Cases are generic functions called by the #[test]s below (so clippy does not see them as tests): a
// panic in them is a test failure, which the test-only unwrap allowance intends. Short names (a, b, s,
// t, v) keep the many small assertions readable.

#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::api::world;
use common::users::*;
use common::{Db, app, call, get};
use serde_json::Value;
use uuid::Uuid;

// ---------------------------------------------------------------- health, openapi, operations

#[tokio::test]
async fn health_ready_and_openapi() {
    let t = app(Db::Sqlite).await;
    assert_eq!(get(&t.router, "/v1/health", None).await.1["status"], "ok");
    let (s, v) = get(&t.router, "/v1/ready", None).await;
    assert_eq!((s, v["backend"].as_str()), (StatusCode::OK, Some("sqlite")));
    let (s, doc) = get(&t.router, "/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented route is served (not a 404 from the router).
    for (method, path, ..) in rempla_server::openapi::ROUTES {
        let concrete = path.replace("{id}", &Uuid::now_v7().to_string());
        let (s, v) = call(
            &t.router,
            &method.to_uppercase(),
            &concrete,
            None,
            (*method == "post").then(|| b"{}".to_vec()),
        )
        .await;
        assert!(
            !(s == StatusCode::NOT_FOUND && v["code"] == "not_found" && !path.contains("{id}")),
            "{path} not routed"
        );
        assert!(
            doc["paths"][*path][*method].is_object(),
            "{path} undocumented"
        );
        // Every `{name}` of the template is a declared path parameter (OpenAPI requires it).
        let declared: Vec<&str> = doc["paths"][*path][*method]["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        let in_template: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        assert_eq!(declared, in_template, "{path}: path parameters");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_and_tenant_export() {
    let w = world().await;
    let t = &w.t;
    let dir = tempfile::tempdir().unwrap();
    // Online backup while the server keeps writing.
    let backup = dir.path().join("sauvegarde.sqlite3");
    rempla_server::ops::backup(&t.state.storage, &backup)
        .await
        .unwrap();
    assert!(
        rempla_server::ops::backup(&t.state.storage, &backup)
            .await
            .is_err(),
        "never overwrites"
    );
    let before = t.state.storage.counts().await.unwrap();
    let a_id = w.doc_a.doctor_id.clone().unwrap();
    push_codes(
        t,
        &w.doc_a,
        &[availability_op(&w.doc_a, Uuid::now_v7(), &a_id, 9)],
    )
    .await;
    // Restore into a fresh data directory and open it: the state at backup time.
    let target = dir.path().join("data").join("rempla.sqlite3");
    rempla_server::ops::restore_sqlite(&backup, &target).unwrap();
    let restored = rempla_server::db::sqlite::SqliteBackend::open(&target).unwrap();
    let restored = rempla_server::storage_on(Arc::new(restored)).await.unwrap();
    assert_eq!(restored.counts().await.unwrap(), before);
    assert!(
        restored
            .account_by_email(&w.doc_a.email)
            .await
            .unwrap()
            .is_some()
    );
    // A file that is not a backup is refused and the target is left alone.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(rempla_server::ops::restore_sqlite(&junk, &target).is_err());
    assert_eq!(restored.counts().await.unwrap(), before);

    // Tenant export of facility A: its rows only, no secrets.
    let zip_path = dir.path().join("export.zip");
    let fa = w.admin_a.facility_id.clone().unwrap();
    let rows = rempla_server::ops::export_tenant(&t.state.storage, &fa, &zip_path)
        .await
        .unwrap();
    assert!(rows > 0);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut sql = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("tenant.sql").unwrap(), &mut sql).unwrap();
    assert!(sql.contains(&w.request_a));
    assert!(sql.contains(&w.admin_a.email));
    assert!(sql.contains(&w.planner_a.email));
    assert!(
        !sql.contains(&w.request_b),
        "another tenant's request leaked"
    );
    assert!(!sql.contains(&w.admin_b.email));
    assert!(
        !sql.contains(&w.doc_a.email),
        "doctor contact in a facility export"
    );
    assert!(!sql.contains("$argon2id$"), "password hash exported");
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["facility_id"], fa.as_str());
    assert_eq!(manifest["rows"]["members"], 3);
    assert!(archive.by_name("files/LISEZMOI.txt").is_ok());
    // The SQL loads into SQLite as it is.
    let check = rusqlite::Connection::open_in_memory().unwrap();
    check.execute_batch(&sql).unwrap();
    let n: i64 = check
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    assert!(
        rempla_server::ops::export_tenant(
            &t.state.storage,
            &Uuid::now_v7().to_string(),
            &dir.path().join("x.zip")
        )
        .await
        .is_err()
    );
}
