//! The billing endpoints' bodies (`docs/api/billing.md`), one definition for the server that writes them
//! and the clients that read them: tariff grids, invoices and credit notes, the facility's invoice list,
//! the staff's sales journal and the statement of charges. Amounts are integer cents, rates basis
//! points. Requests refuse unknown fields; answers accept them.

use serde::{Deserialize, Serialize};

/// The three totals of an invoice or a statement, in integer cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Amounts {
    /// Excluding VAT.
    pub ht_cents: i64,
    /// VAT.
    pub vat_cents: i64,
    /// Including VAT.
    pub ttc_cents: i64,
}

/// A tariff grid: unit prices excluding VAT in cents, and the VAT rate, from a date on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariff {
    /// Id.
    pub id: String,
    /// First day (Europe/Paris) the grid applies, `AAAA-MM-JJ`; it applies until the next grid.
    pub valid_from: String,
    /// Per day (08:00–20:00, and custom periods); a half-day costs half.
    pub day_cents: i64,
    /// Per night.
    pub night_cents: i64,
    /// Per day garde (Sundays and public holidays).
    pub garde_day_cents: i64,
    /// Per night garde.
    pub garde_night_cents: i64,
    /// Per astreinte.
    pub astreinte_cents: i64,
    /// VAT rate in basis points (2 000 = 20 %).
    pub vat_bps: i64,
    /// When it was set, Unix ms.
    pub created_ms: i64,
    /// The staff account that set it.
    pub created_by: String,
}

/// `PUT /v1/staff/tariffs`: staff set the grid that applies from a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffInput {
    /// First day of validity (Europe/Paris), `AAAA-MM-JJ`, today or later.
    pub valid_from: String,
    /// Cents per day (a half-day costs half).
    pub day_cents: i64,
    /// Cents per night.
    pub night_cents: i64,
    /// Cents per day garde.
    pub garde_day_cents: i64,
    /// Cents per night garde.
    pub garde_night_cents: i64,
    /// Cents per astreinte.
    pub astreinte_cents: i64,
    /// VAT rate, basis points.
    pub vat_bps: i64,
}

/// Answer of `GET /v1/tariffs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariffs {
    /// The grid in force today, `null` when none is.
    pub current: Option<Tariff>,
    /// Every grid, past and planned, by start date.
    #[serde(default)]
    pub tariffs: Vec<Tariff>,
}

/// The customer of an invoice (the facility that unlocked the contact), as it was at issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Customer {
    /// Legal name.
    pub name: String,
    /// SIRET.
    pub siret: Option<String>,
    /// Billing address, when known.
    pub address: Option<String>,
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InvoiceLine {
    /// French description.
    pub label: String,
    /// Quantity (shifts of this kind).
    pub quantity: i64,
    /// Unit price excluding VAT, cents.
    pub unit_cents: i64,
    /// `quantity × unit_cents`, cents.
    pub total_cents: i64,
}

/// An invoice or credit note, as stored and listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Invoice {
    /// Id.
    pub id: String,
    /// Gapless number, `2026-000001`.
    pub number: String,
    /// Year of the numbering.
    pub year: i64,
    /// Position in the year.
    pub seq: i64,
    /// `invoice` or `credit_note`.
    pub kind: String,
    /// Customer facility.
    pub facility_id: String,
    /// Doctor whose contact was unlocked.
    pub doctor_id: String,
    /// The mission whose unlock it charges.
    pub mission_id: String,
    /// Issue time, Unix ms.
    pub issued_ms: i64,
    /// VAT rate, basis points.
    pub vat_bps: i64,
    /// Totals.
    #[serde(flatten)]
    pub totals: Amounts,
    /// Customer as it was at issue.
    pub customer: Customer,
    /// What was delivered (French).
    #[serde(default)]
    pub subject: String,
    /// The lines.
    #[serde(default)]
    pub lines: Vec<InvoiceLine>,
    /// For a credit note, the invoice it cancels; `null` otherwise.
    #[serde(default)]
    pub cancels_id: Option<String>,
}

/// Answer of `GET /v1/facilities/{id}/invoices`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InvoiceList {
    /// In number order.
    #[serde(default)]
    pub invoices: Vec<Invoice>,
}

/// Answer of `GET /v1/staff/invoices?year=`: a year's sales journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesJournal {
    /// The year.
    pub year: i64,
    /// How many invoices and credit notes.
    pub count: usize,
    /// Whether the numbers run 1, 2, 3… without a gap.
    pub gapless: bool,
    /// Every invoice and credit note, in number order.
    #[serde(default)]
    pub invoices: Vec<Invoice>,
}

/// One unlock in the statement of charges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChargeLine {
    /// The mission.
    pub mission_id: String,
    /// The doctor.
    pub doctor_id: String,
    /// Unlock time, Unix ms.
    pub at_ms: i64,
    /// What was charged.
    #[serde(flatten)]
    pub totals: Amounts,
    /// The invoice's number.
    pub invoice_number: String,
    /// The credit note's number, when the mission was cancelled before its start; `null` otherwise.
    #[serde(default)]
    pub credit_note_number: Option<String>,
    /// Cancellation time, Unix ms; `null` otherwise.
    #[serde(default)]
    pub cancelled_ms: Option<i64>,
}

/// Totals of a statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChargeTotals {
    /// Charged.
    pub charged: Amounts,
    /// Credited back.
    pub credited: Amounts,
    /// Charged less credited.
    pub net: Amounts,
}

/// Answer of `GET /v1/facilities/{id}/charges` (JSON): the statement of charges between two days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChargeStatement {
    /// The facility.
    #[serde(default)]
    pub facility_id: String,
    /// First day included (`YYYY-MM-DD`), `null` when unbounded.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day included, `null` when unbounded.
    #[serde(default)]
    pub to: Option<String>,
    /// The unlocks.
    #[serde(default)]
    pub charges: Vec<ChargeLine>,
    /// Their totals.
    pub totals: ChargeTotals,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_read_back_with_flat_totals_and_requests_refuse_unknown_fields() {
        let zero = json!({"ht_cents": 0, "vat_cents": 0, "ttc_cents": 0});
        let statement = json!({
            "facility_id": "f", "from": null, "to": "2026-11-30",
            "charges": [{"mission_id": "m", "doctor_id": "d", "at_ms": 1, "ht_cents": 1, "vat_cents": 0,
                         "ttc_cents": 1, "invoice_number": "2026-000001", "credit_note_number": null,
                         "cancelled_ms": null}],
            "totals": {"charged": zero, "credited": zero, "net": zero}
        });
        let read: ChargeStatement = serde_json::from_value(statement.clone()).expect("a statement");
        assert_eq!(read.charges[0].totals.ht_cents, 1);
        assert_eq!(serde_json::to_value(&read).unwrap_or_default(), statement);
        let input = json!({"valid_from": "2027-01-01", "day_cents": 1, "night_cents": 1,
                           "garde_day_cents": 1, "garde_night_cents": 1, "astreinte_cents": 1,
                           "vat_bps": 2000});
        assert!(serde_json::from_value::<TariffInput>(input.clone()).is_ok());
        let mut extra = input;
        extra["discount"] = json!(1);
        assert!(serde_json::from_value::<TariffInput>(extra).is_err());
    }
}
