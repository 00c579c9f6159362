//! The pages the account e-mails' links open, as a person in a browser would use them (no script): a
//! forgotten password is changed through the reset link's form, which refuses mismatched or too short
//! passwords in French, ends every other session, and works once. Both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::users::{login, new_doctor, raw};
use common::{Db, TestApp, app, backend_tests, get, post};
use serde_json::json;

async fn page(t: &TestApp, method: &str, path: &str, form: Option<&str>) -> (StatusCode, String) {
    let (s, headers, body) = raw(
        t,
        method,
        path,
        None,
        form.map(|_| "application/x-www-form-urlencoded"),
        form.map(|f| f.as_bytes().to_vec()).unwrap_or_default(),
    )
    .await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}: a page, not JSON"
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("form-action 'self'")
    );
    (s, String::from_utf8(body).unwrap())
}

async fn a_forgotten_password_is_changed_on_the_reset_links_page(db: Db) {
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
    let mail = t
        .mail
        .0
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m.to == d.email)
        .cloned()
        .unwrap();
    assert!(mail.text.contains("/reinitialiser-mot-de-passe?token="));
    let token = common::token_in(&mail.text);
    let path = format!("/reinitialiser-mot-de-passe?token={token}");
    let (s, html) = page(&t, "GET", &path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("name=\"password_confirm\"") && !html.contains("<script"),
        "{html}"
    );
    // Refusals come back on the page, in French; nothing changes.
    let (s, html) = page(
        &t,
        "POST",
        "/reinitialiser-mot-de-passe",
        Some(&format!(
            "token={token}&password=un-mot-de-passe-1&password_confirm=un-autre-mot-2"
        )),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("role=\"alert\"") && html.contains("diffèrent"),
        "{html}"
    );
    let (s, html) = page(
        &t,
        "POST",
        "/reinitialiser-mot-de-passe",
        Some(&format!(
            "token={token}&password=court&password_confirm=court"
        )),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("role=\"alert\""), "{html}");
    let (s, _) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "still signed in while the reset is not done"
    );
    // Done: every session ends, the new password works, the link is spent.
    let (s, html) = page(
        &t,
        "POST",
        "/reinitialiser-mot-de-passe",
        Some(&format!(
            "token={token}&password=nouveau-mot-de-passe&password_confirm=nouveau-mot-de-passe"
        )),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Mot de passe changé") && html.contains("sessions"),
        "{html}"
    );
    let (s, v) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    let (s, v, _) = login(&t, &d.email, "nouveau-mot-de-passe").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, html) = page(&t, "GET", &path, None).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(html.contains("Mot de passe oublié"), "{html}");
    // A forged token or a garbled form: a page saying so, never a 500.
    let (s, _) = page(&t, "GET", "/reinitialiser-mot-de-passe?token=faux", None).await;
    assert_eq!(s, StatusCode::GONE);
    let (s, _) = page(&t, "GET", "/reinitialiser-mot-de-passe", None).await;
    assert_eq!(s, StatusCode::GONE);
    let (s, _) = page(&t, "POST", "/reinitialiser-mot-de-passe", Some("%%%")).await;
    assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::GONE, "{s}");
}

backend_tests!(a_forgotten_password_is_changed_on_the_reset_links_page);
