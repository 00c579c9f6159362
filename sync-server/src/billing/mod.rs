//! Billing: the platform charges a facility for each contact it unlocks (an accepted proposal), priced
//! from a tariff grid set by staff (per day, half-day, night, day garde, night garde, astreinte), and
//! issues an invoice for it with a continuous, gapless number per year.
//!
//! - **Hook for acceptance:** [`charge_unlock_tx`] runs inside the workflow's acceptance transaction:
//!   the charge, its invoice number and its invoice exist if and only if the mission does. It is
//!   idempotent per mission.
//! - **Gapless numbering:** the number is `last + 1` of a per-year counter row, read and written inside
//!   the serialised write transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL advisory lock, see
//!   `db`). No SQL sequence: a sequence hands out numbers outside the transaction, so a rollback
//!   leaves a gap, which French invoicing rules forbid. A rolled-back acceptance rolls back its number.
//! - **Year:** invoices are numbered per calendar year of France métropolitaine (Europe/Paris), whatever
//!   the site's zone, so there is one sequence per year.
//! - **Credit notes:** [`credit_cancellation_tx`] issues an *avoir* (same numbering) for a mission
//!   cancelled before its start.
//! - Amounts are integer cents with checked arithmetic ([`amount`], which documents the rounding rule).

pub mod amount;
pub mod error;
pub mod http;
pub mod model;
pub mod queries;

pub use error::BillingError;
pub use model::{
    BILLING_ZONE, CancellationFacts, ChargeLine, ChargeOutcome, ChargeSummary, CreditOutcome,
    Invoice, Tariff, TariffRules, UnlockFacts, billing_date, parse_date, start_of_day_ms,
};
pub use queries::{charge_unlock_tx, credit_cancellation_tx, site_zone_tx, tariff_in_force_tx};

/// The billing tables (a part of `crate::areas::SCHEMA`).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS billing_tariffs (id TEXT PRIMARY KEY, valid_from TEXT NOT NULL UNIQUE, \
     day_cents BIGINT NOT NULL, night_cents BIGINT NOT NULL, garde_day_cents BIGINT NOT NULL, \
     garde_night_cents BIGINT NOT NULL, astreinte_cents BIGINT NOT NULL, vat_bps BIGINT NOT NULL, \
     created_ms BIGINT NOT NULL, created_by TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS billing_counters (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS billing_invoices (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, \
     year BIGINT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, facility_id TEXT NOT NULL, \
     doctor_id TEXT NOT NULL, mission_id TEXT NOT NULL, issued_ms BIGINT NOT NULL, \
     ht_cents BIGINT NOT NULL, vat_bps BIGINT NOT NULL, vat_cents BIGINT NOT NULL, \
     ttc_cents BIGINT NOT NULL, customer TEXT NOT NULL, subject TEXT NOT NULL, lines TEXT NOT NULL, \
     cancels_id TEXT, UNIQUE (year, seq), UNIQUE (mission_id, kind))",
    "CREATE INDEX IF NOT EXISTS billing_invoices_facility ON billing_invoices (facility_id, issued_ms)",
    "CREATE TABLE IF NOT EXISTS billing_charges (mission_id TEXT PRIMARY KEY, facility_id TEXT NOT NULL, \
     doctor_id TEXT NOT NULL, tariff_id TEXT NOT NULL, at_ms BIGINT NOT NULL, \
     ht_cents BIGINT NOT NULL, vat_cents BIGINT NOT NULL, ttc_cents BIGINT NOT NULL, \
     invoice_id TEXT NOT NULL, credit_note_id TEXT, cancelled_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS billing_charges_facility ON billing_charges (facility_id, at_ms)",
];
