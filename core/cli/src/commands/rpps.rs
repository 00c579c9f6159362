//! `rempla rpps check`.

use std::process::ExitCode;

use rempla_core::domain::Rpps;

use crate::failure::Failure;

/// Checks one number: prints why it is valid or not; exit status 0 or 1.
pub fn check(number: &str, json: bool) -> Result<ExitCode, Failure> {
    match Rpps::parse(number) {
        Ok(rpps) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "valid": true, "rpps": rpps.as_str(), "national_id": rpps.national_id() })
                );
            } else {
                println!(
                    "{rpps} : numéro RPPS valide (identifiant national {})",
                    rpps.national_id()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "valid": false, "code": e.code(), "reason": e.to_string() })
                );
                Ok(ExitCode::from(1))
            } else {
                Err(e.into())
            }
        }
    }
}
