//! The billing queries: the charge and invoice of an unlock and the credit note of a cancellation (both
//! inside the caller's transaction, with gapless numbering), tariffs, invoices and statements
//! (`impl Storage`).

use super::amount::Totals;
use super::error::BillingError;
use super::model::{
    BILLING_ZONE, CancellationFacts, ChargeLine, ChargeOutcome, ChargeSummary, CreditOutcome,
    Invoice, Tariff, TariffRules, UnlockFacts, billing_date,
};
use crate::audit::{self, AuditEntry};
use crate::db::{Row, Storage, StorageError, Tx, int, json, opt_int, opt_text, text, to_json};
use crate::notify::{self, Notice};
use crate::pdf::contract::{french_date, french_period};
use crate::pdf::invoice::{Customer, InvoiceLine};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rempla_core::calendar::Interval;
use serde_json::{Value, json};

pub(crate) fn billing_storage_error(e: &BillingError) -> StorageError {
    StorageError::Corrupt(format!("facturation : {e} [{}]", e.code()))
}

pub(crate) const TARIFF_COLUMNS: &str = "id, valid_from, day_cents, night_cents, garde_day_cents, \
     garde_night_cents, astreinte_cents, vat_bps, created_ms, created_by";

pub(crate) fn tariff_from(r: &Row) -> Result<Tariff, StorageError> {
    Ok(Tariff {
        id: text(r, 0)?,
        valid_from: text(r, 1)?,
        day_cents: int(r, 2)?,
        night_cents: int(r, 3)?,
        garde_day_cents: int(r, 4)?,
        garde_night_cents: int(r, 5)?,
        astreinte_cents: int(r, 6)?,
        vat_bps: int(r, 7)?,
        created_ms: int(r, 8)?,
        created_by: text(r, 9)?,
    })
}

/// The zone of a site (for dates on invoices); Europe/Paris when the site is unknown.
pub fn site_zone_tx(tx: &mut dyn Tx, site_id: &str) -> Result<Tz, StorageError> {
    let rows = tx.query("SELECT record FROM sites WHERE id = $1", &[site_id.into()])?;
    Ok(match rows.first() {
        Some(r) => json::<Value>(r, 0)?["zone"]
            .as_str()
            .and_then(|z| z.parse().ok())
            .unwrap_or(BILLING_ZONE),
        None => BILLING_ZONE,
    })
}

/// The grid in force on the Europe/Paris date of `at_ms`.
pub fn tariff_in_force_tx(tx: &mut dyn Tx, at_ms: i64) -> Result<Option<Tariff>, StorageError> {
    let day = billing_date(at_ms).format("%Y-%m-%d").to_string();
    let rows = tx.query(
        &format!(
            "SELECT {TARIFF_COLUMNS} FROM billing_tariffs WHERE valid_from <= $1 \
             ORDER BY valid_from DESC LIMIT 1"
        ),
        &[day.into()],
    )?;
    rows.first().map(tariff_from).transpose()
}

/// Takes the next invoice number of `year`, inside the caller's (serialised) write transaction.
pub(crate) fn next_number_tx(tx: &mut dyn Tx, year: i64) -> Result<(i64, String), StorageError> {
    tx.execute(
        "INSERT INTO billing_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING",
        &[year.into()],
    )?;
    let rows = tx.query(
        "UPDATE billing_counters SET last = last + 1 WHERE year = $1 RETURNING last",
        &[year.into()],
    )?;
    let seq = rows
        .first()
        .map(|r| int(r, 0))
        .transpose()?
        .ok_or_else(|| StorageError::Corrupt("compteur de factures".into()))?;
    Ok((seq, format!("{year}-{seq:06}")))
}

pub(crate) fn customer_tx(tx: &mut dyn Tx, facility_id: &str) -> Result<Customer, StorageError> {
    let facility = tx.query(
        "SELECT record FROM facilities WHERE id = $1",
        &[facility_id.into()],
    )?;
    let record: Value = match facility.first() {
        Some(r) => json(r, 0)?,
        None => Value::Null,
    };
    let site = tx.query(
        "SELECT record FROM sites WHERE facility_id = $1 ORDER BY id LIMIT 1",
        &[facility_id.into()],
    )?;
    let address = match site.first() {
        Some(r) => {
            let site: Value = json(r, 0)?;
            Some(format!(
                "{}, {}",
                site["address"].as_str().unwrap_or_default(),
                site["postcode"].as_str().unwrap_or_default()
            ))
        }
        None => None,
    };
    Ok(Customer {
        name: record["name"]
            .as_str()
            .unwrap_or("Établissement")
            .to_owned(),
        siret: record["siret"].as_str().map(str::to_owned),
        address,
    })
}

pub(crate) fn doctor_name_tx(tx: &mut dyn Tx, doctor_id: &str) -> Result<String, StorageError> {
    let rows = tx.query(
        "SELECT record FROM doctors WHERE id = $1",
        &[doctor_id.into()],
    )?;
    Ok(match rows.first() {
        Some(r) => {
            let d: Value = json(r, 0)?;
            format!(
                "Dr {} {}",
                d["first_name"].as_str().unwrap_or_default(),
                d["last_name"].as_str().unwrap_or_default()
            )
        }
        None => "un médecin".to_owned(),
    })
}

pub(crate) fn summary_of_tx(
    tx: &mut dyn Tx,
    invoice_id: &str,
) -> Result<Option<ChargeSummary>, StorageError> {
    let rows = tx.query(
        "SELECT id, number, ht_cents, vat_cents, ttc_cents FROM billing_invoices WHERE id = $1",
        &[invoice_id.into()],
    )?;
    rows.first()
        .map(|r| {
            Ok(ChargeSummary {
                invoice_id: text(r, 0)?,
                number: text(r, 1)?,
                totals: Totals {
                    ht_cents: int(r, 2)?,
                    vat_cents: int(r, 3)?,
                    ttc_cents: int(r, 4)?,
                },
            })
        })
        .transpose()
}

/// Accounts of the facility's members who hold the billing right (told of new invoices).
pub(crate) fn billing_members_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
) -> Result<Vec<String>, StorageError> {
    let rows = tx.query(
        "SELECT account_id, record FROM members WHERE facility_id = $1 ORDER BY account_id",
        &[facility_id.into()],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let member: rempla_core::domain::Member = json(r, 1)?;
        if member.can(rempla_core::domain::Right::Billing, None) {
            out.push(text(r, 0)?);
        }
    }
    Ok(out)
}

pub(crate) struct NewInvoice<'a> {
    kind: &'static str,
    facility_id: &'a str,
    doctor_id: &'a str,
    mission_id: &'a str,
    at_ms: i64,
    vat_bps: i64,
    totals: Totals,
    customer: &'a Customer,
    subject: &'a str,
    lines: &'a [InvoiceLine],
    cancels_id: Option<&'a str>,
}

pub(crate) fn insert_invoice_tx(
    tx: &mut dyn Tx,
    inv: &NewInvoice<'_>,
) -> Result<ChargeSummary, StorageError> {
    let year = i64::from(chrono::Datelike::year(&billing_date(inv.at_ms)));
    let (seq, number) = next_number_tx(tx, year)?;
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO billing_invoices (id, number, year, seq, kind, facility_id, doctor_id, mission_id, \
         issued_ms, ht_cents, vat_bps, vat_cents, ttc_cents, customer, subject, lines, cancels_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        &[
            (&id).into(),
            (&number).into(),
            year.into(),
            seq.into(),
            inv.kind.into(),
            inv.facility_id.into(),
            inv.doctor_id.into(),
            inv.mission_id.into(),
            inv.at_ms.into(),
            inv.totals.ht_cents.into(),
            inv.vat_bps.into(),
            inv.totals.vat_cents.into(),
            inv.totals.ttc_cents.into(),
            to_json(inv.customer)?.into(),
            inv.subject.into(),
            to_json(&inv.lines)?.into(),
            inv.cancels_id.map(str::to_owned).into(),
        ],
    )?;
    audit::record_tx(
        tx,
        &AuditEntry {
            at_ms: inv.at_ms,
            account_id: None,
            device_id: None,
            action: if inv.kind == "credit_note" {
                "credit_note_issued".into()
            } else {
                "invoice_issued".into()
            },
            entity: "invoice".into(),
            entity_id: id.clone(),
            facility_id: Some(inv.facility_id.to_owned()),
            doctor_id: Some(inv.doctor_id.to_owned()),
            detail: format!(
                "{number} mission {} TTC {} centimes",
                inv.mission_id, inv.totals.ttc_cents
            ),
        },
    )?;
    let (title, kind) = if inv.kind == "credit_note" {
        (format!("Avoir {number}"), "credit_note_issued")
    } else {
        (format!("Facture {number}"), "invoice_issued")
    };
    for account in billing_members_tx(tx, inv.facility_id)? {
        notify::enqueue_tx(
            tx,
            &Notice {
                account_id: account.clone(),
                kind: kind.into(),
                title: title.clone(),
                body: format!(
                    "{} : {} TTC. {}",
                    title,
                    crate::pdf::format_eur(inv.totals.ttc_cents),
                    inv.subject
                ),
                payload: json!({"invoice_id": id, "number": number, "mission_id": inv.mission_id}),
                dedupe_key: format!("{kind}:{id}:{account}"),
                not_before_ms: inv.at_ms,
                urgent: false,
            },
            inv.at_ms,
        )?;
    }
    Ok(ChargeSummary {
        invoice_id: id,
        number,
        totals: inv.totals,
    })
}

/// The acceptance hook: charges the facility for the unlocked contact of `facts.mission_id` at the
/// grid in force, and issues its invoice (gapless number), inside the caller's write transaction.
/// Idempotent per mission: a second call returns [`ChargeOutcome::AlreadyCharged`] and changes nothing.
pub fn charge_unlock_tx(
    tx: &mut dyn Tx,
    facts: &UnlockFacts,
) -> Result<ChargeOutcome, StorageError> {
    let existing = tx.query(
        "SELECT invoice_id FROM billing_charges WHERE mission_id = $1",
        &[(&facts.mission_id).into()],
    )?;
    if let Some(r) = existing.first() {
        let invoice_id = text(r, 0)?;
        return summary_of_tx(tx, &invoice_id)?
            .map(ChargeOutcome::AlreadyCharged)
            .ok_or_else(|| StorageError::Corrupt(format!("facture {invoice_id} absente")));
    }
    let Some(tariff) = tariff_in_force_tx(tx, facts.at_ms)? else {
        tracing::warn!(mission = %facts.mission_id, "no tariff grid in force: contact not charged");
        return Ok(ChargeOutcome::NoTariff);
    };
    let (lines, totals) = tariff
        .price(&facts.shifts)
        .map_err(|e| billing_storage_error(&e))?;
    let customer = customer_tx(tx, &facts.facility_id)?;
    let doctor = doctor_name_tx(tx, &facts.doctor_id)?;
    let first = facts.shifts.iter().map(|(_, i)| i.start()).min();
    let last = facts.shifts.iter().map(|(_, i)| i.end()).max();
    let period = match (first, last) {
        (Some(a), Some(b)) => Interval::new(a, b)
            .map(|i| french_period(i, facts.zone))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let subject = format!(
        "Mise en relation avec {doctor} (mission {}), {period}, {} créneau(x). Déverrouillage du {}.",
        facts.mission_id,
        facts.shifts.len(),
        french_date(
            DateTime::<Utc>::from_timestamp_millis(facts.at_ms).unwrap_or_default(),
            BILLING_ZONE
        )
    );
    let summary = insert_invoice_tx(
        tx,
        &NewInvoice {
            kind: "invoice",
            facility_id: &facts.facility_id,
            doctor_id: &facts.doctor_id,
            mission_id: &facts.mission_id,
            at_ms: facts.at_ms,
            vat_bps: tariff.vat_bps,
            totals,
            customer: &customer,
            subject: &subject,
            lines: &lines,
            cancels_id: None,
        },
    )?;
    tx.execute(
        "INSERT INTO billing_charges (mission_id, facility_id, doctor_id, tariff_id, at_ms, ht_cents, \
         vat_cents, ttc_cents, invoice_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            (&facts.mission_id).into(),
            (&facts.facility_id).into(),
            (&facts.doctor_id).into(),
            (&tariff.id).into(),
            facts.at_ms.into(),
            totals.ht_cents.into(),
            totals.vat_cents.into(),
            totals.ttc_cents.into(),
            (&summary.invoice_id).into(),
        ],
    )?;
    Ok(ChargeOutcome::Charged(summary))
}

/// The cancellation hook: a mission cancelled before its start gets a credit note (*avoir*) for its
/// whole invoice, numbered in the same gapless sequence, inside the caller's write transaction.
/// Idempotent per mission.
pub fn credit_cancellation_tx(
    tx: &mut dyn Tx,
    facts: &CancellationFacts,
) -> Result<CreditOutcome, StorageError> {
    let rows = tx.query(
        "SELECT facility_id, doctor_id, invoice_id, credit_note_id FROM billing_charges \
         WHERE mission_id = $1",
        &[(&facts.mission_id).into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(CreditOutcome::NotCharged);
    };
    let (facility_id, doctor_id, invoice_id) = (text(r, 0)?, text(r, 1)?, text(r, 2)?);
    if let Some(credit) = opt_text(r, 3)? {
        return summary_of_tx(tx, &credit)?
            .map(CreditOutcome::AlreadyCredited)
            .ok_or_else(|| StorageError::Corrupt(format!("avoir {credit} absent")));
    }
    if facts.at_ms >= facts.mission_start_ms {
        return Ok(CreditOutcome::Started);
    }
    let invoice = invoice_tx(tx, &invoice_id)?
        .ok_or_else(|| StorageError::Corrupt(format!("facture {invoice_id} absente")))?;
    let subject = format!(
        "Annulation de la mission {} avant son début : avoir de la facture {}.",
        facts.mission_id, invoice.number
    );
    let summary = insert_invoice_tx(
        tx,
        &NewInvoice {
            kind: "credit_note",
            facility_id: &facility_id,
            doctor_id: &doctor_id,
            mission_id: &facts.mission_id,
            at_ms: facts.at_ms,
            vat_bps: invoice.vat_bps,
            totals: invoice.totals,
            customer: &invoice.customer,
            subject: &subject,
            lines: &invoice.lines,
            cancels_id: Some(&invoice_id),
        },
    )?;
    tx.execute(
        "UPDATE billing_charges SET credit_note_id = $1, cancelled_ms = $2 WHERE mission_id = $3",
        &[
            (&summary.invoice_id).into(),
            facts.at_ms.into(),
            (&facts.mission_id).into(),
        ],
    )?;
    Ok(CreditOutcome::Credited(summary))
}

pub(crate) const INVOICE_COLUMNS: &str = "id, number, year, seq, kind, facility_id, doctor_id, mission_id, \
     issued_ms, vat_bps, ht_cents, vat_cents, ttc_cents, customer, subject, lines, cancels_id";

pub(crate) fn invoice_from(r: &Row) -> Result<Invoice, StorageError> {
    Ok(Invoice {
        id: text(r, 0)?,
        number: text(r, 1)?,
        year: int(r, 2)?,
        seq: int(r, 3)?,
        kind: text(r, 4)?,
        facility_id: text(r, 5)?,
        doctor_id: text(r, 6)?,
        mission_id: text(r, 7)?,
        issued_ms: int(r, 8)?,
        vat_bps: int(r, 9)?,
        totals: Totals {
            ht_cents: int(r, 10)?,
            vat_cents: int(r, 11)?,
            ttc_cents: int(r, 12)?,
        },
        customer: json(r, 13)?,
        subject: text(r, 14)?,
        lines: json(r, 15)?,
        cancels_id: opt_text(r, 16)?,
    })
}

pub(crate) fn invoice_tx(tx: &mut dyn Tx, id: &str) -> Result<Option<Invoice>, StorageError> {
    let rows = tx.query(
        &format!("SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE id = $1"),
        &[id.into()],
    )?;
    rows.first().map(invoice_from).transpose()
}

impl Storage {
    /// Stores a tariff grid (replacing one with the same start date) and audits the change, in one
    /// transaction.
    pub async fn put_tariff(&self, tariff: Tariff, device_id: String) -> Result<(), StorageError> {
        self.write(move |tx| {
            let old = tx.query(
                &format!("SELECT {TARIFF_COLUMNS} FROM billing_tariffs WHERE valid_from = $1"),
                &[(&tariff.valid_from).into()],
            )?;
            let old = old.first().map(tariff_from).transpose()?;
            tx.execute(
                "DELETE FROM billing_tariffs WHERE valid_from = $1",
                &[(&tariff.valid_from).into()],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO billing_tariffs ({TARIFF_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ),
                &[
                    (&tariff.id).into(),
                    (&tariff.valid_from).into(),
                    tariff.day_cents.into(),
                    tariff.night_cents.into(),
                    tariff.garde_day_cents.into(),
                    tariff.garde_night_cents.into(),
                    tariff.astreinte_cents.into(),
                    tariff.vat_bps.into(),
                    tariff.created_ms.into(),
                    (&tariff.created_by).into(),
                ],
            )?;
            audit::record_tx(
                tx,
                &AuditEntry {
                    at_ms: tariff.created_ms,
                    account_id: Some(tariff.created_by.clone()),
                    device_id: Some(device_id),
                    action: if old.is_some() {
                        "tariff_replaced".into()
                    } else {
                        "tariff_set".into()
                    },
                    entity: "tariff".into(),
                    entity_id: tariff.id.clone(),
                    facility_id: None,
                    doctor_id: None,
                    detail: to_json(&json!({"old": old, "new": tariff}))?,
                },
            )
        })
        .await
    }

    /// Every tariff grid, oldest first.
    pub async fn tariffs(&self) -> Result<Vec<Tariff>, StorageError> {
        self.read(|tx| {
            tx.query(
                &format!("SELECT {TARIFF_COLUMNS} FROM billing_tariffs ORDER BY valid_from"),
                &[],
            )?
            .iter()
            .map(tariff_from)
            .collect()
        })
        .await
    }

    /// [`charge_unlock_tx`] in its own transaction (tests, tools; the workflow calls the `_tx` form
    /// inside its acceptance).
    pub async fn charge_unlock(&self, facts: UnlockFacts) -> Result<ChargeOutcome, StorageError> {
        self.write(move |tx| charge_unlock_tx(tx, &facts)).await
    }

    /// [`credit_cancellation_tx`] in its own transaction.
    pub async fn credit_cancellation(
        &self,
        facts: CancellationFacts,
    ) -> Result<CreditOutcome, StorageError> {
        self.write(move |tx| credit_cancellation_tx(tx, &facts))
            .await
    }

    /// One invoice or credit note.
    pub async fn invoice(&self, id: String) -> Result<Option<Invoice>, StorageError> {
        self.read(move |tx| invoice_tx(tx, &id)).await
    }

    /// A facility's invoices and credit notes, by number.
    pub async fn facility_invoices(
        &self,
        facility_id: String,
    ) -> Result<Vec<Invoice>, StorageError> {
        self.read(move |tx| {
            tx.query(
                &format!(
                    "SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE facility_id = $1 \
                     ORDER BY year, seq"
                ),
                &[facility_id.into()],
            )?
            .iter()
            .map(invoice_from)
            .collect()
        })
        .await
    }

    /// Every invoice and credit note of `year`, by number (the staff's sales journal).
    pub async fn invoices_of_year(&self, year: i64) -> Result<Vec<Invoice>, StorageError> {
        self.read(move |tx| {
            tx.query(
                &format!(
                    "SELECT {INVOICE_COLUMNS} FROM billing_invoices WHERE year = $1 ORDER BY seq"
                ),
                &[year.into()],
            )?
            .iter()
            .map(invoice_from)
            .collect()
        })
        .await
    }

    /// Every invoice number of `year`, in order (checks of the gapless sequence).
    pub async fn invoice_numbers(&self, year: i64) -> Result<Vec<(i64, String)>, StorageError> {
        self.read(move |tx| {
            tx.query(
                "SELECT seq, number FROM billing_invoices WHERE year = $1 ORDER BY seq",
                &[year.into()],
            )?
            .iter()
            .map(|r| Ok((int(r, 0)?, text(r, 1)?)))
            .collect()
        })
        .await
    }

    /// A facility's charges unlocked in `[from_ms, to_ms)`, oldest first.
    pub async fn facility_charges(
        &self,
        facility_id: String,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<ChargeLine>, StorageError> {
        self.read(move |tx| {
            tx.query(
                "SELECT c.mission_id, c.doctor_id, c.at_ms, c.ht_cents, c.vat_cents, c.ttc_cents, \
                 i.number, n.number, c.cancelled_ms FROM billing_charges c \
                 JOIN billing_invoices i ON i.id = c.invoice_id \
                 LEFT JOIN billing_invoices n ON n.id = c.credit_note_id \
                 WHERE c.facility_id = $1 AND c.at_ms >= $2 AND c.at_ms < $3 \
                 ORDER BY c.at_ms, i.seq",
                &[facility_id.into(), from_ms.into(), to_ms.into()],
            )?
            .iter()
            .map(|r| {
                Ok(ChargeLine {
                    mission_id: text(r, 0)?,
                    doctor_id: text(r, 1)?,
                    at_ms: int(r, 2)?,
                    totals: Totals {
                        ht_cents: int(r, 3)?,
                        vat_cents: int(r, 4)?,
                        ttc_cents: int(r, 5)?,
                    },
                    invoice_number: text(r, 6)?,
                    credit_note_number: opt_text(r, 7)?,
                    cancelled_ms: opt_int(r, 8)?,
                })
            })
            .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use rempla_core::api::ErrorCode;
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone as _};
    use rempla_core::calendar::ShiftKind;

    use super::super::amount::{self, Unit};
    use super::super::model::start_of_day_ms;
    use super::*;
    use crate::db::sqlite::SqliteBackend;

    pub(crate) fn grid() -> Tariff {
        Tariff {
            id: "t1".into(),
            valid_from: "2026-01-01".into(),
            day_cents: 10_001,
            night_cents: 20_000,
            garde_day_cents: 30_000,
            garde_night_cents: 40_000,
            astreinte_cents: 5_000,
            vat_bps: 2_000,
            created_ms: 0,
            created_by: "staff".into(),
        }
    }

    pub(crate) fn shift(kind: ShiftKind) -> (ShiftKind, Interval) {
        let start = Utc.with_ymd_and_hms(2027, 3, 1, 7, 0, 0).unwrap();
        (
            kind,
            Interval::new(start, start + chrono::Duration::hours(12)).unwrap(),
        )
    }

    #[test]
    pub(crate) fn every_kind_is_priced_at_its_column() {
        let shifts: Vec<_> = ShiftKind::ALL.into_iter().map(shift).collect();
        let (lines, totals) = grid().price(&shifts).unwrap();
        let got: Vec<(String, i64, i64)> = lines
            .iter()
            .map(|l| (l.label.clone(), l.quantity, l.unit_cents))
            .collect();
        assert_eq!(
            got,
            [
                (Unit::Day.label().to_owned(), 2, 10_001),
                (Unit::HalfDay.label().to_owned(), 2, 5_001),
                (Unit::Night.label().to_owned(), 1, 20_000),
                (Unit::GardeDay.label().to_owned(), 1, 30_000),
                (Unit::GardeNight.label().to_owned(), 1, 40_000),
                (Unit::Astreinte.label().to_owned(), 1, 5_000),
            ]
        );
        assert_eq!(totals.ht_cents, 2 * 10_001 + 2 * 5_001 + 95_000);
        assert_eq!(totals.ttc_cents, totals.ht_cents + totals.vat_cents);
        assert_eq!(grid().price(&[]).unwrap_err().code(), ErrorCode::NoShifts);
        let mut bad = grid();
        bad.night_cents = -1;
        assert_eq!(bad.check().unwrap_err().code(), ErrorCode::NegativeAmount);
        bad = grid();
        bad.valid_from = "2026-1-1".into();
        assert_eq!(bad.check().unwrap_err().code(), ErrorCode::InvalidDate);
    }

    proptest::proptest! {
        /// Any valid grid and any mix of shifts: lines add up to HT, TTC = HT + VAT, nothing negative,
        /// each line is quantity × unit price.
        #[test]
        fn prices_add_up(
            units in proptest::array::uniform5(0_i64..=amount::MAX_UNIT_CENTS),
            vat_bps in 0_i64..=amount::MAX_VAT_BPS,
            kinds in proptest::collection::vec(0_usize..ShiftKind::ALL.len(), 1..200),
        ) {
            let tariff = Tariff {
                day_cents: units[0],
                night_cents: units[1],
                garde_day_cents: units[2],
                garde_night_cents: units[3],
                astreinte_cents: units[4],
                vat_bps,
                ..grid()
            };
            proptest::prop_assert!(tariff.check().is_ok());
            let shifts: Vec<_> = kinds.iter().map(|&k| shift(ShiftKind::ALL[k])).collect();
            let (lines, totals) = tariff.price(&shifts).unwrap();
            let count: i64 = lines.iter().map(|l| l.quantity).sum();
            proptest::prop_assert_eq!(count, i64::try_from(shifts.len()).unwrap());
            for l in &lines {
                proptest::prop_assert!(l.unit_cents >= 0 && l.total_cents >= 0);
                proptest::prop_assert_eq!(l.total_cents, l.quantity * l.unit_cents);
            }
            proptest::prop_assert_eq!(totals.ht_cents, lines.iter().map(|l| l.total_cents).sum::<i64>());
            proptest::prop_assert_eq!(totals.ttc_cents, totals.ht_cents + totals.vat_cents);
            proptest::prop_assert!(totals.vat_cents >= 0);
        }
    }

    #[test]
    pub(crate) fn paris_dates_decide_years_and_days() {
        // 31 December 2026 23:30 UTC is already 1 January 2027 in Paris.
        let ms = Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 30, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(billing_date(ms).to_string(), "2027-01-01");
        let day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(start_of_day_ms(day) <= ms);
        assert_eq!(
            start_of_day_ms(day),
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0)
                .unwrap()
                .timestamp_millis()
        );
    }

    /// A rolled-back acceptance gives its number back: the next invoice takes it, so no gap appears.
    #[tokio::test]
    async fn a_rolled_back_unlock_leaves_no_gap() {
        let dir = tempfile::tempdir().unwrap();
        let backend = SqliteBackend::open(dir.path().join("b.sqlite3")).unwrap();
        let storage = crate::storage_on(Arc::new(backend)).await.unwrap();
        storage.put_tariff(grid(), "dev".into()).await.unwrap();
        let at_ms = Utc
            .with_ymd_and_hms(2027, 3, 1, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        let facts = |m: &str| UnlockFacts {
            mission_id: m.into(),
            facility_id: "f".into(),
            doctor_id: "d".into(),
            shifts: vec![shift(ShiftKind::Day)],
            zone: BILLING_ZONE,
            at_ms,
        };
        let failed = facts("m1");
        let err = storage
            .write(move |tx| {
                let outcome = charge_unlock_tx(tx, &failed)?;
                assert!(
                    matches!(outcome, ChargeOutcome::Charged(ref s) if s.number == "2027-000001")
                );
                // The acceptance fails after the charge (e.g. its mission insert): everything rolls back.
                Err::<(), _>(StorageError::Database("échec simulé".into()))
            })
            .await;
        assert!(err.is_err());
        let ChargeOutcome::Charged(s) = storage.charge_unlock(facts("m2")).await.unwrap() else {
            panic!("not charged")
        };
        assert_eq!(s.number, "2027-000001");
        // The failed mission was not charged either: charging it now takes the next number.
        let ChargeOutcome::Charged(s) = storage.charge_unlock(facts("m1")).await.unwrap() else {
            panic!("not charged")
        };
        assert_eq!(s.number, "2027-000002");
        assert!(storage.invoice(s.invoice_id).await.unwrap().is_some());
    }
}
