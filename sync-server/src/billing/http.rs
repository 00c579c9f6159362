//! Billing endpoints (`docs/api/billing.md`): the tariff grid (staff sets it, everyone signed in reads
//! it), invoices as JSON or PDF, and a facility's statement of charges as JSON or CSV. Invoices and
//! charges are visible to staff and to the facility's members holding the billing right, never to
//! another facility nor to doctors.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use rempla_core::api::billing::{
    Amounts, ChargeStatement, ChargeTotals, InvoiceList, SalesJournal, TariffInput, Tariffs,
};
use serde::Deserialize;

use super::error::BillingError;
use super::model::{
    ChargeLine, Invoice, Tariff, TariffRules, billing_date, parse_date, start_of_day_ms,
};
use crate::auth::{Authed, Caller};
use crate::authz::{self, Action};
use crate::http::error::AppError;
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::pdf::contract::french_date;
use crate::pdf::invoice::{self, InvoiceFacts};

/// The billing routes, merged into the router by `crate::areas`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/staff/tariffs", put(put_tariff))
        .route("/v1/staff/invoices", get(staff_invoices))
        .route("/v1/tariffs", get(tariffs))
        .route("/v1/invoices/{file}", get(invoice))
        .route("/v1/facilities/{id}/invoices", get(facility_invoices))
        .route("/v1/facilities/{id}/charges", get(facility_charges))
}

/// `PUT /v1/staff/tariffs`: staff set the grid that applies from a date (audited).
pub async fn put_tariff(
    State(state): State<AppState>,
    Authed(caller): Authed,
    JsonBody(input): JsonBody<TariffInput>,
) -> Result<Json<Tariff>, AppError> {
    check_staff(&caller)?;
    let now = state.clock.now_ms();
    let tariff = Tariff {
        id: uuid::Uuid::now_v7().to_string(),
        valid_from: input.valid_from,
        day_cents: input.day_cents,
        night_cents: input.night_cents,
        garde_day_cents: input.garde_day_cents,
        garde_night_cents: input.garde_night_cents,
        astreinte_cents: input.astreinte_cents,
        vat_bps: input.vat_bps,
        created_ms: now,
        created_by: caller.account.id.clone(),
    };
    tariff.check()?;
    if parse_date(&tariff.valid_from)? < billing_date(now) {
        return Err(BillingError::TariffRetroactive(tariff.valid_from).into());
    }
    state
        .storage
        .put_tariff(tariff.clone(), caller.device_id.clone())
        .await?;
    Ok(Json(tariff))
}

/// `GET /v1/tariffs`: the grid in force today and every grid (past and planned).
pub async fn tariffs(
    State(state): State<AppState>,
    Authed(_caller): Authed,
) -> Result<Json<Tariffs>, AppError> {
    let all = state.storage.tariffs().await?;
    let today = billing_date(state.clock.now_ms())
        .format("%Y-%m-%d")
        .to_string();
    let current = all.iter().rev().find(|t| t.valid_from <= today).cloned();
    Ok(Json(Tariffs {
        current,
        tariffs: all,
    }))
}

/// Whether `caller` may see `facility_id`'s billing: staff, or a member with the billing right. Another
/// facility's billing does not exist for the caller (404); a member without the right is refused (403).
fn check_billing(caller: &Caller, facility_id: &str) -> Result<(), AppError> {
    if authz::allowed(caller, Action::ReadBilling(facility_id)) {
        Ok(())
    } else if caller.member_of(facility_id).is_some() {
        Err(AppError::Forbidden(
            "droit « facturation » requis dans cet établissement".into(),
        ))
    } else {
        Err(AppError::NotFound)
    }
}

fn check_staff(caller: &Caller) -> Result<(), AppError> {
    if authz::allowed(caller, Action::ManageBilling) {
        Ok(())
    } else {
        Err(AppError::Forbidden("réservé à l'équipe Rempla".into()))
    }
}

/// The PDF facts of a stored invoice, with the configured issuer.
pub fn invoice_facts(state: &AppState, inv: &Invoice, cancels: Option<String>) -> InvoiceFacts {
    InvoiceFacts {
        credit_note: inv.kind == "credit_note",
        number: inv.number.clone(),
        issued_on: french_date(
            chrono::DateTime::<chrono::Utc>::from_timestamp_millis(inv.issued_ms)
                .unwrap_or_default(),
            super::BILLING_ZONE,
        ),
        cancels,
        issuer: state.config.billing_issuer.clone(),
        customer: inv.customer.clone(),
        subject: inv.subject.clone(),
        lines: inv.lines.clone(),
        ht_cents: inv.totals.ht_cents,
        vat_bps: inv.vat_bps,
        vat_cents: inv.totals.vat_cents,
        ttc_cents: inv.totals.ttc_cents,
    }
}

/// `GET /v1/invoices/{id}` (JSON) and `GET /v1/invoices/{id}.pdf` (the PDF).
pub async fn invoice(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let (id, pdf) = match file.strip_suffix(".pdf") {
        Some(id) => (id.to_owned(), true),
        None => (file, false),
    };
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound);
    }
    let inv = state.storage.invoice(id).await?.ok_or(AppError::NotFound)?;
    check_billing(&caller, &inv.facility_id)?;
    if !pdf {
        return Ok(Json(inv).into_response());
    }
    let cancels = match &inv.cancels_id {
        Some(c) => state.storage.invoice(c.clone()).await?.map(|i| i.number),
        None => None,
    };
    let facts = invoice_facts(&state, &inv, cancels);
    let bytes = tokio::task::spawn_blocking(move || invoice::render(&facts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("{} [{}]", e, e.code())))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"{}-{}.pdf\"",
        if inv.kind == "credit_note" {
            "avoir"
        } else {
            "facture"
        },
        inv.number
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Query of `GET /v1/staff/invoices`.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    /// Numbering year; the current one (Europe/Paris) when absent.
    pub year: Option<i64>,
}

/// `GET /v1/staff/invoices?year=`: the sales journal of a year for staff, every invoice and credit note
/// in number order, with a check that the sequence has no gap.
pub async fn staff_invoices(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<SalesJournal>, AppError> {
    check_staff(&caller)?;
    let year = q
        .year
        .unwrap_or_else(|| i64::from(chrono::Datelike::year(&billing_date(state.clock.now_ms()))));
    let invoices = state.storage.invoices_of_year(year).await?;
    let gapless = invoices
        .iter()
        .zip(1_i64..)
        .all(|(inv, expected)| inv.seq == expected);
    Ok(Json(SalesJournal {
        year,
        count: invoices.len(),
        gapless,
        invoices,
    }))
}

/// `GET /v1/facilities/{id}/invoices`: the facility's invoices and credit notes, by number.
pub async fn facility_invoices(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<InvoiceList>, AppError> {
    check_billing(&caller, &id)?;
    let invoices = state.storage.facility_invoices(id).await?;
    Ok(Json(InvoiceList { invoices }))
}

/// Query of `GET /v1/facilities/{id}/charges`.
#[derive(Debug, Deserialize)]
pub struct StatementQuery {
    /// First day included (Europe/Paris), `AAAA-MM-JJ`.
    pub from: Option<String>,
    /// Last day included.
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Totals of a statement: charged, credited, and net, in cents.
fn statement_totals(lines: &[ChargeLine]) -> Result<ChargeTotals, BillingError> {
    let charged = |f: fn(&ChargeLine) -> i64| super::amount::sum(lines.iter().map(f));
    let credited = |f: fn(&ChargeLine) -> i64| {
        super::amount::sum(
            lines
                .iter()
                .filter(|l| l.credit_note_number.is_some())
                .map(f),
        )
    };
    let ht = charged(|l| l.totals.ht_cents)?;
    let vat = charged(|l| l.totals.vat_cents)?;
    let ttc = charged(|l| l.totals.ttc_cents)?;
    let ht_c = credited(|l| l.totals.ht_cents)?;
    let vat_c = credited(|l| l.totals.vat_cents)?;
    let ttc_c = credited(|l| l.totals.ttc_cents)?;
    Ok(ChargeTotals {
        charged: Amounts {
            ht_cents: ht,
            vat_cents: vat,
            ttc_cents: ttc,
        },
        credited: Amounts {
            ht_cents: ht_c,
            vat_cents: vat_c,
            ttc_cents: ttc_c,
        },
        net: Amounts {
            ht_cents: ht - ht_c,
            vat_cents: vat - vat_c,
            ttc_cents: ttc - ttc_c,
        },
    })
}

/// One CSV field: quoted when needed, and defused against formula injection (a doctor's name is user
/// input and the file is opened in spreadsheets). Hand-written: five lines do not justify a crate.
fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Cents as a French decimal without the currency sign (`1234,56`), for spreadsheets.
fn csv_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

fn statement_csv(lines: &[ChargeLine]) -> String {
    let mut out = String::from(
        "date;facture;mission;medecin;montant_ht;tva;montant_ttc;avoir;annulation\r\n",
    );
    for l in lines {
        let date = billing_date(l.at_ms).format("%Y-%m-%d").to_string();
        let cancelled = l
            .cancelled_ms
            .map(|ms| billing_date(ms).format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let fields = [
            date,
            l.invoice_number.clone(),
            l.mission_id.clone(),
            l.doctor_id.clone(),
            csv_amount(l.totals.ht_cents),
            csv_amount(l.totals.vat_cents),
            csv_amount(l.totals.ttc_cents),
            l.credit_note_number.clone().unwrap_or_default(),
            cancelled,
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// `GET /v1/facilities/{id}/charges?from=&to=&format=`: the statement of charges of a period.
pub async fn facility_charges(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Query(q): Query<StatementQuery>,
) -> Result<Response, AppError> {
    check_billing(&caller, &id)?;
    let from = q.from.as_deref().map(parse_date).transpose()?;
    let to = q.to.as_deref().map(parse_date).transpose()?;
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(BillingError::InvalidPeriod.into());
    }
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(BillingError::InvalidFormat(other.chars().take(20).collect()).into());
        }
    };
    let from_ms = from.map_or(i64::MIN, start_of_day_ms);
    let to_ms = to
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, start_of_day_ms);
    let lines = state
        .storage
        .facility_charges(id.clone(), from_ms, to_ms)
        .await?;
    if csv {
        let mut response = statement_csv(&lines).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"releve-{}.csv\"",
            id.chars().take(36).collect::<String>()
        )) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(response);
    }
    let totals = statement_totals(&lines)?;
    Ok(Json(ChargeStatement {
        facility_id: id,
        from: q.from,
        to: q.to,
        charges: lines,
        totals,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("simple"), "simple");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("dit \"x\""), "\"dit \"\"x\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-1;2"), "\"'-1;2\"");
        assert_eq!(csv_amount(123_456), "1234,56");
        assert_eq!(csv_amount(-5), "-0,05");
    }
}
