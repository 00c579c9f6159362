//! Money arithmetic of billing, pure and checked: amounts are integer cents (`i64`), rates are basis
//! points, and every operation that could overflow returns an error instead of wrapping.
//!
//! **Rounding rule.** VAT is computed once, on the invoice's total excluding VAT (not line by line), and
//! rounded to the nearest cent, a half cent going up (« arrondi commercial »): `vat = ⌊(ht × bps + 5 000)
//! / 10 000⌋` for `ht ≥ 0`. TTC is `ht + vat` exactly, so the three printed totals always add up. A
//! half-day costs half the day price, a half cent going up.

use rempla_core::calendar::ShiftKind;
use serde::{Deserialize, Serialize};

use super::error::BillingError;

/// Largest unit price a tariff may hold: one million euros, far above any real price, low enough that
/// no invoice total can approach `i64::MAX`.
pub const MAX_UNIT_CENTS: i64 = 100_000_000;
/// Largest VAT rate, in basis points (100 %).
pub const MAX_VAT_BPS: i64 = 10_000;

/// The three totals of an invoice: the wire type, one definition for the server and the clients.
pub use rempla_core::api::billing::Amounts as Totals;

/// VAT on `ht_cents` at `vat_bps`, rounded half up; refuses negative inputs and overflow.
pub fn vat(ht_cents: i64, vat_bps: i64) -> Result<i64, BillingError> {
    if ht_cents < 0 || vat_bps < 0 {
        return Err(BillingError::NegativeAmount("montant ou taux".into()));
    }
    if vat_bps > MAX_VAT_BPS {
        return Err(BillingError::InvalidVatRate(vat_bps));
    }
    let scaled = i128::from(ht_cents) * i128::from(vat_bps) + 5_000;
    i64::try_from(scaled / 10_000).map_err(|_| BillingError::AmountTooLarge)
}

/// Totals of `ht_cents` at `vat_bps`.
pub fn totals(ht_cents: i64, vat_bps: i64) -> Result<Totals, BillingError> {
    let vat_cents = vat(ht_cents, vat_bps)?;
    let ttc_cents = ht_cents
        .checked_add(vat_cents)
        .ok_or(BillingError::AmountTooLarge)?;
    Ok(Totals {
        ht_cents,
        vat_cents,
        ttc_cents,
    })
}

/// `quantity × unit_cents`, checked.
pub fn line_total(quantity: i64, unit_cents: i64) -> Result<i64, BillingError> {
    if quantity < 0 || unit_cents < 0 {
        return Err(BillingError::NegativeAmount("ligne".into()));
    }
    quantity
        .checked_mul(unit_cents)
        .ok_or(BillingError::AmountTooLarge)
}

/// Sum of line totals, checked.
pub fn sum(values: impl IntoIterator<Item = i64>) -> Result<i64, BillingError> {
    values.into_iter().try_fold(0_i64, |acc, v| {
        acc.checked_add(v).ok_or(BillingError::AmountTooLarge)
    })
}

/// Checks one unit price of a tariff.
pub fn check_unit(field: &str, cents: i64) -> Result<(), BillingError> {
    if cents < 0 {
        return Err(BillingError::NegativeAmount(field.to_owned()));
    }
    if cents > MAX_UNIT_CENTS {
        return Err(BillingError::AmountTooLarge);
    }
    Ok(())
}

/// The price of a half-day from the day price: half, a half cent going up.
pub fn half_day(day_cents: i64) -> i64 {
    day_cents / 2 + day_cents % 2
}

/// Which tariff column a shift kind is billed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A day (08:00–20:00), or an explicit custom period.
    Day,
    /// A morning or an afternoon: half the day price.
    HalfDay,
    /// A night (20:00–08:00).
    Night,
    /// A day garde (Sundays and public holidays).
    GardeDay,
    /// A night garde.
    GardeNight,
    /// On call from home.
    Astreinte,
}

impl Unit {
    /// The column a shift kind is billed at. A custom period is billed as a day.
    pub const fn of(kind: ShiftKind) -> Self {
        match kind {
            ShiftKind::Day | ShiftKind::Custom => Self::Day,
            ShiftKind::Morning | ShiftKind::Afternoon => Self::HalfDay,
            ShiftKind::Night => Self::Night,
            ShiftKind::GardeDay => Self::GardeDay,
            ShiftKind::GardeNight => Self::GardeNight,
            ShiftKind::Astreinte => Self::Astreinte,
        }
    }

    /// French label on invoices.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Day => "Mise en relation — journée",
            Self::HalfDay => "Mise en relation — demi-journée",
            Self::Night => "Mise en relation — nuit",
            Self::GardeDay => "Mise en relation — garde de jour",
            Self::GardeNight => "Mise en relation — garde de nuit",
            Self::Astreinte => "Mise en relation — astreinte",
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rempla_core::api::ErrorCode;

    use super::*;

    #[test]
    fn vat_rounds_half_up_on_the_total() {
        // 10,05 € at 20 % = 2,01 €; 0,03 € at 20 % = 0,006 → 0,01 €; 0,02 € at 20 % = 0,004 → 0.
        assert_eq!(vat(1_005, 2_000), Ok(201));
        assert_eq!(vat(3, 2_000), Ok(1));
        assert_eq!(vat(2, 2_000), Ok(0));
        // Exactly half a cent goes up: 0,25 € at 10 % = 0,025 €.
        assert_eq!(vat(25, 1_000), Ok(3));
        assert_eq!(vat(0, 2_000), Ok(0));
        assert_eq!(vat(12_345, 0), Ok(0));
        assert_eq!(
            totals(10_000, 2_000),
            Ok(Totals {
                ht_cents: 10_000,
                vat_cents: 2_000,
                ttc_cents: 12_000
            })
        );
    }

    #[test]
    fn bad_amounts_are_refused_with_their_code() {
        assert_eq!(
            vat(-1, 2_000).unwrap_err().code(),
            ErrorCode::NegativeAmount
        );
        assert_eq!(vat(1, -5).unwrap_err().code(), ErrorCode::NegativeAmount);
        assert_eq!(
            vat(1, 10_001).unwrap_err().code(),
            ErrorCode::InvalidVatRate
        );
        assert_eq!(
            totals(i64::MAX, 10_000).unwrap_err().code(),
            ErrorCode::AmountTooLarge
        );
        assert_eq!(
            line_total(-2, 100).unwrap_err().code(),
            ErrorCode::NegativeAmount
        );
        assert_eq!(
            line_total(i64::MAX, 2).unwrap_err().code(),
            ErrorCode::AmountTooLarge
        );
        assert_eq!(
            sum([i64::MAX, 1]).unwrap_err().code(),
            ErrorCode::AmountTooLarge
        );
        assert_eq!(
            check_unit("day_cents", MAX_UNIT_CENTS + 1)
                .unwrap_err()
                .code(),
            ErrorCode::AmountTooLarge
        );
        assert!(check_unit("day_cents", MAX_UNIT_CENTS).is_ok());
    }

    #[test]
    fn half_days_round_half_up() {
        assert_eq!(half_day(10_000), 5_000);
        assert_eq!(half_day(10_001), 5_001);
        assert_eq!(half_day(1), 1);
        assert_eq!(half_day(0), 0);
    }

    #[test]
    fn every_shift_kind_has_a_column() {
        for kind in ShiftKind::ALL {
            let unit = Unit::of(kind);
            assert!(unit.label().starts_with("Mise en relation"));
        }
        assert_eq!(Unit::of(ShiftKind::GardeNight), Unit::GardeNight);
        assert_eq!(Unit::of(ShiftKind::Morning), Unit::HalfDay);
    }

    proptest! {
        #[test]
        fn ttc_is_ht_plus_vat_and_never_negative(ht in 0_i64..=1_000_000_000_000, bps in 0_i64..=MAX_VAT_BPS) {
            let t = totals(ht, bps).unwrap();
            prop_assert_eq!(t.ttc_cents, t.ht_cents + t.vat_cents);
            prop_assert!(t.vat_cents >= 0 && t.ttc_cents >= t.ht_cents);
            // The rounding error is at most half a cent: |vat × 10 000 − ht × bps| ≤ 5 000.
            let exact = i128::from(ht) * i128::from(bps);
            let err = i128::from(t.vat_cents) * 10_000 - exact;
            prop_assert!(err > -5_000 && err <= 5_000, "err {}", err);
        }

        #[test]
        fn vat_is_monotonic_in_the_base(ht in 0_i64..=1_000_000_000, extra in 0_i64..=1_000_000, bps in 0_i64..=MAX_VAT_BPS) {
            prop_assert!(vat(ht, bps).unwrap() <= vat(ht + extra, bps).unwrap());
        }

        #[test]
        fn line_totals_never_wrap(q in any::<i64>(), unit in any::<i64>()) {
            match line_total(q, unit) {
                Ok(total) => {
                    prop_assert!(total >= 0);
                    prop_assert_eq!(i128::from(total), i128::from(q) * i128::from(unit));
                }
                Err(e) => prop_assert!(matches!(e.code(), ErrorCode::NegativeAmount | ErrorCode::AmountTooLarge)),
            }
        }
    }
}
