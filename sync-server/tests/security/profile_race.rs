//! Finding 5: `PATCH /v1/me/profile` rewrote the whole doctor record from a copy read before, and could
//! undo a staff suspension landing in between (record `verified`, column `suspended`).

use serde_json::json;

use crate::common::users::{new_doctor, new_staff, sql_text, verify_through_queue};
use crate::common::{Db, app, backend_tests, call, post};

async fn finding_05_a_profile_correction_never_undoes_a_staff_decision(db: Db) {
    let t = app(db).await;
    let staff = new_staff(&t).await;
    let d = new_doctor(&t, 1).await;
    verify_through_queue(&t, &staff, &d, 1).await;
    let id = d.doctor_id.clone().unwrap();
    for round in 0..20_u32 {
        let wanted = if round % 2 == 0 {
            "suspended"
        } else {
            "verified"
        };
        let patch = {
            let router = t.router.clone();
            let token = d.token.clone();
            tokio::spawn(async move {
                call(
                    &router,
                    "PATCH",
                    "/v1/me/profile",
                    Some(&token),
                    Some(serde_json::to_vec(&json!({"travel_radius_km": 10 + round})).unwrap()),
                )
                .await
                .0
            })
        };
        let (s, v) = post(
            &t.router,
            &format!("/v1/staff/doctors/{id}/status"),
            Some(&staff.token),
            &json!({"status": wanted}),
        )
        .await;
        assert!(s.is_success(), "{v}");
        let patched = patch.await.unwrap();
        // A suspended doctor may not use the API at all; a verified one's correction goes through.
        assert!(patched.is_success() || patched.as_u16() == 403, "{patched}");
        let column = sql_text(
            &t,
            db,
            &format!("SELECT status FROM doctors WHERE id = '{id}'"),
        )
        .await;
        let record: serde_json::Value = serde_json::from_str(
            &sql_text(
                &t,
                db,
                &format!("SELECT record FROM doctors WHERE id = '{id}'"),
            )
            .await,
        )
        .unwrap();
        assert_eq!(column, wanted, "round {round}: the staff decision stands");
        assert_eq!(
            record["status"], wanted,
            "round {round}: the record agrees with the column"
        );
    }
}
backend_tests!(finding_05_a_profile_correction_never_undoes_a_staff_decision);
