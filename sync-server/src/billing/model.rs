//! The billing records and pure rules: tariffs and their validation, billing dates in the billing zone,
//! the facts an unlock or a cancellation is billed from, and the invoices and charges as listed.

use super::amount::{self, Totals, Unit};
use super::error::BillingError;
use crate::pdf::invoice::InvoiceLine;
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;
use rempla_core::calendar::{Interval, ShiftKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// The zone whose calendar year numbers invoices and whose dates tariffs start on.
pub const BILLING_ZONE: Tz = chrono_tz::Europe::Paris;

/// A tariff grid, an invoice and a statement line are the wire types, one definition for the server and
/// the clients; the rules on a grid are [`TariffRules`].
pub use rempla_core::api::billing::{ChargeLine, Invoice, Tariff};

/// What billing does with a tariff grid: check it, read a column, price shifts.
pub trait TariffRules {
    /// Checks every amount and the rate.
    fn check(&self) -> Result<(), BillingError>;
    /// Unit price of a column.
    fn unit_cents(&self, unit: Unit) -> i64;
    /// The invoice lines and totals for `shifts`: one line per column, shifts counted.
    fn price(
        &self,
        shifts: &[(ShiftKind, Interval)],
    ) -> Result<(Vec<InvoiceLine>, Totals), BillingError>;
}

impl TariffRules for Tariff {
    fn check(&self) -> Result<(), BillingError> {
        amount::check_unit("day_cents", self.day_cents)?;
        amount::check_unit("night_cents", self.night_cents)?;
        amount::check_unit("garde_day_cents", self.garde_day_cents)?;
        amount::check_unit("garde_night_cents", self.garde_night_cents)?;
        amount::check_unit("astreinte_cents", self.astreinte_cents)?;
        if self.vat_bps < 0 {
            return Err(BillingError::NegativeAmount("vat_bps".into()));
        }
        if self.vat_bps > amount::MAX_VAT_BPS {
            return Err(BillingError::InvalidVatRate(self.vat_bps));
        }
        parse_date(&self.valid_from)?;
        Ok(())
    }

    fn unit_cents(&self, unit: Unit) -> i64 {
        match unit {
            Unit::Day => self.day_cents,
            Unit::HalfDay => amount::half_day(self.day_cents),
            Unit::Night => self.night_cents,
            Unit::GardeDay => self.garde_day_cents,
            Unit::GardeNight => self.garde_night_cents,
            Unit::Astreinte => self.astreinte_cents,
        }
    }

    fn price(
        &self,
        shifts: &[(ShiftKind, Interval)],
    ) -> Result<(Vec<InvoiceLine>, Totals), BillingError> {
        if shifts.is_empty() {
            return Err(BillingError::NoShifts);
        }
        let mut counts: BTreeMap<Unit, i64> = BTreeMap::new();
        for (kind, _) in shifts {
            *counts.entry(Unit::of(*kind)).or_default() += 1;
        }
        let mut lines = Vec::with_capacity(counts.len());
        for (unit, quantity) in counts {
            let unit_cents = self.unit_cents(unit);
            lines.push(InvoiceLine {
                label: unit.label().to_owned(),
                quantity,
                unit_cents,
                total_cents: amount::line_total(quantity, unit_cents)?,
            });
        }
        let ht = amount::sum(lines.iter().map(|l| l.total_cents))?;
        Ok((lines, amount::totals(ht, self.vat_bps)?))
    }
}

/// `AAAA-MM-JJ`, strictly.
pub fn parse_date(s: &str) -> Result<NaiveDate, BillingError> {
    if s.len() != 10 {
        return Err(BillingError::InvalidDate(s.chars().take(40).collect()));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| BillingError::InvalidDate(s.chars().take(40).collect()))
}

/// The Europe/Paris date of an instant.
pub fn billing_date(at_ms: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&BILLING_ZONE)
        .date_naive()
}

/// Unix ms of 00:00 Europe/Paris on `date` (the earliest such instant on a DST change).
pub fn start_of_day_ms(date: NaiveDate) -> i64 {
    BILLING_ZONE
        .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(0, |d| d.timestamp_millis())
}

/// What the workflow tells billing when a proposal is accepted and a contact is unlocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnlockFacts {
    /// The mission created by the acceptance (the idempotency key).
    pub mission_id: String,
    /// The facility charged.
    pub facility_id: String,
    /// The doctor whose contact is unlocked.
    pub doctor_id: String,
    /// The booked shifts.
    pub shifts: Vec<(ShiftKind, Interval)>,
    /// Zone of the site (dates on the invoice are printed in it).
    pub zone: Tz,
    /// Unlock time, Unix ms (`state.clock.now_ms()`): picks the grid in force and the invoice year.
    pub at_ms: i64,
}

impl UnlockFacts {
    /// The facts of an accepted `mission`, unlocked at `at_ms`.
    pub fn from_mission(mission: &rempla_core::domain::Mission, at_ms: i64) -> Self {
        Self {
            mission_id: mission.id.to_string(),
            facility_id: mission.facility_id.to_string(),
            doctor_id: mission.doctor_id.to_string(),
            shifts: mission
                .shifts
                .iter()
                .map(|s| (s.kind, s.interval))
                .collect(),
            zone: mission.zone,
            at_ms,
        }
    }
}

/// A charge and its invoice, as the caller of [`charge_unlock_tx`] sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChargeSummary {
    /// The invoice.
    pub invoice_id: String,
    /// Its gapless number, `2026-000042`.
    pub number: String,
    /// Totals.
    pub totals: Totals,
}

/// What [`charge_unlock_tx`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChargeOutcome {
    /// A new charge and invoice.
    Charged(ChargeSummary),
    /// This mission was already charged (a replayed acceptance): nothing new.
    AlreadyCharged(ChargeSummary),
    /// No tariff grid is in force at that date: nothing charged (logged; staff must set a grid).
    NoTariff,
}

/// What the workflow tells billing when a mission is cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancellationFacts {
    /// The cancelled mission.
    pub mission_id: String,
    /// Start of its first shift, Unix ms.
    pub mission_start_ms: i64,
    /// Cancellation time, Unix ms.
    pub at_ms: i64,
}

impl CancellationFacts {
    /// The facts of cancelling `mission` at `at_ms` (its start is its earliest shift).
    pub fn from_mission(mission: &rempla_core::domain::Mission, at_ms: i64) -> Self {
        Self {
            mission_id: mission.id.to_string(),
            mission_start_ms: mission
                .shifts
                .iter()
                .map(|s| s.interval.start().timestamp_millis())
                .min()
                .unwrap_or(i64::MIN),
            at_ms,
        }
    }
}

/// What [`credit_cancellation_tx`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreditOutcome {
    /// A credit note cancelling the mission's invoice.
    Credited(ChargeSummary),
    /// Already credited (a replay): nothing new.
    AlreadyCredited(ChargeSummary),
    /// Cancelled at or after the start: the charge stands.
    Started,
    /// The mission was never charged.
    NotCharged,
}
