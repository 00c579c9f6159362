//! End-to-end test harness of Rempla: real `rempla-server` processes ([`server`]), a throwaway PostgreSQL
//! cluster ([`pg`]), a fault-injecting HTTP proxy between the devices and the servers ([`proxy`]), devices made of a core `Store` and the core sync
//! client ([`device`]), and the seeded random schedules that drive them ([`schedule`]).
//!
//! Seeds: every schedule prints `REMPLA_E2E_SEED=<n>`; setting that variable replays that one schedule
//! (the proxy's fault decisions and the devices' edits come from the seed; thread timing still varies).

// A test harness: a panic here is a test failure, which is the point.
#![allow(clippy::missing_panics_doc, clippy::unwrap_used, clippy::expect_used)]

pub mod device;
pub mod pg;
pub mod proxy;
pub mod rng;
pub mod schedule;
pub mod server;
