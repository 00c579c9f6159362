//! HTTP tests of members and rights on both backends: an admin lists, invites (an offer accepted by
//! the invitee, see `security/invitations.rs`), changes rights and removes members (each change audited, applied at the next request); the last administrator can be
//! neither demoted nor removed; bad input gets its stable code and changes nothing; other facilities,
//! doctors and members without the right learn nothing; staff may list but not change.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which
// the test-only unwrap allowance intends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use axum::http::StatusCode;
use common::users::{
    User, add_site, delete, invite, login, new_doctor, new_facility, new_staff, put,
};
use common::{Db, PASSWORD, TestApp, app, backend_tests, get, post};
use rempla_server::audit::AuditFilter;
use serde_json::{Value, json};

fn members_path(admin: &User) -> String {
    format!(
        "/v1/facilities/{}/members",
        admin.facility_id.as_ref().unwrap()
    )
}

async fn members(t: &TestApp, admin: &User) -> Vec<Value> {
    let (s, v) = get(&t.router, &members_path(admin), Some(&admin.token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["members"].as_array().unwrap().clone()
}

fn member_id_of(list: &[Value], email: &str) -> String {
    list.iter()
        .find(|m| m["email"] == email)
        .unwrap_or_else(|| panic!("{email} not in {list:?}"))["member_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn member_actions(t: &TestApp, admin: &User) -> Vec<String> {
    t.state
        .storage
        .audit_trail(
            AuditFilter {
                facility_id: admin.facility_id.clone(),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "member")
        .map(|e| e.action)
        .collect()
}

async fn admin_lists_changes_and_removes(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let planner = invite(&t, &admin, "planner", 1).await;
    let viewer = invite(&t, &admin, "viewer", 1).await;
    let site = add_site(&t, &admin).await;

    let list = members(&t, &admin).await;
    let emails: Vec<&str> = list.iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(list.len(), 3, "{list:?}");
    for e in [&admin.email, &planner.email, &viewer.email] {
        assert!(emails.contains(&e.as_str()), "{emails:?}");
    }
    let me = list.iter().find(|m| m["email"] == admin.email).unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["you"], true);
    assert_eq!(me["activated"], true);
    assert_eq!(
        me["rights"],
        json!([
            "read",
            "post_requests",
            "propose",
            "billing",
            "manage_members"
        ])
    );
    let v = list.iter().find(|m| m["email"] == viewer.email).unwrap();
    assert_eq!(
        (v["role"].as_str(), v["you"].as_bool()),
        (Some("viewer"), Some(false))
    );
    assert_eq!(v["rights"], json!(["read"]));

    // The viewer gets billing for the whole facility and proposals on one site.
    let viewer_id = member_id_of(&list, &viewer.email);
    let (s, v) = put(
        &t,
        &format!("{}/{viewer_id}", members_path(&admin)),
        &admin.token,
        &json!({"role": "viewer", "delegations": [
            {"right": "billing"}, {"right": "propose", "site_id": site}, {"right": "read"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["member"]["delegations"],
        json!([{"right": "billing"}, {"right": "propose", "site_id": site}])
    );
    let list = members(&t, &admin).await;
    let v = list.iter().find(|m| m["email"] == viewer.email).unwrap();
    assert_eq!(v["rights"], json!(["read", "billing"]));
    // Applied at the viewer's next request: the charges statement is now theirs to read.
    let (s, me) = get(&t.router, "/v1/me", Some(&viewer.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["memberships"][0]["delegations"][0]["right"], "billing");

    // The planner is removed: the account stays, without this membership.
    let planner_id = member_id_of(&list, &planner.email);
    let (s, _) = delete(
        &t,
        &format!("{}/{planner_id}", members_path(&admin)),
        &admin.token,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(members(&t, &admin).await.len(), 2);
    let (s, me) = get(&t.router, "/v1/me", Some(&planner.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["memberships"], json!([]));
    let (s, _) = get(&t.router, &members_path(&admin), Some(&planner.token)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "no longer a member: nothing to see"
    );
    // Removing again: gone.
    let (s, v) = delete(
        &t,
        &format!("{}/{planner_id}", members_path(&admin)),
        &admin.token,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // Every change is in the facility's trail, newest first.
    assert_eq!(
        member_actions(&t, &admin).await,
        [
            "member_removed",
            "member_rights_changed",
            "member_joined",
            "member_joined"
        ]
    );
    let trail = t
        .state
        .storage
        .audit_trail(
            AuditFilter {
                record: Some(("member".into(), viewer_id.clone())),
                ..AuditFilter::default()
            },
            10,
        )
        .await
        .unwrap();
    let change = trail
        .iter()
        .find(|e| e.action == "member_rights_changed")
        .unwrap();
    assert_eq!(
        change.account_id.as_deref(),
        Some(admin.account_id.as_str())
    );
    let detail: Value = serde_json::from_str(&change.detail).unwrap();
    assert_eq!(detail["before"]["delegations"], json!([]));
    assert_eq!(detail["after"]["delegations"][0]["right"], "billing");
}

async fn last_admin_is_kept(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let viewer = invite(&t, &admin, "viewer", 1).await;
    let list = members(&t, &admin).await;
    let admin_id = member_id_of(&list, &admin.email);
    let viewer_id = member_id_of(&list, &viewer.email);
    let admin_path = format!("{}/{admin_id}", members_path(&admin));

    let (s, v) = put(&t, &admin_path, &admin.token, &json!({"role": "planner"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("administrateur"));
    let (s, v) = delete(&t, &admin_path, &admin.token).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    // Nothing changed, nothing audited.
    assert_eq!(members(&t, &admin).await, list);
    assert_eq!(member_actions(&t, &admin).await, ["member_joined"]);
    // An admin with manage_members by delegation only is no administrator: still refused.
    let (s, _) = put(
        &t,
        &format!("{}/{viewer_id}", members_path(&admin)),
        &admin.token,
        &json!({"role": "viewer", "delegations": [{"right": "manage_members"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = put(&t, &admin_path, &admin.token, &json!({"role": "planner"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );

    // With a second administrator, the first may step down, and then manages nothing.
    let (s, _) = put(
        &t,
        &format!("{}/{viewer_id}", members_path(&admin)),
        &admin.token,
        &json!({"role": "admin"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = put(&t, &admin_path, &admin.token, &json!({"role": "planner"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = get(&t.router, &members_path(&admin), Some(&admin.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // The new administrator cannot remove themselves now that they are the only one.
    let (s, v) = delete(
        &t,
        &format!("{}/{viewer_id}", members_path(&admin)),
        &viewer.token,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    // …but may remove the former one.
    let (s, _) = delete(&t, &admin_path, &viewer.token).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

async fn bad_input_changes_nothing(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let other = new_facility(&t, 2).await;
    let viewer = invite(&t, &admin, "viewer", 1).await;
    let other_site = add_site(&t, &other).await;
    let list = members(&t, &admin).await;
    let viewer_path = format!(
        "{}/{}",
        members_path(&admin),
        member_id_of(&list, &viewer.email)
    );
    for (body, code) in [
        (json!({"role": "boss"}), "unknown_role"),
        (
            json!({"role": "viewer", "delegations": [{"right": "fly"}]}),
            "unknown_right",
        ),
        (
            json!({"role": "viewer", "delegations": [{"right": "billing", "site_id": other_site}]}),
            "unknown_site",
        ),
        (
            json!({"role": "viewer", "delegations": [{"right": "billing", "site_id": "nope"}]}),
            "unknown_site",
        ),
        (json!({"role": "viewer", "colour": "red"}), "malformed_json"),
        (json!({"delegations": []}), "malformed_json"),
        (
            json!({"role": "viewer", "delegations": vec![json!({"right": "read"}); 51]}),
            "too_many_delegations",
        ),
    ] {
        let (s, v) = put(&t, &viewer_path, &admin.token, &body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}: {v}"
        );
    }
    // An unknown member, a malformed id: 404.
    for id in [uuid::Uuid::now_v7().to_string(), "x".into()] {
        let path = format!("{}/{id}", members_path(&admin));
        let (s, _) = put(&t, &path, &admin.token, &json!({"role": "viewer"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = delete(&t, &path, &admin.token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // An invitation with an unknown right creates no account.
    let (s, v) = post(
        &t.router,
        &members_path(&admin),
        Some(&admin.token),
        &json!({"email": "nouveau@ch.example.fr", "display_name": "Nouveau", "role": "viewer",
                "delegations": [{"right": "everything"}]}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_right"))
    );
    let (s, v, _) = login(&t, "nouveau@ch.example.fr", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(members(&t, &admin).await, list);
    assert_eq!(member_actions(&t, &admin).await, ["member_joined"]);
}

async fn who_may_see_members(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let viewer = invite(&t, &admin, "viewer", 1).await;
    let stranger = new_facility(&t, 2).await;
    let doctor = new_doctor(&t, 1).await;
    let staff = new_staff(&t).await;
    let list = members(&t, &admin).await;
    let viewer_path = format!(
        "{}/{}",
        members_path(&admin),
        member_id_of(&list, &viewer.email)
    );
    let promote = json!({"role": "admin"});

    // A member without the right knows the facility: 403.
    let (s, v) = get(&t.router, &members_path(&admin), Some(&viewer.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, _) = put(&t, &viewer_path, &viewer.token, &promote).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no self-promotion");
    // Another facility's admin and a doctor: nothing there.
    for u in [&stranger, &doctor] {
        let (s, _) = get(&t.router, &members_path(&admin), Some(&u.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = put(&t, &viewer_path, &u.token, &promote).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = delete(&t, &viewer_path, &u.token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // An admin cannot reach a member of another facility through their own.
    let (s, _) = put(
        &t,
        &format!(
            "{}/{}",
            members_path(&stranger),
            member_id_of(&list, &viewer.email)
        ),
        &stranger.token,
        &promote,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Staff read, never change.
    let (s, v) = get(&t.router, &members_path(&admin), Some(&staff.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["members"].as_array().unwrap().len(), 2);
    assert!(
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["you"] == false)
    );
    let (s, _) = put(&t, &viewer_path, &staff.token, &promote).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(
        &t.router,
        &format!("/v1/facilities/{}/members", uuid::Uuid::now_v7()),
        Some(&staff.token),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // No token.
    let (s, _) = get(&t.router, &members_path(&admin), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(members(&t, &admin).await, list, "nothing changed");
}

backend_tests!(
    admin_lists_changes_and_removes,
    last_admin_is_kept,
    bad_input_changes_nothing,
    who_may_see_members
);
