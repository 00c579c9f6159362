//! "Mon profil" and the data-protection duties (RGPD): see and correct one's data, download all of it
//! in one ZIP, close one's account, see who read or changed one's data; and the jobs that purge what
//! must not be kept (closed accounts' identifiers after one year, booking data after the configured
//! 90/120/240 days).
//!
//! Account closure erases personal data at once (names, phone, password, documents, calendar, pending
//! notices, memberships) and keeps only identifiers (account id, e-mail, RPPS, identity key) for one
//! year, so abuse can still be traced; [`purge_expired`] removes those afterwards.
//!
//! - [`error`]: [`PrivacyError`], the refusals with their codes.
//! - [`model`]: retention constants, the export's contents, where a booking ends (pure).
//! - [`queries`]: profile correction, the export read, account closure (`impl Storage`).
//! - [`export`]: the ZIP of the export.
//! - [`http`]: the endpoints and [`http::routes`].
//! - [`jobs`]: [`purge_expired`], registered in `crate::areas::JOBS`.

pub mod error;
pub mod export;
pub mod http;
pub mod jobs;
pub mod model;
pub mod queries;

/// The closure table (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS account_closures (account_id TEXT PRIMARY KEY, doctor_id TEXT, \
     closed_ms BIGINT NOT NULL, purge_after_ms BIGINT NOT NULL, purged_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS account_closures_due ON account_closures (purged_ms, purge_after_ms)",
];

pub use error::PrivacyError;
pub use http::{CloseAccount, ProfilePatch, routes};
pub use jobs::{PurgeReport, booking_cutoff_ms, purge_expired};
pub use model::{CLOSED_RETENTION_MS, booking_end};
