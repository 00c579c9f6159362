//! Parsing of boundary values (text from the apps) into core values, with stable error codes. Only
//! formats live here, no rules.

use chrono::{DateTime, NaiveDate, Utc};
use rempla_core::calendar::territory::Department;

use crate::error::RemplaError;

/// Longest text accepted where a short token (date, zone, id) is expected; echoed back truncated.
const MAX_TOKEN: usize = 64;

fn shorten(text: &str) -> String {
    text.chars().take(MAX_TOKEN).collect()
}

/// A local calendar date, `YYYY-MM-DD`.
pub(crate) fn date(text: &str) -> Result<NaiveDate, RemplaError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        RemplaError::invalid(
            "invalid_date",
            format!("« {} » n'est pas une date AAAA-MM-JJ", shorten(text)),
        )
    })
}

/// An RFC 3339 instant with its offset (`2027-03-01T08:00:00+01:00`), as UTC.
pub(crate) fn instant(text: &str) -> Result<DateTime<Utc>, RemplaError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.to_utc())
        .map_err(|_| {
            RemplaError::invalid(
                "invalid_datetime",
                format!(
                    "« {} » n'est pas un instant RFC 3339 (2027-03-01T08:00:00+01:00)",
                    shorten(text)
                ),
            )
        })
}

/// A département code (`75`, `2A`, `971`).
pub(crate) fn department(text: &str) -> Result<Department, RemplaError> {
    Ok(Department::parse(text)?)
}

/// A typed id from its text.
pub(crate) fn id<T>(text: &str) -> Result<T, RemplaError>
where
    T: std::str::FromStr<Err = rempla_core::domain::ValidationError>,
{
    Ok(text.parse()?)
}

/// A plain UUID (ids of server records without a typed id here, e.g. vault documents).
pub(crate) fn uuid(text: &str) -> Result<uuid::Uuid, RemplaError> {
    uuid::Uuid::try_parse(text.trim()).map_err(|_| {
        RemplaError::invalid(
            "invalid_id",
            format!("« {} » n'est pas un identifiant valide", shorten(text)),
        )
    })
}

/// An instant as RFC 3339 in UTC with a `Z` (what the records carry).
pub(crate) fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An RPPS number, checked (length and Luhn key) as core does everywhere.
pub(crate) fn rpps(text: &str) -> Result<String, RemplaError> {
    Ok(rempla_core::domain::Rpps::parse(text.trim())?
        .as_str()
        .to_owned())
}

/// A server address as the session keeps it (`https://host`, no trailing slash).
pub(crate) fn server(text: &str) -> Result<String, RemplaError> {
    Ok(rempla_client::http::normalize_server_url(text)?)
}
