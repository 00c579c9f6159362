//! Server-side matching: the core [`MatchingIndex`] kept in memory and fresh, so a facility sees who can
//! take a request and a doctor sees which requests fit, computed by the same core code the phones and
//! the CLI run.
//!
//! Freshness without trusting notifications: before each query the service reads the feed position
//! and the doctor-profile change position (two indexed reads). If the feed moved, it applies the
//! matched records changed since its position, in commit order (the feed's guarantee, see
//! `ARCHITECTURE.md`); if doctor profiles changed, it reloads only the profiles changed since its
//! profile position, which is commit-ordered the same way (`queries::doctor_changed_tx`). So every
//! instance answers from data at least as new as the moment the query started, whichever instance
//! wrote it. The index is rebuilt from scratch every
//! [`REBUILD_AFTER_MS`], which also slides the horizon recurring series are expanded over.

pub mod http;
pub mod queries;
pub mod service;

/// The matching part of the schema: the doctor-profile change counter, and the last change position of
/// each doctor profile (a deleted profile keeps its row, with `removed_ms`, until pruned).
pub const SCHEMA: &[&str] = &[
    "INSERT INTO meta (key, value) VALUES ('doctors_rev', 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS doctor_changes (id TEXT PRIMARY KEY, rev BIGINT NOT NULL, removed_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS doctor_changes_rev ON doctor_changes (rev)",
];

pub use queries::REBUILD_AFTER_MS;
pub use service::MatchingService;
