//! `rempla holidays YEAR --department CODE`.

use std::process::ExitCode;

use rempla_core::calendar::holidays::public_holidays;
use rempla_core::calendar::territory::Department;

use crate::failure::Failure;

/// Prints the public holidays of one year in one département, one per line: `YYYY-MM-DD name`.
pub fn list(year: i32, department: &str, json: bool) -> Result<ExitCode, Failure> {
    let dept = Department::parse(department)?;
    let days = public_holidays(year, &dept)?;
    if json {
        let rows: Vec<_> = days
            .iter()
            .map(|h| serde_json::json!({ "date": h.date.to_string(), "name": h.name }))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for h in &days {
            println!("{} {}", h.date, h.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
