//! The values that cross the SQL seam: [`Val`] (the only three column kinds the schema uses), [`Row`], and
//! the small typed readers every query uses to take a column out of a row.

use super::error::StorageError;

/// One SQL value: the only three kinds the schema uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// A `BIGINT`.
    Int(i64),
    /// A `TEXT`.
    Text(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Self::Int(i64::from(b))
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(o: Option<T>) -> Self {
        o.map_or(Self::Null, Into::into)
    }
}

/// One result row.
pub type Row = Vec<Val>;

pub(crate) fn text(row: &Row, i: usize) -> Result<String, StorageError> {
    match row.get(i) {
        Some(Val::Text(s)) => Ok(s.clone()),
        other => Err(StorageError::Corrupt(format!(
            "colonne {i} : texte attendu, {other:?}"
        ))),
    }
}

pub(crate) fn opt_text(row: &Row, i: usize) -> Result<Option<String>, StorageError> {
    match row.get(i) {
        Some(Val::Null) => Ok(None),
        _ => text(row, i).map(Some),
    }
}

pub(crate) fn int(row: &Row, i: usize) -> Result<i64, StorageError> {
    match row.get(i) {
        Some(Val::Int(v)) => Ok(*v),
        other => Err(StorageError::Corrupt(format!(
            "colonne {i} : entier attendu, {other:?}"
        ))),
    }
}

pub(crate) fn opt_int(row: &Row, i: usize) -> Result<Option<i64>, StorageError> {
    match row.get(i) {
        Some(Val::Null) => Ok(None),
        _ => int(row, i).map(Some),
    }
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &Row, i: usize) -> Result<T, StorageError> {
    serde_json::from_str(&text(row, i)?).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}
