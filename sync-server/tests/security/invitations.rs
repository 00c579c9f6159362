//! Finding 10: an invitation added accounts of other organisations (even as admin) without their
//! consent, pre-registered any address (its owner could no longer sign up as a doctor) and put the
//! inviter's text in an official e-mail. Now an invitation is an offer the invitee accepts. And the
//! invitation half of finding 12: the answer no longer says whether an address is registered.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::users::{
    SignUp, User, delete, invite, membership_of, new_facility, put, sign_up_doctor, signed_in,
    signed_up_facility,
};
use crate::common::{Db, PASSWORD, TestApp, app, backend_tests, call, get, post};

const DAY_MS: i64 = 86_400_000;

async fn offer(
    t: &TestApp,
    admin: &User,
    email: &str,
    name: &str,
    role: &str,
) -> (StatusCode, Value) {
    let facility = admin.facility_id.clone().unwrap();
    post(
        &t.router,
        &format!("/v1/facilities/{facility}/members"),
        Some(&admin.token),
        &json!({"email": email, "display_name": name, "role": role}),
    )
    .await
}

async fn memberships(t: &TestApp, user: &User) -> Value {
    let (s, me) = get(&t.router, "/v1/me", Some(&user.token)).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    me["memberships"].clone()
}

async fn sent(t: &TestApp, admin: &User) -> Vec<Value> {
    let facility = admin.facility_id.clone().unwrap();
    let (s, v) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/invitations"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["invitations"].as_array().unwrap().clone()
}

fn last_mail(t: &TestApp, to: &str) -> rempla_server::mail::Mail {
    t.mail
        .0
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m.to == to)
        .cloned()
        .expect("a mail")
}

async fn page(t: &TestApp, token: &str) -> (StatusCode, String) {
    let (s, headers, body) = crate::common::users::raw(
        t,
        "GET",
        &format!("/invitation?token={token}"),
        None,
        None,
        Vec::new(),
    )
    .await;
    if s == StatusCode::OK {
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("form-action 'self'") && !csp.contains("script"),
            "{csp}"
        );
        assert_eq!(headers["cache-control"], "no-store");
    }
    (s, String::from_utf8_lossy(&body).into_owned())
}

async fn accept_with_token(t: &TestApp, token: &str, name: &str) -> (StatusCode, Value) {
    post(
        &t.router,
        "/v1/invitations/accept",
        None,
        &json!({"token": token, "display_name": name, "password": PASSWORD}),
    )
    .await
}

async fn finding_10_an_invitation_creates_nothing_until_the_invitee_accepts(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    // The inviter's own text never reaches the e-mail: only the verified name and the role do.
    let (s, v) = offer(
        &t,
        &admin,
        "nouvelle@ch.example.fr",
        "Cliquez ici : http://hameçon.example",
        "planner",
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert!(
        v["invitation_id"].is_string() && v["expires_ms"].is_i64(),
        "{v}"
    );
    let mail = last_mail(&t, "nouvelle@ch.example.fr");
    assert!(mail.subject.contains("CH 1"), "{}", mail.subject);
    assert!(!mail.text.contains("hameçon") && !mail.html.contains("hameçon"));
    assert!(mail.text.contains("/invitation?token="));
    // No account, no membership: the address is not pre-registered.
    assert!(
        t.state
            .storage
            .account_by_email("nouvelle@ch.example.fr")
            .await
            .unwrap()
            .is_none()
    );
    let list = sent(&t, &admin).await;
    assert_eq!(
        (list.len(), list[0]["status"].as_str()),
        (1, Some("pending"))
    );
    // The link's page says who offers what, with a form; it loads nothing and posts only here.
    let token = t.mail.last_token("nouvelle@ch.example.fr");
    let (s, html) = page(&t, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("CH 1") && html.contains("planification"),
        "{html}"
    );
    assert!(html.contains("name=\"password\"") && !html.contains("<script"));
    // Accepted with the token: the account is made then, active (the token proved the mailbox).
    let (s, v) = accept_with_token(&t, &token, "Nora Lemoine").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["facility_name"], "CH 1");
    let nora = signed_in(&t, "nouvelle@ch.example.fr").await;
    let joined = memberships(&t, &nora).await;
    assert_eq!(
        (
            joined[0]["role"].as_str(),
            joined[0]["facility_id"].as_str()
        ),
        (Some("planner"), admin.facility_id.as_deref())
    );
    assert_eq!(sent(&t, &admin).await[0]["status"], "accepted");
    // A link works once.
    let (s, v) = accept_with_token(&t, &token, "Autre").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    let (s, _) = page(&t, &token).await;
    assert_eq!(s, StatusCode::GONE);
    // Audited: who joined, from which invitation.
    let trail = t
        .state
        .storage
        .audit_trail(
            rempla_server::audit::AuditFilter {
                facility_id: admin.facility_id.clone(),
                ..Default::default()
            },
            20,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.starts_with(&["member_joined", "member_invited"]),
        "{actions:?}"
    );
}

async fn finding_10_an_invited_address_can_still_sign_up_as_a_doctor(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let (s, _) = offer(&t, &admin, "claire@exemple.fr", "Claire", "viewer").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = t.mail.last_token("claire@exemple.fr");
    // The owner was a doctor all along: the address is hers to register.
    assert_eq!(
        sign_up_doctor(&t, "claire@exemple.fr", 9, "Claire", "Martin").await,
        SignUp::Created
    );
    // The offer cannot turn the doctor's account into a facility member.
    let (s, html) = page(&t, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("compte médecin"), "{html}");
    let (s, v) = accept_with_token(&t, &token, "Claire").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_account_kind"))
    );
    let doctor = signed_in(&t, "claire@exemple.fr").await;
    let (s, v) = get(&t.router, "/v1/me/invitations", Some(&doctor.token)).await;
    assert_eq!((s, &v["invitations"]), (StatusCode::OK, &json!([])));
    // She says no from the page's button.
    let (s, _, body) = crate::common::users::raw(
        &t,
        "POST",
        "/invitation",
        None,
        Some("application/x-www-form-urlencoded"),
        format!("token={token}&action=decline").into_bytes(),
    )
    .await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("Invitation refusée"), "{body}");
    assert_eq!(sent(&t, &admin).await[0]["status"], "declined");
}

async fn finding_10_another_organisation_joins_only_by_its_own_choice(db: Db) {
    let t = app(db).await;
    let a = new_facility(&t, 1).await;
    let b = new_facility(&t, 2).await;
    let before = memberships(&t, &b).await;
    // A offers B's administrator the administrator role: nothing happens to B's account.
    let (s, v) = offer(&t, &a, &b.email, "Admin B", "admin").await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        memberships(&t, &b).await,
        before,
        "no consent, no membership"
    );
    // The e-mail's token cannot be used to join without signing in as B.
    let token = t.mail.last_token(&b.email);
    let (s, v) = accept_with_token(&t, &token, "Quelqu'un").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("sign_in_to_accept"))
    );
    let (s, html) = page(&t, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Connectez-vous"), "{html}");
    // B sees the offer in the app; no one else may answer it.
    let (s, v) = get(&t.router, "/v1/me/invitations", Some(&b.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let offered = v["invitations"][0].clone();
    assert_eq!(
        (offered["facility_name"].as_str(), offered["role"].as_str()),
        (Some("CH 1"), Some("admin"))
    );
    let id = offered["id"].as_str().unwrap().to_owned();
    let (s, v) = post(
        &t.router,
        &format!("/v1/me/invitations/{id}/accept"),
        Some(&a.token),
        &json!({}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token")),
        "someone else's invitation is unknown to the caller"
    );
    // B declines: still nothing; A sees the answer.
    let (s, _) = post(
        &t.router,
        &format!("/v1/me/invitations/{id}/decline"),
        Some(&b.token),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(memberships(&t, &b).await, before);
    assert_eq!(sent(&t, &a).await[0]["status"], "declined");
    // A second offer, as planner this time, B accepts from the app.
    let (s, _) = offer(&t, &a, &b.email, "Admin B", "planner").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, v) = get(&t.router, "/v1/me/invitations", Some(&b.token)).await;
    let id = v["invitations"][0]["id"].as_str().unwrap().to_owned();
    let (s, v) = post(
        &t.router,
        &format!("/v1/me/invitations/{id}/accept"),
        Some(&b.token),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let now = memberships(&t, &b).await;
    assert_eq!(now.as_array().unwrap().len(), 2, "{now}");
    assert!(
        now.as_array().unwrap().iter().any(|m| m["facility_id"]
            == a.facility_id.as_deref().unwrap()
            && m["role"] == "planner")
    );
    // A member already: a new offer is refused (A sees its members anyway).
    let (s, v) = offer(&t, &a, &b.email, "Admin B", "viewer").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_member"))
    );
}

async fn finding_10_offers_are_withdrawn_lapse_and_need_a_verified_facility(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    // Withdrawn: the link stops working at once.
    let (_, v) = offer(&t, &admin, "retiree@ch.example.fr", "R", "viewer").await;
    let id = v["invitation_id"].as_str().unwrap().to_owned();
    let token = t.mail.last_token("retiree@ch.example.fr");
    let facility = admin.facility_id.clone().unwrap();
    let path = format!("/v1/facilities/{facility}/invitations/{id}");
    let (s, _) = delete(&t, &path, &admin.token).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = delete(&t, &path, &admin.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "withdrawn once");
    let (s, _) = page(&t, &token).await;
    assert_eq!(s, StatusCode::GONE);
    let (s, v) = accept_with_token(&t, &token, "R").await;
    assert_eq!(v["code"], "invalid_token", "{s}");
    // Resent: the older link dies, the newer one works.
    let (_, _) = offer(&t, &admin, "deux@ch.example.fr", "D", "viewer").await;
    let first = t.mail.last_token("deux@ch.example.fr");
    let (_, _) = offer(&t, &admin, "deux@ch.example.fr", "D", "viewer").await;
    let second = t.mail.last_token("deux@ch.example.fr");
    assert_eq!(
        accept_with_token(&t, &first, "D").await.0,
        StatusCode::BAD_REQUEST
    );
    // Lapsed after its seven days.
    let (_, _) = offer(&t, &admin, "tard@ch.example.fr", "T", "viewer").await;
    let late = t.mail.last_token("tard@ch.example.fr");
    t.state.clock.advance(8 * DAY_MS);
    let (s, v) = accept_with_token(&t, &late, "T").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    let (s, v) = accept_with_token(&t, &second, "D").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "lapsed too: {v}");
    let statuses: Vec<String> = sent(&t, &admin)
        .await
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["expired", "expired", "revoked", "revoked"]);
    // A facility staff have not verified invites nobody (its name would go out unchecked).
    let fresh = signed_up_facility(&t, 2, "Clinique Nouvelle", "clinic").await;
    let (s, v) = offer(&t, &fresh, "x@exemple.fr", "X", "viewer").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("facility_not_verified")),
        "{v}"
    );
    // A delegate with « gérer les membres » offers no administrator role.
    let planner = invite(&t, &admin, "planner", 1).await;
    let member = membership_of(&t, &admin, &planner).await;
    let (s, _) = put(
        &t,
        &format!("/v1/facilities/{facility}/members/{member}"),
        &admin.token,
        &json!({"role": "planner", "delegations": [{"right": "manage_members"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = offer(&t, &planner, "chef@exemple.fr", "Chef", "admin").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    let (s, _) = offer(&t, &planner, "collegue@exemple.fr", "Collègue", "viewer").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    // Hostile input: a malformed body, an unknown field, a bad address — a clear code, nothing stored.
    for (body, code) in [
        (
            json!({"email": "pas-une-adresse", "display_name": "X", "role": "viewer"}),
            "validation",
        ),
        (
            json!({"email": "a@b.fr", "display_name": "X", "role": "viewer", "admin": true}),
            "malformed_json",
        ),
    ] {
        let (s, v) = post(
            &t.router,
            &format!("/v1/facilities/{facility}/members"),
            Some(&admin.token),
            &body,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }
    let (s, _) = call(
        &t.router,
        "POST",
        "/v1/invitations/accept",
        None,
        Some(b"{\"token\": 1".to_vec()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

async fn finding_12_an_invitation_answers_alike_whether_the_address_is_registered(db: Db) {
    let t = app(db).await;
    let a = new_facility(&t, 1).await;
    let b = new_facility(&t, 2).await;
    let (s1, v1) = offer(&t, &a, &b.email, "B", "viewer").await;
    let (s2, v2) = offer(&t, &a, "personne@nulle-part.fr", "P", "viewer").await;
    assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v1), keys(&v2), "{v1} / {v2}");
    // And the facility sign-up answers alike for an address that has an account.
    let (s, v) = post(
        &t.router,
        "/v1/accounts/facilities",
        None,
        &json!({"email": b.email, "password": PASSWORD, "display_name": "Encore",
                "facility": {"name": "Doublon", "siret": crate::common::siret(99), "kind": "clinic"}}),
    )
    .await;
    assert_eq!((s, v), (StatusCode::ACCEPTED, json!({"email": b.email})));
    assert_eq!(
        last_mail(&t, &b.email).subject,
        "Vous avez déjà un compte Rempla"
    );
    assert_eq!(
        memberships(&t, &b).await.as_array().unwrap().len(),
        1,
        "no second facility"
    );
}

async fn form(t: &TestApp, body: &str) -> (StatusCode, String) {
    let (s, _, bytes) = crate::common::users::raw(
        t,
        "POST",
        "/invitation",
        None,
        Some("application/x-www-form-urlencoded"),
        body.as_bytes().to_vec(),
    )
    .await;
    (s, String::from_utf8_lossy(&bytes).into_owned())
}

async fn finding_10_the_link_page_accepts_in_any_browser_without_script(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let (s, _) = offer(&t, &admin, "page@ch.example.fr", "P", "viewer").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = t.mail.last_token("page@ch.example.fr");
    // Two different passwords: the form comes back with the reason, the name typed kept.
    let (s, html) = form(
        &t,
        &format!("token={token}&action=accept&display_name=Paule+%3CDurand%3E&password=un-mot-de-passe&password_confirm=un-autre-mot"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("role=\"alert\"") && html.contains("diffèrent"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Paule &lt;Durand&gt;\""),
        "escaped and kept: {html}"
    );
    // Too short: the server's rule, in French, on the page.
    let (s, html) = form(
        &t,
        &format!(
            "token={token}&action=accept&display_name=Paule&password=court&password_confirm=court"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("role=\"alert\""), "{html}");
    // A garbled form or a bad token: a page saying so, never a 500.
    let (s, _) = form(&t, "%%%").await;
    assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::GONE, "{s}");
    let (s, _) = form(
        &t,
        "token=faux&action=accept&display_name=X&password=0123456789&password_confirm=0123456789",
    )
    .await;
    assert_eq!(s, StatusCode::GONE);
    assert!(
        t.state
            .storage
            .account_by_email("page@ch.example.fr")
            .await
            .unwrap()
            .is_none()
    );
    // Accepted: the account exists, signs in, and belongs to the facility.
    let (s, html) = form(
        &t,
        &format!("token={token}&action=accept&display_name=Paule&password={PASSWORD}&password_confirm={PASSWORD}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Bienvenue") && html.contains("page@ch.example.fr"),
        "{html}"
    );
    let paule = signed_in(&t, "page@ch.example.fr").await;
    assert_eq!(paule.facility_id, admin.facility_id);
}

backend_tests!(
    finding_10_the_link_page_accepts_in_any_browser_without_script,
    finding_10_an_invitation_creates_nothing_until_the_invitee_accepts,
    finding_10_an_invited_address_can_still_sign_up_as_a_doctor,
    finding_10_another_organisation_joins_only_by_its_own_choice,
    finding_10_offers_are_withdrawn_lapse_and_need_a_verified_facility,
    finding_12_an_invitation_answers_alike_whether_the_address_is_registered,
);
