//! The rows of one facility (tenant) for the restitution export.

use crate::db::{Row, Storage, StorageError, Val};

impl Storage {
    /// Every row of one facility (tenant): `(table, columns, rows)` for the restitution export.
    /// Password hashes and tokens are left out: they are secrets, not the tenant's data.
    pub async fn tenant_rows(
        &self,
        facility_id: &str,
    ) -> Result<Vec<(&'static str, Vec<&'static str>, Vec<Row>)>, StorageError> {
        let f = facility_id.to_owned();
        self.read(move |tx| {
            let p = || vec![Val::from(&f)];
            let out = vec![
                (
                "facilities",
                vec!["id", "record"],
                tx.query("SELECT id, record FROM facilities WHERE id = $1", &p())?,
            ),
                (
                "sites",
                vec!["id", "facility_id", "record"],
                tx.query("SELECT id, facility_id, record FROM sites WHERE facility_id = $1", &p())?,
            ),
                (
                "members",
                vec!["id", "facility_id", "account_id", "record"],
                tx.query(
                    "SELECT id, facility_id, account_id, record FROM members WHERE facility_id = $1",
                    &p(),
                )?,
            ),
                (
                "accounts",
                vec!["id", "email", "kind", "display_name", "activated", "created_ms"],
                tx.query(
                    "SELECT id, email, kind, display_name, activated, created_ms FROM accounts \
                     WHERE id IN (SELECT account_id FROM members WHERE facility_id = $1)",
                    &p(),
                )?,
            ),
                (
                "terms_acceptances",
                vec!["account_id", "device_id", "version", "sha256", "accepted_ms"],
                tx.query(
                    "SELECT account_id, device_id, version, sha256, accepted_ms FROM terms_acceptances \
                     WHERE account_id IN (SELECT account_id FROM members WHERE facility_id = $1)",
                    &p(),
                )?,
            ),
                (
                "billing_invoices",
                vec![
                    "id", "number", "year", "seq", "kind", "facility_id", "doctor_id", "mission_id",
                    "issued_ms", "ht_cents", "vat_bps", "vat_cents", "ttc_cents", "customer",
                    "subject", "lines", "cancels_id",
                ],
                tx.query(
                    "SELECT id, number, year, seq, kind, facility_id, doctor_id, mission_id, issued_ms, \
                     ht_cents, vat_bps, vat_cents, ttc_cents, customer, subject, lines, cancels_id \
                     FROM billing_invoices WHERE facility_id = $1 ORDER BY year, seq",
                    &p(),
                )?,
            ),
                (
                "billing_charges",
                vec![
                    "mission_id", "facility_id", "doctor_id", "tariff_id", "at_ms", "ht_cents",
                    "vat_cents", "ttc_cents", "invoice_id", "credit_note_id", "cancelled_ms",
                ],
                tx.query(
                    "SELECT mission_id, facility_id, doctor_id, tariff_id, at_ms, ht_cents, vat_cents, \
                     ttc_cents, invoice_id, credit_note_id, cancelled_ms FROM billing_charges \
                     WHERE facility_id = $1 ORDER BY at_ms",
                    &p(),
                )?,
            ),
                (
                "records",
                vec!["entity", "id", "facility_id", "state", "hlc", "seq"],
                tx.query(
                    "SELECT entity, id, facility_id, state, hlc, seq FROM records WHERE facility_id = $1",
                    &p(),
                )?,
            ),
            ];
            Ok(out)
        })
        .await
    }
}
