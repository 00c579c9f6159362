//! Finding 9: a pending or rejected account kept a person's identity key (names + birth date) and RPPS
//! forever, so the real doctor's upload was refused `duplicate_identity`.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::users::{SignUp, new_staff, pdf, sign_up_doctor, signed_in, upload};
use crate::common::{Db, app, backend_tests, post};

async fn finding_09_a_rejected_sign_up_releases_the_identity_and_the_rpps(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    // Someone registers with another person's RPPS, names and birth date.
    assert_eq!(
        sign_up_doctor(&t, "imposteur@example.fr", 5, "Claire", "Durand").await,
        SignUp::Created
    );
    let impostor = signed_in(&t, "imposteur@example.fr").await;
    let query = "kind=identity&name=cni.pdf&birth_date=1980-05-04";
    let (s, v) = upload(&t, &impostor, query, "application/pdf", &pdf(501)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // While it is pending, the real doctor is kept out (one account per person).
    assert_eq!(
        sign_up_doctor(&t, "claire.durand@example.fr", 5, "Claire", "Durand").await,
        SignUp::RppsTaken
    );
    // Staff reject it: the RPPS and the identity are free again.
    let (s, v) = post(
        &t.router,
        &format!(
            "/v1/staff/verifications/{}",
            impostor.doctor_id.clone().unwrap()
        ),
        Some(&staff.token),
        &json!({"decision": "reject", "reason": "pièce d'identité d'une autre personne"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        sign_up_doctor(&t, "claire.durand@example.fr", 5, "Claire", "Durand").await,
        SignUp::Created,
        "the real doctor registers"
    );
    let real = signed_in(&t, "claire.durand@example.fr").await;
    let (s, v) = upload(&t, &real, query, "application/pdf", &pdf(502)).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the real doctor's identity is accepted: {v}"
    );
    // The rejected account cannot take them back now.
    let (s, v) = upload(&t, &impostor, query, "application/pdf", &pdf(503)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_identity")),
        "{v}"
    );
}
backend_tests!(finding_09_a_rejected_sign_up_releases_the_identity_and_the_rpps);
