//! Set-ups several findings' tests share.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::post;
use crate::common::users::User;
use crate::common::workflow::{open_night, request};

/// The facility proposes one night to the doctor, who accepts: the mission's id.
pub async fn accepted_mission(t: &TestApp, admin: &User, site: &str, doctor: &User) -> String {
    let night = ("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z");
    open_night(t, doctor, night.0, night.1).await;
    let r = request(t, admin, site, &[night]).await;
    let (s, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/proposals"),
        Some(&admin.token),
        &json!({"doctor_id": doctor.doctor_id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let proposal = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (s, v) = post(
        &t.router,
        &format!("/v1/proposals/{proposal}/answer"),
        Some(&doctor.token),
        &json!({"answer": "accept"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["mission_id"].as_str().unwrap().to_owned()
}
