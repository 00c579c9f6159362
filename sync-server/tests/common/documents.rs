//! Helpers of the documents suites (`documents_*.rs`): identity declarations, counts of queued notices
//! and audit entries, and a doctor's verification status.

// Test support code: a panic here is a test failure, as clippy.toml allows for tests themselves.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use super::users::{User, pdf, sql_int, upload};
use super::{Db, TestApp};
use axum::http::StatusCode;
use serde_json::Value;

pub const DAY_MS: i64 = 86_400_000;

pub async fn identity(t: &TestApp, d: &User, n: u32, birth: &str) -> (StatusCode, Value) {
    upload(
        t,
        d,
        &format!("kind=identity&name=cni-{n}.pdf&birth_date={birth}"),
        "application/pdf",
        &pdf(n),
    )
    .await
}

pub async fn notices(t: &TestApp, db: Db, account: &str, kind: &str) -> i64 {
    sql_int(
        t,
        db,
        &format!("SELECT COUNT(*) FROM notices WHERE account_id = '{account}' AND kind = '{kind}'"),
    )
    .await
}

pub async fn audits(t: &TestApp, db: Db, action: &str) -> i64 {
    sql_int(
        t,
        db,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}
