//! End-to-end: real `rempla-server` processes, four devices (two for doctor A, one for doctor B, one
//! facility admin) running the core store and sync client, a fault-injecting proxy between them, and
//! SIGKILL + restart of servers during pushes. See `rempla_e2e::schedule` for what each run proves.
//!
//! `cargo test -p rempla-e2e` runs 3 seeds per backend; `REMPLA_E2E_SCHEDULES=N` runs N;
//! `REMPLA_E2E_SEED=S` replays one (printed as `REMPLA_E2E_SEED=…` by every run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rempla_e2e::rng::seeds;
use rempla_e2e::schedule::{Backend, Shape, run};

#[test]
fn schedules_on_sqlite_never_lose_or_leak_an_edit() {
    for seed in seeds(3) {
        let outcome = run(Backend::Sqlite, seed, Shape::default());
        assert!(outcome.acked > 0, "seed {seed}: nothing was acknowledged");
    }
}

#[test]
fn schedules_on_postgres_with_two_instances_never_lose_or_leak_an_edit() {
    for seed in seeds(3) {
        let outcome = run(Backend::Postgres, seed, Shape::default());
        assert!(outcome.acked > 0, "seed {seed}: nothing was acknowledged");
    }
}
