//! HTTP tests of the accounts flow through the axum router: sign-up to sign-in with a real SMTP exchange,
//! terms gating, tokens, and the login and per-account rate limits.

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
use base64::Engine;
use common::smtp::smtp_server;
use common::users::*;
use common::{Db, PASSWORD, TestApp, app_with, call, get, post, test_config};
use serde_json::json;

/// Every `…token=…` link of a raw message, whatever its transfer encoding (quoted-printable or base64).
fn links_in(raw: &str) -> Vec<String> {
    let mut texts = vec![raw.replace("=\r\n", "").replace("=3D", "=")];
    let mut block = String::new();
    for line in raw.lines().chain(std::iter::once("")) {
        let t = line.trim();
        if !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        {
            block.push_str(t);
        } else if !block.is_empty() {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&block) {
                texts.push(String::from_utf8_lossy(&bytes).into_owned());
            }
            block.clear();
        }
    }
    let mut links = Vec::new();
    for text in texts {
        for (i, _) in text.match_indices("http://") {
            let link: String = text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
                .collect();
            if link.contains("token=") && !links.contains(&link) {
                links.push(link);
            }
        }
    }
    links
}

// ---------------------------------------------------------------- accounts

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_flow_with_real_smtp() {
    let (port, inbox) = smtp_server();
    let db = common::open_db(Db::Sqlite).await;
    let config = rempla_server::Config {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        public_url: "http://rempla.test".into(),
        ..test_config()
    };
    let mailer = rempla_server::make_mailer(&config).unwrap();
    let terms = rempla_server::auth::terms::Terms::new("2026-11-01", "CGU v1");
    let state = rempla_server::AppState::new(config.clone(), db.storage.clone(), mailer, terms);
    let router = rempla_server::router(state.clone());
    let t = TestApp {
        router,
        state,
        mail: common::MemoryMailer::default(),
        db,
    };

    let email = "camille.durand@example.fr";
    let (s, v) = post(
        &t.router,
        "/v1/accounts/doctors",
        None,
        &json!({"email": email, "password": PASSWORD, "rpps": "10000001916", "first_name": "Camille",
                "last_name": "Durand", "specialties": ["medecine-generale"]}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v, json!({"email": email}));
    let message = inbox
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("activation mail received by SMTP");
    assert!(message.contains(&format!("To: {email}")), "{message}");
    assert!(message.contains("Subject: Activez votre compte Rempla"));
    let links = links_in(&message);
    let link = links
        .iter()
        .find(|l| l.contains("/v1/accounts/activate?token="))
        .expect("activation link");
    // Same RPPS or e-mail again: the same answer as any sign-up (finding 12: the form tells nobody
    // who is registered), nothing created; the address given is told by mail instead.
    for (other, rpps, subject) in [
        (
            "autre@example.fr",
            "10000001916".to_owned(),
            "est d=C3=A9j=C3=A0 rattach=C3=A9",
        ),
        (email, common::rpps(77), "Elle en a d=C3=A9j=C3=A0 un"),
    ] {
        let (s, v) = post(
            &t.router,
            "/v1/accounts/doctors",
            None,
            &json!({"email": other, "password": PASSWORD, "rpps": rpps, "first_name": "X",
                    "last_name": "Y", "specialties": ["urgences"]}),
        )
        .await;
        assert_eq!((s, v), (StatusCode::ACCEPTED, json!({"email": other})));
        let told = inbox
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a notice by SMTP");
        let told = told.replace("=\r\n", "");
        assert!(
            told.contains(&format!("To: {other}")) && told.contains(subject),
            "{told}"
        );
        assert!(
            t.state
                .storage
                .account_by_email(other)
                .await
                .unwrap()
                .is_some()
                == (other == email),
            "no second account"
        );
    }

    // Not activated yet.
    let (s, v, _) = login(&t, email, PASSWORD).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_not_activated"))
    );
    // Follow the link as a browser would.
    let path = link.strip_prefix("http://rempla.test").unwrap();
    let (s, _) = call(&t.router, "GET", path, None, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(&t.router, "GET", path, None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a link works once");

    let (s, v, device) = login(&t, email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["terms_required"], true);
    assert_eq!(v["role"], "doctor");
    assert!(v["doctor_id"].as_str().is_some_and(|d| !d.is_empty()));
    let token = v["token"].as_str().unwrap().to_owned();
    let (s, v, _) = login(&t, email, "mauvais-mot-de-passe").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );

    // Terms gate everything but /me, terms and logout.
    let (s, v) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&token),
        &json!({"protocol": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("terms_not_accepted"))
    );
    let (s, me) = get(&t.router, "/v1/me", Some(&token)).await;
    assert_eq!(
        (s, me["terms_accepted"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (_, terms) = get(&t.router, "/v1/terms/current", None).await;
    let (s, v) = post(
        &t.router,
        "/v1/terms/accept",
        Some(&token),
        &json!({"version": terms["version"], "sha256": "00"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    accept_terms(&t, &token).await;
    let (s, _) = post(
        &t.router,
        "/v1/sync/pull",
        Some(&token),
        &json!({"protocol": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, me) = get(&t.router, "/v1/me", Some(&token)).await;
    let proof = &me["terms_acceptances"][0];
    assert_eq!(proof["version"], terms["version"]);
    assert_eq!(proof["sha256"], terms["sha256"]);
    assert_eq!(proof["device_id"], device.to_string());
    assert!(proof["accepted_ms"].as_i64().unwrap() > 0);
    assert_eq!(me["doctor"]["contact"]["email"], email);

    // Logout revokes this device only.
    let (_, v2, _) = login(&t, email, PASSWORD).await;
    let token2 = v2["token"].as_str().unwrap().to_owned();
    let (s, _) = post(&t.router, "/v1/auth/logout", Some(&token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = get(&t.router, "/v1/me", Some(&token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    let (s, _) = get(&t.router, "/v1/me", Some(&token2)).await;
    assert_eq!(s, StatusCode::OK);

    // Lost password: every token revoked, a reset link by SMTP.
    let before = inbox.lock().unwrap().len();
    let (s, _) = post(
        &t.router,
        "/v1/auth/lost-password",
        None,
        &json!({"email": "inconnu@example.fr"}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        inbox.lock().unwrap().len(),
        before,
        "no mail for an unknown address"
    );
    let (s, _) = post(
        &t.router,
        "/v1/auth/lost-password",
        None,
        &json!({"email": email}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // Asking for a link logs nobody out (anyone can ask); completing the reset does, below.
    let (s, _) = get(&t.router, "/v1/me", Some(&token2)).await;
    assert_eq!(s, StatusCode::OK);
    let message = inbox.lock().unwrap().last().cloned().unwrap();
    assert!(
        message.contains("Subject: =?utf-8?") || message.contains("Subject: R"),
        "{message}"
    );
    let reset = links_in(&message)
        .into_iter()
        .find(|l| l.contains("reinitialiser"))
        .expect("reset link");
    let reset_token = common::token_in(&reset);
    let (s, v) = post(
        &t.router,
        "/v1/auth/reset-password",
        None,
        &json!({"token": reset_token, "password": "court"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation"))
    );
    let new_password = "un-nouveau-mot-de-passe";
    let (s, _) = post(
        &t.router,
        "/v1/auth/reset-password",
        None,
        &json!({"token": reset_token, "password": new_password}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = post(
        &t.router,
        "/v1/auth/reset-password",
        None,
        &json!({"token": reset_token, "password": new_password}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "reset links work once");
    let (s, v) = get(&t.router, "/v1/me", Some(&token2)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked")),
        "the completed reset revoked every token"
    );
    let (s, _, _) = login(&t, email, PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v, _) = login(&t, email, new_password).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["terms_required"], false);

    // A new terms version needs a new acceptance.
    let state2 = rempla_server::AppState::new(
        config,
        t.db.storage.clone(),
        Arc::new(common::MemoryMailer::default()),
        rempla_server::auth::terms::Terms::new("2027-01-01", "CGU v2"),
    );
    let router2 = rempla_server::router(state2);
    let token3 = v["token"].as_str().unwrap();
    let (s, v) = post(
        &router2,
        "/v1/sync/pull",
        Some(token3),
        &json!({"protocol": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("terms_not_accepted"))
    );
}

#[tokio::test]
async fn login_is_rate_limited() {
    let t = app_with(
        Db::Sqlite,
        rempla_server::Config {
            login_per_minute: 3,
            ..test_config()
        },
    )
    .await;
    let doctor = new_doctor(&t, 1).await;
    for _ in 0..3 {
        let (s, _, _) = login(&t, &doctor.email, "faux-mot-de-passe").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Three failures from this address: it is slowed, even with the right password.
    let (s, v, _) = login(&t, &doctor.email, PASSWORD).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    // Failed logins never block the reset (its own limits: per address, and reset mails per e-mail).
    let (s, _) = post(
        &t.router,
        "/v1/auth/lost-password",
        None,
        &json!({"email": doctor.email}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // A minute later the bucket has refilled.
    t.state.clock.advance(60_000);
    let (s, _, _) = login(&t, &doctor.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn general_rate_limit_per_account() {
    let t = app_with(
        Db::Sqlite,
        rempla_server::Config {
            rate_per_account_per_minute: 5,
            ..test_config()
        },
    )
    .await;
    let doctor = new_doctor(&t, 1).await; // terms acceptance used one
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&t.router, "/v1/me", Some(&doctor.token)).await.0);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 4);
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}
