//! Drafts of the forms a person fills (an availability, an answer's reason, a profile correction):
//! kept in the local store as they are typed, so closing the app or losing power mid-edit loses
//! nothing; cleared when the form is sent. Keys are the form's (`availability`, `reason.<proposal>`…),
//! values the fields as the UI has them; both are bounded so a draft never fills the disk.

use rempla_store::settings;
use serde_json::Value;
use tauri::{AppHandle, Manager};

use crate::commands::blocking;
use crate::error::DesktopError;
use crate::state::AppState;

/// Longest draft key.
const MAX_KEY: usize = 100;
/// Largest draft, as JSON.
const MAX_DRAFT_BYTES: usize = 64 * 1024;

fn checked_key(key: &str) -> Result<&str, DesktopError> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(key)
    } else {
        Err(DesktopError::invalid("Brouillon : nom illisible."))
    }
}

/// Keeps the draft `value` of the form `key`.
#[tauri::command]
pub async fn draft_save(app: AppHandle, key: String, value: Value) -> Result<(), DesktopError> {
    blocking(move || {
        let key = checked_key(&key)?;
        if serde_json::to_vec(&value).map_or(usize::MAX, |v| v.len()) > MAX_DRAFT_BYTES {
            return Err(DesktopError::new(
                "too_long",
                "Brouillon trop long : il n'est pas gardé.",
            ));
        }
        let state = app.state::<AppState>();
        state.ui()?.set_setting(&settings::draft(key), &value)?;
        Ok(())
    })
    .await
}

/// The draft of the form `key`, `null` when there is none.
#[tauri::command]
pub async fn draft_load(app: AppHandle, key: String) -> Result<Option<Value>, DesktopError> {
    blocking(move || {
        let key = checked_key(&key)?;
        let state = app.state::<AppState>();
        Ok(state.ui()?.setting(&settings::draft(key))?)
    })
    .await
}

/// Forgets the draft of the form `key` (sent, or given up).
#[tauri::command]
pub async fn draft_clear(app: AppHandle, key: String) -> Result<(), DesktopError> {
    blocking(move || {
        let key = checked_key(&key)?;
        let state = app.state::<AppState>();
        state.ui()?.clear_setting(&settings::draft(key))?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_keys_are_short_and_plain() {
        assert!(checked_key("reason.0190f5d2-0000-7000-8000-000000000001").is_ok());
        assert!(checked_key("availability").is_ok());
        for bad in ["", "../x", "a b", "é", &"x".repeat(101)] {
            assert!(checked_key(bad).is_err(), "{bad}");
        }
    }
}
