//! `rempla deadline --sent RFC3339 --department CODE [--business-days N]`.

use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat};
use rempla_core::calendar::business_days::answer_deadline;
use rempla_core::calendar::territory::Department;

use crate::failure::Failure;

/// Prints the answer deadline as RFC 3339 with the site's local offset.
pub fn compute(
    sent: &str,
    department: &str,
    business_days: u32,
    json: bool,
) -> Result<ExitCode, Failure> {
    let dept = Department::parse(department)?;
    let sent = DateTime::parse_from_rfc3339(sent.trim())
        .map_err(|e| Failure::rejected("invalid_datetime", format!("date d'envoi « {sent} » illisible ({e}) ; format attendu : 2027-04-30T16:00:00+02:00")))?
        .to_utc();
    let deadline = answer_deadline(sent, &dept, business_days)?;
    let text = deadline.to_rfc3339_opts(SecondsFormat::Secs, false);
    if json {
        println!(
            "{}",
            serde_json::json!({ "deadline": text, "time_zone": dept.time_zone().name(), "business_days": business_days })
        );
    } else {
        println!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}
