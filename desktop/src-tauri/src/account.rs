//! "Mon compte": the signed-in person's own sessions and password. The devices signed in to the
//! account (this one marked), signing another one out (a lost laptop, a phone sold), and changing the
//! password with the current one, which ends every other session. The server checks and audits each;
//! its refusals (a wrong current password, a password too short) come back in plain French.

use rempla_client::ApiClient;
use rempla_core::api::accounts::{DeviceList, PasswordChanged};
use serde_json::Value;
use tauri::AppHandle;

use crate::commands::{Feature, blocking, checked_id, with_api};
use crate::error::DesktopError;

/// The devices signed in to the account (`GET /v1/me/devices`).
#[tauri::command]
pub async fn my_devices(app: AppHandle) -> Result<Feature<DeviceList>, DesktopError> {
    blocking(move || with_api(&app, ApiClient::devices)).await
}

/// Signs another device out (`DELETE /v1/me/devices/{id}`): its token stops working at once.
#[tauri::command]
pub async fn device_sign_out(
    app: AppHandle,
    device_id: String,
) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        let id: uuid::Uuid = checked_id(&device_id)?;
        with_api(&app, |api| api.sign_out_device(id))
    })
    .await
}

/// The account's notification preferences (`GET /v1/me/notification-preferences`).
#[tauri::command]
pub async fn notification_preferences(app: AppHandle) -> Result<Feature<Value>, DesktopError> {
    blocking(move || with_api(&app, ApiClient::notification_preferences)).await
}

/// Replaces them (`PUT /v1/me/notification-preferences`): the whole document, checked by the server.
#[tauri::command]
pub async fn notification_preferences_set(
    app: AppHandle,
    preferences: Value,
) -> Result<Feature<Value>, DesktopError> {
    blocking(move || {
        if !preferences.is_object() {
            return Err(DesktopError::invalid("Préférences illisibles."));
        }
        with_api(&app, |api| api.set_notification_preferences(&preferences))
    })
    .await
}

/// Changes the password (`POST /v1/me/password`); this computer stays signed in, the others are not.
#[tauri::command]
pub async fn password_change(
    app: AppHandle,
    current: String,
    new: String,
) -> Result<Feature<PasswordChanged>, DesktopError> {
    blocking(move || with_api(&app, |api| api.change_password(&current, &new))).await
}
