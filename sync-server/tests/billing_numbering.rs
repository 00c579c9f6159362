//! Gapless invoice numbers under 50 concurrent unlocks on SQLite, PostgreSQL, and two PostgreSQL
//! instances sharing one database.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which the
// test-only unwrap allowance intends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use chrono::{TimeZone as _, Utc};
use common::billing::unlock;
use common::{Db, backend_tests};
use rempla_server::billing::{self, ChargeOutcome};
use rempla_server::db::Storage;
use uuid::Uuid;

// ---------------------------------------------------------------- gapless numbering

async fn set_grid(storage: &Storage) {
    let tariff = billing::Tariff {
        id: Uuid::now_v7().to_string(),
        valid_from: "2000-01-01".into(),
        day_cents: 4_005,
        night_cents: 5_000,
        garde_day_cents: 6_000,
        garde_night_cents: 7_000,
        astreinte_cents: 2_500,
        vat_bps: 2_000,
        created_ms: 0,
        created_by: "test".into(),
    };
    storage.put_tariff(tariff, "test".into()).await.unwrap();
}

/// 50 unlocks at once, spread over `instances` (each its own backend/connection pool), plus replays of
/// some of them: numbers are exactly 1..=50 of the year, no gap, no duplicate, one per mission.
async fn concurrent_unlocks(instances: &[Storage]) {
    set_grid(&instances[0]).await;
    let at_ms = Utc
        .with_ymd_and_hms(2027, 6, 15, 10, 0, 0)
        .unwrap()
        .timestamp_millis();
    let missions: Vec<String> = (0..50).map(|_| Uuid::now_v7().to_string()).collect();
    let mut tasks = Vec::new();
    for (i, mission) in missions.iter().enumerate() {
        // Every fifth mission is unlocked twice at once (a replayed acceptance on another instance).
        let copies = if i % 5 == 0 { 2 } else { 1 };
        for c in 0..copies {
            let storage = instances[(i + c) % instances.len()].clone();
            let facts = unlock(mission, &format!("f{}", i % 3), "d", at_ms);
            tasks.push(tokio::spawn(
                async move { storage.charge_unlock(facts).await },
            ));
        }
    }
    let mut charged = Vec::new();
    let mut replays = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            ChargeOutcome::Charged(s) => charged.push(s),
            ChargeOutcome::AlreadyCharged(_) => replays += 1,
            ChargeOutcome::NoTariff => panic!("no tariff"),
        }
    }
    assert_eq!((charged.len(), replays), (50, 10));
    let mut numbers: Vec<String> = charged.iter().map(|s| s.number.clone()).collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("2027-{n:06}")).collect();
    assert_eq!(numbers, expected);
    let stored = instances[0].invoice_numbers(2027).await.unwrap();
    assert_eq!(
        stored.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>()
    );
    // The next year starts again at 1.
    let next_year = Utc
        .with_ymd_and_hms(2028, 1, 1, 0, 30, 0)
        .unwrap()
        .timestamp_millis();
    let ChargeOutcome::Charged(s) = instances[instances.len() - 1]
        .charge_unlock(unlock(&Uuid::now_v7().to_string(), "f0", "d", next_year))
        .await
        .unwrap()
    else {
        panic!("not charged")
    };
    assert_eq!(s.number, "2028-000001");
}

/// Fifty unlocks at once: on SQLite through two storages over one file, on PostgreSQL through one
/// (two PostgreSQL instances have their own test below).
async fn fifty_concurrent_unlocks(db: Db) {
    let t = common::open_db(db).await;
    let instances = match db {
        Db::Sqlite => vec![
            t.storage.clone(),
            common::second_instance(db, &t.location).await,
        ],
        Db::Postgres => vec![t.storage.clone()],
    };
    concurrent_unlocks(&instances).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_unlocks_two_postgres_instances() {
    let db = common::open_db(Db::Postgres).await;
    let second = common::second_instance(Db::Postgres, &db.location).await;
    concurrent_unlocks(&[db.storage.clone(), second]).await;
}

backend_tests!(
    #[worker_threads = 4]
    fifty_concurrent_unlocks
);
