//! Invoices and credit notes (*factures* and *avoirs*) as PDF, with the mentions French law requires
//! of an invoice (article L. 441-9 of the code de commerce, article 242 nonies A of annexe II of the CGI):
//! issuer and customer identity, number and date, each line with quantity and unit price HT, the VAT
//! rate and amount, totals HT and TTC, payment terms and late-payment penalties.

use serde::{Deserialize, Serialize};

use super::{Layout, PdfError, format_eur};

/// Who issues the invoice (the platform operator); set in the server configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Issuer {
    /// Legal name and form.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// SIRET.
    pub siret: String,
    /// Intra-community VAT number.
    pub vat_number: String,
}

impl Default for Issuer {
    /// The operator's identity until the configuration gives the real one.
    fn default() -> Self {
        Self {
            name: "Rempla SAS".into(),
            address: "Adresse du siège à configurer ([billing_issuer])".into(),
            siret: "à configurer".into(),
            vat_number: "à configurer".into(),
        }
    }
}

/// The customer and the invoice lines are the wire types, one definition for the server and the clients.
pub use rempla_core::api::billing::{Customer, InvoiceLine};

/// Everything an invoice or credit note shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    /// `facture` or `avoir`.
    pub credit_note: bool,
    /// Gapless number, `2026-000042`.
    pub number: String,
    /// Issue date, already in French (`lundi 1 mars 2027`).
    pub issued_on: String,
    /// For a credit note, the number of the invoice it cancels.
    pub cancels: Option<String>,
    /// Issuer.
    pub issuer: Issuer,
    /// Customer.
    pub customer: Customer,
    /// What was delivered (the unlocked contact: mission, doctor, dates).
    pub subject: String,
    /// Lines.
    pub lines: Vec<InvoiceLine>,
    /// Total excluding VAT, cents.
    pub ht_cents: i64,
    /// VAT rate, basis points (2 000 = 20 %).
    pub vat_bps: i64,
    /// VAT, cents.
    pub vat_cents: i64,
    /// Total including VAT, cents.
    pub ttc_cents: i64,
}

/// `2000` basis points → `20 %`, `550` → `5,5 %`.
pub fn format_rate(bps: i64) -> String {
    let whole = bps / 100;
    let frac = bps % 100;
    if frac == 0 {
        format!("{whole}\u{a0}%")
    } else if frac % 10 == 0 {
        format!("{whole},{}\u{a0}%", frac / 10)
    } else {
        format!("{whole},{frac:02}\u{a0}%")
    }
}

/// Renders an invoice or credit note.
pub fn render(facts: &InvoiceFacts) -> Result<Vec<u8>, PdfError> {
    let sum: i64 = facts.lines.iter().map(|l| l.total_cents).sum();
    if sum != facts.ht_cents || facts.ht_cents + facts.vat_cents != facts.ttc_cents {
        return Err(PdfError::Facts("totaux incohérents".into()));
    }
    let kind = if facts.credit_note {
        "AVOIR"
    } else {
        "FACTURE"
    };
    let mut l = Layout::new();
    l.row(
        &facts.issuer.name,
        &format!("{kind} n° {}", facts.number),
        12.0,
        true,
    );
    l.row(&facts.issuer.address, &facts.issued_on, 9.0, false);
    l.para(
        &format!(
            "SIRET {} — TVA intracommunautaire {}",
            facts.issuer.siret, facts.issuer.vat_number
        ),
        9.0,
    );
    if let Some(cancelled) = &facts.cancels {
        l.space(4.0);
        l.bold(&format!("Avoir annulant la facture n° {cancelled}"), 10.0);
    }
    l.space(12.0);
    l.bold("Client", 10.0);
    l.para(&facts.customer.name, 10.0);
    if let Some(address) = &facts.customer.address {
        l.para(address, 10.0);
    }
    if let Some(siret) = &facts.customer.siret {
        l.para(&format!("SIRET {siret}"), 10.0);
    }
    l.space(12.0);
    l.para(&facts.subject, 10.0);
    l.space(6.0);
    l.row("Désignation", "Montant HT", 10.0, true);
    l.rule();
    for line in &facts.lines {
        l.row(
            &format!(
                "{} — {} × {}",
                line.label,
                line.quantity,
                format_eur(line.unit_cents)
            ),
            &format_eur(line.total_cents),
            10.0,
            false,
        );
    }
    l.rule();
    l.row("Total HT", &format_eur(facts.ht_cents), 10.0, false);
    l.row(
        &format!("TVA {}", format_rate(facts.vat_bps)),
        &format_eur(facts.vat_cents),
        10.0,
        false,
    );
    l.row("Total TTC", &format_eur(facts.ttc_cents), 11.0, true);
    if facts.vat_bps == 0 {
        l.para("TVA non applicable, article 293 B du CGI.", 8.5);
    }
    l.space(16.0);
    if facts.credit_note {
        l.para(
            "Le montant de cet avoir est déduit des sommes dues ou remboursé sous trente jours.",
            8.5,
        );
    } else {
        l.para(
            "Paiement à trente jours à compter de la date de facture, sans escompte pour paiement \
             anticipé. En cas de retard de paiement : pénalités au taux de trois fois le taux d'intérêt \
             légal et indemnité forfaitaire pour frais de recouvrement de 40 € (articles L. 441-10 et \
             D. 441-5 du code de commerce).",
            8.5,
        );
    }
    l.para(
        "La TVA est calculée sur le total hors taxes et arrondie au centime le plus proche (demi-centime \
         arrondi au centime supérieur).",
        8.5,
    );
    let title = format!(
        "{} {}",
        if facts.credit_note {
            "Avoir"
        } else {
            "Facture"
        },
        facts.number
    );
    l.finish(&title, &format!("{title} — {}", facts.issuer.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_printed_the_french_way() {
        assert_eq!(format_rate(2_000), "20\u{a0}%");
        assert_eq!(format_rate(550), "5,5\u{a0}%");
        assert_eq!(format_rate(210), "2,1\u{a0}%");
        assert_eq!(format_rate(1_005), "10,05\u{a0}%");
        assert_eq!(format_rate(0), "0\u{a0}%");
    }
}

#[cfg(test)]
mod config_tests {
    use crate::config::Config;

    /// The issuer comes from the `[billing_issuer]` table of the server's TOML file; unknown keys are
    /// refused like everywhere in the configuration.
    #[test]
    fn issuer_is_read_from_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rempla.toml");
        std::fs::write(
            &path,
            "[billing_issuer]\nname = \"Rempla SAS\"\naddress = \"1 rue de la Paix, 75002 Paris\"\n\
             siret = \"12345678900011\"\nvat_number = \"FR12345678901\"\n",
        )
        .unwrap();
        let config = Config::from_file(&path).unwrap();
        assert_eq!(config.billing_issuer.vat_number, "FR12345678901");
        assert_eq!(
            config.billing_issuer.address,
            "1 rue de la Paix, 75002 Paris"
        );
        std::fs::write(&path, "[billing_issuer]\nnom = \"x\"\n").unwrap();
        assert!(Config::from_file(&path).is_err());
        assert_eq!(Config::default().billing_issuer.name, "Rempla SAS");
    }
}
