//! Notifications. Every area that has something to tell a user (a proposal, a reminder, an expiring
//! document) writes a [`Notice`] into the durable `notices` queue **in its own transaction**, so a
//! notice exists if and only if the event that caused it was committed. Delivery (the in-app inbox
//! record in the change feed, e-mail, push, SMS) reads the queue afterwards.
//!
//! - [`deliver_due`] (the `notification_delivery` job of `crate::areas`, safe with several instances) fans each due notice out:
//!   the inbox record (feed entity `notification`, owned by the account) and one `deliveries` row per
//!   external channel and target, chosen by [`prefs::Preferences`] and deferred past quiet hours unless
//!   urgent; then it claims due deliveries, sends them through their [`channel::Channel`], and records
//!   the outcome (sent, retried with exponential backoff, or failed and kept visible).
//! - Channels: [`email`], [`push`] (Web Push, FCM, APNs), [`sms`] (gateway, segment counting, facility
//!   credits). Endpoints in [`http`], documented in `docs/api/notifications.md`.

pub mod channel;
pub mod crypto;
pub mod deliver;
pub mod email;
pub mod http;
pub mod prefs;
pub mod push;
pub mod queries;
pub mod sms;

pub mod channels;
pub mod notice;

pub use deliver::{DeliveryRun, deliver_due};
pub use notice::{Notice, enqueue_tx};

/// The queue table (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS notices (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, payload TEXT NOT NULL, \
     dedupe_key TEXT NOT NULL UNIQUE, created_ms BIGINT NOT NULL, not_before_ms BIGINT NOT NULL, \
     urgent BIGINT NOT NULL, state TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS notices_due ON notices (state, not_before_ms)",
    "CREATE INDEX IF NOT EXISTS notices_account ON notices (account_id, created_ms)",
    "CREATE TABLE IF NOT EXISTS push_targets (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     device_id TEXT NOT NULL, kind TEXT NOT NULL, address TEXT NOT NULL, p256dh TEXT, auth TEXT, \
     topic TEXT, created_ms BIGINT NOT NULL, UNIQUE (account_id, device_id, kind))",
    "CREATE INDEX IF NOT EXISTS push_targets_address ON push_targets (kind, address)",
    "CREATE TABLE IF NOT EXISTS notification_prefs (account_id TEXT PRIMARY KEY, \
     prefs TEXT NOT NULL, updated_ms BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, notice_id TEXT NOT NULL, \
     account_id TEXT NOT NULL, channel TEXT NOT NULL, target_id TEXT NOT NULL, facility_id TEXT, \
     state TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_ms BIGINT NOT NULL, \
     lease_until_ms BIGINT NOT NULL, segments BIGINT NOT NULL, last_code TEXT, last_error TEXT, \
     created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, UNIQUE (notice_id, channel, target_id))",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_ms)",
    "CREATE INDEX IF NOT EXISTS deliveries_account ON deliveries (account_id, created_ms)",
    "CREATE TABLE IF NOT EXISTS sms_credits (facility_id TEXT PRIMARY KEY, balance BIGINT NOT NULL, \
     topups BIGINT NOT NULL, updated_ms BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sms_credit_moves (id TEXT PRIMARY KEY, facility_id TEXT NOT NULL, \
     delta BIGINT NOT NULL, reason TEXT NOT NULL, delivery_id TEXT, account_id TEXT, \
     at_ms BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sms_credit_moves_facility ON sms_credit_moves (facility_id, at_ms)",
];
