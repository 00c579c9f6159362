//! A mission opened from the planning: its doctor's contacts (read on the server, which audits every
//! read), its contract (facts, signatures, the version to sign), signing it by click, and its PDF saved
//! to the downloads folder. Answers stay JSON: the UI reads them defensively.

use rempla_core::domain::MissionId;
use serde_json::{Value, json};
use tauri::AppHandle;

use crate::commands::{Feature, blocking, checked_id, with_api};
use crate::error::DesktopError;

/// The mission with the contacts the member may see and its contract:
/// `{"detail": MissionDetail, "contract": ContractView}`.
#[tauri::command]
pub async fn mission_open(
    app: AppHandle,
    mission_id: String,
) -> Result<Feature<Value>, DesktopError> {
    blocking(move || {
        let id: MissionId = checked_id(&mission_id)?;
        with_api(&app, |api| {
            let detail = api.mission_details(id)?;
            let contract = api.contract(id)?;
            Ok(json!({"detail": detail, "contract": contract}))
        })
    })
    .await
}

/// Signs the version `sha256` of the mission's contract for the facility.
#[tauri::command]
pub async fn contract_sign(
    app: AppHandle,
    mission_id: String,
    sha256: String,
) -> Result<Feature<Value>, DesktopError> {
    blocking(move || {
        let id: MissionId = checked_id(&mission_id)?;
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DesktopError::invalid(
                "Version du contrat illisible : rouvrez la mission.",
            ));
        }
        with_api(&app, |api| api.sign_contract(id, &sha256))
    })
    .await
}

/// Saves the contract's PDF to the downloads folder as `contrat-<mission>.pdf`; returns its path.
#[tauri::command]
pub async fn contract_pdf(
    app: AppHandle,
    mission_id: String,
) -> Result<Feature<String>, DesktopError> {
    blocking(move || {
        let id: MissionId = checked_id(&mission_id)?;
        let dir = crate::downloads::folder(&app)?;
        let got = with_api(&app, |api| api.contract_pdf(id))?;
        let Some(bytes) = got.data else {
            return Ok(Feature {
                available: false,
                data: None,
            });
        };
        let path = crate::downloads::save(&dir, &format!("contrat-{id}"), &bytes)?;
        Ok(Feature {
            available: true,
            data: Some(path.display().to_string()),
        })
    })
    .await
}
