//! A signed-in account's own sessions and password on both backends: the devices listed (this one
//! marked), another device signed out (its token dies), the password changed with the current one
//! (every other session ends, the new one signs in, a wrong current one is refused and throttled).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::users::{delete, login, new_doctor};
use common::{Db, PASSWORD, app_with, backend_tests, get, post, test_config};
use serde_json::json;

async fn sessions_and_password_are_the_owners_to_manage(db: Db) {
    // Few enough tries a minute that the throttle shows within the test's guesses.
    let mut config = test_config();
    config.login_per_minute = 5;
    let t = app_with(db, config).await;
    let d = new_doctor(&t, 1).await;
    let (s, v, _) = login(&t, &d.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let other = v["token"].as_str().unwrap().to_owned();
    let (s, v) = get(&t.router, "/v1/me/devices", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let devices = v["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2, "{v}");
    assert_eq!(
        devices.iter().filter(|x| x["this_device"] == true).count(),
        1
    );
    let other_device = devices.iter().find(|x| x["this_device"] == false).unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Signing the other device out kills its token at once.
    let (s, _) = delete(&t, &format!("/v1/me/devices/{other_device}"), &d.token).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = get(&t.router, "/v1/me", Some(&other)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    let (s, _) = delete(&t, &format!("/v1/me/devices/{other_device}"), &d.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already signed out");
    let (s, _) = delete(&t, &format!("/v1/me/devices/{}", "x".repeat(200)), &d.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The password: the current one is required, the policy holds, other sessions end.
    let (_, v, _) = login(&t, &d.email, PASSWORD).await;
    let third = v["token"].as_str().unwrap().to_owned();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (s, v) = post(
        &t.router,
        "/v1/me/password",
        Some(&d.token),
        &change("pas-le-bon-mot", "nouveau-mot-de-passe"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_password"))
    );
    let (s, v) = post(
        &t.router,
        "/v1/me/password",
        Some(&d.token),
        &change(PASSWORD, "court"),
    )
    .await;
    assert_eq!(
        (s, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password_too_short"))
    );
    let (s, v) = post(
        &t.router,
        "/v1/me/password",
        Some(&d.token),
        &json!({"current_password": PASSWORD}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (s, v) = post(
        &t.router,
        "/v1/me/password",
        Some(&d.token),
        &change(PASSWORD, "nouveau-mot-de-passe"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sessions_ended"], 1);
    let (s, _) = get(&t.router, "/v1/me", Some(&d.token)).await;
    assert_eq!(s, StatusCode::OK, "this device stays signed in");
    let (s, v) = get(&t.router, "/v1/me", Some(&third)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    assert_eq!(
        login(&t, &d.email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&t, &d.email, "nouveau-mot-de-passe").await.0,
        StatusCode::OK
    );
    // Audited in the account's own trail.
    let trail = t
        .state
        .storage
        .audit_trail(
            rempla_server::audit::AuditFilter {
                doctor_id: d.doctor_id.clone(),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"password_changed") && actions.contains(&"device_signed_out"),
        "{actions:?}"
    );
    // Repeated wrong guesses are throttled like logins.
    let mut codes = Vec::new();
    for _ in 0..30 {
        let (s, _) = post(
            &t.router,
            "/v1/me/password",
            Some(&d.token),
            &change("faux-mot-de-passe", "encore-un-autre-mot"),
        )
        .await;
        codes.push(s);
    }
    assert!(codes.contains(&StatusCode::TOO_MANY_REQUESTS), "{codes:?}");
}

backend_tests!(sessions_and_password_are_the_owners_to_manage);
