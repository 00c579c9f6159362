//! Crash safety: a writer process killed with SIGKILL at random moments never loses a write it reported
//! committed, never leaves a record without its outbox op (or the reverse), and never damages the file.
//!
//! The writer is this very test binary, re-invoked with `REMPLA_STORE_CRASH_DB` set and a filter selecting
//! [`crash_writer_child`] (which does nothing in a normal run).

// A test crate: unwrapping is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId};
use rempla_core::sync::{EntityKind, OpKind};
use rempla_store::Store;
use uuid::Uuid;

const CHILD_ENV: &str = "REMPLA_STORE_CRASH_DB";
const MARK: &str = "committed ";

fn doctor() -> DoctorId {
    DoctorId::from_uuid(Uuid::from_u128(0x0123_4567_89ab_7def_8123_4567_89ab_cdef))
}

/// The writer: adds availabilities forever, printing the id of each one after its transaction committed.
#[test]
fn crash_writer_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(&path).unwrap();
    let mut out = std::io::stdout().lock();
    let base = Utc.with_ymd_and_hms(2027, 1, 1, 7, 0, 0).unwrap();
    for i in 0.. {
        let start = base + chrono::Duration::hours(i);
        let a = Availability {
            id: AvailabilityId::new(),
            doctor_id: doctor(),
            interval: Interval::new(start, start + chrono::Duration::hours(1)).unwrap(),
            zone: Paris,
            kind: ShiftKind::Custom,
            recurrence: None,
            status: AvailabilityStatus::Open,
            note: Some(format!("écrit par le processus {}", std::process::id())),
            revision: 0,
        };
        store.add_availability(&a).unwrap();
        writeln!(out, "{MARK}{}", a.id).unwrap();
        out.flush().unwrap();
    }
}

/// Cheap pseudo-random kill delays (no RNG dependency): xorshift seeded by the clock.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn killed_writers_never_lose_committed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let exe = std::env::current_exe().unwrap();
    let mut seed = u64::from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos(),
    ) | 1;
    let mut committed: Vec<AvailabilityId> = Vec::new();
    let rounds = 6;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            stdout.read_to_string(&mut text).unwrap();
            text
        });
        // The first round dies young (possibly while creating the schema); later ones live 50–450 ms.
        let delay = if round == 0 {
            5
        } else {
            50 + next_random(&mut seed) % 400
        };
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, no rollback.
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the writer must have been killed, not have finished"
        );
        let text = reader.join().unwrap();
        // Only complete lines count: the kill may cut the last one.
        let ids: Vec<AvailabilityId> = text
            .split_inclusive('\n')
            .filter(|line| line.ends_with('\n'))
            .filter_map(|line| line.find(MARK).map(|at| line[at + MARK.len()..].trim()))
            .map(|id| id.parse().unwrap())
            .collect();
        committed.extend(ids);
    }
    eprintln!(
        "{} commits reported by {rounds} killed writers",
        committed.len()
    );
    assert!(
        committed.len() >= 10,
        "the writers committed only {} records",
        committed.len()
    );

    let store = Store::open(&path).unwrap();
    store.check_integrity().unwrap();
    let stored = store.list_availabilities(doctor()).unwrap();
    let ops = store.pending_ops(usize::MAX).unwrap();
    for id in &committed {
        assert!(
            stored.iter().any(|a| a.id == *id),
            "committed availability {id} was lost"
        );
        assert!(
            ops.iter().any(|op| op.entity_id == *id.as_uuid()
                && op.entity == EntityKind::Availability
                && op.kind == OpKind::Upsert),
            "committed availability {id} lost its outbox op"
        );
    }
    // Atomicity both ways: no record without its op, no op without its record.
    assert_eq!(stored.len(), ops.len());
    assert!(stored.len() >= committed.len());
    assert!(
        stored.len() <= committed.len() + rounds,
        "at most one unreported commit per killed writer"
    );
}
