//! Findings 6, 7, 8 and 12 (timing part): anonymous forced logout and lockout, argon2 before the link
//! check, a closed account brought back, and login timing telling invited accounts apart.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::common::users::{User, new_doctor};
use crate::common::{
    Db, PASSWORD, TestApp, app, app_with, backend_tests, call, get, post, test_config,
};

/// `POST path` with a JSON body from client address `ip` (the server trusts `X-Forwarded-For` here).
async fn post_from(t: &TestApp, ip: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("x-forwarded-for", format!("10.9.9.9, {ip}"))
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let res = t.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password, "device_id": uuid::Uuid::now_v7().to_string(),
           "device_name": "test", "platform": "cli"})
}

async fn finding_06_asking_for_a_reset_link_logs_nobody_out(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let (s, _) = post(
        &t.router,
        "/v1/auth/lost-password",
        None,
        &json!({"email": d.email}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, v) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "anyone can ask for a link: asking revokes nothing ({v})"
    );
    // The owner who completes the reset is logged out everywhere.
    let link = t.mail.last_token(&d.email);
    let (s, _) = post(
        &t.router,
        "/v1/auth/reset-password",
        None,
        &json!({"token": link, "password": "un-tout-nouveau-secret"}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(v["code"], "token_revoked");
}

async fn finding_08_a_closed_account_never_comes_back(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let (s, _) = call(
        &t.router,
        "DELETE",
        "/v1/me",
        Some(&d.token),
        Some(serde_json::to_vec(&json!({"password": PASSWORD})).unwrap()),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let mails = t.mail.0.lock().unwrap().len();
    let (s, _) = post(
        &t.router,
        "/v1/auth/lost-password",
        None,
        &json!({"email": d.email}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::ACCEPTED,
        "the same answer as for any address"
    );
    assert_eq!(
        t.mail.0.lock().unwrap().len(),
        mails,
        "no reset link for a closed account"
    );
    let (s, _) = post(
        &t.router,
        "/v1/auth/login",
        None,
        &login_body(&d.email, PASSWORD),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

backend_tests!(
    finding_06_asking_for_a_reset_link_logs_nobody_out,
    finding_08_a_closed_account_never_comes_back,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_06_failed_logins_from_elsewhere_never_lock_out_the_owner() {
    let mut config = test_config();
    config.trust_forwarded_for = true;
    config.login_per_minute = 5;
    let t = app_with(Db::Sqlite, config).await;
    let d = new_doctor(&t, 1).await;
    let owner = "203.0.113.7";
    let (s, v) = post_from(&t, owner, "/v1/auth/login", &login_body(&d.email, PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // An attacker guesses from one address, then from many.
    let mut refused = 0;
    for n in 0..40 {
        let ip = format!("198.51.100.{}", n / 4);
        let (s, _) = post_from(
            &t,
            &ip,
            "/v1/auth/login",
            &login_body(&d.email, "mauvais-mot-de-passe"),
        )
        .await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(
        refused > 20,
        "the guesses are slowed: {refused} of 40 refused"
    );
    // The owner's own address still logs in, and the reset still reaches the owner.
    let (s, v) = post_from(&t, owner, "/v1/auth/login", &login_body(&d.email, PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mails = t.mail.0.lock().unwrap().len();
    let (s, _) = post_from(
        &t,
        "192.0.2.44",
        "/v1/auth/lost-password",
        &json!({"email": d.email}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        t.mail.0.lock().unwrap().len(),
        mails + 1,
        "the reset link went out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_07_a_bogus_link_is_refused_before_any_password_hash() {
    let mut config = test_config();
    config.max_concurrent_hashes = 1;
    let t = app_with(Db::Sqlite, config).await;
    // Every hashing place is taken: a request that hashed would wait (then get 503).
    let held = std::sync::Arc::clone(&t.state.gates.hashing)
        .acquire_owned()
        .await
        .unwrap();
    for (path, body) in [
        (
            "/v1/auth/reset-password",
            json!({"token": "inconnu", "password": "un-tout-nouveau-secret"}),
        ),
        (
            "/v1/accounts/activate",
            json!({"token": "inconnu", "password": "un-tout-nouveau-secret"}),
        ),
    ] {
        let answer =
            tokio::time::timeout(Duration::from_secs(3), post(&t.router, path, None, &body)).await;
        let (s, v) = answer.expect("answered without waiting for a hash");
        assert_eq!(
            (s, v["detail"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_token")),
            "{path}: {v}"
        );
    }
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_07_link_and_sign_up_routes_are_rate_limited_per_address() {
    let mut config = test_config();
    config.login_per_minute = 2;
    let t = app_with(Db::Sqlite, config).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (s, _) = post(
            &t.router,
            "/v1/auth/reset-password",
            None,
            &json!({"token": "inconnu", "password": "un-tout-nouveau-secret"}),
        )
        .await;
        statuses.push(s);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_12_login_costs_a_hash_for_accounts_without_a_password_too() {
    // An invited member who never chose a password: the answer must take a hash, like any other.
    let mut config = test_config();
    config.max_concurrent_hashes = 1;
    let t = app_with(Db::Sqlite, config).await;
    let admin: User = crate::common::users::new_facility(&t, 1).await;
    let facility = admin.facility_id.clone().unwrap();
    let (s, v) = post(
        &t.router,
        &format!("/v1/facilities/{facility}/members"),
        Some(&admin.token),
        &json!({"email": "sans-mdp@ch.example.fr", "display_name": "Sans", "role": "planner"}),
    )
    .await;
    assert!(s.is_success(), "{v}");
    let held = std::sync::Arc::clone(&t.state.gates.hashing)
        .acquire_owned()
        .await
        .unwrap();
    let body = login_body("sans-mdp@ch.example.fr", "peu-importe-123");
    let attempt = post(&t.router, "/v1/auth/login", None, &body);
    let waited = tokio::time::timeout(Duration::from_millis(500), attempt).await;
    assert!(
        waited.is_err(),
        "the login waited for a hashing place, as for an account with a password"
    );
    drop(held);
}
