//! The concurrent part of the story over real HTTP: 50 proposals accepted at once, and the invoice
//! numbers are exactly 1…50, on SQLite and on PostgreSQL. The server runs in this process
//! (`in_process`), as in `story.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names,
    clippy::too_many_arguments,
    clippy::case_sensitive_file_extension_comparisons
)]

mod in_process;

use std::sync::Arc;

use chrono::Utc;
use in_process::{availability, request, start};
use rempla_core::sync::EntityKind;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// 50 doctors accept at the same instant: the invoices are numbered exactly 1…50.
async fn concurrent_unlocks(postgres: bool) {
    let s = start(postgres).await;
    let staff = s.new_staff().await;
    let today = Utc::now().date_naive().to_string();
    let t = s.call("PUT", "/v1/staff/tariffs", Some(&staff.token), Some(&json!({"valid_from": today, "day_cents": 4000,
        "night_cents": 5000, "garde_day_cents": 6000, "garde_night_cents": 7000, "astreinte_cents": 2500, "vat_bps": 2000}))).await;
    assert_eq!(t.status, StatusCode::OK);
    let facility = s.new_facility(7, "Centre hospitalier de Guingamp").await;
    s.approve_facility(&staff, &facility).await;
    let site = s
        .add_site(&facility, "22", "22200", "22070", 48.56, -3.15)
        .await;
    let request_id = Uuid::now_v7();
    assert_eq!(
        s.push(
            &facility,
            EntityKind::Request,
            request_id,
            request(request_id, &facility, &site, "22", 48.56, -3.15, 50, 1, 50)
        )
        .await,
        ["applied"]
    );
    let mut doctors = Vec::new();
    for n in 0..50 {
        let d = s.new_doctor(100 + n, &format!("Médecin{n}"), "22").await;
        let a = s
            .post(
                &format!(
                    "/v1/staff/verifications/{}",
                    d.doctor_id.as_deref().unwrap()
                ),
                &staff,
                &json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        let slot = Uuid::now_v7();
        assert_eq!(
            s.push(
                &d,
                EntityKind::Availability,
                slot,
                availability(&d, slot, 50, 1)
            )
            .await,
            ["applied"]
        );
        let p = s
            .post(
                &format!("/v1/requests/{request_id}/proposals"),
                &facility,
                &json!({"doctor_id": d.doctor_id}),
            )
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.json);
        doctors.push((d, p.json["proposal"]["id"].as_str().unwrap().to_owned()));
    }
    let s = Arc::new(s);
    let answers = futures_join(doctors.into_iter().map(|(d, proposal)| {
        let s = Arc::clone(&s);
        async move {
            s.post(
                &format!("/v1/proposals/{proposal}/answer"),
                &d,
                &json!({"answer": "accept"}),
            )
            .await
            .status
        }
    }))
    .await;
    assert!(
        answers.iter().all(|st| *st == StatusCode::OK),
        "{answers:?}"
    );
    let journal = s.get("/v1/staff/invoices", &staff).await;
    assert_eq!(journal.json["count"], 50, "{}", journal.json);
    assert_eq!(journal.json["gapless"], true);
    let mut seqs: Vec<i64> = journal.json["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["seq"].as_i64().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
}

/// Runs every future concurrently on the runtime and collects their outputs in order.
async fn futures_join<F: Future<Output = StatusCode> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_concurrent_unlocks_number_invoices_without_gaps_on_sqlite() {
    concurrent_unlocks(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_concurrent_unlocks_number_invoices_without_gaps_on_postgres() {
    concurrent_unlocks(true).await;
}
