//! How values become columns and back: JSON columns (decoded without panics, a damaged row named in the
//! error), instants as integer milliseconds, and one small optional-text query helper.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{DbResultExt, Result, StoreError};

/// Decodes a JSON column; a damaged row is an error naming the row, never a panic.
pub(crate) fn decode<T: DeserializeOwned>(table: &'static str, id: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::CorruptRecord {
        table,
        id: id.to_owned(),
        reason: e.to_string(),
    })
}

/// Encodes a record to its JSON column.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database {
        reason: format!("encodage JSON : {e}"),
    })
}

/// Encodes a record to a JSON object, for outbox fields.
pub(crate) fn encode_object<T: Serialize>(
    value: &T,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Database {
            reason: "encodage JSON : objet attendu".to_owned(),
        }),
        Err(e) => Err(StoreError::Database {
            reason: format!("encodage JSON : {e}"),
        }),
    }
}

/// Instants are stored as integer milliseconds since the Unix epoch in indexed columns (the JSON column
/// keeps the exact value).
pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Reads one optional text value (small helper shared by the repositories).
pub(crate) fn query_optional_text(
    conn: &Connection,
    sql: &str,
    param: &str,
) -> Result<Option<String>> {
    conn.query_row(sql, [param], |row| row.get::<_, String>(0))
        .optional()
        .db()
}
